"""Conflict between the two states of a dyad: GML MIDs, COW inter-state wars, peace spells.

Sources (registered in ``sources.toml``):

- ``gml_mid_ddydisps``: the Gibler-Miller-Little MID data (2.1.1) as directed dyad-years,
  already whittled by peacesciencer to one dispute per dyad-year (unique onsets first, then
  highest fatality, hostility, duration, reciprocation, earliest start month); 1816-2010;
- ``cow_war_inter``: COW inter-state wars (4.0) as directed dyad-war-years, 1823-2003
  events, coverage 1816-2007.

What the concepts measure: a MID (threat, display or use of force) and a war (1,000 battle
deaths) between patron and client, or between the client and a third state, are the
*external threat* of THEORY.md; a peace spell (years since the last dispute) is the time
dependence of that threat. They miss threats short of militarized action and intra-state
conflict.

Examples
--------
>>> d = pd.DataFrame({"ccode1": [2, 2], "ccode2": [365, 365], "year": [1948, 1949]})
>>> add_gml_mids(d)[["gmlmidonset", "gmlmidongoing"]].values.tolist()
[[1.0, 1.0], [0.0, 1.0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sidepay.data.acquire import read_rda
from sidepay.data.context import DataContext
from sidepay.data.custom import key_frame, put_back, unit_name
from sidepay.data.merge import attach_dyadic, is_directed, prepare_dyadic
from sidepay.errors import bad_param

__all__ = [
    "GML_YEARS",
    "INIT_RULES",
    "WAR_YEARS",
    "add_cow_wars",
    "add_gml_mids",
    "add_spells",
    "cow_inter_wars",
]

GML_YEARS = (1816, 2010)
"""GML MID 2.1.1 coverage."""
WAR_YEARS = (1816, 2007)
"""COW inter-state war data 4.0 coverage (its last war in the file begins in 2003)."""
INIT_RULES = ("sidea-all-joiners", "sidea-with-joiners", "sidea-orig")
"""peacesciencer's three codings of who initiated a dispute (``init=``)."""

_GML_EVENTS = ["gmlmidonset", "gmlmidongoing"]
_GML_MEASURES = [
    "dispnum",
    "sidea1",
    "sidea2",
    "orig1",
    "orig2",
    "fatality1",
    "fatality2",
    "hiact1",
    "hiact2",
    "hostlev1",
    "hostlev2",
    "fatality",
    "hostlev",
    "recip",
    "mindur",
    "maxdur",
    "stmon",
]
_WAR_EVENTS = ["cowinteronset", "cowinterongoing"]
_WAR_MEASURES = [
    "warnum",
    "sidea1",
    "sidea2",
    "initiator1",
    "initiator2",
    "outcome1",
    "outcome2",
    "batdeath1",
    "batdeath2",
    "resume",
]
#: event columns a spell is counted on -> the spell column
_SPELLS = {"gmlmid": "gmlmidspell", "cowinter": "cowinterspell"}


def _directed_keys(df: pd.DataFrame) -> pd.DataFrame:
    """The keys, looked up as (ccode1, ccode2) even on undirected frames.

    The sources list both orders, so an undirected row (a < b) finds its own row and its
    side-specific columns (``sidea1`` ...) stay those of ccode1; no maximum over orders.
    """
    keys = key_frame(df)
    keys.attrs["directed"] = True
    return keys


def _attach(
    df: pd.DataFrame,
    src: pd.DataFrame,
    events: list[str],
    measures: list[str],
    years: tuple[int, int],
) -> pd.DataFrame:
    keys = _directed_keys(df)
    out = attach_dyadic(keys, prepare_dyadic(src, events), events, years, True)
    out = attach_dyadic(out, prepare_dyadic(src, measures), measures, years, False)
    return put_back(df, out, dyadic=[*events, *measures])


def add_gml_mids(
    df: pd.DataFrame, *, init: str = "sidea-all-joiners", context: DataContext | None = None
) -> pd.DataFrame:
    """Add GML MIDs: onset, ongoing, the dispute's levels and (on directed dyads) initiation.

    ``gmlmidonset`` and ``gmlmidongoing`` are 1/0 inside 1816-2010 (0: no dispute listed,
    the data being a complete list), missing outside. The dispute's own columns (``dispnum``,
    ``sidea1/2``, ``orig1/2``, ``fatality1/2`` and ``fatality``, ``hiact1/2``,
    ``hostlev1/2`` and ``hostlev``, ``recip``, ``mindur``, ``maxdur``, ``stmon``) are missing
    in dyad-years without a dispute; MID's code -9 (fatalities unknown) is missing too. On
    directed dyads ``init1``/``init2`` code initiation by ``init``: ``"sidea-all-joiners"``
    (side A, or any joiner), ``"sidea-with-joiners"`` (side A, joiners on side A included) or
    ``"sidea-orig"`` (an originator on side A).

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [365], "client": [2], "year": [1948]})
    >>> add_gml_mids(p)[["sidea1", "init1", "hostlev1"]].values.tolist()
    [[1.0, 1.0, 4.0]]
    """
    if init not in INIT_RULES:
        raise bad_param("init", f"must be one of {', '.join(INIT_RULES)}; got {init!r}")
    if unit_name(df) == "state":
        raise bad_param("df", "is state-years; add_gml_mids needs dyad-years or the panel")
    raw = read_rda("gml_mid_ddydisps", context=context)
    src = raw[["ccode1", "ccode2", "year", *_GML_EVENTS, *_GML_MEASURES]].copy()
    for col in ("fatality1", "fatality2", "fatality"):
        src[col] = src[col].where(src[col] >= 0)  # -9: unknown, not a level
    measures = list(_GML_MEASURES)
    directed = unit_name(df) == "panel" or is_directed(df)
    if directed:
        for s in ("1", "2"):
            sidea, orig = src[f"sidea{s}"] == 1, src[f"orig{s}"]
            rule = {
                "sidea-all-joiners": sidea | (orig == 0),
                "sidea-with-joiners": sidea,
                "sidea-orig": sidea & (orig == 1),
            }[init]
            src[f"init{s}"] = rule.astype("float64")
        measures += ["init1", "init2"]
    return _attach(df, src, _GML_EVENTS, measures, GML_YEARS)


def cow_inter_wars(*, context: DataContext | None = None) -> pd.DataFrame:
    """COW inter-state war dyad-years, one row per directed dyad-year.

    Where a dyad-year lists two wars, an onset is kept over a continuing war, then the war
    with more battle deaths (both sides; negative codes are unknown), then the lower war
    number, the same rule in both directions of the dyad.

    Examples
    --------
    >>> w = cow_inter_wars()
    >>> bool(w.duplicated(["ccode1", "ccode2", "year"]).any())
    False
    """
    raw = read_rda("cow_war_inter", context=context)
    w = raw[["ccode1", "ccode2", "year", *_WAR_EVENTS, *_WAR_MEASURES]].copy()
    for col in ("batdeath1", "batdeath2"):
        w[col] = w[col].where(w[col] >= 0)
    keys = ["ccode1", "ccode2", "year"]
    deaths = w[["batdeath1", "batdeath2"]].sum(axis=1, min_count=1)
    w = w.assign(_deaths=deaths.fillna(-1.0))
    w = w.sort_values(
        [*keys, "cowinteronset", "_deaths", "warnum"], ascending=[True] * 3 + [False, False, True]
    )
    return w.drop_duplicates(keys, keep="first").drop(columns="_deaths").reset_index(drop=True)


def add_cow_wars(df: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add COW inter-state war participation: onset, ongoing and the war's columns.

    ``cowinteronset``/``cowinterongoing`` are 1 when ccode1 and ccode2 fight on opposite
    sides of an inter-state war that year, 0 inside 1816-2007, missing outside; ``warnum``,
    ``sidea1/2``, ``initiator1/2``, ``outcome1/2``, ``batdeath1/2``, ``resume`` are missing
    without a war (battle deaths also where COW does not know them).

    Examples
    --------
    >>> d = pd.DataFrame({"ccode1": [2, 2], "ccode2": [731, 731], "year": [1950, 1954]})
    >>> add_cow_wars(d)["cowinterongoing"].tolist()
    [1.0, 0.0]
    """
    if unit_name(df) == "state":
        raise bad_param("df", "is state-years; add_cow_wars needs dyad-years or the panel")
    src = cow_inter_wars(context=context)
    return _attach(df, src, _WAR_EVENTS, _WAR_MEASURES, WAR_YEARS)


def _spell(dyad: np.ndarray, year: np.ndarray, event: np.ndarray) -> np.ndarray:
    """Years since the last event in the dyad's run (rows sorted by dyad, then year).

    A run starts at 0 in a dyad's first year, the year after an event, the year after a
    missing value and after a gap in the years; it counts up by one a year; the event year
    keeps its count (Beck, Katz and Tucker's convention). Missing events: missing spells.
    """
    n = len(year)
    if n == 0:
        return np.zeros(0)
    miss = np.isnan(event)
    start = np.ones(n, dtype=bool)
    same = dyad[1:] == dyad[:-1]
    start[1:] = ~same | (year[1:] != year[:-1] + 1) | (event[:-1] == 1) | miss[:-1]
    ref = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    out = (year - year[ref]).astype("float64")
    out[miss] = np.nan
    return out


def add_spells(
    df: pd.DataFrame, *, event: str = "onset", context: DataContext | None = None
) -> pd.DataFrame:
    """Add peace spells for the conflict columns the frame has (peacesciencer's ``add_spells``).

    For each of GML MIDs (``gmlmidonset``/``gmlmidongoing`` from :func:`add_gml_mids`) and
    COW wars (``cowinteronset``/``cowinterongoing`` from :func:`add_cow_wars`) present,
    adds ``gmlmidspell`` / ``cowinterspell``: the years since the dyad's last ``event``
    (``"onset"``, or ``"ongoing"``, peacesciencer's default, which also counts the years a
    dispute goes on). The counter is 0 in a dyad's first observed year and the year after
    an event, and restarts after a gap in the dyad's years or after a missing value (e.g.
    outside the source's coverage, where the spell is missing too). ``context`` is unused:
    the verb reads the frame's own columns.

    Examples
    --------
    >>> d = pd.DataFrame({"ccode1": [2] * 4, "ccode2": [365] * 4, "year": [1945, 1946, 1947, 1948],
    ...                   "gmlmidonset": [0, 1, 0, 0], "gmlmidongoing": [0, 1, 1, 0]})
    >>> add_spells(d)["gmlmidspell"].tolist()
    [0.0, 1.0, 0.0, 1.0]
    """
    del context
    if event not in ("onset", "ongoing"):
        raise bad_param("event", f"must be 'onset' or 'ongoing'; got {event!r}")
    if unit_name(df) == "state":
        raise bad_param("df", "is state-years; add_spells needs dyad-years or the panel")
    families = [f for f in _SPELLS if f"{f}{event}" in df.columns]
    if not families:
        raise bad_param(
            "df",
            f"has no conflict column to count spells on (run add_gml_mids or add_cow_wars first; looked for {[f + event for f in _SPELLS]})",
        )
    keys = key_frame(df)
    c1 = keys["ccode1"].to_numpy(dtype="int64")
    c2 = keys["ccode2"].to_numpy(dtype="int64")
    year = keys["year"].to_numpy(dtype="int64")
    dyad = c1 * 1000 + c2
    order = np.lexsort((year, dyad))
    for fam in families:
        ev = pd.to_numeric(df[f"{fam}{event}"], errors="coerce").to_numpy(dtype="float64")
        spell = np.empty(len(ev))
        spell[order] = _spell(dyad[order], year[order], ev[order])
        keys[_SPELLS[fam]] = spell
    return put_back(df, keys, dyadic=[_SPELLS[f] for f in families])
