"""Regression tables as Markdown, LaTeX and HTML: text rendering of computed numbers.

A table is a list of :class:`RegressionColumn` (one model each): coefficient rows with
standard errors in parentheses and significance stars that match the verdicts' 5% level
(* p<0.05, ** p<0.01, *** p<0.001; :data:`STARS_LEGEND` is printed under every table),
then the sample size, events, fixed effects and the variance estimator. Cox models are
shown as hazard ratios exp(b) with their 95% interval in brackets; a coefficient that is
not identified (it diverges: separation, or no event where it varies) is marked † and
never starred.
:func:`regression_tables` renders the tables of one
:class:`~sidepay.analysis.result.HypothesisResult`. No statistic is computed here; the
number formats of the page (:func:`fmt_number`, :func:`fmt_p`) live here too.

Examples
--------
>>> col = RegressionColumn("H2", "feols", {"W": (0.8, 0.2, 0.0001)}, {"N": "1000"})
>>> print(render_markdown([col], caption="Price"))  # doctest: +NORMALIZE_WHITESPACE
**Price**
<BLANKLINE>
| | (1) H2 |
|---|---|
| W | 0.800*** |
| | (0.200) |
| estimator | feols |
| N | 1000 |
<BLANKLINE>
* p < 0.05, ** p < 0.01, *** p < 0.001 (two-sided; verdicts use p < 0.05). † not identified: no stars, never counted. Cox: hazard ratios exp(b), 95% interval in brackets.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sidepay.analysis.result import HypothesisResult, ModelSummary

#: the regression tables' formats and the file suffix of each
TABLE_SUFFIX = {"html": "html", "latex": "tex", "markdown": "md"}

#: term-name prefixes a regression table leaves out (peace-years spline terms)
HIDDEN_TERMS = ("_py",)

#: the note under every regression table: what the stars and marks mean
STARS_LEGEND = (
    "* p < 0.05, ** p < 0.01, *** p < 0.001 (two-sided; verdicts use p < 0.05). "
    "† not identified: no stars, never counted. "
    "Cox: hazard ratios exp(b), 95% interval in brackets."
)


@dataclass
class RegressionColumn:
    """One model of a table: title, estimator, {term: (estimate, se, p)}, footer stats."""

    title: str
    estimator: str
    terms: dict[str, tuple[float, float, float]]
    stats: dict[str, str] = field(default_factory=dict)
    hazard_ratio: bool = False
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    not_identified: frozenset[str] = frozenset()

    @classmethod
    def from_model(
        cls,
        title: str,
        model: ModelSummary,
        hide: Sequence[str] = (),
        labels: dict[str, str] | None = None,
    ) -> RegressionColumn:
        """Column of a fitted model; terms starting with any prefix in ``hide`` are omitted.

        Examples
        --------
        >>> from sidepay.analysis.result import ModelSummary, Term
        >>> m = ModelSummary("feols", "y ~ x", "iid", "", (Term("x", 1.0, 0.2, 0.6, 1.4, 0.0),),
        ...     n_obs=50)
        >>> RegressionColumn.from_model("m", m).terms["x"][:2]
        (1.0, 0.2)
        """
        labels = labels or {}
        shown = [t for t in model.terms if not any(t.name.startswith(h) for h in hide)]
        hr = model.estimator == "cox"
        terms = {
            labels.get(t.name, t.name): (
                math.exp(t.estimate) if hr else float(t.estimate),
                float(t.std_error),
                float(t.p_value),
            )
            for t in shown
        }
        intervals = (
            {labels.get(t.name, t.name): (math.exp(t.conf_low), math.exp(t.conf_high))
             for t in shown}
            if hr else {}
        )  # fmt: skip
        bad = frozenset(labels.get(t.name, t.name) for t in shown if not t.identified)
        stats = {"N": f"{model.n_obs:,}"}
        if model.n_events is not None:
            stats["events"] = f"{model.n_events:,}"
        if model.fixed_effects:
            stats["fixed effects"] = ", ".join(model.fixed_effects)
        if model.n_clusters is not None:
            stats["clusters"] = f"{model.n_clusters:,}"
        stats["std. errors"] = model.vcov
        if hr:
            stats["shown as"] = "hazard ratios"
        return cls(title, model.estimator, terms, stats, hr, intervals, bad)


def _stars(p: float) -> str:
    """Stars at the verdicts' 5% level and below (:data:`STARS_LEGEND`).

    Examples
    --------
    >>> [_stars(p) for p in (0.0005, 0.005, 0.03, 0.07)]
    ['***', '**', '*', '']
    """
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _fmt_big(x: float) -> str:
    """A coefficient or ratio: 3 decimals, scientific beyond 1e5 (a diverging HR)."""
    if not math.isfinite(x):
        return "inf" if x > 0 else "-inf" if x < 0 else "nan"
    return f"{x:.3g}" if abs(x) >= 1e5 else f"{x:.3f}"


def _grid(columns: Sequence[RegressionColumn]) -> tuple[list[str], list[list[str]]]:
    """Header and body cells shared by all renderers."""
    header = [f"({i + 1}) {c.title}" for i, c in enumerate(columns)]
    terms = list(dict.fromkeys(t for c in columns for t in c.terms))
    body: list[list[str]] = []
    for t in terms:
        est, se = [t], [""]
        for c in columns:
            if t in c.terms:
                b, s, p = c.terms[t]
                mark = "†" if t in c.not_identified else _stars(p)
                est.append(f"{_fmt_big(b)}{mark}")
                if c.hazard_ratio and t in c.intervals:
                    lo, hi = c.intervals[t]
                    se.append(f"[{_fmt_big(lo)}, {_fmt_big(hi)}]")
                else:
                    se.append(f"({s:.3f})")
            else:
                est.append("")
                se.append("")
        body += [est, se]
    body.append(["estimator", *[c.estimator for c in columns]])
    keys = list(dict.fromkeys(k for c in columns for k in c.stats))
    for k in keys:
        body.append([k, *[c.stats.get(k, "") for c in columns]])
    return header, body


def render_markdown(columns: Sequence[RegressionColumn], caption: str = "") -> str:
    """GitHub-flavoured Markdown table."""
    header, body = _grid(columns)
    lines = [f"**{caption}**", ""] if caption else []
    lines.append("| | " + " | ".join(header) + " |")
    lines.append("|---" * (len(header) + 1) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in body]
    lines += ["", STARS_LEGEND]
    return "\n".join(lines)


_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "−": "$-$",
    "–": "--",
}


def tex_escape(s: str) -> str:
    r"""Escape LaTeX's special characters (and unicode dashes) in one pass (so escapes are not re-escaped).

    Examples
    --------
    >>> print(tex_escape("log_gdp {a} ~ 50% & #1 $x^2$ \\"))
    log\_gdp \{a\} \textasciitilde{} 50\% \& \#1 \$x\textasciicircum{}2\$ \textbackslash{}
    """
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in s)


_TEX_DAGGER = r"$^\dagger$"


def _tex_cell(s: str) -> str:
    stars = len(s) - len(s.rstrip("*"))
    core = tex_escape(s.rstrip("*")) if stars else tex_escape(s)
    core = core.replace("†", _TEX_DAGGER)
    return core + (f"$^{{{'*' * stars}}}$" if stars else "")


def render_latex(columns: Sequence[RegressionColumn], caption: str = "") -> str:
    """LaTeX ``tabular`` (booktabs) inside a ``table`` environment.

    Examples
    --------
    >>> col = RegressionColumn("H2", "feols", {"W": (0.8, 0.2, 0.0001)})
    >>> "0.800$^{***}$" in render_latex([col])
    True
    """
    header, body = _grid(columns)
    n = len(header)
    out = [r"\begin{table}[ht]", r"\centering"]
    if caption:
        out.append(rf"\caption{{{tex_escape(caption)}}}")
    out += [rf"\begin{{tabular}}{{l{'c' * n}}}", r"\toprule"]
    out.append(" & " + " & ".join(tex_escape(h) for h in header) + r" \\")
    out.append(r"\midrule")
    for row in body:
        out.append(" & ".join(_tex_cell(c) for c in row) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}"]
    legend = tex_escape(STARS_LEGEND).replace("†", _TEX_DAGGER)
    out += [r"\par\footnotesize " + legend]
    out += [r"\end{table}"]
    return "\n".join(out)


def render_html(columns: Sequence[RegressionColumn], caption: str = "") -> str:
    """HTML ``<table>`` with class ``regression-table``.

    Examples
    --------
    >>> col = RegressionColumn("H<2>", "feols", {"W": (0.8, 0.2, 0.001)})
    >>> "H&lt;2&gt;" in render_html([col])
    True
    """
    header, body = _grid(columns)
    out = ['<table class="regression-table">']
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out.append(
        "<thead><tr><th></th>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in header)
        + "</tr></thead>"
    )
    out.append("<tbody>")
    for row in body:
        out.append(
            "<tr><th>"
            + html.escape(row[0])
            + "</th>"
            + "".join(f"<td>{html.escape(c)}</td>" for c in row[1:])
            + "</tr>"
        )
    out.append("</tbody>")
    out.append(
        f'<tfoot><tr><td class="legend" colspan="{len(header) + 1}">'
        f"{html.escape(STARS_LEGEND)}</td></tr></tfoot>"
    )
    out.append("</table>")
    return "\n".join(out)


def render_all(columns: Sequence[RegressionColumn], caption: str = "") -> dict[str, str]:
    """All three formats, keyed "html", "latex", "markdown"."""
    return {
        "html": render_html(columns, caption),
        "latex": render_latex(columns, caption),
        "markdown": render_markdown(columns, caption),
    }


def regression_tables(result: HypothesisResult) -> dict[str, str]:
    """The regression tables of one result, keyed "html", "latex", "markdown".

    One table per estimated part (the headline model, then each secondary test), each
    captioned with its title; empty when nothing was estimated. A multi-part hypothesis
    always has the three keys (an empty string when no part was estimated).

    Examples
    --------
    >>> from sidepay.analysis.result import HypothesisResult
    >>> r = HypothesisResult("H2", "t", "real", "y", "W", 1, "feols", None, None, None,
    ...     None, None, 0, None, "inconclusive", "")
    >>> regression_tables(r)
    {}
    """
    models = [(x, x.model) for x in (result, *result.secondary) if x.model is not None]
    rendered = [
        render_all([RegressionColumn.from_model(x.hypothesis, m, hide=HIDDEN_TERMS)], x.title)
        for x, m in models
    ]
    if not result.parts:
        return rendered[0] if rendered else {}
    return {fmt: "\n\n".join(t[fmt] for t in rendered) for fmt in TABLE_SUFFIX}


def fmt_number(value: Any, digits: int = 3) -> str:
    """A number for the page: significant digits, '–' for missing.

    Examples
    --------
    >>> fmt_number(0.000123456), fmt_number(None), fmt_number(1234567.0), fmt_number(12)
    ('0.000123', '–', '1.23e+06', '12')
    """
    if value is None:
        return "–"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(x):
        return "–"
    return f"{x:.{digits}g}"


def fmt_p(value: Any) -> str:
    """A p-value: '< 0.001' below a thousandth.

    Examples
    --------
    >>> fmt_p(0.0000002), fmt_p(0.0412), fmt_p(None)
    ('< 0.001', '0.041', '–')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return "< 0.001" if float(value) < 0.001 else f"{float(value):.3f}"
