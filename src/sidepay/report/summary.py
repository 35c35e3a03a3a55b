"""Summary tables: one row per result, for the report folder and for a notebook.

:func:`summary_tables` writes every estimate of a run in one table (HTML, LaTeX,
Markdown); :func:`results_summary_html` is the short table a notebook shows for a result
or a list of results (their ``_repr_html_``); :func:`recovery_markdown` formats a
parameter-recovery table. Formatting only: every number arrives computed.

Examples
--------
>>> from sidepay.analysis.result import HypothesisResult
>>> r = HypothesisResult("H2", "Price", "real", "y", "W", 1, "feols", 0.5, 0.1, 0.3, 0.7,
...     0.01, 100, None, "supported", "")
>>> print(summary_tables([r])["markdown"].splitlines()[2])
| H2 | real | y | W | + | feols | 0.5 | 0.1 | [0.3, 0.7] | 0.010 | 100 | – | supported |
"""

from __future__ import annotations

import html as _html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sidepay.report.tables import fmt_number, fmt_p, tex_escape

if TYPE_CHECKING:
    import pandas as pd

    from sidepay.analysis.result import HypothesisResult

_Cell = Callable[["HypothesisResult"], str]

#: every column a summary row can show: header -> cell of a result
_COLUMNS: dict[str, _Cell] = {
    "hypothesis": lambda r: r.hypothesis,
    "world": lambda r: r.world,
    "outcome": lambda r: r.outcome,
    "regressor": lambda r: r.regressor,
    "expected": lambda r: {1: "+", -1: "−"}.get(r.expected_sign, "0"),
    "estimator": lambda r: r.estimator,
    "estimate": lambda r: fmt_number(r.estimate),
    "std. error": lambda r: fmt_number(r.std_error),
    "95% interval": lambda r: f"[{fmt_number(r.conf_low)}, {fmt_number(r.conf_high)}]",
    "p": lambda r: fmt_p(r.p_value),
    "N": lambda r: fmt_number(r.n_obs),
    "events": lambda r: fmt_number(r.n_events),
    "verdict": lambda r: r.verdict,
}

#: the short notebook summary: hypothesis, estimate, CI, p, N, verdict
NOTEBOOK_COLUMNS = ("hypothesis", "world", "estimate", "95% interval", "p", "N", "verdict")


def _rows(
    results: Sequence[HypothesisResult], columns: Sequence[str]
) -> tuple[list[str], list[list[str]]]:
    return list(columns), [[_COLUMNS[c](r) for c in columns] for r in results]


def _html_table(head: list[str], rows: list[list[str]], css_class: str) -> str:
    esc = _html.escape
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>\n" for row in rows)
    return (
        f'<table class="{css_class}">\n<thead><tr>'
        + "".join(f"<th>{esc(h)}</th>" for h in head)
        + f"</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n"
    )


def summary_tables(results: Sequence[HypothesisResult]) -> dict[str, str]:
    """Every estimate in one table, as HTML, LaTeX and Markdown (formatting only).

    Examples
    --------
    >>> sorted(summary_tables([]))
    ['html', 'latex', 'markdown']
    """
    head, rows = _rows(results, list(_COLUMNS))
    md = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    md += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    latex = [
        "\\begin{tabular}{" + "l" * 6 + "r" * 6 + "l}",
        "\\hline",
        " & ".join(tex_escape(h) for h in head) + " \\\\",
        "\\hline",
    ]
    latex += [" & ".join(tex_escape(c) for c in row) + " \\\\" for row in rows]
    latex += ["\\hline", "\\end{tabular}"]
    return {
        "html": _html_table(head, rows, "summary"),
        "latex": "\n".join(latex) + "\n",
        "markdown": "\n".join(md) + "\n",
    }


def results_summary_html(results: Sequence[HypothesisResult]) -> str:
    """The short notebook table of ``results``: one row each (no regression tables).

    Examples
    --------
    >>> from sidepay.analysis.result import HypothesisResult
    >>> r = HypothesisResult("H<2>", "t", "real", "y", "W", 1, "feols", 0.5, 0.1, 0.3, 0.7,
    ...     0.0001, 100, None, "supported", "")
    >>> text = results_summary_html([r])
    >>> "H&lt;2&gt;" in text and "&lt; 0.001" in text and text.count("<tr>") == 2
    True
    """
    head, rows = _rows(results, NOTEBOOK_COLUMNS)
    return _html_table(head, rows, "sidepay-results")


def recovery_markdown(table: pd.DataFrame) -> str:
    """A recovery table (:func:`sidepay.analysis.recovery.recovery_study`) as Markdown.

    Shares are shown as percentages, estimates with three significant digits.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"hypothesis": ["H2"], "reps": [10], "power": [0.9]})
    >>> print(recovery_markdown(t))
    | hypothesis | reps | power |
    |---|---|---|
    | H2 | 10 | 90% |
    """
    import pandas as pd

    cols = list(table.columns)
    lines = ["| " + " | ".join(cols) + " |", "|---" * len(cols) + "|"]
    for _, row in table.iterrows():
        cells = []
        for c in cols:
            v = row[c]
            if c in ("hypothesis",):
                cells.append(str(v))
            elif c == "reps":
                cells.append(str(int(v)))
            elif "estimate" in c:
                cells.append("" if pd.isna(v) else f"{v:.3g}")
            else:
                cells.append("" if pd.isna(v) else f"{100 * v:.0f}%")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
