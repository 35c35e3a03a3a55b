"""The referee's sections of the report: caveats, descriptives, multiverse, survival curves.

Each function returns an escaped HTML fragment built from numbers computed in
:mod:`sidepay.analysis` (descriptive statistics, the multiverse, Kaplan-Meier curves);
:func:`referee_sections` assembles them for :class:`sidepay.report.html.ReportContent`.
No statistic is computed here.

Examples
--------
>>> "borderline" in caveats_html(20)
True
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any, cast

import pandas as pd

from sidepay.report.tables import STARS_LEGEND, fmt_number, fmt_p

__all__ = ["CAVEATS", "caveats_html", "descriptives_html", "multiverse_html", "referee_sections"]

CAVEATS = (
    "Verdicts use p < 0.05; a p-value near 0.05 (H7 has moved between 0.049 and 0.051 as the "
    "panel was revised) is borderline, not support.",
    "Eight hypotheses are tested at 5% each: with every null true about one false verdict in "
    "three runs would be expected. The multiverse section gives Holm and Benjamini-Hochberg "
    "adjusted p-values beside the raw ones.",
    "H8 is an association: payments flow to governments facing challenges that also raise "
    "leader turnover (reverse causation); its low power in the simulated world means a null "
    "result says little.",
    "H2/H3 are identified from differences between clients under patron and year fixed "
    "effects; the multiverse shows them within clients (client+year fixed effects).",
    "Only 7 patrons: patron-level shocks are handled by fixed effects or strata, never by "
    "clustering on G = 7.",
    "A coefficient marked † is not identified (separation, or no event where the covariate "
    "varies): it is printed without stars and never counts as support or contradiction.",
)
"""The caveats of docs/hypotheses.md the page states beside the verdicts."""


def _e(x: Any) -> str:
    return html.escape(str(x))


def caveats_html(reps: int | None) -> str:
    """The caveats, the stars legend and the number of simulated replications."""
    items = "".join(f"<li>{_e(c)}</li>" for c in CAVEATS)
    reps_line = (
        f"<p>The simulated world uses {reps} replications (the one default, "
        "<code>sidepay.options.REPORT_REPS</code>, shared by <code>run</code>, "
        "<code>test</code> and <code>simulate</code>).</p>"
        if reps is not None else ""
    )  # fmt: skip
    return f'<ul class="caveats">{items}</ul><p class="legend">{_e(STARS_LEGEND)}</p>{reps_line}'


def descriptives_html(table: pd.DataFrame, patron_names: dict[int, str] | None = None) -> str:
    """The descriptive statistics (analysis.descriptives) as one table per measure group."""
    names = patron_names or {}
    head = ("measure", "patron", "era", "N", "mean", "sd", "share non-zero", "years")
    out = ['<div class="table-wrap"><table class="descriptives"><thead><tr>']
    out += [f"<th>{h}</th>" for h in head] + ["</tr></thead><tbody>"]
    for r in cast(Any, table.itertuples(index=False)):
        if not getattr(r, "present", True):
            out.append(f"<tr><th>{_e(r.measure)}</th><td colspan='7'>not in the panel</td></tr>")
            continue
        patron = names.get(r.patron, r.patron) if r.patron != "all" else "all"
        years = "" if pd.isna(r.first_year) else f"{int(r.first_year)}–{int(r.last_year)}"
        cells = (r.measure, patron, str(r.era).replace("_", " "), fmt_number(r.n, 6),
                 fmt_number(r.mean), fmt_number(r.sd), fmt_number(r.share_nonzero), years)  # fmt: skip
        out.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def multiverse_html(mv: Any, curves_svg: dict[str, str]) -> str:
    """Summary table (counts, primary and adjusted p), the curves, influence, flips."""
    head = ("hypothesis", "primary verdict", "p", "Holm p", "BH p", "supported", "contrary",
            "inconclusive", "of which unavailable", "curve: share as predicted (null mean, p)")  # fmt: skip
    out = [f"<p>{mv.n_specifications()} specifications in {mv.seconds:.1f} s. "
           "The curve's inference is a multiplier (wild score) bootstrap under the null with "
           f"one Rademacher weight per client shared across specifications ({mv.draws} draws, "
           f"seed {mv.seed}); see <code>sidepay.analysis.curve</code>.</p>"]  # fmt: skip
    out.append('<div class="table-wrap"><table class="multiverse"><thead><tr>')
    out += [f"<th>{h}</th>" for h in head] + ["</tr></thead><tbody>"]
    for h in mv.hypotheses:
        s = h.summary()
        curve = "; ".join(
            f"{k} {c.share_supported:.0%} ({c.null_mean:.1%}, p {fmt_p(c.p_value)})"
            for k, c in h.curves.items() if c
        )  # fmt: skip
        prim = h.primary.verdict if h.primary is not None else "–"
        cells = (h.id, prim, fmt_p(h.p_primary), fmt_p(h.p_holm), fmt_p(h.p_bh), s["supported"],
                 s["contrary"], s["inconclusive"], s["unavailable"], curve)  # fmt: skip
        out.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table></div>")
    for h in mv.hypotheses:
        for part, inf in h.influence.items():
            if inf is None:
                continue
            out.append(
                f"<p class='influence'>{_e(part)}: leave-one-client-out estimates range "
                f"{fmt_number(inf.low)} to {fmt_number(inf.high)} (primary "
                f"{fmt_number(inf.estimate)}); without client {inf.most_influential} "
                f"{fmt_number(inf.estimate_without)}, p {fmt_p(inf.p_without)}, "
                f"{_e(inf.verdict_without)}"
                + (f"; the verdict changes without client(s) {', '.join(map(str, inf.verdict_changes))}"
                   if inf.verdict_changes else "") + ".</p>"
            )  # fmt: skip
        flips = h.flips()
        if flips:
            each = ", ".join(f"{x['part']} {x['choice']} = {x['value']} → {x['verdict']}"
                             for x in flips[:10])  # fmt: skip
            out.append(f"<p class='flips'>{_e(h.id)}: single choices that change the verdict: "
                       f"{_e(each)}</p>")  # fmt: skip
    for part, svg in curves_svg.items():
        out.append(f"<figure id='curve-{_e(part)}'>{svg}<figcaption>Specification curve of "
                   f"{_e(part)}: t-statistics sorted, 95% band, the primary circled; the "
                   "choices of each specification below.</figcaption></figure>")  # fmt: skip
    return "".join(out)


def referee_sections(
    *, reps: int | None, descriptives: str = "", multiverse: str = "", survival: Sequence[str] = ()
) -> list[tuple[str, str, str]]:
    """(id, title, html) of each referee section, in page order."""
    out = [("caveats", "How to read the verdicts", caveats_html(reps))]
    if descriptives:
        out.append(("descriptives", "Descriptive statistics by patron and era", descriptives))
    if multiverse:
        out.append(("multiverse", "Robustness: every hypothesis over its multiverse", multiverse))
    if survival:
        figs = "".join(f"<figure>{s}</figure>" for s in survival)
        out.append(("survival", "Alliance spells: Kaplan-Meier curves", figs))
    return out
