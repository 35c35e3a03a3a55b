"""Figures of the multiverse and of spell survival: specification curves, Kaplan-Meier plots.

A specification curve (Simonsohn, Simmons and Nelson 2020) sorts every specification of
one hypothesis part by its estimate and marks below it the choices behind each. The
specifications' units differ (log points, levels, PPML semi-elasticities, probabilities,
log hazard ratios), so the curve plots each estimate's **t-statistic** (estimate over
its standard error) with the 95% band: sign and strength are comparable across units,
sizes are not. Each estimate in its own units, with its interval, is in the JSON and the
summary table. Nothing is computed here beyond that ratio of two given numbers.

Examples
--------
>>> import matplotlib.pyplot as plt
>>> fig = specification_curve([], "H2", 1)
>>> len(fig.axes)
2
>>> plt.close(fig)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from sidepay.report.figures import VERDICT_COLOURS, new_figure, styled

__all__ = ["kaplan_meier_plot", "specification_curve"]


@styled
def specification_curve(
    specs: Sequence[Any], part: str, expected_sign: int, inference: Any = None
) -> Figure:
    """Sorted t-statistics with the 95% band (top) and the choices of each (bottom)."""
    est = [s for s in specs if s.estimate is not None and s.std_error]
    est.sort(key=lambda s: s.estimate / s.std_error)
    names = [k for k in (est[0].choices if est else {}) if len({s.choices[k] for s in est}) > 1]
    rows = [(k, v) for k in names for v in dict.fromkeys(s.choices[k] for s in est)]
    fig, (top, bottom) = new_figure(
        9.0, 3.0 + 0.16 * max(len(rows), 1), nrows=2, sharex=True,
        gridspec_kw={"height_ratios": [2.2, max(1.0, 0.12 * len(rows))]},
    )  # fmt: skip
    x = np.arange(len(est))
    t = np.array([s.estimate / s.std_error for s in est])
    colours = [VERDICT_COLOURS.get(s.verdict, "#777777") for s in est]
    if len(est):
        top.scatter(x, t, c=colours, s=9, zorder=3)
        top.vlines(x, t - 1.96, t + 1.96, colors=colours, lw=0.6, alpha=0.5)
        prim = [i for i, s in enumerate(est) if s.primary]
        if prim:
            top.scatter(x[prim], t[prim], s=60, facecolors="none", edgecolors="black",
                        zorder=4, label="primary")  # fmt: skip
            top.legend(loc="upper left", fontsize=8, frameon=False)
    top.axhline(0, color="#333333", lw=0.8)
    for c in (-1.96, 1.96):
        top.axhline(c, color="#999999", lw=0.6, ls="--")
    top.set_ylabel("estimate / std. error")
    sign = "positive" if expected_sign > 0 else "negative"
    head = f"{part}: {len(est)} estimated specifications, predicted sign {sign}"
    if inference is not None:
        head += (f"; {inference.share_supported:.0%} significant as predicted "
                 f"(null mean {inference.null_mean:.1%}, bootstrap p = {inference.p_value:.3f})")  # fmt: skip
    top.set_title(head, loc="left", fontsize=9)
    for j, (k, v) in enumerate(rows):
        hit = [i for i, s in enumerate(est) if s.choices[k] == v]
        bottom.scatter(hit, [j] * len(hit), s=4, c="#333333", marker="s")
    bottom.set_yticks(range(len(rows)))
    bottom.set_yticklabels([f"{k}: {v}" for k, v in rows], fontsize=7)
    bottom.set_ylim(-0.7, max(len(rows), 1) - 0.3)
    bottom.invert_yaxis()
    bottom.set_xlabel("specifications, sorted by t-statistic (colour: verdict)")
    bottom.grid(False)
    return fig


@styled
def kaplan_meier_plot(curves: Sequence[Any], title: str) -> Figure:
    """Step curves of spell survival (with 95% bands) for each group."""
    fig, ax = new_figure(6.4, 3.4)
    for k in curves:
        if not len(k.time):
            continue
        tt = np.r_[0.0, k.time]
        ss = np.r_[1.0, k.survival]
        line = ax.step(tt, ss, where="post", lw=1.4, label=f"{k.label} ({k.n_spells})")[0]
        lo, hi = np.r_[1.0, k.conf_low], np.r_[1.0, k.conf_high]
        ax.fill_between(tt, lo, hi, step="post", alpha=0.12, color=line.get_color(), lw=0)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("years since the spell began")
    ax.set_ylabel("share of spells still in force")
    ax.set_title(title, loc="left", fontsize=9)
    ax.legend(fontsize=7, frameon=False, ncol=2)
    return fig
