"""State-years, dyad-years and verbs that add a source to them, in the spirit of peacesciencer.

The units are built from the COW state system; a verb takes a state-year frame
(``ccode, year``) or a dyad-year frame (``ccode1, ccode2, year``, directed or not) and
returns it with the source's columns added. Every verb keeps three invariants (tested in
``tests/test_dyads.py``):

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

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

from sidepay.data.readers import alliances, capabilities, democracy, idealpoints, states, threat
from sidepay.data.readers._common import expand_years
from sidepay.errors import InputError

YEAR_MIN, YEAR_MAX = 1816, 2030
_CC = 1000  # COW codes are < 1000


def _parse_years(years: tuple[int, int] | range | list[int]) -> tuple[int, int]:
    ys = list(years) if not isinstance(years, tuple) else [years[0], years[-1]]
    if not ys:
        raise InputError("years must be a non-empty range of years such as (1946, 2020)")
    lo, hi = int(min(ys)), int(max(ys))
    if lo < YEAR_MIN or hi > YEAR_MAX:
        raise InputError(f"years must lie in {YEAR_MIN}..{YEAR_MAX}; got {lo}..{hi}")
    return lo, hi


# --- upstream readers (ACQUIRE's) ---


def cow_states() -> pd.DataFrame:
    """COW state-system spells ``ccode, stateabb, styear, endyear`` (states2016).

    Examples
    --------
    >>> int(cow_states().query("stateabb == 'USA'")["styear"].iloc[0])
    1816
    """
    return states.cow_states()


def major_powers() -> pd.DataFrame:
    """COW major-power spells ``ccode, styear, endyear``.

    Examples
    --------
    >>> sorted(major_powers().query("endyear >= 2016")["ccode"].tolist())
    [2, 200, 220, 255, 365, 710, 740]
    """
    return states.major_powers()


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
    key = np.unique(yrs * _CC + cc)
    return pd.DataFrame({"ccode": key % _CC, "year": key // _CC})


def state_years(years: tuple[int, int] | range = (1816, 2020), system: str = "cow") -> pd.DataFrame:
    """All COW state-years in ``years`` (inclusive), sorted by year then ccode.

    Examples
    --------
    >>> sy = state_years((1946, 1946))
    >>> int(sy.loc[sy.ccode == 2, "year"].iloc[0]), bool(sy.duplicated().any())
    (1946, False)
    """
    if system != "cow":
        raise InputError(f"system must be 'cow'; got {system!r}")
    lo, hi = _parse_years(years)
    out = _spell_years(cow_states(), lo, hi)
    out.attrs["sidepay_unit"] = "state_year"
    return out


def dyad_years(
    years: tuple[int, int] | range = (1816, 2020), directed: bool = True
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
    sy = state_years(years)
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
    out.attrs.update(sidepay_unit="dyad_year", directed=directed)
    return out


# --- merge machinery ---
#
# Every merge is a gather: each input row gets the index of its source row, or of one of
# two extra columns appended to the source's value matrix (``absent``: the source covers
# the year but lists nothing, ``nan``: outside the source's years). No boolean masking of
# the output and no pandas join; each output column is one 1-D ``take`` that pandas keeps
# as its own block without copying.


def _unit(df: pd.DataFrame) -> str:
    if {"ccode1", "ccode2", "year"} <= set(df.columns):
        return "dyad"
    if {"ccode", "year"} <= set(df.columns):
        return "state"
    raise InputError("expected state-years (ccode, year) or dyad-years (ccode1, ccode2, year)")


def _is_directed(df: pd.DataFrame) -> bool:
    if "directed" in df.attrs:
        return bool(df.attrs["directed"])
    return bool((df["ccode1"].to_numpy() > df["ccode2"].to_numpy()).any())


def _as_float(col: pd.Series) -> np.ndarray:
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _codes(col: pd.Series) -> np.ndarray:
    """int64 COW codes; anything outside 0..999 becomes ``_CC`` (matches no source row)."""
    c = col.to_numpy(dtype="int64")
    if len(c) and (c.min() < 0 or c.max() >= _CC):
        return np.where((c >= 0) & (c < _CC), c, _CC)
    return c  # the usual case: no copy


def _year_blocks(year: np.ndarray, y0: int, y1: int, stride: int) -> np.ndarray:
    """Offset of each row's year block in a table of years ``y0 - 1 .. y1 + 1``.

    Years outside ``[y0, y1]`` fall into the empty first or last block.
    """
    off = np.clip(year, y0 - 1, y1 + 1)
    off -= y0 - 1
    off *= stride
    return off


def _value_matrix(columns: list[np.ndarray], n: int, absent: float) -> np.ndarray:
    """(columns x n + 2) float matrix: the values, then an ``absent`` and a NaN column."""
    mat = np.empty((len(columns), n + 2), dtype="float64")
    for j, values in enumerate(columns):
        mat[j, :n] = values
    mat[:, n] = absent
    mat[:, n + 1] = np.nan
    return mat


def _monadic_rows(src: pd.DataFrame) -> tuple[int, int, np.ndarray]:
    """Dense lookup: slot ``_year_blocks(year) + ccode`` -> source row (``len(src)``: none).

    A year block has ``_CC + 1`` slots (the last for codes outside 0..999); one empty block
    before and after the source's years takes the years it does not cover.
    """
    y = src["year"].to_numpy(dtype="int64")
    c = src["ccode"].to_numpy(dtype="int64")
    y0, y1 = (int(y.min()), int(y.max())) if len(y) else (0, -1)  # empty: every row is none
    table = np.full((y1 - y0 + 3) * (_CC + 1), len(src), dtype=np.intp)
    ok = (c >= 0) & (c < _CC)
    table[((y - y0 + 1) * (_CC + 1) + c)[ok]] = np.flatnonzero(ok)
    return y0, y1, table


def _attach_monadic(df: pd.DataFrame, src: pd.DataFrame, cols: dict[str, str]) -> pd.DataFrame:
    """Left-join state-year columns (``src`` name -> output name); missing stays missing."""
    unit = _unit(df)
    src = src.drop_duplicates(["ccode", "year"]).reset_index(drop=True)
    y0, y1, table = _monadic_rows(src)
    blocks = _year_blocks(df["year"].to_numpy(dtype="int64"), y0, y1, _CC + 1)
    targets = [("ccode", "")] if unit == "state" else [("ccode1", "1"), ("ccode2", "2")]
    numeric = [s for s in cols if pd.api.types.is_numeric_dtype(src[s])]
    labels = [s for s in cols if s not in numeric]
    mat = _value_matrix([_as_float(src[s]) for s in numeric], len(src), np.nan)
    cats = {s: pd.Categorical(src[s].astype("string")) for s in labels}
    new: dict[str, Any] = {}
    for cc_col, suffix in targets:
        slot = blocks + _codes(df[cc_col])
        row = table.take(slot, mode="clip")  # every slot is in range: skip the checks
        del slot
        for j, s in enumerate(numeric):
            # one 1-D take per column: several times faster than a 2-D take along axis 1
            new[cols[s] + suffix] = mat[j].take(row, mode="clip")
        for s, cat in cats.items():
            # labels (regime type): gather category codes, not Python strings
            codes = np.r_[cat.codes, -1, -1].astype(cat.codes.dtype)
            new[cols[s] + suffix] = pd.Categorical.from_codes(
                codes.take(row, mode="clip"), dtype=cat.dtype
            )
    # keep the caller's column order: numeric and label columns as listed in ``cols``
    order = [cols[s] + suffix for _, suffix in targets for s in cols]
    return _with(df, {k: new[k] for k in order})


def _suffixes(df: pd.DataFrame) -> list[str]:
    return [""] if _unit(df) == "state" else ["1", "2"]


def _with(df: pd.DataFrame, new: dict[str, Any]) -> pd.DataFrame:
    """``df`` plus new columns, without copying the existing ones; attrs kept."""
    # one block per column, no consolidation: chaining verbs on 2 million rows stays cheap
    cols: dict[str, Any] = {}
    for name in df.columns:
        col = df[name]
        cols[name] = col.array if isinstance(col.dtype, ExtensionDtype) else col.to_numpy()
    cols.update(new)
    out = pd.DataFrame(cols, index=df.index, copy=False)
    out.attrs = dict(df.attrs)
    return out


@dataclass(frozen=True)
class DyadSource:
    """A directed dyad-year source ready for gathers (see :func:`_prepare_dyadic`).

    ``keys`` are the sorted unique ``(year * 1000 + ccode1) * 1000 + ccode2``; ``values``
    holds each column in the same order.
    """

    keys: np.ndarray
    values: list[np.ndarray]


def _prepare_dyadic(src: pd.DataFrame, cols: list[str]) -> DyadSource:
    """Sorted integer keys of a directed dyad-year source; duplicated keys keep the first.

    Rows with a code outside 0..999 are dropped (they could not be told apart).
    """
    y = src["year"].to_numpy(dtype="int64")
    c1 = src["ccode1"].to_numpy(dtype="int64")
    c2 = src["ccode2"].to_numpy(dtype="int64")
    ok = np.flatnonzero((c1 >= 0) & (c1 < _CC) & (c2 >= 0) & (c2 < _CC))
    keys, first = np.unique(((y * _CC + c1) * _CC + c2)[ok], return_index=True)
    rows = ok[first]
    return DyadSource(keys, [_as_float(src[c])[rows] for c in cols])


def _dyad_rows(prep: DyadSource, y: np.ndarray, c1: np.ndarray, c2: np.ndarray) -> np.ndarray:
    """Source row of each dyad-year (``len(source)``: the source lists nothing).

    ``searchsorted`` on sorted integer keys: the queries of :func:`dyad_years` come sorted
    too, which keeps the binary searches in cache.
    """
    n = len(prep.keys)
    if n == 0:
        return np.zeros(len(y), dtype=np.intp)
    q = y * _CC
    q += c1
    q *= _CC
    q += c2
    pos = np.searchsorted(prep.keys, q)
    np.minimum(pos, n - 1, out=pos)
    hit = prep.keys.take(pos) == q
    return np.where(hit, pos, n)


def _attach_dyadic(
    df: pd.DataFrame,
    prepared: DyadSource,
    names: list[str],
    coverage: tuple[int, int],
    complete: bool,
) -> pd.DataFrame:
    """Attach directed dyad-year columns from a :func:`_prepare_dyadic` source.

    ``complete``: the source lists every event in its coverage, so absence means 0 there.
    """
    if _unit(df) != "dyad":
        raise InputError("this verb needs dyad-years (ccode1, ccode2, year), not state-years")
    y = df["year"].to_numpy(dtype="int64")
    c1, c2 = _codes(df["ccode1"]), _codes(df["ccode2"])
    nsrc = len(prepared.values[0]) if prepared.values else 0
    mat = _value_matrix(prepared.values, nsrc, 0.0 if complete else np.nan)
    outside = (y < coverage[0]) | (y > coverage[1])
    if len(y) and max(int(c1.max()), int(c2.max())) == _CC:
        outside |= (c1 == _CC) | (c2 == _CC)  # not a COW code: missing, never a 0
    any_outside = bool(outside.any())

    def rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        row = _dyad_rows(prepared, y, a, b)
        if any_outside:
            np.putmask(row, outside, nsrc + 1)  # the NaN column
        return row

    row = rows(c1, c2)
    vals = [v.take(row, mode="clip") for v in mat]  # 1-D takes beat one 2-D take on axis 1
    if not _is_directed(df):
        rev = rows(c2, c1)
        for v, src_col in zip(vals, mat, strict=True):
            np.fmax(v, src_col.take(rev, mode="clip"), out=v)
    return _with(df, dict(zip(names, vals, strict=True)))


_PREPARED: dict[str, DyadSource] = {}


def _prepared(key: str, build: Callable[[], DyadSource]) -> DyadSource:
    stamp = (
        key + "|" + os.environ.get("SIDEPAY_MIRROR", "") + os.environ.get("SIDEPAY_DATA_DIR", "")
    )
    if stamp not in _PREPARED:
        _PREPARED[stamp] = build()
    return _PREPARED[stamp]


# --- verbs ---


def add_atop_alliance(df: pd.DataFrame) -> pd.DataFrame:
    """Add ATOP 4.01 obligations ``atop_defense ... atop_consul`` and ``atop_n`` (alliances).

    1 if ccode1 undertakes the obligation toward ccode2 in any alliance that year; 0 inside
    1815-2016 (ATOP 4.01 coverage) otherwise; missing outside.

    Examples
    --------
    >>> d = add_atop_alliance(dyad_years((1955, 1955)))
    >>> int(d.loc[(d.ccode1 == 2) & (d.ccode2 == 770), "atop_defense"].iloc[0])
    1
    """
    cols = [*alliances.OBLIGATIONS, "n"]

    def build() -> DyadSource:
        a = alliances.atop_dyad_years()
        g = a.groupby(["ccode1", "ccode2", "year"], as_index=False, sort=False)
        agg = g[list(alliances.OBLIGATIONS)].max()
        agg["n"] = g.size()["size"].to_numpy()
        return _prepare_dyadic(agg, cols)

    names = [f"atop_{c}" for c in cols]
    span = (alliances.ATOP_START, alliances.ATOP_END)
    return _attach_dyadic(df, _prepared("atop", build), names, span, True)


def add_cow_alliance(df: pd.DataFrame) -> pd.DataFrame:
    """Add COW v4.1 alliance types ``cow_defense, cow_neutral, cow_nonagg, cow_entente``.

    Symmetric; 0 inside 1816-2012 when no alliance, missing outside.

    Examples
    --------
    >>> d = add_cow_alliance(dyad_years((2013, 2013)))
    >>> bool(d["cow_defense"].isna().all())
    True
    """
    flags = ["cow_defense", "cow_neutral", "cow_nonagg", "cow_entente"]

    def build() -> DyadSource:
        c = alliances.cow_dyad_years()
        agg = c.groupby(["ccode1", "ccode2", "year"], as_index=False, sort=False)[flags].max()
        return _prepare_dyadic(agg, flags)

    span = (alliances.COW_START, alliances.COW_END)
    return _attach_dyadic(df, _prepared("cow", build), flags, span, True)


def add_democracy(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``polity2``, ``polyarchy`` (and ``W``, ``regime_type`` when the reader has them).

    Examples
    --------
    >>> s = add_democracy(state_years((1950, 1950)))
    >>> float(s.loc[s.ccode == 2, "polity2"].iloc[0]), float(s.loc[s.ccode == 365, "polity2"].iloc[0])
    (9.0, -9.0)
    """
    src = democracy.regime_years()
    cols = {c: c for c in ("polity2", "polyarchy", "W", "regime_type") if c in src.columns}
    return _attach_monadic(df, src, cols)


def add_nmc(df: pd.DataFrame) -> pd.DataFrame:
    """Add COW NMC ``cinc, milex, milper, irst, pec, tpop, upop``.

    Examples
    --------
    >>> s = add_nmc(state_years((1950, 1950)))
    >>> bool(s.loc[s.ccode == 2, "cinc"].iloc[0] > 0.2)
    True
    """
    src = capabilities.nmc()
    names = ("cinc", "milex", "milper", "irst", "pec", "tpop", "upop")
    return _attach_monadic(df, src, {c: c for c in names if c in src.columns})


def add_cow_majors(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``cowmaj`` (1 major power, 0 not) for years from 1816 on.

    Examples
    --------
    >>> s = add_cow_majors(state_years((1950, 1950)))
    >>> sorted(s.loc[s.cowmaj == 1, "ccode"].tolist())
    [2, 200, 220, 365, 710]
    """
    _unit(df)
    if df.empty:
        return _with(df, {f"cowmaj{k}": np.zeros(0) for k in _suffixes(df)})
    lo, hi = int(df["year"].min()), int(df["year"].max())
    lo, hi = max(lo, YEAR_MIN), max(hi, YEAR_MIN)
    majors = _spell_years(major_powers(), lo, hi)
    sy = _spell_years(cow_states(), lo, hi)
    mkey = (majors["year"] * _CC + majors["ccode"]).to_numpy()
    sy["cowmaj"] = np.isin((sy["year"] * _CC + sy["ccode"]).to_numpy(), mkey).astype("float64")
    return _attach_monadic(df, sy, {"cowmaj": "cowmaj"})


def add_ideal_points(df: pd.DataFrame) -> pd.DataFrame:
    """Add UNGA ideal points (``idealpoint``; dyads also get ``ideal_distance`` = |ip1 - ip2|).

    Missing when a state did not vote that year.

    Examples
    --------
    >>> d = add_ideal_points(dyad_years((1980, 1980)))
    >>> bool(d.loc[(d.ccode1 == 2) & (d.ccode2 == 365), "ideal_distance"].iloc[0] > 2)
    True
    """
    src = idealpoints.ideal_points()
    out = _attach_monadic(df, src, {"idealpoint": "idealpoint"})
    if _unit(df) == "dyad":
        out["ideal_distance"] = (out["idealpoint1"] - out["idealpoint2"]).abs()
    return out


def add_rivalries(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``rivalry`` (Thompson-Dreyer strategic rivalry, symmetric) to dyad-years.

    0 inside the source's coverage (through its last coded year) when no rivalry.

    Examples
    --------
    >>> d = add_rivalries(dyad_years((1960, 1960)))
    >>> int(d.loc[(d.ccode1 == 2) & (d.ccode2 == 365), "rivalry"].iloc[0])
    1
    """
    r = threat.rivalries()
    end = int(r["endyear"].max())
    idx, yrs = expand_years(r["styear"].to_numpy(), r["endyear"].to_numpy())
    a, b = r["ccode1"].to_numpy()[idx], r["ccode2"].to_numpy()[idx]
    long = pd.DataFrame(
        {"ccode1": np.r_[a, b], "ccode2": np.r_[b, a], "year": np.r_[yrs, yrs], "rivalry": 1.0}
    ).drop_duplicates(["ccode1", "ccode2", "year"])
    return _attach_dyadic(
        df, _prepare_dyadic(long, ["rivalry"]), ["rivalry"], (YEAR_MIN, end), True
    )
