"""Fault class 8 (issue 14, Deliver 8): generated bad input to the command line.

Hypothesis breaks one option of a command at a time (the others valid) with text that an
independent oracle, not sidepay's own parser, calls invalid; every example must end in
exit 2, one ``sidepay: error:`` line naming the broken flag, and no traceback, before any
work (nothing is written into the output folder).
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from reliability_kit import one_line_error

from sidepay.cli import main

# characters that look like digits or separators but are not ASCII digits
TRICKY = "0123456789:_-+ .e\u00b2\u00b9\u0660\u0661\u0966\uff11\u2007,/\t"
YEARS_OK = re.compile(r"\s*([0-9]+)\s*(?::\s*([0-9]+)\s*)?")
COUNT_OK = re.compile(r"\s*[0-9]+\s*")


def _years_valid(text: str) -> bool:
    m = YEARS_OK.fullmatch(text)
    if not m:
        return False
    lo = int(m.group(1))
    hi = int(m.group(2) or m.group(1))
    return 1816 <= lo <= hi <= 2030


def _count_valid(text: str, low: int) -> bool:
    return bool(COUNT_OK.fullmatch(text)) and int(text) >= low


texts = st.text(alphabet=TRICKY, min_size=0, max_size=12)
FLAGS = ("--years", "--seed", "--reps", "--periods", "--world")


@st.composite
def broken_run(draw: st.DrawFn) -> tuple[str, str]:
    flag = draw(st.sampled_from(FLAGS))
    if flag == "--world":
        value = draw(st.text(max_size=10))
        assume(value not in ("real", "simulated", "both"))
        return flag, value
    value = draw(texts)
    if flag == "--years":
        assume(not _years_valid(value))
    else:
        assume(not _count_valid(value, 0 if flag == "--seed" else 1))
    assume(not value.startswith("-") or value == "-")  # '-x' would be read as a flag
    return flag, value


def _run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, err.getvalue()


@settings(max_examples=50, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.filter_too_much])  # fmt: skip
@given(broken_run())
def test_run_bad_option_is_one_line_exit_2(broken: tuple[str, str]) -> None:
    flag, value = broken
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rep"
        options = {"--years": "1990:1991", "--seed": "1", "--reps": "1", "--periods": "2",
                   "--world": "simulated"}  # fmt: skip
        options[flag] = value
        argv = ["run", "--quiet", "--out", str(out)]
        for k, v in options.items():
            argv += [k, v]
        code, err = _run(argv)
        line = one_line_error(code, err)
        assert flag in line or (flag == "--world" and "world" in line), line
        assert not out.exists() and list(Path(tmp).iterdir()) == []


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.text(alphabet=TRICKY + "abc", max_size=12), st.sampled_from(["case", "statics"]))
def test_years_and_points_are_strict(value: str, command: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if command == "case":
            assume(not _years_valid(value))
            argv = ["case", "USA", "PAK", "--years", value, "--out", f"{tmp}/x.png"]
            flag = "--years"
        else:
            assume(not _count_valid(value, 2) or int(value) > 10**7)
            argv = ["model", "statics", "--vary", "W", "--points", value, "--out", f"{tmp}/o"]
            flag = "--points"
        code, err = _run(argv)
        line = one_line_error(code, err)
        assert flag in line, line
        assert list(Path(tmp).iterdir()) == []
