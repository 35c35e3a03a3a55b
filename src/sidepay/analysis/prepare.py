"""Derived variables the hypotheses use, computed from any table in the panel schema.

Each derived column names the panel columns it needs, so a hypothesis on a table that
lacks one of them is reported as inconclusive with the missing column named. Units are
made unique across replications (a simulated panel stacks ``rep``), so clusters, spells
and lags never cross replications.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"patron": [2, 2], "client": [20, 20], "year": [1950, 1951],
...     "side_payment": [0.0, 3.0]})
>>> derive(df, ["log_side_payment"])["log_side_payment"].round(3).tolist()
[0.0, 1.386]
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sidepay.payment_scale import log1p_payment
from sidepay.schema import validate_panel


@dataclass(frozen=True)
class Derived:
    """A derived column: the panel columns it needs and how to compute it."""

    needs: tuple[str, ...]
    compute: Callable[[pd.DataFrame], Any]  # returns a Series aligned with the frame
    description: str


def _rep(df: pd.DataFrame) -> pd.Series:
    return df["rep"].astype("int64") if "rep" in df.columns else pd.Series(0, index=df.index)


def _dyad_key(df: pd.DataFrame) -> pd.Series:
    return _rep(df) * 10**8 + df["patron"].astype("int64") * 10**4 + df["client"].astype("int64")


def _lag(df: pd.DataFrame, col: str, years: int = 1) -> pd.Series:
    """Value of ``col`` in the same dyad ``years`` earlier (negative: later); missing if absent.

    Sorts once by (dyad, year) and compares neighbours, with no merge or copy of the frame.
    """
    key = _dyad_key(df).to_numpy()
    year = df["year"].to_numpy()
    order = np.lexsort((year, key))
    s = df[col].astype("float64").to_numpy()[order]
    k, y = key[order], year[order]
    out = np.full(len(s), np.nan)
    step = abs(years)
    if 0 < step < len(s):
        same = (k[step:] == k[:-step]) & (y[step:] == y[:-step] + step)
        shifted = np.full(len(s), np.nan)
        if years > 0:  # row i takes row i - step
            shifted[step:] = np.where(same, s[:-step], np.nan)
        else:  # row i takes row i + step
            shifted[:-step] = np.where(same, s[step:], np.nan)
        out[order] = shifted
    return pd.Series(out, index=df.index)


def _recent(df: pd.DataFrame, col: str) -> pd.Series:
    """1 if the event happened this year or last year (missing if both are unobserved)."""
    now = df[col].astype("float64")
    before = _lag(df, col)
    return pd.concat([now, before], axis=1).max(axis=1, skipna=True)


def _leader_only(df: pd.DataFrame) -> pd.Series:
    lc = df["leader_change"].astype("float64")
    rc = df["regime_change"].astype("float64")
    return (lc * (1 - rc)).where(lc.notna() & rc.notna())


def _window_max(df: pd.DataFrame) -> pd.Series:
    """Largest side payment in t-1, t and t+1 of the same dyad (missing if none observed)."""
    now = df["side_payment"].astype("float64").to_numpy()
    stacked = np.vstack([now, _lag(df, "side_payment", 1), _lag(df, "side_payment", -1)])
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns -> NaN
        top = np.nanmax(stacked, axis=0)
    return pd.Series(top, index=df.index)


def _paid_at_formation(df: pd.DataFrame) -> pd.Series:
    """Any side payment in the formation year, the year before or the year after."""
    top = _window_max(df)
    return (top > 0).astype("float64").where(top.notna())


def _spell(df: pd.DataFrame) -> pd.Series:
    """Spell code unique per replication, numbered in order of first appearance.

    Factorizes ``spell_id`` and then the (replication, spell) pair as one integer, rather
    than concatenating strings (which cost ~1 GB on a 100-replication panel).
    """
    sid = df["spell_id"]
    codes, uniques = pd.factorize(sid, use_na_sentinel=True)
    pair = _rep(df).to_numpy(np.int64) * (len(uniques) + 1) + codes
    spell = pd.factorize(pair)[0].astype("float64")
    return pd.Series(spell, index=df.index).where(sid.notna().to_numpy())


def _flag(df: pd.DataFrame, col: str) -> pd.Series:
    return df[col].astype("float64")


#: how the log payment columns are described (the rule: ``sidepay.payment_scale``)
_LOG1P = "log1p (a net deobligation, a negative payment, read as 0)"

DERIVED: dict[str, Derived] = {
    "dyad": Derived(("patron", "client"), _dyad_key, "directed dyad (unique per replication)"),
    "client_id": Derived(
        ("client",),
        lambda d: _rep(d) * 10**4 + d["client"].astype("int64"),
        "client (unique per replication)",
    ),
    "spell": Derived(("spell_id",), _spell, "alliance spell (unique per replication)"),
    "log_side_payment": Derived(
        ("side_payment",), lambda d: log1p_payment(d["side_payment"].astype("float64")), _LOG1P
    ),
    "log_rival_payment": Derived(
        ("rival_payment",), lambda d: log1p_payment(d["rival_payment"].astype("float64")), _LOG1P
    ),
    "log_side_payment_lag": Derived(
        ("side_payment",),
        lambda d: log1p_payment(_lag(d, "side_payment")),
        "log1p of last year's side payment (same dyad)",
    ),
    "log_rival_payment_lag": Derived(
        ("rival_payment",),
        lambda d: log1p_payment(_lag(d, "rival_payment")),
        "log1p of last year's largest rival payment (before any switch)",
    ),
    "log_payment_at_formation": Derived(
        ("side_payment",),
        lambda d: log1p_payment(_window_max(d)),
        "log1p of the largest side payment in t-1, t, t+1",
    ),
    "log_gdp_client": Derived(
        ("gdp_client",),
        lambda d: np.log(d["gdp_client"].astype("float64").where(d["gdp_client"] > 0)),
        "log GDP",
    ),
    "log_pop_client": Derived(
        ("pop_client",),
        lambda d: np.log(d["pop_client"].astype("float64").where(d["pop_client"] > 0)),
        "log population",
    ),
    "recent_regime_change": Derived(
        ("regime_change",), lambda d: _recent(d, "regime_change"), "regime change in t or t-1"
    ),
    "leader_only_change": Derived(
        ("leader_change", "regime_change"), _leader_only, "leader change without regime change"
    ),
    "recent_leader_only_change": Derived(
        ("leader_change", "regime_change"),
        lambda d: _recent(d.assign(_lo=_leader_only(d)), "_lo"),
        "leader-only change in t or t-1",
    ),
    "payment_at_formation": Derived(
        ("side_payment",), _window_max, "largest side payment in t-1, t, t+1 (levels)"
    ),
    "paid_at_formation": Derived(
        ("side_payment",), _paid_at_formation, "side payment > 0 in t-1, t or t+1"
    ),
    "post_cold_war": Derived(
        ("year",),
        lambda d: (d["year"] >= 1990).astype("float64"),
        "1 from 1990 on (calendar-time control for the Cox models, whose clock is spell age)",
    ),
    "start": Derived(("spell_year",), lambda d: d["spell_year"].astype("float64"), "spell_year"),
    "stop": Derived(
        ("spell_year",), lambda d: d["spell_year"].astype("float64") + 1.0, "spell_year + 1"
    ),
    "end_termination": Derived(
        ("termination", "realignment"),
        lambda d: _flag(d, "termination") * (1 - _flag(d, "realignment").fillna(0)),
        "spell ends without realignment (cause-specific)",
    ),
    "end_realignment": Derived(
        ("realignment",), lambda d: _flag(d, "realignment"), "client realigns to a rival"
    ),
}


def needed_panel_columns(names: Sequence[str]) -> list[str]:
    """Panel columns behind ``names`` (derived names are expanded).

    Examples
    --------
    >>> needed_panel_columns(["log_side_payment", "W"])
    ['side_payment', 'W']
    """
    out: list[str] = []
    for n in names:
        out += list(DERIVED[n].needs) if n in DERIVED else [n]
    return list(dict.fromkeys(out))


def derive(panel: pd.DataFrame, names: Sequence[str], copy: bool = True) -> pd.DataFrame:
    """Copy of ``panel`` with the derived columns in ``names`` added (others ignored).

    With ``copy=False`` the columns are added to ``panel`` itself (for a frame the caller
    has just made, so a large panel is not copied twice). The schema columns ``panel`` has
    are checked first (:func:`sidepay.schema.validate_panel`; no column is required here).

    Examples
    --------
    >>> df = pd.DataFrame({"patron": [2], "client": [20], "year": [1950], "spell_year": [0]})
    >>> derive(df, ["start", "stop"])[["start", "stop"]].values.tolist()
    [[0.0, 1.0]]
    """
    validate_panel(panel, required=())
    out = panel.copy() if copy else panel
    for n in dict.fromkeys(names):
        if n in DERIVED and n not in panel.columns:
            out[n] = DERIVED[n].compute(out)
    return out
