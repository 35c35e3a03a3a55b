"""State-years, dyad-years and verbs that add a source to them, in the spirit of peacesciencer.

The units are built from the COW state system; a verb takes a state-year frame
(``ccode, year``) or a dyad-year frame (``ccode1, ccode2, year``, directed or not) and
returns it with the source's columns added. Every verb keeps three invariants (tested in
``tests/data/test_dyads.py``):

1. **Temporal domain.** Values are missing outside the years the source covers. Inside
   them, an event-type source (alliances, rivalries) that lists no event for a dyad-year
   gives 0, because the source is a complete list of such events; a measure-type source
   (CINC, polity2, ideal points) that lists no value gives a missing value, never 0.
2. **No duplicated rows.** Output rows are exactly the input rows, in the same order.
3. **Directed and undirected dyads.** Monadic values are attached as ``<col>1`` and
   ``<col>2``; a directed dyadic value (ATOP obligations are those ccode1 undertakes) is,
   for an undirected dyad, the maximum over both directions. Directedness is read from
   ``df.attrs["directed"]`` (set by :func:`dyad_years`); a frame without it counts as
   undirected when no row has ccode1 > ccode2, so set the attribute on a directed frame you
   build yourself (e.g. only rows with ccode1 = 2, whose partners all have larger codes).

State-system membership and major-power status are coded through 2016 by COW; a state (or
major power) whose spell runs to the last coded year is treated as continuing through the
requested years, as peacesciencer does. Inside, the merges are numpy gathers on integer
keys, not pandas joins: all directed dyad-years 1816-2020 with ATOP, democracy, NMC and
major-power columns take about half a second of CPU (``benchmarks/bench_dyads.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sidepay.data.context import DataContext, default_context
from sidepay.data.merge import (
    CODE_SPACE,
    DyadSource,
    attach_dyadic,
    attach_monadic,
    prepare_dyadic,
    unit_of,
    with_columns,
)
from sidepay.data.readers import alliances, capabilities, democracy, idealpoints, states, threat
from sidepay.data.readers._common import expand_years
from sidepay.errors import bad_param
from sidepay.options import YEAR_MIN, parse_years

__all__ = [
    "add_atop_alliance",
    "add_cow_alliance",
    "add_cow_majors",
    "add_democracy",
    "add_ideal_points",
    "add_nmc",
    "add_rivalries",
    "cow_states",
    "dyad_years",
    "major_powers",
    "state_years",
]

Years = Sequence[int] | range | str
"""A calendar span: ``(first, last)``, a ``range`` of years or ``"FIRST:LAST"``."""


# --- upstream readers (ACQUIRE's) ---


def cow_states(*, context: DataContext | None = None) -> pd.DataFrame:
    """COW state-system spells ``ccode, stateabb, styear, endyear`` (states2016).

    Examples
    --------
    >>> int(cow_states().query("stateabb == 'USA'")["styear"].iloc[0])
    1816
    """
    return states.cow_states(context=context)


def major_powers(*, context: DataContext | None = None) -> pd.DataFrame:
    """COW major-power spells ``ccode, styear, endyear``.

    Examples
    --------
    >>> sorted(major_powers().query("endyear >= 2016")["ccode"].tolist())
    [2, 200, 220, 255, 365, 710, 740]
    """
    return states.major_powers(context=context)


# --- units ---


def _spell_years(spells: pd.DataFrame, lo: int, hi: int) -> pd.DataFrame:
    """Expand (ccode, styear, endyear) spells to unique (ccode, year) in [lo, hi]."""
    last = int(spells["endyear"].max())
    end = spells["endyear"].to_numpy().copy()
    # right-censored spells continue past the last coded year (the reader's ``ongoing``)
    ongoing = spells["ongoing"].to_numpy(dtype=bool) if "ongoing" in spells.columns else end == last
    end[ongoing] = np.maximum(end[ongoing], hi)
    st = np.maximum(spells["styear"].to_numpy(), lo)
    end = np.minimum(end, hi)
    idx, yrs = expand_years(st, end)
    cc = spells["ccode"].to_numpy()[idx]
    key = np.unique(yrs * CODE_SPACE + cc)
    return pd.DataFrame({"ccode": key % CODE_SPACE, "year": key // CODE_SPACE})


def state_years(
    years: Years = (1816, 2020), system: str = "cow", *, context: DataContext | None = None
) -> pd.DataFrame:
    """All COW state-years in ``years`` (inclusive), sorted by year then ccode.

    ``years`` is read by :func:`sidepay.options.parse_years`.

    Examples
    --------
    >>> sy = state_years((1946, 1946))
    >>> int(sy.loc[sy.ccode == 2, "year"].iloc[0]), bool(sy.duplicated().any())
    (1946, False)
    """
    if system != "cow":
        raise bad_param("system", f"must be 'cow'; got {system!r}")
    lo, hi = parse_years(years)
    out = _spell_years(cow_states(context=context), lo, hi)
    out.attrs["sidepay_unit"] = "state_year"
    return out


def dyad_years(
    years: Years = (1816, 2020), directed: bool = True, *, context: DataContext | None = None
) -> pd.DataFrame:
    """All pairs of COW states in the system in the same year.

    Directed: both (a, b) and (b, a); undirected: only ccode1 < ccode2. Rows are sorted by
    year, ccode1, ccode2.

    Examples
    --------
    >>> d = dyad_years((1950, 1950))
    >>> n = len(state_years((1950, 1950)))
    >>> len(d) == n * (n - 1), len(dyad_years((1950, 1950), directed=False)) == len(d) // 2
    (True, True)
    """
    sy = state_years(years, context=context)
    yr = sy["year"].to_numpy(dtype="int64")
    cc = sy["ccode"].to_numpy(dtype="int64")
    starts = np.r_[0, np.flatnonzero(np.diff(yr)) + 1]
    sizes = np.diff(np.r_[starts, len(yr)])
    per = sizes * (sizes - 1) // (1 if directed else 2)
    total = int(per.sum())
    c1 = np.empty(total, dtype="int64")
    c2 = np.empty(total, dtype="int64")
    year = np.repeat(yr[starts], per)
    pairs: dict[int, tuple[Any, Any]] = {}  # (i, j) templates by state count
    pos = 0
    for s, n, k in zip(starts.tolist(), sizes.tolist(), per.tolist(), strict=True):
        if n not in pairs:
            # row-major (i, j): ccode1 ascending, then ccode2 (states are sorted by ccode)
            ij = np.nonzero(~np.eye(n, dtype=bool)) if directed else np.triu_indices(n, 1)
            pairs[n] = (ij[0], ij[1])
        i, j = pairs[n]
        block = cc[s : s + n]
        c1[pos : pos + k] = block[i]
        c2[pos : pos + k] = block[j]
        pos += k
    out = pd.DataFrame({"ccode1": c1, "ccode2": c2, "year": year}, copy=False)
    out = _drop_never_coexisting(out, cow_states(context=context))
    out.attrs.update(sidepay_unit="dyad_year", directed=directed)
    return out


def _drop_never_coexisting(dyads: pd.DataFrame, spells: pd.DataFrame) -> pd.DataFrame:
    """Drop dyad-years whose states were never both members on a single day of that year.

    Both are members *in* the year (e.g. Suriname from 25 Nov 1975, the Republic of Vietnam
    until 30 Apr 1975) yet never at once; peacesciencer drops such dyads. Only dyads with a
    state that is a member for part of the year are checked, against the COW dates.

    Examples
    --------
    >>> d = dyad_years((1975, 1975))
    >>> bool(((d.ccode1 == 115) & (d.ccode2 == 817)).any())
    False
    """
    if dyads.empty:
        return dyads
    lo, hi = int(dyads["year"].min()), int(dyads["year"].max())
    sp = spells[["ccode", "stdate", "enddate", "ongoing"]].copy()
    last = pd.Timestamp(year=max(hi, 2016), month=12, day=31)
    sp.loc[sp["ongoing"], "enddate"] = last  # still a member after the release
    first = np.maximum(sp["stdate"].dt.year.to_numpy(), lo)
    idx, yrs = expand_years(first, np.minimum(sp["enddate"].dt.year.to_numpy(), hi))
    part = pd.DataFrame({"ccode": sp["ccode"].to_numpy()[idx], "year": yrs})
    jan1 = (yrs - 1970).astype("datetime64[Y]").astype("datetime64[ns]")
    dec31 = (yrs - 1969).astype("datetime64[Y]").astype("datetime64[ns]") - np.timedelta64(1, "D")
    part["s"] = np.maximum(sp["stdate"].to_numpy()[idx], jan1)
    part["e"] = np.minimum(sp["enddate"].to_numpy()[idx], dec31)
    partial = part[(part["s"] > jan1) | (part["e"] < dec31)]
    if partial.empty:
        return dyads
    # a dense (year, ccode) table of part-year members: one gather per side, no sort
    table = np.zeros((hi - lo + 1) * CODE_SPACE, dtype=bool)
    table[(partial["year"].to_numpy() - lo) * CODE_SPACE + partial["ccode"].to_numpy()] = True
    base = (dyads["year"].to_numpy(dtype="int64") - lo) * CODE_SPACE
    hit = table.take(base + dyads["ccode1"].to_numpy(dtype="int64"))
    hit |= table.take(base + dyads["ccode2"].to_numpy(dtype="int64"))
    if not hit.any():
        return dyads
    rows = np.flatnonzero(hit)
    cand = dyads.iloc[rows].assign(_row=rows)
    spans = part[["ccode", "year", "s", "e"]]
    m = cand.merge(spans.add_suffix("1"), left_on=["ccode1", "year"], right_on=["ccode1", "year1"])
    m = m.merge(spans.add_suffix("2"), left_on=["ccode2", "year"], right_on=["ccode2", "year2"])
    overlap = (m["s1"] <= m["e2"]) & (m["s2"] <= m["e1"])
    never = np.setdiff1d(rows, m.loc[overlap, "_row"].to_numpy())
    if not len(never):
        return dyads
    keep = np.ones(len(dyads), dtype=bool)
    keep[never] = False
    return dyads[keep].reset_index(drop=True)


# prepared dyadic sources by (name, data context): a context is frozen and hashable
_PREPARED: dict[tuple[str, DataContext], DyadSource] = {}


def _prepared(key: str, ctx: DataContext, build: Callable[[], DyadSource]) -> DyadSource:
    if (key, ctx) not in _PREPARED:
        _PREPARED[key, ctx] = build()
    return _PREPARED[key, ctx]


# --- verbs ---


def add_atop_alliance(df: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add ATOP 4.01 obligations ``atop_defense ... atop_consul`` and ``atop_n`` (alliances).

    1 if ccode1 undertakes the obligation toward ccode2 in any alliance that year; 0 inside
    1815-2016 (ATOP 4.01 coverage) otherwise; missing outside.

    Examples
    --------
    >>> d = add_atop_alliance(dyad_years((1955, 1955)))
    >>> int(d.loc[(d.ccode1 == 2) & (d.ccode2 == 770), "atop_defense"].iloc[0])
    1
    """
    ctx = default_context(context)
    cols = [*alliances.OBLIGATIONS, "n"]

    def build() -> DyadSource:
        a = alliances.atop_dyad_years(context=ctx)
        g = a.groupby(["ccode1", "ccode2", "year"], as_index=False, sort=False)
        agg = g[list(alliances.OBLIGATIONS)].max()
        agg["n"] = g.size()["size"].to_numpy()
        return prepare_dyadic(agg, cols)

    names = [f"atop_{c}" for c in cols]
    span = (alliances.ATOP_START, alliances.ATOP_END)
    return attach_dyadic(df, _prepared("atop", ctx, build), names, span, True)


def add_cow_alliance(df: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add COW v4.1 alliance types ``cow_defense, cow_neutral, cow_nonagg, cow_entente``.

    Symmetric; 0 inside 1816-2012 when no alliance, missing outside.

    Examples
    --------
    >>> d = add_cow_alliance(dyad_years((2013, 2013)))
    >>> bool(d["cow_defense"].isna().all())
    True
    """
    ctx = default_context(context)
    flags = ["cow_defense", "cow_neutral", "cow_nonagg", "cow_entente"]

    def build() -> DyadSource:
        c = alliances.cow_dyad_years(context=ctx)
        agg = c.groupby(["ccode1", "ccode2", "year"], as_index=False, sort=False)[flags].max()
        return prepare_dyadic(agg, flags)

    span = (alliances.COW_START, alliances.COW_END)
    return attach_dyadic(df, _prepared("cow", ctx, build), flags, span, True)


def add_democracy(df: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add ``polity2``, ``polyarchy`` (and ``W``, ``regime_type`` when the reader has them).

    Examples
    --------
    >>> s = add_democracy(state_years((1950, 1950)))
    >>> float(s.loc[s.ccode == 2, "polity2"].iloc[0]), float(s.loc[s.ccode == 365, "polity2"].iloc[0])
    (9.0, -9.0)
    """
    src = democracy.regime_years(context=context)
    cols = {c: c for c in ("polity2", "polyarchy", "W", "regime_type") if c in src.columns}
    return attach_monadic(df, src, cols)


def add_nmc(df: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add COW NMC ``cinc, milex, milper, irst, pec, tpop, upop``.

    Examples
    --------
    >>> s = add_nmc(state_years((1950, 1950)))
    >>> bool(s.loc[s.ccode == 2, "cinc"].iloc[0] > 0.2)
    True
    """
    src = capabilities.nmc(context=context)
    names = ("cinc", "milex", "milper", "irst", "pec", "tpop", "upop")
    return attach_monadic(df, src, {c: c for c in names if c in src.columns})


def add_cow_majors(df: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add ``cowmaj`` (1 major power, 0 not) for years from 1816 on.

    Examples
    --------
    >>> s = add_cow_majors(state_years((1950, 1950)))
    >>> sorted(s.loc[s.cowmaj == 1, "ccode"].tolist())
    [2, 200, 220, 365, 710]
    """
    unit_of(df)
    if df.empty:
        return with_columns(
            df,
            {f"cowmaj{k}": np.zeros(0) for k in ([""] if unit_of(df) == "state" else ["1", "2"])},
        )
    lo, hi = int(df["year"].min()), int(df["year"].max())
    lo, hi = max(lo, YEAR_MIN), max(hi, YEAR_MIN)
    ctx = default_context(context)
    majors = _spell_years(major_powers(context=ctx), lo, hi)
    sy = _spell_years(cow_states(context=ctx), lo, hi)
    mkey = (majors["year"] * CODE_SPACE + majors["ccode"]).to_numpy()
    sy["cowmaj"] = np.isin((sy["year"] * CODE_SPACE + sy["ccode"]).to_numpy(), mkey).astype(
        "float64"
    )
    return attach_monadic(df, sy, {"cowmaj": "cowmaj"})


def add_ideal_points(df: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add UNGA ideal points (``idealpoint``; dyads also get ``ideal_distance`` = |ip1 - ip2|).

    Missing when a state did not vote that year.

    Examples
    --------
    >>> d = add_ideal_points(dyad_years((1980, 1980)))
    >>> bool(d.loc[(d.ccode1 == 2) & (d.ccode2 == 365), "ideal_distance"].iloc[0] > 2)
    True
    """
    src = idealpoints.ideal_points(context=context)
    out = attach_monadic(df, src, {"idealpoint": "idealpoint"})
    if unit_of(df) == "dyad":
        out["ideal_distance"] = (out["idealpoint1"] - out["idealpoint2"]).abs()
    return out


def add_rivalries(df: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add ``rivalry`` (Thompson-Dreyer strategic rivalry, symmetric) to dyad-years.

    0 inside the source's coverage (through its last coded year) when no rivalry.

    Examples
    --------
    >>> d = add_rivalries(dyad_years((1960, 1960)))
    >>> int(d.loc[(d.ccode1 == 2) & (d.ccode2 == 365), "rivalry"].iloc[0])
    1
    """
    r = threat.rivalries(context=context)
    end = int(r["endyear"].max())
    idx, yrs = expand_years(r["styear"].to_numpy(), r["endyear"].to_numpy())
    a, b = r["ccode1"].to_numpy()[idx], r["ccode2"].to_numpy()[idx]
    long = pd.DataFrame(
        {"ccode1": np.r_[a, b], "ccode2": np.r_[b, a], "year": np.r_[yrs, yrs], "rivalry": 1.0}
    ).drop_duplicates(["ccode1", "ccode2", "year"])
    return attach_dyadic(df, prepare_dyadic(long, ["rivalry"]), ["rivalry"], (YEAR_MIN, end), True)
