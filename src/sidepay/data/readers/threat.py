"""External threat: strategic rivalries, militarized disputes, territorial threat.

Sources: ``td_rivalries`` (Thompson & Dreyer 2012 strategic rivalries, 1494-2010),
``tss_rivalries`` (Thompson, Sakuwa & Suhas 2022, to 2020), ``gml_mid_ddydisps`` (Gibler,
Miller & Little MID data as directed dyad-years, 1816-2010) and ``terrthreat`` (Miller's
latent external territorial threat, 1816-2010), all via peacesciencer.
"""

from __future__ import annotations

from functools import partial
from typing import Literal

import numpy as np
import pandas as pd

from sidepay.data.acquire import read_rda
from sidepay.data.cache import cached_frame
from sidepay.data.context import DataContext, default_context
from sidepay.data.readers._common import expand_years, int_keys
from sidepay.errors import InputError

__all__ = [
    "MID_COVERAGE",
    "RIVALRY_COVERAGE",
    "mid_dyad_years",
    "rivalries",
    "rivalry_dyad_years",
    "terrthreat",
]

MID_COVERAGE = (1816, 2010)
"""Years the GML MID data cover: a dyad-year absent inside this range had no MID."""
RIVALRY_COVERAGE = {"td": (1816, 2010), "tss": (1816, 2020)}
"""Years (from the COW system start) in which each rivalry list is complete."""


_RIVALRY_TYPES = ("positional", "spatial", "ideological", "interventionary")


def _rivalry_spells(
    raw: pd.DataFrame,
    keys: tuple[str, str, str, str],
    id_col: str,
    name_col: str,
    region: pd.Series,
    types: dict[str, pd.Series],
    source: str,
) -> pd.DataFrame:
    """One source's rivalry spells in the common layout, sorted by dyad and start year.

    ``keys`` names the source's ccode1, ccode2, start and end year columns; ``types`` maps
    each of ``_RIVALRY_TYPES`` to a boolean series.
    """
    c1, c2, start, end = keys
    out = pd.DataFrame(
        {
            "ccode1": raw[c1],
            "ccode2": raw[c2],
            "styear": raw[start],
            "endyear": raw[end],
            "rivalry_id": raw[id_col].astype("int64"),
            "rivalry_name": raw[name_col].astype(str),
            "region": region,
            **{t: types[t] for t in _RIVALRY_TYPES},
            "source": source,
        }
    )
    return out.sort_values(["ccode1", "ccode2", "styear"], ignore_index=True)


def _build_td(ctx: DataContext) -> pd.DataFrame:
    keys = ("ccode1", "ccode2", "styear", "endyear")
    raw = int_keys(read_rda("td_rivalries", context=ctx), list(keys))
    types = raw[["type1", "type2", "type3"]].astype("string")
    return _rivalry_spells(
        raw, keys, "rivalryno", "rivalryname",
        region=raw["region"].astype(str),
        types={t: (types == t).any(axis=1) for t in _RIVALRY_TYPES},
        source="td",
    )  # fmt: skip


def _build_tss(ctx: DataContext) -> pd.DataFrame:
    keys = ("ccode1", "ccode2", "start", "end")
    raw = int_keys(read_rda("tss_rivalries", context=ctx), list(keys))
    return _rivalry_spells(
        raw, keys, "tssr_id", "rivalry",
        region=pd.Series(pd.NA, index=raw.index, dtype="string").astype(object),
        types={t: raw[t].eq(1) for t in _RIVALRY_TYPES},
        source="tss",
    )  # fmt: skip


def rivalries(
    source: Literal["td", "tss"] = "td", *, context: DataContext | None = None
) -> pd.DataFrame:
    """Strategic rivalries as undirected spells (``ccode1 < ccode2``).

    Parameters
    ----------
    source : {"td", "tss"}
        Thompson-Dreyer (1494-2010; an end year of 2010 means ongoing at the end of the
        data) or Thompson-Sakuwa-Suhas (to 2020).

    Returns
    -------
    pandas.DataFrame
        ``ccode1, ccode2, styear, endyear, rivalry_id, rivalry_name, region, positional,
        spatial, ideological, interventionary, source``.

    Examples
    --------
    >>> r = rivalries()
    >>> r.query("ccode1 == 2 and ccode2 == 365")[["styear", "endyear"]].values.tolist()
    [[1945, 1989], [2007, 2010]]
    """
    ctx = default_context(context)
    if source == "td":
        build = partial(_build_td, ctx)
        return cached_frame("rivalries_td", build, ["td_rivalries"], version=1, context=ctx)
    if source == "tss":
        build = partial(_build_tss, ctx)
        return cached_frame("rivalries_tss", build, ["tss_rivalries"], version=1, context=ctx)
    raise InputError(f"rivalry source must be 'td' or 'tss'; got {source!r}")


def rivalry_dyad_years(
    source: Literal["td", "tss"] = "td",
    *,
    directed: bool = True,
    context: DataContext | None = None,
) -> pd.DataFrame:
    """Dyad-years inside a rivalry spell, clipped to 1816 onward.

    Returns ``ccode1, ccode2, year, rivalry`` (``rivalry`` = 1) with both orders of each dyad
    when ``directed``; a dyad-year absent inside :data:`RIVALRY_COVERAGE` had no rivalry.

    Examples
    --------
    >>> d = rivalry_dyad_years()
    >>> bool(((d.ccode1 == 365) & (d.ccode2 == 2) & (d.year == 1962)).any())
    True
    """
    spells = rivalries(source, context=context)
    lo, hi = RIVALRY_COVERAGE[source]
    idx, years = expand_years(
        spells["styear"].clip(lower=lo).to_numpy(), spells["endyear"].clip(upper=hi).to_numpy()
    )
    out = pd.DataFrame(
        {
            "ccode1": spells["ccode1"].to_numpy()[idx],
            "ccode2": spells["ccode2"].to_numpy()[idx],
            "year": years,
        }
    )
    if directed:
        flipped = out.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
        out = pd.concat([out, flipped[["ccode1", "ccode2", "year"]]], ignore_index=True)
    out = out.drop_duplicates().sort_values(["ccode1", "ccode2", "year"], ignore_index=True)
    out["rivalry"] = np.int8(1)
    return out


def _build_mid(ctx: DataContext) -> pd.DataFrame:
    raw = int_keys(read_rda("gml_mid_ddydisps", context=ctx), ["ccode1", "ccode2", "year"])
    out = pd.DataFrame(
        {
            "ccode1": raw["ccode1"],
            "ccode2": raw["ccode2"],
            "year": raw["year"],
            "midonset": raw["gmlmidonset"].fillna(0).astype("int8"),
            "midongoing": raw["gmlmidongoing"].fillna(0).astype("int8"),
            "dispnum": raw["dispnum"].astype("Int64"),
            "hostlev": raw["hostlev"].astype("Int64"),
            "fatality": raw["fatality"].astype("Int64"),
            "sidea1": raw["sidea1"].astype("Int64"),
            "orig1": raw["orig1"].astype("Int64"),
        }
    )
    return out.sort_values(["ccode1", "ccode2", "year"], ignore_index=True)


def mid_dyad_years(*, context: DataContext | None = None) -> pd.DataFrame:
    """Directed dyad-years with a militarized interstate dispute (GML MID), 1816-2010.

    One row per directed dyad-year in a dispute (peacesciencer already reduced multiple
    disputes in a dyad-year to one by its documented whittling rules; ``dispnum`` is the
    dispute kept). A dyad-year absent
    inside :data:`MID_COVERAGE` had no MID; outside it the data say nothing.

    Returns
    -------
    pandas.DataFrame
        ``ccode1, ccode2, year, midonset, midongoing, dispnum, hostlev, fatality, sidea1,
        orig1``.

    Examples
    --------
    >>> m = mid_dyad_years()
    >>> int(m.query("ccode1 == 2 and ccode2 == 365 and year == 1962")["midonset"].item())
    1
    """
    ctx = default_context(context)
    build = partial(_build_mid, ctx)
    return cached_frame("mid_dyad_years", build, ["gml_mid_ddydisps"], version=1, context=ctx)


def _build_terrthreat(ctx: DataContext) -> pd.DataFrame:
    raw = int_keys(read_rda("terrthreat", context=ctx), ["ccode", "year"])
    out = pd.DataFrame(
        {
            "ccode": raw["ccode"],
            "year": raw["year"],
            "lterrthreat": raw["lterrthreat"],
            "lterrthreat_sd": raw["sd"],
            "lterrthreat_lwr": raw["lwr"],
            "lterrthreat_upr": raw["upr"],
        }
    )
    return out.drop_duplicates(["ccode", "year"]).sort_values(["ccode", "year"], ignore_index=True)


def terrthreat(*, context: DataContext | None = None) -> pd.DataFrame:
    """Latent external territorial threat per COW state-year, 1816-2010 (Miller 2022).

    Returns
    -------
    pandas.DataFrame
        ``ccode, year, lterrthreat`` (posterior mean, higher = more threatened) and its
        ``_sd``, ``_lwr``, ``_upr``.

    Examples
    --------
    >>> t = terrthreat()
    >>> list(t.columns[:3])
    ['ccode', 'year', 'lterrthreat']
    """
    ctx = default_context(context)
    build = partial(_build_terrthreat, ctx)
    return cached_frame("terrthreat", build, ["terrthreat"], version=1, context=ctx)
