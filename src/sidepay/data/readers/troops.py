"""US military personnel stationed abroad per host state-year (troopdata, Allen-Flynn-Machain).

Source: the troopdata package's rebuilt long series (``troopdata_rebuild_long``, 1950-2025),
which combines Kane (2006) annual figures with DMDC quarterly reports. Several reports per
year exist from the 1990s on; the reader keeps the **last report of the year** (largest
``quarter``), i.e. a stock at the end of the year comparable with Kane's end-of-fiscal-year
counts. ``us_troops`` is active-duty personnel (``troops_ad``).

Codes are re-derived from the country name and year with :mod:`sidepay.data.codes`: the
source uses Gleditsch-Ward or private codes in places (Serbia 340, Tonga 972, Montenegro
1010, Taiwan 1012, South Sudan 1020, Cabo Verde 1015 ...) and puts West Germany in 260
before the Federal Republic entered the COW system (5 May 1955). Hosts that are not COW
states that year (Guam, Diego Garcia, "Afloat", occupied Germany 1950-54 ...) are kept apart
in :func:`us_troops_unassigned`. Azores and Greenland count for Portugal and Denmark
(:data:`SOVEREIGN_PARTS`). Zeros are the source's own; host-years it does not list are
absent.
"""

from __future__ import annotations

import pandas as pd

from sidepay.data import codes
from sidepay.data.acquire import read_rda
from sidepay.data.context import DataContext, default_context

__all__ = ["SOVEREIGN_PARTS", "us_troops", "us_troops_unassigned"]

_READER_VERSION = 1


def _last_reports(ctx: DataContext) -> pd.DataFrame:
    def build() -> pd.DataFrame:
        raw = read_rda("troopdata_rebuild_long", context=ctx)
        raw = raw[raw["year"].notna() & raw["countryname"].notna()].copy()
        raw["year"] = raw["year"].astype("int64")
        raw["quarter"] = raw["quarter"].fillna(0)
        raw = raw.sort_values(["countryname", "year", "quarter"])
        last = raw.groupby(["countryname", "year"], as_index=False).tail(1)
        out = pd.DataFrame(
            {
                "country": last["countryname"].astype(str).to_numpy(),
                "source_ccode": last["ccode"].to_numpy(),
                "year": last["year"].to_numpy(),
                "us_troops": last["troops_ad"].astype("float64").to_numpy(),
                "report": last["source"].astype(str).to_numpy(),
            }
        )
        return out.reset_index(drop=True)

    from sidepay.data.cache import cached_frame

    return cached_frame(
        "troops", build, ["troopdata_rebuild_long"], version=_READER_VERSION, context=ctx
    )


#: Parts of a sovereign state that the source lists apart; troops there count for the state
#: that granted the basing rights (Lajes Field under the US-Portugal agreements; Thule under
#: the 1951 US-Denmark defence agreement).
SOVEREIGN_PARTS = {"Azores": "Portugal", "Greenland": "Denmark"}


def _coded(ctx: DataContext) -> pd.DataFrame:
    def build() -> pd.DataFrame:
        rows = _last_reports(ctx)
        hosts = rows["country"].replace(SOVEREIGN_PARTS)
        res = codes.resolve(hosts, rows["year"], context=ctx)
        out = rows.copy()
        out["ccode"] = res["ccode"].to_numpy()
        out["status"] = res["status"].to_numpy()
        return out

    return codes.cached_coded(
        "troops-coded", build, ["troopdata_rebuild_long"], _READER_VERSION, context=ctx
    )


def us_troops(*, context: DataContext | None = None) -> pd.DataFrame:
    """US active-duty troops in each host state-year: ``[ccode, year, us_troops]``.

    Returns
    -------
    pandas.DataFrame
        One row per COW state-year the source lists (excluding the United States itself).

    Examples
    --------
    >>> tr = us_troops()
    >>> bool(tr.loc[(tr.ccode == 740) & (tr.year == 1970), "us_troops"].iloc[0] > 10000)
    True
    """
    coded = _coded(default_context(context))
    keep = (coded["status"] == "state") & (coded["ccode"] != 2)
    grouped = coded[keep].groupby(["ccode", "year"], as_index=False)
    out = grouped[["us_troops"]].sum(min_count=1)
    out = out.astype({"ccode": "int64", "year": "int64"})
    out.attrs["unit"] = "persons (active duty, last report of the year)"
    return out.sort_values(["ccode", "year"], ignore_index=True)


def us_troops_unassigned(*, context: DataContext | None = None) -> pd.DataFrame:
    """Troop rows whose host is not a COW state that year: ``[country, year, status, us_troops]``.

    Examples
    --------
    >>> un = us_troops_unassigned()
    >>> "Guam" in set(un["country"])
    True
    """
    coded = _coded(default_context(context))
    rest = coded[coded["status"] != "state"]
    return rest[["country", "year", "status", "us_troops"]].reset_index(drop=True)
