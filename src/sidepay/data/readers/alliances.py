"""Alliance readers: ATOP 4.01 (member- and alliance-level) and COW Formal Alliances v4.1.

Every reader returns a tidy pandas frame keyed by COW state codes (``ccode1``, ``ccode2``)
and ``year`` ints.

Choices (documented in ``docs/data.md``, section "Panel"):

- ATOP membership is a closed interval of years ``[yrent, yrexit]``; ``yrexit == 0`` means
  "still in force at the end of ATOP 4.01 coverage" and is read as :data:`ATOP_END`.
- A directed ATOP dyad-year ``(ccode1, ccode2, year, atopid)`` exists when both states are
  members of alliance ``atopid`` in ``year``. The obligation flags (defense, offense,
  neutral, nonagg, consul) are those **ccode1** undertakes in that alliance (ATOP codes
  obligations per member, so they can differ between the two directions of an asymmetric
  pact).
- COW v4.1 ``by_dyad_yearly`` is undirected; 45 of its rows carry ``year == 0`` with the
  year stored in ``dyad_st_year`` (Egypt-Israel 1979-2012 and others): those rows are
  repaired (year := dyad_st_year) and then de-duplicated. The ``by_directed_yearly`` file
  is the same table listed in both orders, so the directed version is built here by
  stacking both orders of the repaired undirected file.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from sidepay.data.acquire import fetch
from sidepay.data.cache import cached_frame
from sidepay.data.context import DataContext, default_context
from sidepay.data.readers._common import expand_years
from sidepay.data.sources import SOURCES
from sidepay.errors import DataUnavailableError

ATOP_MEMBER = "atop_v4.01/atop-member-level.csv"
ATOP_ALLIANCE = "atop_v4.01/atop-alliance-level.csv"
COW_ALLIANCE_ZIP = "cow_alliance_v4.1/Alliance_v4.1_csv.zip"
#: ATOP 4.01 codes alliances through 2016 (no member-level entry or exit after 2016):
#: an alliance still in force is read as in force to 2016, and later years are missing.
ATOP_START, ATOP_END = 1815, 2016
COW_START, COW_END = 1816, 2012
OBLIGATIONS: tuple[str, ...] = ("defense", "offense", "neutral", "nonagg", "consul")
READER_VERSION = 2  # 2: ATOP_END 2016 (was 2018: two years beyond the data)

#: ATOP ``termmode`` codes read as a manner of termination. ATOP codes how a member's
#: participation ended; 3 covers ends before the scheduled date by violation or
#: renunciation (Somalia-USSR 1977, Egypt-USSR 1976, the Nazi-Soviet pact 1941).
TERMINATION_MANNER: dict[int, str] = {
    0: "in force",
    1: "expiry",
    2: "replaced",
    3: "abrogation",
    4: "other",
    5: "other",
    6: "other",
}


def source_path(relpath: str, *, context: DataContext | None = None) -> Path:
    """Verified local path of the registered source whose ``relpath`` this is.

    Examples
    --------
    >>> source_path(ATOP_MEMBER).name
    'atop-member-level.csv'
    """
    names = source_names([relpath])
    if not names:
        raise DataUnavailableError(
            f"{relpath} is not a registered source; run `sidepay data list` for the registry"
        )
    return fetch(names[0], context=context)


def source_names(relpaths: list[str]) -> list[str]:
    """Registry names of the given mirror paths (unknown paths are skipped).

    Examples
    --------
    >>> source_names([ATOP_MEMBER])
    ['atop_member_level']
    """
    return [n for n, s in SOURCES.items() if s.relpath in relpaths]


def cached(
    key: str,
    build: Callable[[], pd.DataFrame],
    relpaths: list[str],
    *,
    context: DataContext | None = None,
) -> pd.DataFrame:
    """Build a frame through the shared parquet cache (``cached_frame``) of its sources.

    Falls back on an in-process memo, keyed on the data context, when a path is not in the
    sources registry.

    Examples
    --------
    >>> cached("doctest_alliances", lambda: pd.DataFrame({"a": [1]}), [ATOP_MEMBER])["a"].tolist()
    [1]
    """
    ctx = default_context(context)
    names = source_names(relpaths)
    if len(names) == len(relpaths):
        return cached_frame(key, build, names, version=READER_VERSION, context=ctx)
    if (key, ctx) not in _MEMO:
        _MEMO[key, ctx] = build()
    return _MEMO[key, ctx].copy()


_MEMO: dict[tuple[str, DataContext], pd.DataFrame] = {}


def _date(y: pd.Series, m: pd.Series, d: pd.Series) -> pd.Series:
    """ISO date strings; unknown month or day (0) are read as 1."""
    ok = y > 0
    mm = m.where(m > 0, 1).astype(int)
    dd = d.where(d > 0, 1).astype(int)
    out = (
        y.astype(int).astype(str).str.zfill(4)
        + "-"
        + mm.astype(str).str.zfill(2)
        + "-"
        + dd.astype(str).str.zfill(2)
    )
    return out.where(ok).astype("string")


def _build_atop_members(ctx: DataContext) -> pd.DataFrame:
    raw = pd.read_csv(source_path(ATOP_MEMBER, context=ctx))
    in_force = raw["yrexit"] == 0
    out = pd.DataFrame(
        {
            "atopid": raw["atopid"].astype("int64"),
            "ccode": raw["member"].astype("int64"),
            "phase": raw["phase"].astype("int64"),
            "yrent": raw["yrent"].astype("int64"),
            "yrexit": raw["yrexit"].where(~in_force, ATOP_END).astype("int64"),
            "in_force": in_force.astype("int8"),
            "entry_date": _date(raw["yrent"], raw["moent"], raw["dayent"]),
            "exit_date": _date(raw["yrexit"], raw["moexit"], raw["dayexit"]),
            "termmode": raw["termmode"].astype("int64"),
            "termcaus": raw["termcaus"].astype("Int64"),
        }
    )
    for ob in OBLIGATIONS:
        out[ob] = (raw[ob] > 0).astype("int8")
    out["manner"] = out["termmode"].map(TERMINATION_MANNER).astype("string")
    return out


def atop_members(*, context: DataContext | None = None) -> pd.DataFrame:
    """ATOP 4.01 member-level rows: one per alliance, member and phase.

    Returns
    -------
    DataFrame
        ``atopid, ccode, phase, yrent, yrexit`` (``yrexit`` = 2016 when in force),
        ``in_force``, ``entry_date``, ``exit_date`` (ISO strings), ``termmode``,
        ``termcaus``, ``manner`` (see :data:`TERMINATION_MANNER`) and the five obligation
        flags of this member.

    Examples
    --------
    >>> m = atop_members()
    >>> int(m.loc[(m.ccode == 520) & (m.atopid == 3735), "yrexit"].iloc[0])
    1977
    """
    ctx = default_context(context)
    return cached("atop_members", partial(_build_atop_members, ctx), [ATOP_MEMBER], context=ctx)


def _build_atop_alliances(ctx: DataContext) -> pd.DataFrame:
    raw = pd.read_csv(source_path(ATOP_ALLIANCE, context=ctx))
    keep = ["atopid", "begyr", "endyr", "ineffect", "bilat", "asymm", "milaid", "ecaid", "base"]
    out = raw[keep + list(OBLIGATIONS)].copy()
    out["endyr"] = out["endyr"].where(out["endyr"] > 0, ATOP_END)
    return out.astype("Int64")


def atop_alliances(*, context: DataContext | None = None) -> pd.DataFrame:
    """ATOP 4.01 alliance-level rows: obligation types and provisions of each alliance.

    Returns
    -------
    DataFrame
        ``atopid, begyr, endyr, ineffect, bilat, asymm, milaid, ecaid, base`` and the five
        obligation types (any member).

    Examples
    --------
    >>> a = atop_alliances()
    >>> bool(a["atopid"].is_unique)
    True
    """
    ctx = default_context(context)
    build = partial(_build_atop_alliances, ctx)
    return cached("atop_alliances", build, [ATOP_ALLIANCE], context=ctx)


def _build_atop_dyad_years(ctx: DataContext) -> pd.DataFrame:
    m = atop_members(context=ctx)
    cols = ["atopid", "ccode", "yrent", "yrexit", *OBLIGATIONS]
    pairs = m[cols].merge(
        m[["atopid", "ccode", "yrent", "yrexit"]], on="atopid", suffixes=("1", "2")
    )
    pairs = pairs[pairs["ccode1"] != pairs["ccode2"]]
    lo = np.maximum(pairs["yrent1"].to_numpy(), pairs["yrent2"].to_numpy())
    hi = np.minimum(pairs["yrexit1"].to_numpy(), pairs["yrexit2"].to_numpy())
    idx, years = expand_years(lo, hi)
    base = pairs[["ccode1", "ccode2", "atopid", *OBLIGATIONS]].to_numpy()[idx]
    out = pd.DataFrame(base, columns=["ccode1", "ccode2", "atopid", *OBLIGATIONS])
    out.insert(2, "year", years)
    # phases of one alliance overlap at their boundary years: one row per alliance-year
    out = out.groupby(["ccode1", "ccode2", "year", "atopid"], as_index=False, sort=True).max()
    out[["ccode1", "ccode2", "year", "atopid"]] = out[
        ["ccode1", "ccode2", "year", "atopid"]
    ].astype("int64")
    out[list(OBLIGATIONS)] = out[list(OBLIGATIONS)].astype("int8")
    return out


def atop_dyad_years(*, context: DataContext | None = None) -> pd.DataFrame:
    """Directed ATOP dyad-alliance-years, 1815-2016.

    One row per ``(ccode1, ccode2, year, atopid)``: both states are members of alliance
    ``atopid`` in ``year``; the obligation flags are ccode1's obligations in that alliance.
    Aggregate over ``atopid`` for dyad-years (:func:`sidepay.data.dyads.add_atop_alliance`).

    Examples
    --------
    >>> d = atop_dyad_years()
    >>> bool(((d.ccode1 == 2) & (d.ccode2 == 770) & (d.year == 1954)).any())
    True
    """
    ctx = default_context(context)
    build = partial(_build_atop_dyad_years, ctx)
    return cached("atop_dyad_years", build, [ATOP_MEMBER], context=ctx)


def _read_cow_zip(member: str, ctx: DataContext | None = None) -> pd.DataFrame:
    with zipfile.ZipFile(source_path(COW_ALLIANCE_ZIP, context=ctx)) as z:
        raw = z.read(f"version4.1_comma/{member}")
    return pd.read_csv(io.BytesIO(raw), encoding="latin-1")


def _build_cow_dyad_years(ctx: DataContext) -> pd.DataFrame:
    raw = _read_cow_zip("alliance_v4.1_by_dyad_yearly.csv", ctx)
    bad = raw["year"] == 0
    raw.loc[bad, "year"] = raw.loc[bad, "dyad_st_year"]
    und = pd.DataFrame(
        {
            "ccode1": raw["ccode1"].astype("int64"),
            "ccode2": raw["ccode2"].astype("int64"),
            "year": raw["year"].astype("int64"),
            "cow_id": raw["version4id"].astype("int64"),
            "cow_defense": raw["defense"].fillna(0).astype("int8"),
            "cow_neutral": raw["neutrality"].fillna(0).astype("int8"),
            "cow_nonagg": raw["nonaggression"].fillna(0).astype("int8"),
            "cow_entente": raw["entente"].fillna(0).astype("int8"),
        }
    )
    keys = ["ccode1", "ccode2", "year", "cow_id"]
    und = und.groupby(keys, as_index=False, sort=False).max()
    rev = und.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    out = pd.concat([und, rev[und.columns]], ignore_index=True)
    return out.sort_values(keys, ignore_index=True)


def cow_dyad_years(*, context: DataContext | None = None) -> pd.DataFrame:
    """Directed COW v4.1 alliance dyad-alliance-years, 1816-2012.

    Built from the undirected ``by_dyad_yearly`` file (rows with ``year == 0`` repaired),
    listed in both orders. Columns ``ccode1, ccode2, year, cow_id, cow_defense,
    cow_neutral, cow_nonagg, cow_entente``.

    Examples
    --------
    >>> c = cow_dyad_years()
    >>> int((c.year == 0).sum())
    0
    """
    ctx = default_context(context)
    build = partial(_build_cow_dyad_years, ctx)
    return cached("cow_dyad_years", build, [COW_ALLIANCE_ZIP], context=ctx)
