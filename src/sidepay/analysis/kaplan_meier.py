"""Kaplan-Meier curves of alliance spells, with delayed entry, by group (numpy only).

One row per spell: entry is its ``spell_year`` in its first row in the panel (above 0 for
a spell that began before the panel's first year: left truncation, handled by delayed
entry), exit is ``spell_year + 1`` in its last row, and the event is ``termination`` in
that row (a spell still in force, or whose end is not observed, is censored). The
product-limit estimate at each event time t is ``prod (1 - d_t / n_t)`` with ``n_t`` the
spells at risk (entry < t <= exit), as ``survival::survfit(Surv(entry, exit, event) ~ 1)``
and lifelines' ``KaplanMeierFitter(...).fit(exit, event, entry=entry)`` (both checked in
tests/analysis/test_kaplan_meier.py). Greenwood's variance gives the 95% interval (log
scale, as survfit's default ``conf.type = "log"``).

Examples
--------
>>> import numpy as np
>>> km = kaplan_meier(np.array([0.0, 0, 0, 0]), np.array([1.0, 2, 2, 3]),
...     np.array([1, 1, 0, 1]))
>>> km.time.tolist(), [round(float(s), 3) for s in km.survival]
([1.0, 2.0, 3.0], [0.75, 0.5, 0.0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["KaplanMeier", "kaplan_meier", "spell_curves", "spell_table"]


@dataclass(frozen=True)
class KaplanMeier:
    """A product-limit curve: event times, survival, 95% interval, at risk, events."""

    label: str
    time: np.ndarray
    survival: np.ndarray
    conf_low: np.ndarray
    conf_high: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    n_spells: int

    def median(self) -> float | None:
        """The first time survival falls to 0.5 or below (None if it never does)."""
        hit = np.flatnonzero(self.survival <= 0.5)
        return float(self.time[hit[0]]) if len(hit) else None


def kaplan_meier(
    entry: np.ndarray, exit: np.ndarray, event: np.ndarray, label: str = "all"
) -> KaplanMeier:
    """Product-limit estimate with delayed entry (module docstring)."""
    entry, exit = np.asarray(entry, float), np.asarray(exit, float)
    event = np.asarray(event, bool)
    times = np.unique(exit[event])
    n = np.array([((entry < t) & (exit >= t)).sum() for t in times], float)
    d = np.array([((exit == t) & event).sum() for t in times], float)
    surv = np.cumprod(1.0 - d / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        green = np.cumsum(d / (n * (n - d)))
        se_log = np.sqrt(green)
        lo = np.where(surv > 0, surv * np.exp(-1.959964 * se_log), np.nan)
        hi = np.where(surv > 0, np.minimum(1.0, surv * np.exp(1.959964 * se_log)), np.nan)
    return KaplanMeier(label, times, surv, lo, hi, n.astype(int), d.astype(int), len(exit))


def spell_table(panel: pd.DataFrame) -> pd.DataFrame:
    """One row per spell: patron, client, regime type at entry, entry, exit, event."""
    need = ["spell_id", "spell_year", "termination", "patron", "client", "year"]
    missing = [c for c in need if c not in panel.columns]
    if missing:
        raise KeyError(", ".join(missing))
    cols = need + (["regime_type"] if "regime_type" in panel.columns else [])
    cols += ["rep"] if "rep" in panel.columns else []
    d = panel.loc[panel["spell_id"].notna(), cols].sort_values(["spell_id", "year"])
    keys = ["rep", "spell_id"] if "rep" in d.columns else ["spell_id"]
    g = d.groupby(keys, sort=False)
    first, last = g.head(1).set_index(keys), g.tail(1).set_index(keys)
    out = pd.DataFrame({
        "patron": first["patron"].astype(int),
        "client": first["client"].astype(int),
        "entry": first["spell_year"].astype("float64"),
        "exit": last["spell_year"].astype("float64") + 1.0,
        "event": (last["termination"].astype("float64") == 1).astype(int),
    })  # fmt: skip
    if "regime_type" in d.columns:
        rt = d.dropna(subset=["regime_type"]).groupby(keys, sort=False)["regime_type"].first()
        out["regime_type"] = rt.reindex(out.index)
    return out.reset_index(drop=True)


def spell_curves(panel: pd.DataFrame, by: str, min_spells: int = 10) -> list[KaplanMeier]:
    """Kaplan-Meier curves of the panel's spells for each value of ``by`` (patron or
    regime_type at entry); groups with fewer than ``min_spells`` spells are left out."""
    spells = spell_table(panel)
    if by not in spells.columns:
        raise KeyError(by)
    out = []
    for value, g in spells.dropna(subset=[by]).groupby(by, sort=True):
        if len(g) >= min_spells:
            out.append(kaplan_meier(g["entry"].to_numpy(), g["exit"].to_numpy(),
                                    g["event"].to_numpy(), label=str(value)))  # fmt: skip
    return out
