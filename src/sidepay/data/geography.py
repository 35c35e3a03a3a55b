"""Geography of a dyad: contiguity, minimum distance and capital distance (peacesciencer's verbs).

Sources (all registered in ``sources.toml``):

- ``cow_contdir``: COW Direct Contiguity 3.2, contiguity spells with start and end months,
  1816-2016, both directions listed;
- ``cow_mindist``: CShapes 2.0 minimum distance (km) between the borders of two COW
  states, one row per unordered pair and year, 1886-2019;
- ``cow_capitals``: capitals with coordinates and the dates they were capitals (Rio de
  Janeiro to Brasilia on 21 April 1960, Bonn-era Germany, ...).

What the concepts measure: contiguity and distance proxy the *opportunity* for conflict and
the cost of projecting protection (THEORY.md's threat and the patron's cost of defending);
they miss power projection by sea and air and the lines of communication that matter to
a great power far away.

Examples
--------
>>> d = pd.DataFrame({"ccode1": [2, 2], "ccode2": [20, 200], "year": [1950, 1950]})
>>> add_contiguity(d)["conttype"].tolist()
[1.0, 0.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sidepay.data.acquire import read_rda
from sidepay.data.context import DataContext
from sidepay.data.custom import key_frame, mirror, put_back, unit_name
from sidepay.data.merge import attach_dyadic, attach_monadic, prepare_dyadic
from sidepay.data.readers._common import expand_years
from sidepay.errors import bad_param

__all__ = [
    "CONTIGUITY_YEARS",
    "MINDIST_YEARS",
    "add_capital_distance",
    "add_contiguity",
    "add_minimum_distance",
    "capital_years",
    "contiguity_years",
    "great_circle_km",
]

CONTIGUITY_YEARS = (1816, 2016)
"""COW Direct Contiguity 3.2 coverage."""
MINDIST_YEARS = (1886, 2019)
"""CShapes 2.0 minimum-distance coverage (as distributed by peacesciencer)."""
EARTH_RADIUS_M = 6378137.0
"""The sphere's radius: the default of R's ``geosphere::distVincentySphere``, which
peacesciencer uses, so that capital distances agree with it."""


def _need_dyads(df: pd.DataFrame, verb: str) -> None:
    if unit_name(df) == "state":
        raise bad_param("df", f"is state-years; {verb} needs dyad-years or the panel")


def contiguity_years(*, context: DataContext | None = None) -> pd.DataFrame:
    """Directed dyad-years of COW contiguity: the lowest (closest) type in force that year.

    A spell from ``stdate`` to ``enddate`` is in force in every calendar year it touches;
    when a dyad's type changes within a year the lower (closer) type is kept.

    Examples
    --------
    >>> c = contiguity_years()
    >>> int(c.query("ccode1 == 2 and ccode2 == 20 and year == 1950")["conttype"].item())
    1
    """
    raw = read_rda("cow_contdir", context=context)
    start = pd.to_datetime(raw["stdate"]).dt.year.to_numpy()
    end = pd.to_datetime(raw["enddate"]).dt.year.to_numpy()
    idx, years = expand_years(start, end)
    long = pd.DataFrame(
        {
            "ccode1": raw["ccode1"].to_numpy(dtype="int64")[idx],
            "ccode2": raw["ccode2"].to_numpy(dtype="int64")[idx],
            "year": years,
            "conttype": raw["conttype"].to_numpy(dtype="float64")[idx],
        }
    )
    closest: pd.DataFrame = long.groupby(["ccode1", "ccode2", "year"], as_index=False).agg(
        conttype=("conttype", "min")
    )
    return closest


def add_contiguity(
    df: pd.DataFrame, *, none: int = 0, context: DataContext | None = None
) -> pd.DataFrame:
    """Add ``conttype``: the closest COW direct-contiguity type in force that year.

    1 land border; 2, 3, 4, 5 separated by at most 12, 24, 150, 400 miles of water. Inside
    1816-2016 a dyad with no contiguity gets ``none`` (0, peacesciencer's code: COW's
    contiguity is not strictly ordinal, see its documentation; pass ``none=6`` for an
    ordinal coding); outside, missing.

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [2, 2, 2], "client": [70, 770, 70], "year": [1950, 1950, 2018]})
    >>> add_contiguity(p, none=6)["conttype"].tolist()
    [1.0, 6.0, nan]
    """
    _need_dyads(df, "add_contiguity")
    if none not in (0, 6):
        raise bad_param("none", f"must be 0 (peacesciencer) or 6 (ordinal); got {none!r}")
    src = prepare_dyadic(contiguity_years(context=context), ["conttype"])
    out = attach_dyadic(key_frame(df), src, ["conttype"], CONTIGUITY_YEARS, True)
    if none:
        out["conttype"] = np.where(out["conttype"].to_numpy() == 0.0, float(none), out["conttype"])
    return put_back(df, out, dyadic=["conttype"])


def add_minimum_distance(df: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add ``mindist``: CShapes 2.0 minimum distance in km between the two states' borders.

    Symmetric (the source lists each pair once; both directions get its value). Missing
    outside 1886-2019 and for pairs CShapes does not list in a year (a measure: never a 0).

    Examples
    --------
    >>> d = pd.DataFrame({"ccode1": [70, 2], "ccode2": [2, 70], "year": [1950, 1950]})
    >>> add_minimum_distance(d)["mindist"].tolist()
    [0.0, 0.0]
    """
    _need_dyads(df, "add_minimum_distance")
    raw = read_rda("cow_mindist", context=context)
    src = pd.DataFrame(
        {
            "ccode1": raw["ccode1"].to_numpy(dtype="int64"),
            "ccode2": raw["ccode2"].to_numpy(dtype="int64"),
            "year": raw["year"].to_numpy(dtype="int64"),
            "mindist": raw["mindist"].to_numpy(dtype="float64"),
        }
    )
    prepared = prepare_dyadic(mirror(src), ["mindist"])
    out = attach_dyadic(key_frame(df), prepared, ["mindist"], MINDIST_YEARS, False)
    return put_back(df, out, dyadic=["mindist"])


def capital_years(*, context: DataContext | None = None) -> pd.DataFrame:
    """``ccode, year, capital, lat, lng``: the capital in force on the first day of the year
    the state had one (the earlier capital in a year it moved, like peacesciencer's default).

    Examples
    --------
    >>> c = capital_years()
    >>> c.query("ccode == 140 and year in (1960, 1961)")["capital"].tolist()
    ['Rio de Janeiro', 'Brasilia']
    """
    raw = read_rda("cow_capitals", context=context)
    start = pd.to_datetime(raw["stdate"])
    end = pd.to_datetime(raw["enddate"])
    order = np.lexsort((start.to_numpy(), raw["ccode"].to_numpy()))
    raw, start, end = raw.iloc[order], start.iloc[order], end.iloc[order]
    idx, years = expand_years(start.dt.year.to_numpy(), end.dt.year.to_numpy())
    long = pd.DataFrame(
        {
            "ccode": raw["ccode"].to_numpy(dtype="int64")[idx],
            "year": years,
            "capital": raw["capital"].astype(str).to_numpy()[idx],
            "lat": raw["lat"].to_numpy(dtype="float64")[idx],
            "lng": raw["lng"].to_numpy(dtype="float64")[idx],
        }
    )
    return long.drop_duplicates(["ccode", "year"], keep="first").reset_index(drop=True)


def great_circle_km(
    lat1: np.ndarray, lng1: np.ndarray, lat2: np.ndarray, lng2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km on a sphere of radius 6378.137 km (Vincenty's formula).

    Examples
    --------
    >>> round(float(great_circle_km(np.array([0.0]), np.array([0.0]),
    ...                             np.array([0.0]), np.array([180.0]))[0]), 1)
    20037.5
    """
    # the same order of the two points either way round: (a, b) and (b, a) agree exactly
    swap = (lat1 > lat2) | ((lat1 == lat2) & (lng1 > lng2))
    lat1, lat2 = np.where(swap, lat2, lat1), np.where(swap, lat1, lat2)
    lng1, lng2 = np.where(swap, lng2, lng1), np.where(swap, lng1, lng2)
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lng2 - lng1)
    num = np.hypot(
        np.cos(p2) * np.sin(dl), np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    )
    den = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dl)
    return np.arctan2(num, den) * EARTH_RADIUS_M / 1000.0


def add_capital_distance(df: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add ``capdist``: great-circle km between the two capitals, following capital moves.

    Missing where either state has no capital on record that year.

    Examples
    --------
    >>> d = pd.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1950]})
    >>> round(float(add_capital_distance(d)["capdist"].iloc[0]))
    735
    """
    _need_dyads(df, "add_capital_distance")
    caps = capital_years(context=context)
    keys = key_frame(df)
    coords = attach_monadic(keys, caps, {"lat": "lat", "lng": "lng"})
    keys["capdist"] = great_circle_km(
        coords["lat1"].to_numpy(),
        coords["lng1"].to_numpy(),
        coords["lat2"].to_numpy(),
        coords["lng2"].to_numpy(),
    )
    return put_back(df, keys, dyadic=["capdist"])
