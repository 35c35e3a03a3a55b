"""Leaders: Archigos leader turnover per state-year, and CHISOLS source-of-support changes.

Sources: ``archigos`` (Archigos 4.1 leader spells via peacesciencer, Gleditsch-Ward codes,
1840-2015), put on COW codes year by year with isard's crosswalk (``cw_gw_panel``); ``chisols``
(CHISOLS 4.0 state-years, COW codes, 1919-2008).

Leader change and regime change are different events: this module reports who governs;
:mod:`sidepay.data.readers.democracy` reports how they govern.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from sidepay.data.acquire import fetch, read_rda
from sidepay.data.cache import cached_frame
from sidepay.data.context import DataContext, default_context
from sidepay.data.readers._common import expand_years
from sidepay.data.readers.states import cow_gw_years

__all__ = ["chisols_years", "leader_years"]

_IRREGULAR = "Irregular"
_FOREIGN = "Foreign"
_CENSORED = {"Still in Office", "Unknown"}


def _spell_years(spells: pd.DataFrame) -> pd.DataFrame:
    """One row per leader spell and calendar year it overlaps."""
    idx, years = expand_years(spells["start"].dt.year.to_numpy(), spells["end"].dt.year.to_numpy())
    rows = spells.iloc[idx].reset_index(drop=True)
    rows["year"] = years
    return rows


def _build_leader_years(ctx: DataContext) -> pd.DataFrame:
    raw = read_rda("archigos", context=ctx)
    sp = pd.DataFrame(
        {
            "gwcode": raw["gwcode"].astype("int64"),
            "obsid": raw["obsid"].astype(str),
            "leader": raw["leader"].astype(str),
            "start": pd.to_datetime(raw["startdate"]),
            "end": pd.to_datetime(raw["enddate"]),
            "exit": raw["exit"].astype(str),
            "exitcode": raw["exitcode"].astype(str),
        }
    ).sort_values(["gwcode", "start", "end"], ignore_index=True)
    # The first spell of a state in Archigos marks the start of coverage (or independence),
    # not a change of leader.
    sp["first_spell"] = ~sp.duplicated("gwcode")
    yr = _spell_years(sp)
    entered = (yr["start"].dt.year == yr["year"]) & ~yr["first_spell"]
    exited = (yr["end"].dt.year == yr["year"]) & ~yr["exit"].isin(_CENSORED)
    yr["entry"] = entered.astype("int64")
    yr["exit_n"] = exited.astype("int64")
    yr["irregular"] = (exited & (yr["exit"] == _IRREGULAR)).astype("int64")
    yr["foreign"] = (exited & (yr["exit"] == _FOREIGN)).astype("int64")
    # the leader in office at the end of the year: the latest start among the year's spells
    last = yr.sort_values(["gwcode", "year", "start", "end"]).groupby(["gwcode", "year"]).tail(1)
    year_end = pd.to_datetime(last["year"].astype(str) + "-12-31")
    tenure = (np.minimum(year_end, last["end"]) - last["start"]).dt.days / 365.25
    agg = yr.groupby(["gwcode", "year"], as_index=False).agg(
        n_entries=("entry", "sum"),
        n_exits=("exit_n", "sum"),
        irregular_exit=("irregular", "max"),
        foreign_exit=("foreign", "max"),
    )
    lead = pd.DataFrame(
        {
            "gwcode": last["gwcode"],
            "year": last["year"],
            "leader": last["leader"],
            "obsid": last["obsid"],
            "leader_tenure": tenure.round(3),
        }
    )
    agg = agg.merge(lead, on=["gwcode", "year"], how="left", validate="one_to_one")
    cw = cow_gw_years(context=ctx).dropna(subset=["gwcode"]).astype({"gwcode": "int64"})
    # G-W 260 and 678 map to two COW states in 1990 (unification year): both get the row
    out = cw.merge(agg, on=["gwcode", "year"], how="inner", validate="many_to_one")
    out["leader_change"] = (out["n_entries"] > 0).astype("int8")
    for c in ("n_entries", "n_exits"):
        out[c] = out[c].astype("int64")
    for c in ("irregular_exit", "foreign_exit"):
        out[c] = out[c].astype("int8")
    cols = [
        "ccode",
        "year",
        "leader_change",
        "n_entries",
        "leader_tenure",
        "irregular_exit",
        "foreign_exit",
        "n_exits",
        "leader",
        "obsid",
        "gwcode",
    ]
    return out[cols].sort_values(["ccode", "year"], ignore_index=True)


def leader_years(*, context: DataContext | None = None) -> pd.DataFrame:
    """Leader turnover per COW state-year from Archigos 4.1 (to 2015).

    Rows exist for the years a state is both in Archigos (first leader spell to 2015) and in
    the COW system; Archigos states that COW does not list are dropped.

    Returns
    -------
    pandas.DataFrame
        ``ccode, year`` and

        - ``leader_change``: 1 if a new leader entered office in the year (the first spell
          Archigos records for a state is not a change);
        - ``n_entries``: number of such entries;
        - ``leader_tenure``: years in office, at 31 December (or at exit), of the leader who
          entered last among the year's leaders (the incumbent at year end);
        - ``irregular_exit``: 1 if a leader left office irregularly (Archigos ``exit`` =
          "Irregular": coups, revolts, assassinations, forced resignations);
        - ``foreign_exit``: 1 if a leader was removed by a foreign state;
        - ``n_exits``: leaders who left office (not counting "Still in Office"/"Unknown");
        - ``leader``, ``obsid``: the year-end leader; ``gwcode``: the Archigos state code.

    Examples
    --------
    >>> ly = leader_years()
    >>> ly.query("ccode == 770 and year == 1958")[["leader_change", "irregular_exit"]].values.tolist()
    [[1, 1]]
    """
    ctx = default_context(context)
    build = partial(_build_leader_years, ctx)
    return cached_frame("leader_years", build, ["archigos", "cw_gw_panel"], version=1, context=ctx)


def _build_chisols(ctx: DataContext) -> pd.DataFrame:
    cols = ["ccode", "year", "solschange", "solschdum", "solsminchange", "leadertrans", "regtrans"]
    raw = pd.read_csv(fetch("chisols", context=ctx), usecols=cols, encoding="latin-1")
    out = raw.rename(columns={"solschdum": "solschange_any", "regtrans": "chisols_regtrans"})
    out = out.astype({c: "int64" for c in out.columns})
    return out.drop_duplicates(["ccode", "year"]).sort_values(["ccode", "year"], ignore_index=True)


def chisols_years(*, context: DataContext | None = None) -> pd.DataFrame:
    """Changes in the source of leader support (CHISOLS 4.0), COW state-years 1919-2008.

    Returns
    -------
    pandas.DataFrame
        ``ccode, year, solschange`` (number of SOLS changes in the year), ``solschange_any``
        (0/1), ``solsminchange`` (minor changes), ``leadertrans`` (leader transitions) and
        ``chisols_regtrans`` (CHISOLS' own regime-transition flag).

    Examples
    --------
    >>> ch = chisols_years()
    >>> ch.query("ccode == 155 and year == 1973")["solschange"].item()
    1
    """
    ctx = default_context(context)
    build = partial(_build_chisols, ctx)
    return cached_frame("chisols_years", build, ["chisols"], version=1, context=ctx)
