"""UN General Assembly ideal points (Bailey, Strezhnev & Voeten), COW state-years 1946-2024.

Source: ``unga_idealpoints`` (July 2025 release, Stata file, COW ``ccode``). Years in which a
state cast no recorded vote are absent or have a missing ideal point: they stay missing,
never zero (1964, when the General Assembly held no recorded votes, has no rows at all).
"""

from __future__ import annotations

from functools import partial
from typing import Literal

import pandas as pd

from sidepay.data.acquire import fetch
from sidepay.data.cache import cached_frame
from sidepay.data.context import DataContext, default_context
from sidepay.errors import InputError

__all__ = ["ideal_points"]

_MEASURES = {
    "fp": ("idealpointfp", "nvotesfp"),
    "all": ("idealpointall", "nvotesall"),
    "legacy": ("idealpointlegacy", "nvotesLegacy"),
}


def _build(ctx: DataContext) -> pd.DataFrame:
    raw = pd.read_stata(fetch("unga_idealpoints", context=ctx), convert_categoricals=False)
    raw = raw.dropna(subset=["ccode", "year"])
    out = pd.DataFrame({"ccode": raw["ccode"].astype("int64"), "year": raw["year"].astype("int64")})
    for key, (point, votes) in _MEASURES.items():
        out[f"idealpoint_{key}"] = raw[point].astype("float64")
        out[f"nvotes_{key}"] = raw[votes].astype("Int64")
    out["iso3c"] = raw["iso3c"].replace("", pd.NA).astype("string")
    return out.sort_values(["ccode", "year"], ignore_index=True)


def ideal_points(
    measure: Literal["fp", "all", "legacy"] = "fp", *, context: DataContext | None = None
) -> pd.DataFrame:
    """State ideal points from UNGA roll calls, one row per COW state-year.

    Parameters
    ----------
    measure : {"fp", "all", "legacy"}
        Which of the release's three series: ``"fp"`` (default, column ``idealpointfp``),
        ``"all"`` (``idealpointall``) or ``"legacy"`` (``idealpointlegacy``, the series of
        earlier releases). See the producers' codebook (doi:10.7910/DVN/LEJUQZ) for how
        each is estimated.

    Returns
    -------
    pandas.DataFrame
        ``ccode, year, idealpoint, nvotes`` (the chosen measure; missing where the state
        did not vote), plus ``idealpoint_fp/_all/_legacy`` and their vote counts. The USA
        scores high and the USSR low (1970: about +2.5 and -2.5).

    Examples
    --------
    >>> ip = ideal_points()
    >>> us, su = (ip.query(f"ccode == {c} and year == 1970")["idealpoint"].item() for c in (2, 365))
    >>> bool(us - su > 4)
    True
    """
    if measure not in _MEASURES:
        raise InputError(f"ideal-point measure must be one of {sorted(_MEASURES)}; got {measure!r}")
    ctx = default_context(context)
    build = partial(_build, ctx)
    frame = cached_frame("ideal_points", build, ["unga_idealpoints"], version=1, context=ctx)
    frame.insert(2, "idealpoint", frame[f"idealpoint_{measure}"])
    frame.insert(3, "nvotes", frame[f"nvotes_{measure}"])
    return frame
