"""Figures for the report: matplotlib drawings returned as inline SVG text.

The report embeds every figure in the page itself (no file beside it, no request to any
other host), so each function here returns either a matplotlib ``Figure`` or, through
:func:`figure_to_svg`, the ``<svg>`` element as a string. Nothing here computes a
statistic: the estimates, intervals and model curves come from ``sidepay.analysis`` and
``sidepay.theory``; this module only draws them.

Examples
--------
>>> from sidepay.analysis.result import HypothesisResult
>>> r = HypothesisResult(hypothesis="H2", title="Price rises with W", world="simulated",
...     outcome="side_payment", regressor="W", expected_sign=1, estimator="feols",
...     estimate=0.8, std_error=0.2, conf_low=0.4, conf_high=1.2, p_value=0.001,
...     n_obs=1000, n_events=None, verdict="supported", reason="")
>>> svg = figure_to_svg(coefficient_plot([r]))
>>> svg.startswith("<svg") and "http://www.w3.org/Graphics" not in svg
True
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from sidepay.analysis.result import HypothesisResult

# One palette for the whole report (colour-blind safe, Okabe-Ito).
WORLD_COLOURS: dict[str, str] = {"real": "#0072B2", "simulated": "#E69F00"}
VERDICT_COLOURS: dict[str, str] = {
    "supported": "#009E73",
    "contrary": "#D55E00",
    "inconclusive": "#7f7f7f",
}
SERIES_COLOURS: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

_STYLE: Any = {
    "svg.fonttype": "none",  # text stays text: smaller, selectable, uses the page's font
    "svg.hashsalt": "sidepay",  # stable element ids: same input, same bytes
    "font.family": "sans-serif",
    "font.size": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
    "axes.grid": True,
    "grid.alpha": 0.25,
    "legend.frameon": False,
}

_P = ParamSpec("_P")
_R = TypeVar("_R")


def styled(draw: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run a drawing function under the report's matplotlib style (rcParams are read when
    artists are created, so the whole drawing, not only the figure creation, needs it).

    Examples
    --------
    >>> @styled
    ... def size() -> float:
    ...     return float(plt.rcParams["font.size"])
    >>> size()
    9.0
    """

    @functools.wraps(draw)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with plt.rc_context(_STYLE):
            return draw(*args, **kwargs)

    return wrapper


_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)


def new_figure(width: float = 6.4, height: float = 3.2, **subplots: Any) -> tuple[Figure, Any]:
    """A figure and axes in the report's style.

    Examples
    --------
    >>> fig, ax = new_figure(4, 2)
    >>> float(fig.get_figwidth())
    4.0
    >>> plt.close(fig)
    """
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(figsize=(width, height), **subplots)
    return fig, axes


def figure_to_svg(fig: Figure, *, close: bool = True) -> str:
    """Render ``fig`` as an ``<svg>`` element for inline use in HTML.

    The XML prologue and the DOCTYPE (which names a DTD on another host) are dropped, the
    creation date is omitted so that the same figure gives the same bytes, and the fixed
    width and height become a ``viewBox`` so the figure scales with the page.

    Examples
    --------
    >>> fig, ax = new_figure(2, 1)
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> s = figure_to_svg(fig)
    >>> s.startswith("<svg") and s.rstrip().endswith("</svg>") and "DOCTYPE" not in s
    True
    """
    buf = io.StringIO()
    with plt.rc_context(_STYLE):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    if close:
        plt.close(fig)
    svg = _PROLOGUE.sub("", buf.getvalue(), count=1)
    # width="460.8pt" height="230.4pt" -> responsive; keep the viewBox matplotlib writes
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="fig"', svg, count=1)
    return svg.strip()


def _p_label(p: float | None) -> str:
    if not _finite(p):
        return ""
    return "p < 0.001" if float(p) < 0.001 else f"p = {float(p):.3f}"  # type: ignore[arg-type]


def _finite(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


@styled
def coefficient_plot(results: Sequence[HypothesisResult], *, title: str | None = None) -> Figure:
    """Point estimate and interval of one hypothesis in each world, one axis per world.

    The worlds' units differ (model units against aid dollars or TIV), so each world
    gets its own axis, scaled to its own estimate and centred on zero; compare signs,
    not sizes. The expected sign is shaded: the side of zero where the theory puts it.

    Examples
    --------
    >>> fig = coefficient_plot([])
    >>> len(fig.axes)
    1
    >>> plt.close(fig)
    """
    rows = [r for r in results]
    fig, axes = new_figure(6.0, 0.4 + 0.95 * max(len(rows), 1), nrows=max(len(rows), 1))
    axes = list(np.atleast_1d(axes))
    sign = rows[0].expected_sign if rows else 0
    shown: list[Any] = rows or [None]
    for ax, r in zip(axes, shown, strict=False):
        if r is None:
            break
        colour = WORLD_COLOURS.get(r.world, "#333333")
        if _finite(r.conf_low) and _finite(r.conf_high):
            ax.plot([r.conf_low, r.conf_high], [0, 0], color=colour, lw=2.2, solid_capstyle="butt")
        if _finite(r.estimate):
            ax.plot([r.estimate], [0], "o", color=colour, ms=7, mec="white", mew=1.0)
            ax.annotate(_p_label(r.p_value), (float(r.estimate), 0),
                        xytext=(0, 7), textcoords="offset points", ha="center", fontsize=8,
                        color=colour)  # fmt: skip
        else:
            ax.text(0, 0, f"no estimate: {r.verdict}", ha="center", va="center", fontsize=8)
        ax.axvline(0.0, color="#333333", lw=0.8)
        lo, hi = ax.get_xlim()
        span = max(abs(lo), abs(hi), 1e-9)
        ax.set_xlim(-span * 1.1, span * 1.1)
        if sign > 0:
            ax.axvspan(0, span * 1.1, color=VERDICT_COLOURS["supported"], alpha=0.07, lw=0)
        elif sign < 0:
            ax.axvspan(-span * 1.1, 0, color=VERDICT_COLOURS["supported"], alpha=0.07, lw=0)
        ax.set_yticks([0])
        ax.set_yticklabels([f"{r.world}\n{r.estimator}"])
        ax.set_ylim(-0.7, 0.7)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(f"{r.world}: effect of {r.regressor} on {r.outcome} ({r.world} units)",
                      fontsize=8)  # fmt: skip
    shade = {1: "positive", -1: "negative"}.get(sign, "none")
    axes[0].set_title(title or f"Estimate and interval (shaded: predicted sign, {shade})",
                      loc="left")  # fmt: skip
    return fig


@styled
def statics_plot(
    curves: Mapping[str, Any],
    vary: str,
    *,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Draw one comparative-statics sweep from ``sidepay.theory.statics``.

    ``curves`` maps names to equal-length arrays; the array named ``vary`` (or else the
    first one) is the horizontal axis and every other numeric array of the same length is
    a line, labelled by ``labels`` (default: its name).

    Examples
    --------
    >>> fig = statics_plot({"W": np.linspace(0, 1, 5), "payment": np.arange(5.0)}, "W")
    >>> fig.axes[0].get_xlabel()
    'W'
    >>> fig.axes[0].get_legend().get_texts()[0].get_text()
    'payment'
    >>> plt.close(fig)
    """
    arrays = {
        k: np.asarray(v, dtype=float)
        for k, v in curves.items()
        if isinstance(v, np.ndarray | list | tuple) and np.asarray(v).dtype.kind in "biuf"
    }
    xname = vary if vary in arrays else next(iter(arrays), vary)
    fig, ax = new_figure(3.7, 2.8)
    if xname not in arrays:
        ax.text(0.5, 0.5, "no curves", ha="center", transform=ax.transAxes)
        return fig
    x = arrays[xname]
    k = 0
    for name, y in arrays.items():
        if name == xname or y.shape != x.shape:
            continue
        label = (labels or {}).get(name, name)
        # curves often coincide (the payment equals the deficit where it is positive):
        # later curves are thinner and dashed so that the earlier ones stay visible
        style = ("-", "--", ":", "-.")[k % 4]
        ax.plot(x, y, color=SERIES_COLOURS[k % len(SERIES_COLOURS)], lw=max(2.6 - 0.6 * k, 1.0),
                ls=style, label=label)  # fmt: skip
        k += 1
    ax.set_xlabel((labels or {}).get(xname, xname))
    ax.axhline(0.0, color="#333333", lw=0.6)
    if k:
        ax.legend(fontsize=7.5, loc="best")
    ax.set_title(title or f"Model: varying {xname}", loc="left")
    return fig
