"""Correlates of War state system: member spells, major powers, COW <-> G-W years.

Sources: ``cow_states`` and ``cow_majors`` (COW State System Membership v2016, via
peacesciencer) and ``cw_gw_panel`` (isard's COW state-year crosswalk to Gleditsch-Ward codes).
Spells that run to the end of the 2016 release (31 Dec 2016) are flagged ``ongoing``: they are
censored by the release date, not ended.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from sidepay.data.acquire import read_rda
from sidepay.data.cache import cached_frame
from sidepay.data.context import DataContext, default_context
from sidepay.data.readers._common import expand_years, int_keys

__all__ = ["cow_gw_years", "cow_states", "major_powers", "state_year_frame"]

_RELEASE_END = (2016, 12, 31)


def _ongoing(frame: pd.DataFrame) -> pd.Series:
    y, m, d = _RELEASE_END
    return (frame["endyear"] == y) & (frame["endmonth"] == m) & (frame["endday"] == d)


def _dates(frame: pd.DataFrame, prefix: str, year: str) -> pd.Series:
    parts = pd.DataFrame(
        {"year": frame[year], "month": frame[f"{prefix}month"], "day": frame[f"{prefix}day"]}
    )
    return pd.to_datetime(parts)


def _spells(raw: pd.DataFrame, names: dict[str, pd.Series]) -> pd.DataFrame:
    """COW spells ``ccode, <names>, stdate, enddate, styear, endyear, ongoing``, sorted."""
    out = pd.DataFrame(
        {
            "ccode": raw["ccode"],
            **{k: v.astype(str) for k, v in names.items()},
            "stdate": _dates(raw, "st", "styear"),
            "enddate": _dates(raw, "end", "endyear"),
            "styear": raw["styear"],
            "endyear": raw["endyear"],
            "ongoing": _ongoing(raw),
        }
    )
    out = int_keys(out, ["ccode", "styear", "endyear"])
    return out.sort_values(["ccode", "styear"], ignore_index=True)


def _build_states(ctx: DataContext) -> pd.DataFrame:
    raw = read_rda("cow_states", context=ctx)
    return _spells(raw, {"stateabb": raw["stateabb"], "statenme": raw["statenme"]})


def cow_states(*, context: DataContext | None = None) -> pd.DataFrame:
    """COW state-system member spells (one row per spell; 26 states have two).

    Returns
    -------
    pandas.DataFrame
        ``ccode, stateabb, statenme, stdate, enddate, styear, endyear, ongoing``; ``ongoing``
        marks spells still running at the end of the 2016 release.

    Examples
    --------
    >>> s = cow_states()
    >>> row = s.loc[s.ccode == 2].iloc[0]
    >>> (row["stateabb"], int(row["styear"]))
    ('USA', 1816)
    """
    ctx = default_context(context)
    return cached_frame(
        "cow_states", partial(_build_states, ctx), ["cow_states"], version=1, context=ctx
    )


def _build_majors(ctx: DataContext) -> pd.DataFrame:
    raw = read_rda("cow_majors", context=ctx)
    names = (
        read_rda("cow_states", context=ctx).drop_duplicates("ccode").set_index("ccode")["stateabb"]
    )
    return _spells(raw, {"stateabb": raw["ccode"].map(names)})


def major_powers(*, context: DataContext | None = None) -> pd.DataFrame:
    """COW major-power spells (majors2016): the great powers that can act as patrons.

    Returns
    -------
    pandas.DataFrame
        ``ccode, stateabb, stdate, enddate, styear, endyear, ongoing``. A year counts as a
        major-power year when ``styear <= year <= endyear`` (COW's own convention).

    Examples
    --------
    >>> m = major_powers()
    >>> m.loc[m.ccode == 2, "styear"].item()
    1898
    """
    ctx = default_context(context)
    build = partial(_build_majors, ctx)
    return cached_frame("major_powers", build, ["cow_majors", "cow_states"], version=1, context=ctx)


def state_year_frame(spells: pd.DataFrame, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Expand ``ccode, styear, endyear`` spells to unique ``ccode, year`` rows.

    Parameters
    ----------
    spells : DataFrame
        With integer ``ccode``, ``styear``, ``endyear``.
    years : (int, int), optional
        Keep only years in this closed range.

    Examples
    --------
    >>> sp = pd.DataFrame({"ccode": [2, 2], "styear": [1990, 1992], "endyear": [1991, 1993]})
    >>> state_year_frame(sp, (1991, 1992))["year"].tolist()
    [1991, 1992]
    """
    lo, hi = spells["styear"].to_numpy(), spells["endyear"].to_numpy()
    if years is not None:  # clip first: open spells may be coded to 9999
        lo, hi = np.maximum(lo, years[0]), np.minimum(hi, years[1])
    idx, yrs = expand_years(lo, hi)
    out = pd.DataFrame({"ccode": spells["ccode"].to_numpy(dtype="int64")[idx], "year": yrs})
    return out.drop_duplicates().sort_values(["ccode", "year"], ignore_index=True)


def _build_crosswalk(ctx: DataContext) -> pd.DataFrame:
    raw = read_rda("cw_gw_panel", context=ctx)
    out = raw[["ccode", "year", "gwcode"]].dropna(subset=["ccode", "year"]).copy()
    out["ccode"] = out["ccode"].astype("int64")
    out["year"] = out["year"].astype("int64")
    out["gwcode"] = out["gwcode"].astype("Int64")
    return out.drop_duplicates(["ccode", "year"]).sort_values(["ccode", "year"], ignore_index=True)


def cow_gw_years(*, context: DataContext | None = None) -> pd.DataFrame:
    """COW state-years with the matching Gleditsch-Ward code (isard ``cw_gw_panel``).

    Used to put G-W-coded sources (Archigos) on COW codes year by year (e.g. G-W 260 is COW
    255 from 1990, G-W 678 is COW 679 from 1990). ``gwcode`` is missing where G-W has no
    matching state.

    Examples
    --------
    >>> cw = cow_gw_years()
    >>> int(cw.query("ccode == 255 and year == 2000")["gwcode"].item())
    260
    """
    ctx = default_context(context)
    build = partial(_build_crosswalk, ctx)
    return cached_frame("cow_gw_years", build, ["cw_gw_panel"], version=1, context=ctx)
