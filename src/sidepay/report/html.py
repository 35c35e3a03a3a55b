"""The HTML report: one self-contained page rendered with jinja2 (autoescaped).

Everything the page shows arrives computed: hypothesis results from ``sidepay.analysis``,
model curves from ``sidepay.theory.statics``, case figures drawn by
:mod:`sidepay.report.cases`. This module only lays them out. Figures are inline SVG and the
CSS is inline, so the page opens from disk and asks no other host for anything.

The analysis hands over typed results; the regression tables are rendered from them in
:mod:`sidepay.report.tables` and passed through :func:`sanitize_table_html`, which keeps
table markup and text only (no ``<style>``, ``<script>``, links, external fonts or event
handlers), so that no table can break the page or make it fetch anything.

Examples
--------
>>> sanitize_table_html('<style>@import url("https://x")</style><table><tr>'
...     '<td onclick="x()" colspan="2">a&lt;b</td></tr></table>')
'<table><tr><td colspan="2">a&lt;b</td></tr></table>'
"""

from __future__ import annotations

import html as _html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from sidepay.analysis.result import HypothesisResult
from sidepay.jsonsafe import finite_or_none
from sidepay.report.summary import summary_tables
from sidepay.report.tables import TABLE_SUFFIX, fmt_number, fmt_p, regression_tables

__all__ = [
    "TABLE_SUFFIX",
    "CaseFigure",
    "HypothesisSection",
    "ReportContent",
    "StaticsFigure",
    "dumps_json",
    "finite_or_none",
    "fmt_number",
    "fmt_p",
    "group_results",
    "render_report",
    "result_record",
    "results_document",
    "sanitize_table_html",
    "summary_tables",
]

TEMPLATES = Path(__file__).parent / "templates"

_ALLOWED_TAGS = frozenset(
    "table thead tbody tfoot tr th td caption colgroup col span div p br sup sub em strong "
    "b i small code".split()
)
_VOID_TAGS = frozenset({"br", "col"})
_ALLOWED_ATTRS = frozenset({"colspan", "rowspan", "class", "align", "scope"})
_DROP_CONTENT = frozenset({"style", "script", "head", "title", "link", "meta", "svg", "iframe"})


class _TableSanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.open: list[str] = []  # kept tags not yet closed: the output is balanced

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            if tag not in ("link", "meta"):
                self.skip += 1
            return
        if self.skip or tag not in _ALLOWED_TAGS:
            return
        kept = "".join(
            f' {k}="{_html.escape(v or "", quote=True)}"' for k, v in attrs if k in _ALLOWED_ATTRS
        )
        self.out.append(f"<{tag}{kept}>")
        if tag not in _VOID_TAGS:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT:
            if tag not in ("link", "meta"):
                self.skip = max(0, self.skip - 1)
            return
        if self.skip or tag not in _ALLOWED_TAGS or tag in _VOID_TAGS or tag not in self.open:
            return  # a closing tag with no opening one is dropped
        while self.open:  # close what was left open inside it, then the tag itself
            inner = self.open.pop()
            self.out.append(f"</{inner}>")
            if inner == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(_html.escape(data, quote=False))


def sanitize_table_html(fragment: str) -> str:
    """Keep only table markup and escaped text from an HTML fragment.

    Examples
    --------
    >>> sanitize_table_html("<table><tr><td><script>alert(1)</script>x</td></tr></table>")
    '<table><tr><td>x</td></tr></table>'
    >>> sanitize_table_html("</div></table><table><tr><td><b>x</td>")  # balanced tags
    '<table><tr><td><b>x</b></td></tr></table>'
    """
    parser = _TableSanitizer()
    parser.feed(fragment)
    parser.close()
    parser.out.extend(f"</{tag}>" for tag in reversed(parser.open))
    return "".join(parser.out)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "x"


@dataclass
class CaseFigure:
    """One case section: the pair, an inline SVG figure (or why there is none)."""

    title: str
    note: str
    svg: str | None = None
    message: str = ""


@dataclass
class StaticsFigure:
    """One comparative-statics figure and what it shows."""

    title: str
    caption: str
    svg: str


@dataclass
class HypothesisSection:
    """Every result of one hypothesis (real and simulated) and its figure."""

    hypothesis: str
    title: str
    prediction: str
    results: list[HypothesisResult]
    svg: str = ""

    def world(self, name: str) -> HypothesisResult | None:
        """The result in world ``name`` (first one), if any."""
        return next((r for r in self.results if r.world == name), None)


@dataclass
class ReportContent:
    """What :func:`render_report` lays out."""

    title: str = "sidepay: the trade-off theory of asymmetric alliances, tested"
    world: str = "both"
    years: tuple[int, int] = (1946, 2020)
    seed: int = 1
    generated: str = ""
    sections: list[HypothesisSection] = field(default_factory=list)
    statics: list[StaticsFigure] = field(default_factory=list)
    propositions: list[dict[str, Any]] = field(default_factory=list)
    cases: list[CaseFigure] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    #: "H2/real" -> registered sources behind the variables of that estimate
    result_sources: dict[str, list[str]] = field(default_factory=dict)
    #: (id, title, escaped html) of the referee's sections (report.multiverse_page)
    referee: list[tuple[str, str, str]] = field(default_factory=list)
    #: the real panel's multiverse (sidepay.analysis.multiverse.Multiverse), if run
    multiverse: Any = None
    #: the structural estimates (sidepay.estimate.summary.EstimationSummary), if run
    estimation: Any = None
    #: what ``--estimate`` asked for: none, formation or both
    estimate: str = "formation"


def group_results(results: Sequence[HypothesisResult]) -> list[HypothesisSection]:
    """Group results by hypothesis, in the order H1, H2, ... (then others by name).

    Examples
    --------
    >>> mk = lambda h, w: HypothesisResult(hypothesis=h, title=h, world=w, outcome="y",
    ...     regressor="x", expected_sign=1, estimator="ols", estimate=None, std_error=None,
    ...     conf_low=None, conf_high=None, p_value=None, n_obs=0, n_events=None,
    ...     verdict="inconclusive", reason="")
    >>> [s.hypothesis for s in group_results([mk("H10", "real"), mk("H2", "real"),
    ...     mk("H2", "simulated")])]
    ['H2', 'H10']
    """

    def order(h: str) -> tuple[int, str]:
        m = re.fullmatch(r"[A-Za-z]*(\d+)", h)
        return (int(m.group(1)) if m else 10**6, h)

    by: dict[str, list[HypothesisResult]] = {}
    for r in results:
        by.setdefault(r.hypothesis, []).append(r)
    sections = []
    for h in sorted(by, key=order):
        rs = sorted(by[h], key=lambda r: (r.world != "real", r.world))
        prediction = next((r.prediction for r in rs if r.prediction), "")
        sections.append(HypothesisSection(h, rs[0].title, prediction, rs))
    return sections


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = fmt_number
    env.filters["pval"] = fmt_p
    env.filters["slug"] = _slug
    env.filters["table"] = lambda s: Markup(sanitize_table_html(str(s)))
    env.filters["regression_tables"] = regression_tables
    env.filters["svg"] = lambda s: Markup(s)  # our own matplotlib output, see figures.py
    env.filters["shorten"] = _shorten
    env.filters["estimation_section"] = _estimation_section
    return env


def _estimation_section(summary: Any) -> Markup:
    from sidepay.report.estimation import estimation_section  # it imports this module

    return estimation_section(summary)


def _shorten(value: Any, limit: int = 12) -> str:
    """Long lists on the page as 'a, b, c, ... (n in all)'."""
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
        if len(items) > limit:
            return ", ".join(items[:limit]) + f", ... ({len(items)} in all)"
        return ", ".join(items)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_shorten(v, limit)}" for k, v in value.items())
    return str(value)


def render_report(content: ReportContent) -> str:
    """Render the report page.

    Examples
    --------
    >>> page = render_report(ReportContent(notes=["<b>not run</b>"]))
    >>> page.startswith("<!DOCTYPE html>") and "&lt;b&gt;not run&lt;/b&gt;" in page
    True
    """
    env = _environment()
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    verdicts: dict[str, dict[str, list[str]]] = {}
    for s in content.sections:
        for r in s.results:
            verdicts.setdefault(r.world, {}).setdefault(r.verdict, []).append(r.hypothesis)
    worlds = sorted(verdicts, key=lambda w: (w != "real", w))  # real first, then the others
    return env.get_template("report.html.j2").render(
        c=content, css=Markup(css), verdicts=verdicts, worlds=worlds
    )


def result_record(result: HypothesisResult) -> dict[str, Any]:
    """One entry of ``results.json``: the result's JSON with its rendered tables.

    Examples
    --------
    >>> r = HypothesisResult("H2", "t", "real", "y", "W", 1, "feols", None, None, None,
    ...     None, None, 0, None, "inconclusive", "")
    >>> result_record(r)["tables"]
    {}
    """
    return result.to_dict() | {"tables": regression_tables(result)}


def results_document(
    results: Sequence[HypothesisResult], meta: Mapping[str, Any]
) -> dict[str, Any]:
    """The content of ``results.json``: every estimate and verdict, JSON-safe.

    Examples
    --------
    >>> results_document([], {"seed": 1})["meta"]
    {'seed': 1}
    """
    return finite_or_none({"meta": dict(meta), "results": [result_record(r) for r in results]})


def dumps_json(document: Any) -> str:
    """Stable JSON text (sorted keys, no NaN).

    Examples
    --------
    >>> dumps_json({"b": 1, "a": float("nan")})
    '{\\n  "a": null,\\n  "b": 1\\n}\\n'
    """
    return json.dumps(finite_or_none(document), indent=2, sort_keys=True, allow_nan=False) + "\n"
