"""Case timelines: one patron-client pair through time, drawn from the panel.

A case figure has three rows sharing the year axis:

1. side payments: US economic and military aid (constant 2020 USD millions, Greenbook)
   and the patron's other aid (constant USD millions) where the panel has them, and arms
   transfers (SIPRI TIV millions, right axis); given ``predicted``, also the side-payment
   column the formation model was fitted to and the model's required payment
   a* = max(0, D) at the formation estimates on that column's scale
   (``sidepay.estimate.price.predicted_required_payment(fit, panel, level=True)``);
2. interests and institutions: interest divergence (ideal-point distance) and the client's
   winning-coalition size ``W`` (right axis);
3. the alliance: years with an alliance shaded, years outside the alliance data hatched
   (ATOP 4.01 ends in 2016: the panel's later years have no alliance status, which is not
   "no alliance"), with the events the panel detected marked (formation, termination,
   realignment).

Regime changes (red dashed) and leader changes (grey dotted) in the client are drawn as
vertical lines across all rows. Missing values stay gaps: a year outside a source's
coverage is not drawn as zero. Nothing here computes a statistic; the function only selects
the pair's rows and plots the panel's columns.

Examples
--------
>>> import pandas as pd
>>> panel = pd.DataFrame({"patron": [2, 2, 2], "client": [770, 770, 770],
...     "year": [1954, 1955, 1956], "allied": [0, 1, 1], "arms_tiv": [None, 10.0, 40.0],
...     "divergence": [1.2, 0.9, 0.8], "formation": [0, 1, 0], "regime_change": [0, 0, 1]})
>>> fig = case_timeline(panel, 2, 770, names={2: "USA", 770: "PAK"})
>>> fig.get_suptitle()
'USA - PAK'
>>> import matplotlib.pyplot as plt; plt.close(fig)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sidepay.errors import InputError, bad_param
from sidepay.report.figures import new_figure, styled


@dataclass(frozen=True)
class Case:
    """A patron-client pair the report always shows (COW codes and abbreviations)."""

    patron: int
    client: int
    patron_abb: str
    client_abb: str
    note: str
    title: str = ""


CASES: tuple[Case, ...] = (
    Case(2, 770, "USA", "PAK",
         "1954 Mutual Defense Assistance Agreement, SEATO (1954) and the 1959 bilateral "
         "agreement; US aid suspended and resumed around the coups and the nuclear tests",
         "United States – Pakistan"),
    Case(2, 840, "USA", "PHI",
         "1951 Mutual Defense Treaty (still in force); the US bases closed in 1992",
         "United States – Philippines"),
    Case(365, 651, "RUS", "EGY",
         "1971 Treaty of Friendship and Cooperation, abrogated by Sadat in 1976",
         "Soviet Union / Russia – Egypt"),
    Case(365, 520, "RUS", "SOM",
         "1974 Treaty of Friendship and Cooperation, abrogated in 1977 during the Ogaden "
         "war; the 1980 US access agreement is not an ATOP alliance, so the panel marks no "
         "alliance realignment, only the arms-supplier switch",
         "Soviet Union / Russia – Somalia"),
    Case(2, 530, "USA", "ETH",
         "aid and arms under Haile Selassie (1953 defense assistance and Kagnew base "
         "agreements) were never an ATOP alliance, so no alliance is shaded; after the "
         "1974 revolution the Derg turned to Soviet arms",
         "United States – Ethiopia"),
    Case(2, 630, "USA", "IRN",
         "1959 bilateral defense agreement (the US backed CENTO without joining it); "
         "ends with the 1979 revolution",
         "United States – Iran"),
)  # fmt: skip

EVENT_STYLE: dict[str, tuple[str, str, str]] = {
    # column: (marker, colour, label)
    "formation": ("^", "#009E73", "formation"),
    "termination": ("v", "#000000", "termination"),
    "realignment": ("D", "#CC79A7", "realignment"),
    # second measure (docs/data.md): the client's main arms supplier moved to a rival
    "realignment_arms": ("s", "#56B4E9", "arms realignment"),
}


def resolve_state(token: str | int, states: pd.DataFrame) -> tuple[int, str]:
    """A COW code and abbreviation from a COW abbreviation, code or state name.

    ``states`` is the COW state list (columns ``ccode``, ``stateabb``, ``statenme``).

    Examples
    --------
    >>> st = pd.DataFrame({"ccode": [2, 770], "stateabb": ["USA", "PAK"],
    ...     "statenme": ["United States of America", "Pakistan"]})
    >>> resolve_state("pak", st), resolve_state("2", st), resolve_state("Pakistan", st)
    ((770, 'PAK'), (2, 'USA'), (770, 'PAK'))
    >>> resolve_state("XYZ", st)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: unknown state 'XYZ'; ...
    """
    table = states.drop_duplicates("ccode")
    text = str(token).strip()
    codes = table["ccode"].astype(int)
    abbs = table["stateabb"].astype(str)
    if text.isdigit():
        hit = table[codes == int(text)]
    else:
        hit = table[abbs.str.upper() == text.upper()]
        if hit.empty and "statenme" in table.columns:
            hit = table[table["statenme"].astype(str).str.lower() == text.lower()]
    if hit.empty:
        raise InputError(
            f"unknown state {text!r}; give a COW abbreviation (USA, RUS, PAK) or COW code "
            "(2, 365, 770) from the COW state list"
        )
    return int(hit["ccode"].iloc[0]), str(hit["stateabb"].iloc[0])


#: the column of the model's required payment in :func:`case_rows` given ``predicted``
PREDICTED = "predicted_required_payment"
#: legend label of the model's line (the report's caption says what it is)
PREDICTED_LABEL = "model: required payment"


def case_rows(
    panel: pd.DataFrame, patron: int, client: int, *, predicted: pd.Series | None = None
) -> pd.DataFrame:
    """The panel's rows of one directed pair, sorted by year.

    ``predicted`` (a Series indexed like ``panel``) becomes the column :data:`PREDICTED`,
    aligned on the index. Raises ``InputError`` when the panel has no row for the pair.

    Examples
    --------
    >>> case_rows(pd.DataFrame({"patron": [2], "client": [770], "year": [1950]}), 2, 770).shape
    (1, 3)
    >>> p = pd.DataFrame({"patron": [2, 2], "client": [770, 770], "year": [1951, 1950]})
    >>> case_rows(p, 2, 770, predicted=pd.Series([5.0, None]))[PREDICTED].tolist()
    [nan, 5.0]
    """
    for col in ("patron", "client", "year"):
        if col not in panel.columns:
            raise InputError(f"the panel has no '{col}' column; a schema panel is needed")
    rows = panel[(panel["patron"] == patron) & (panel["client"] == client)]
    if rows.empty:
        raise InputError(
            f"the panel has no rows for patron {patron} and client {client}; "
            "pick a great power and a state it could ally with in the years given"
        )
    if predicted is not None:
        if not isinstance(predicted, pd.Series) or not predicted.index.is_unique:
            raise bad_param("predicted", "must be a pandas Series indexed like panel")
        values = pd.to_numeric(predicted.reindex(rows.index), errors="coerce").astype(float)
        rows = rows.assign(**{PREDICTED: values})
    return rows.sort_values("year").reset_index(drop=True)


def _series(rows: pd.DataFrame, col: str) -> np.ndarray | None:
    if col not in rows.columns:
        return None
    values = pd.to_numeric(rows[col], errors="coerce").astype(float).to_numpy()
    return None if np.all(np.isnan(values)) else values


def _isolated(values: np.ndarray) -> np.ndarray:
    """Finite values with a gap (or the edge) on both sides: a line plot would hide them.

    Examples
    --------
    >>> _isolated(np.array([1.0, np.nan, 2.0, 3.0, np.nan, 4.0])).tolist()
    [True, False, False, False, False, True]
    """
    ok = np.isfinite(values)
    before = np.r_[False, ok[:-1]]
    after = np.r_[ok[1:], False]
    return ok & ~before & ~after


def _flag_years(rows: pd.DataFrame, col: str) -> list[int]:
    if col not in rows.columns:
        return []
    flag = pd.to_numeric(rows[col], errors="coerce").fillna(0).to_numpy() > 0
    return [int(y) for y in rows["year"].to_numpy()[flag]]


#: labels of ``aid_other_source`` values (each patron's one source, never spliced)
OTHER_AID_SOURCES: dict[str, str] = {
    "aiddata": "AidData commitments, constant 2011 USD",
    "aiddata_china": "AidData Chinese finance, constant 2021 USD",
    "oecd_dac2a": "OECD DAC2a ODA disbursements",
}


def _other_aid_label(rows: pd.DataFrame) -> str:
    """Legend label of ``aid_other``: its source, as the panel records it.

    Examples
    --------
    >>> _other_aid_label(pd.DataFrame({"aid_other_source": ["aiddata", None]}))
    'other aid (AidData commitments, constant 2011 USD)'
    >>> _other_aid_label(pd.DataFrame({"year": [1950]}))
    'other aid'
    """
    if "aid_other_source" not in rows.columns:
        return "other aid"
    names = [str(v) for v in pd.unique(rows["aid_other_source"].dropna())]
    if not names:
        return "other aid"
    return "other aid (" + "; ".join(OTHER_AID_SOURCES.get(n, n) for n in names) + ")"


def _model_lines(ax: Axes, years: np.ndarray, rows: pd.DataFrame, observed: str) -> list[Line2D]:
    """The fitted payment column and the model's required payment (gaps stay gaps)."""
    handles: list[Line2D] = []
    for col, colour, lw, ls, label in (
        (observed, "#333333", 1.0, "-", observed.replace("_", " ")),
        (PREDICTED, "#000000", 1.6, "--", PREDICTED_LABEL),
    ):
        y = _series(rows, col)
        if y is None or (col == observed and observed in ("aid_econ", "aid_mil", "aid_other")):
            continue  # drawn already
        (h,) = ax.plot(years, y, color=colour, lw=lw, ls=ls, label=label)
        lone = _isolated(y)
        if lone.any():
            ax.plot(years[lone], y[lone], "o", color=colour, ms=3)
        handles.append(h)
    return handles


@styled
def case_timeline(
    panel: pd.DataFrame,
    patron: int,
    client: int,
    *,
    names: Mapping[int, str] | None = None,
    width: float = 7.2,
    title: bool = True,
    predicted: pd.Series | None = None,
    observed: str = "side_payment",
) -> Figure:
    """Draw the timeline of one patron-client pair (see the module docstring).

    Parameters
    ----------
    panel
        A panel in the ``sidepay.schema`` columns (real or simulated).
    patron, client
        COW codes of the great power and the minor power.
    names
        Optional COW code -> label map for the title.
    width
        Figure width in inches.
    title
        Put "PATRON - CLIENT" above the figure (the report has its own heading).
    predicted
        The model's required payment for every dyad-year, indexed like ``panel``, on the
        scale of the ``observed`` column the formation model was fitted to
        (``predicted_required_payment(fit, panel, level=True)``). Drawn in the payments
        row as :data:`PREDICTED_LABEL`, with ``observed`` beside it; a missing year stays
        a gap.
    observed
        The side-payment column the formation model was fitted to.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [365] * 2, "client": [520] * 2, "year": [1975, 1976],
    ...     "allied": [1, 1], "termination": [0, 1]})
    >>> len(case_timeline(p, 365, 520).axes) >= 3
    True
    >>> fig = case_timeline(p.assign(side_payment=[1.0, 2.0]), 365, 520,
    ...                     predicted=pd.Series([1.5, None]))
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['side payment', 'model: required payment']
    """
    rows = case_rows(panel, patron, client, predicted=predicted)
    labels = dict(names or {})
    years = rows["year"].to_numpy(dtype=float)
    fig, axes = new_figure(
        width, 5.0, nrows=3, sharex=True, gridspec_kw={"height_ratios": [2.2, 1.6, 0.8]}
    )
    ax_pay, ax_div, ax_all = axes
    if title:
        fig.suptitle(
            f"{labels.get(patron, str(patron))} - {labels.get(client, str(client))}",
            x=0.01, ha="left", fontweight="bold", fontsize=11,
        )  # fmt: skip

    # 1. side payments
    handles: list[Line2D] = []
    for col, colour, label in (
        ("aid_econ", "#0072B2", "US economic aid"),
        ("aid_mil", "#56B4E9", "US military aid"),
        ("aid_other", "#009E73", _other_aid_label(rows)),
    ):
        y = _series(rows, col)
        if y is not None:
            (h,) = ax_pay.plot(years, y, color=colour, lw=1.6, label=label)
            lone = _isolated(y)  # a value between gaps draws no line segment: a dot
            if lone.any():
                ax_pay.plot(years[lone], y[lone], "o", color=colour, ms=3)
            handles.append(h)
    aid_drawn = bool(handles)
    if predicted is not None:  # the model against the column it was fitted to, same scale
        handles += _model_lines(ax_pay, years, rows, observed)
    arms = _series(rows, "arms_tiv")
    arms_label = "arms, SIPRI TIV m"
    if arms is None and not handles:  # the simulated world has only side_payment
        arms, arms_label = _series(rows, "side_payment"), "side payment"
    if handles:
        ax_pay.set_ylabel("aid, constant USD m" if aid_drawn else observed.replace("_", " "))
        ax_arms = ax_pay.twinx() if arms is not None else None
    else:  # no aid series: the arms bars take the main axis
        ax_arms = ax_pay if arms is not None else None
    if arms is not None and ax_arms is not None:
        ax_arms.bar(years, np.nan_to_num(arms, nan=0.0), width=0.8, color="#E69F00", alpha=0.45)
        ax_arms.set_ylabel(arms_label)
        if ax_arms is not ax_pay:
            ax_arms.spines["right"].set_visible(True)
            ax_arms.grid(False)
        handles.append(Line2D([], [], color="#E69F00", lw=6, alpha=0.45, label="arms transfers"))
        missing = np.isnan(arms)
        if missing.any():  # outside the source's coverage: say so, do not draw a zero
            ax_arms.plot(years[missing], np.zeros(missing.sum()), "|", color="#999999", ms=4)
    if not handles:
        ax_pay.text(0.5, 0.5, "no side-payment data", transform=ax_pay.transAxes, ha="center")
    else:
        ax_pay.legend(
            handles=handles, fontsize=7.5, ncol=min(len(handles), 4), loc="lower left",
            bbox_to_anchor=(0.0, 1.0), borderaxespad=0.2,
        )  # fmt: skip

    # 2. divergence and W
    div = _series(rows, "divergence")
    if div is not None:
        ax_div.plot(years, div, color="#D55E00", lw=1.6)
        ax_div.set_ylabel("divergence", color="#D55E00")
    else:
        ax_div.text(0.5, 0.5, "no divergence data", transform=ax_div.transAxes, ha="center")
    w = _series(rows, "W")
    if w is not None:
        ax_w = ax_div.twinx()
        ax_w.step(years, w, where="mid", color="#555555", lw=1.2, ls="-")
        ax_w.set_ylim(-0.05, 1.05)
        ax_w.set_ylabel("W", color="#555555")
        ax_w.spines["right"].set_visible(True)
        ax_w.grid(False)

    # 3. alliance status and events
    allied = _series(rows, "allied")
    # one full-width block per year, so that a one-year alliance shows too
    if allied is not None:
        on = np.nan_to_num(allied, nan=0.0) > 0
        ax_all.bar(years[on], 1.0, width=1.0, bottom=0, color="#0072B2", alpha=0.25, lw=0)
    unknown = np.isnan(allied) if allied is not None else np.ones(len(years), dtype=bool)
    if unknown.any():  # outside the alliance data (ATOP ends in 2016): hatched, not "no"
        ax_all.bar(
            years[unknown], 1.0, width=1.0, bottom=0, facecolor="none", edgecolor="#999999",
            hatch="///", lw=0,
        )  # fmt: skip
    for k, (col, (marker, colour, _label)) in enumerate(EVENT_STYLE.items()):
        ys = _flag_years(rows, col)
        if ys:
            ax_all.plot(ys, [0.2 + 0.2 * k] * len(ys), marker, color=colour, ms=6, ls="")
    ax_all.set_ylim(0, 1)
    ax_all.set_yticks([])
    ax_all.set_ylabel("allied")
    ax_all.grid(axis="y", visible=False)

    # regime and leader changes across every row
    for col, style in (
        ("regime_change", {"colors": "#D55E00", "linestyles": "--", "linewidths": 1.1}),
        ("leader_change", {"colors": "#888888", "linestyles": ":", "linewidths": 0.9}),
    ):
        flagged = _flag_years(rows, col)
        if flagged:  # one collection per axes, not one line per event (smaller, faster SVG)
            for ax in axes:
                ax.vlines(flagged, 0, 1, transform=ax.get_xaxis_transform(), label=col, **style)
    legend = [
        Line2D([], [], color="#0072B2", lw=6, alpha=0.25, label="alliance"),
        Patch(facecolor="none", edgecolor="#999999", hatch="///", label="no alliance data"),
        *[
            Line2D([], [], marker=m, color=c, ls="", label=lab)
            for (m, c, lab) in EVENT_STYLE.values()
        ],
        Line2D([], [], color="#D55E00", ls="--", label="regime change"),
        Line2D([], [], color="#888888", ls=":", label="leader change"),
    ]
    ax_all.legend(
        handles=legend,
        fontsize=7.5,
        ncol=(len(legend) + 1) // 2 if width < 10 else len(legend),  # two rows unless wide
        loc="upper center",
        bbox_to_anchor=(0.5, -0.55),
    )
    if len(years):
        ax_all.set_xlim(years.min() - 0.5, years.max() + 0.5)
    fig.align_ylabels(list(axes))
    return fig
