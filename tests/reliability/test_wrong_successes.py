"""Fault class 7 (issue 14, Low): outputs that looked like successes but were wrong.

Strict JSON from ``model solve --json`` over the documented ranges, balanced tags from the
report's table sanitizer, and a panel checked against the schema before it is written.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_kit import one_line_error, run_cli

from sidepay.cli import main
from sidepay.errors import InputError
from sidepay.report.html import sanitize_table_html
from sidepay.study import _check_panels


def _strict(text: str) -> object:
    def refuse(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


EXTREMES = {
    "--threat": ["0", "1e308"],
    "--value": ["0", "1e308"],
    "--cost": ["0", "1e308"],
    "--goods": ["0", "1e308"],
    "--income": ["1e-308", "1e308"],
    "--eta": ["0", "1e308"],
    "--kappa": ["1e-308", "1e308"],
}


@settings(max_examples=16, deadline=None, derandomize=True)
@given(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in EXTREMES.items()}))
def test_model_solve_json_is_strict_or_one_line(choice: dict[str, str]) -> None:
    argv = ["model", "solve", "--json"] + [x for kv in choice.items() for x in kv]
    out, err = io.StringIO(), io.StringIO()  # hypothesis runs many examples per test call
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    if code == 0:
        payload = _strict(out.getvalue())  # never -Infinity or NaN
        assert isinstance(payload, dict) and "equilibrium" in payload
    else:
        assert "overflows 64-bit floats" in one_line_error(code, err.getvalue())


def test_model_solve_json_nan_is_null(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["model", "solve", "--json", "--threat", "0", "--goods", "1e308", "--income",
            "1e308", "--eta", "1e308"]  # fmt: skip
    code, out, _err = run_cli(argv, capsys)
    assert code == 0
    eq = _strict(out)["equilibrium"]  # type: ignore[index]
    assert eq["hazard_alone"] is None and eq["hazard_allied"] is None


class _Balance(HTMLParser):
    VOID = frozenset({"br", "col"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ok = True

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.ok = False


TAGS = ["table", "tr", "td", "th", "div", "b", "span", "script", "br", "thead", "p"]
piece = st.one_of(
    st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.text(alphabet="ab<>&\"' ", max_size=5),
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(piece, max_size=30).map("".join))
def test_sanitizer_output_is_balanced(fragment: str) -> None:
    clean = sanitize_table_html(fragment)
    checker = _Balance()
    checker.feed(clean)
    checker.close()
    assert checker.ok and checker.stack == [], (fragment, clean)
    assert "<script" not in clean
    assert sanitize_table_html(clean) == clean  # idempotent: a clean fragment is kept


def test_sanitizer_known_cases() -> None:
    assert sanitize_table_html("</td></tr></table>x") == "x"
    assert sanitize_table_html("<table><tr><td>a") == "<table><tr><td>a</td></tr></table>"
    assert re.fullmatch(r"<div><b>x</b></div>", sanitize_table_html("<div><b>x</div></b>"))


def test_panel_checked_against_the_schema_before_it_is_written() -> None:
    ok = pd.DataFrame({"patron": [2], "client": [20], "year": [1950]})
    _check_panels({"simulated": ok})  # the simulated panel needs the keys
    with pytest.raises(InputError, match="real_panel= lacks column"):
        _check_panels({"real": ok})  # the real panel has every schema column
    with pytest.raises(InputError, match=r"simulated_panel= .*year"):
        _check_panels({"simulated": ok.assign(year=["1950"])})
