"""Foreign aid readers: US Greenbook, AidData (donor x recipient), OECD DAC2a, Chinese finance.

All amounts are in **millions** of constant US dollars; the base year differs by source and
is stored in ``frame.attrs["unit"]``:

============================  =============================  ===========  ==============
reader                        source                          coverage     unit
============================  =============================  ===========  ==============
:func:`greenbook`             USAID Greenbook obligations     FY1946-2020  2020 USD m
:func:`aiddata_dyadic`        AidData Core 3.1 commitments    1973-2013    2011 USD m
:func:`oecd_dac2a`            OECD DAC2a ODA disbursements    2009-2022    2022 USD m
:func:`chinese_finance`       AidData GCDF 3.0 (adjusted)     2000-2021    2021 USD m
============================  =============================  ===========  ==============

Greenbook fiscal years. The year of a Greenbook row is its US fiscal year: July (t-1) to June
t up to FY1976, October (t-1) to September t from FY1977. The transition quarter (July-
September 1976, coded 1976.9) is **folded into 1976**, so 1976 covers 15 months; dropping it
would lose obligations that the totals check must account for, and folding into 1977 would
move calendar-1976 money forward. ``months`` says how many months a year covers.

Missing Greenbook country-years. The Greenbook is the complete record of US economic and
military obligations FY1946-2020, so a COW state in the system in a year of that window with
no Greenbook row received no obligated US aid: :func:`greenbook` reports 0 there with
``aid_recorded = False`` (``True`` where the source has rows). Outside FY1946-2020 and outside
a state's COW membership there are no rows at all (never a zero). The other donors' files
list positive flows only; their readers return only what the source lists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import numpy as np
import pandas as pd

from sidepay.data import codes
from sidepay.data.acquire import fetch, read_rda
from sidepay.data.context import DataContext, default_context
from sidepay.errors import InputError
from sidepay.options import parse_years

__all__ = [
    "aiddata_dyadic",
    "chinese_finance",
    "greenbook",
    "greenbook_records",
    "greenbook_unassigned",
    "oecd_dac2a",
]

GREENBOOK_YEARS = (1946, 2020)
US = 2
CHINA = 710
#: Reader versions (bump one whenever that frame's build changes; it keys the cache).
_VERSIONS = {"greenbook-records": 2, "aiddata-dyadic": 2, "oecd-dac2a": 1}


def _cached(
    key: str, build: Callable[[], pd.DataFrame], sources: list[str], ctx: DataContext
) -> pd.DataFrame:
    """The parquet cache of :mod:`sidepay.data.cache`, keyed by the sources and version."""
    from sidepay.data.cache import cached_frame

    return cached_frame(key, build, sources, version=_VERSIONS[key], context=ctx)


# --------------------------------------------------------------------------- Greenbook


def _build_greenbook_records(ctx: DataContext) -> pd.DataFrame:
    path = fetch("greenbook", context=ctx)
    raw = pd.read_excel(
        path,
        engine="calamine",  # same values as openpyxl, ~3x faster (a test reads with openpyxl)
        skiprows=6,
        usecols=[
            "Fiscal Year",
            "Country",
            "Assistance Category",
            "Obligations (Historical Dollars)",
            "Obligations (Constant Dollars)",
        ],
    )
    raw.columns = ["fiscal_year", "country", "category", "usd_current", "usd_constant"]
    grouped = raw.groupby(["fiscal_year", "country", "category"], as_index=False, sort=True).agg(
        usd_current=("usd_current", "sum"),
        usd_constant=("usd_constant", "sum"),
        rows=("usd_constant", "size"),
    )
    grouped["usd_current"] = grouped["usd_current"].astype("int64")
    grouped["usd_constant"] = grouped["usd_constant"].astype("int64")
    grouped["rows"] = grouped["rows"].astype("int64")
    return grouped


def greenbook_records(*, context: DataContext | None = None) -> pd.DataFrame:
    """Greenbook obligations summed by fiscal year, country name and category (cached).

    Returns
    -------
    pandas.DataFrame
        ``[fiscal_year, country, category, usd_current, usd_constant, rows]``; dollars are
        integer US dollars (constant = 2020 dollars); ``fiscal_year`` keeps 1976.9 for the
        transition quarter; ``category`` is ``Economic`` or ``Military``.

    Examples
    --------
    >>> rec = greenbook_records()
    >>> sorted(rec["category"].unique())
    ['Economic', 'Military']
    """
    ctx = default_context(context)
    build = partial(_build_greenbook_records, ctx)
    return _cached("greenbook-records", build, ["greenbook"], ctx)


def _greenbook_resolved(ctx: DataContext) -> pd.DataFrame:
    def build() -> pd.DataFrame:
        rec = greenbook_records(context=ctx).copy()
        rec["year"] = np.floor(rec["fiscal_year"]).astype("int64")  # 1976.9 -> 1976
        res = codes.resolve(
            rec["country"], rec["year"], source="greenbook", strict=True, context=ctx
        )
        rec["ccode"] = res["ccode"].to_numpy()
        rec["status"] = res["status"].to_numpy()
        rec["candidate"] = res["candidate"].to_numpy()
        return rec

    version = _VERSIONS["greenbook-records"]
    return codes.cached_coded("greenbook-resolved", build, ["greenbook"], version, context=ctx)


def _wide(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    wide = frame.pivot_table(
        index=keys, columns="category", values="usd_constant", aggfunc="sum", fill_value=0
    )
    wide = wide.reindex(columns=["Economic", "Military"], fill_value=0).reset_index()
    wide.columns.name = None
    wide["aid_econ"] = wide.pop("Economic").astype("int64") / 1e6
    wide["aid_mil"] = wide.pop("Military").astype("int64") / 1e6
    return wide


def greenbook(
    years: Sequence[int] | str | None = None,
    *,
    fill_zeros: bool = True,
    context: DataContext | None = None,
) -> pd.DataFrame:
    """US economic and military aid obligations per recipient state-year (USAID Greenbook).

    Parameters
    ----------
    years : (int, int) or str, optional
        First and last year kept (inclusive; see :func:`sidepay.options.parse_years`);
        default FY1946-2020.
    fill_zeros : bool
        Add a row with 0 aid (``aid_recorded = False``) for every COW state-year in
        FY1946-2020 that the Greenbook does not list (see the module notes); with ``False``
        only listed state-years are returned.

    Returns
    -------
    pandas.DataFrame
        ``[ccode, year, aid_econ, aid_mil, aid_recorded, months]``, one row per state-year,
        amounts in millions of constant 2020 US dollars (may be negative where
        de-obligations exceed obligations).

    Examples
    --------
    >>> gb = greenbook()
    >>> gb.attrs["unit"]
    'constant 2020 USD millions (obligations, fiscal years)'
    >>> bool(gb.loc[(gb.ccode == 651) & (gb.year == 1990), "aid_mil"].iloc[0] > 1000)
    True
    """
    span = None if years is None else parse_years(years)
    ctx = default_context(context)
    rec = _greenbook_resolved(ctx)
    assigned = rec[rec["status"] == "state"].copy()
    assigned["ccode"] = assigned["ccode"].astype("int64")
    out = _wide(assigned, ["ccode", "year"])
    out["aid_recorded"] = True
    if fill_zeros:
        grid = _state_years(*GREENBOOK_YEARS, ctx)
        grid = grid[grid["ccode"] != US]
        out = grid.merge(out, on=["ccode", "year"], how="left")
        out["aid_recorded"] = out["aid_recorded"].notna().to_numpy()
        out[["aid_econ", "aid_mil"]] = out[["aid_econ", "aid_mil"]].fillna(0.0)
        # assigned rows always fall inside COW membership, so nothing is lost by the grid
    out["months"] = np.where(out["year"] == 1976, 15, 12).astype("int64")
    if span is not None:
        lo, hi = span
        out = out[(out["year"] >= lo) & (out["year"] <= hi)]
    out = out.sort_values(["ccode", "year"], ignore_index=True)
    out["year"] = out["year"].astype("int64")
    out.attrs["unit"] = "constant 2020 USD millions (obligations, fiscal years)"
    return out[["ccode", "year", "aid_econ", "aid_mil", "aid_recorded", "months"]]


def greenbook_unassigned(*, context: DataContext | None = None) -> pd.DataFrame:
    """Greenbook aid that goes to no COW state-year: regions, territories, non-members.

    Returns
    -------
    pandas.DataFrame
        ``[country, year, status, candidate, aid_econ, aid_mil]``; ``status`` is ``region``
        (e.g. "World (not specified)"), ``territory`` (Hong Kong, West Bank/Gaza) or
        ``not_in_system`` (a state outside its COW membership years, e.g. occupied
        Germany and Japan, colonies before independence; ``candidate`` is its code).
        Together with :func:`greenbook` this accounts for every dollar in the file.

    Examples
    --------
    >>> un = greenbook_unassigned()
    >>> sorted(un["status"].unique())
    ['not_in_system', 'region', 'territory']
    """
    rec = _greenbook_resolved(default_context(context))
    rest = rec[rec["status"] != "state"].copy()
    rest["candidate"] = rest["candidate"].astype("Int64")
    out = _wide(rest.fillna({"candidate": -1}), ["country", "year", "status", "candidate"])
    candidate = out["candidate"].astype("Int64")
    out["candidate"] = candidate.mask(candidate == -1)
    out.attrs["unit"] = "constant 2020 USD millions (obligations, fiscal years)"
    return out.sort_values(["year", "country"], ignore_index=True)


def _state_years(first: int, last: int, ctx: DataContext) -> pd.DataFrame:
    from sidepay.data.readers.states import state_year_frame

    return state_year_frame(codes.state_spells(context=ctx), (first, last))


# --------------------------------------------------------------------------- other donors


def _donor_codes(names: pd.Series, years: pd.Series, ctx: DataContext) -> pd.Series:
    res = codes.resolve(names, years, strict=True, context=ctx)
    return res["ccode"].set_axis(names.index)


def aiddata_dyadic(*, context: DataContext | None = None) -> pd.DataFrame:
    """Bilateral aid commitments of 18 DAC donors, 1973-2013 (AidData Core 3.1, Cheng-Minhas).

    Donor and recipient codes are re-derived from the names and years, because the source's
    codes are wrong in places: Germany is 260 in every year (255 from 1991), the Czech
    Republic 315 after 1993, Yemen 678 after unification, and Kiribati, Nauru, Tonga and
    Tuvalu carry Gleditsch-Ward-like codes (970-973). Rows whose recipient is not a COW state
    that year (colonies before independence, Kosovo before 2008, ...) are dropped; see
    ``docs/data.md`` for their count.

    Returns
    -------
    pandas.DataFrame
        ``[donor, ccode, year, aid]``: COW codes, aid in millions of constant 2011 USD
        (commitments). Donor-recipient-years without commitments are absent (not zero).

    Examples
    --------
    >>> ad = aiddata_dyadic()
    >>> int(ad["year"].min()), int(ad["year"].max())
    (1973, 2013)
    """

    ctx = default_context(context)

    def build() -> pd.DataFrame:
        raw = read_rda("aiddata_core_dyadic", context=ctx)
        recipients = codes.resolve(raw["Receiver"], raw["year"], strict=True, context=ctx)
        out = pd.DataFrame(
            {
                "donor": _donor_codes(raw["Sender"], raw["year"], ctx).to_numpy(),
                "ccode": recipients["ccode"].to_numpy(),
                "year": raw["year"].astype("int64").to_numpy(),
                "aid": raw["commitment_amount_usd_constant_sum"].to_numpy() / 1e6,
            }
        )
        return out

    out = codes.cached_coded(
        "aiddata-dyadic", build, ["aiddata_core_dyadic"], _VERSIONS["aiddata-dyadic"], context=ctx
    )
    out = out[out["ccode"].notna()]
    out = out.astype({"donor": "int64", "ccode": "int64"}).sort_values(
        ["donor", "ccode", "year"], ignore_index=True
    )
    out.attrs["unit"] = "constant 2011 USD millions (commitments)"
    return out


OECD_AID_TYPES = (
    "Memo: ODA Total, Gross disbursements",
    "ODA: Total Net",
    "Grants, Total",
    "Imputed Multilateral ODA",
    "Technical Cooperation",
    "Humanitarian Aid",
)


def oecd_dac2a(
    aid_type: str = "Memo: ODA Total, Gross disbursements", *, context: DataContext | None = None
) -> pd.DataFrame:
    """Bilateral ODA per donor-recipient-year from OECD DAC2a (2009-2022).

    Parameters
    ----------
    aid_type : str
        DAC2a aid type; default gross ODA disbursements (a transfer in the year, not net of
        repayments of earlier loans). Any ``Aid type`` value of the file is allowed.

    Returns
    -------
    pandas.DataFrame
        ``[donor, ccode, year, aid]`` (COW codes; aid in millions of constant 2022 USD).
        Territories (Anguilla, West Bank and Gaza Strip, ...) are not states and are left out.

    Examples
    --------
    >>> oe = oecd_dac2a()
    >>> int(oe["year"].min()), int(oe["year"].max())
    (2009, 2022)
    """

    ctx = default_context(context)

    def build() -> pd.DataFrame:
        raw = read_rda("oecd_dac2a", context=ctx)
        raw = raw.rename(columns={"Aid type": "aid_type", "Year": "year", "Value": "aid"})
        raw["year"] = raw["year"].astype("int64")
        donors = codes.resolve(raw["Donor"], raw["year"], strict=True, context=ctx)
        recips = codes.resolve(raw["Recipient"], raw["year"], strict=True, context=ctx)
        out = pd.DataFrame(
            {
                "donor": donors["ccode"].to_numpy(),
                "ccode": recips["ccode"].to_numpy(),
                "year": raw["year"].to_numpy(),
                "aid_type": raw["aid_type"].to_numpy(),
                "aid": raw["aid"].astype("float64").to_numpy(),
            }
        )
        return out[out["donor"].notna() & out["ccode"].notna()].reset_index(drop=True)

    version = _VERSIONS["oecd-dac2a"]
    frame = codes.cached_coded("oecd-dac2a", build, ["oecd_dac2a"], version, context=ctx)
    allowed = sorted(frame["aid_type"].unique())
    if aid_type not in allowed:
        raise InputError(
            f"unknown OECD aid type {aid_type!r}; allowed: {allowed}", param="aid_type"
        )
    out = frame[frame["aid_type"] == aid_type].drop(columns="aid_type")
    out = out.astype({"donor": "int64", "ccode": "int64"})
    out = out.sort_values(["donor", "ccode", "year"], ignore_index=True)
    out.attrs["unit"] = f"constant 2022 USD millions ({aid_type})"
    return out


def chinese_finance(*, context: DataContext | None = None) -> pd.DataFrame:
    """Chinese official finance per recipient-year, 2000-2021 (AidData GCDF 3.0).

    ``aid`` is the sum of the adjusted ODA-like, OOF-like and vague-flow amounts (adjusted
    amounts avoid double counting of co-financed projects); the three parts are kept as
    ``oda``, ``oof`` and ``vof``. Zeros are the source's own (recipient-years it lists).

    Returns
    -------
    pandas.DataFrame
        ``[donor, ccode, year, aid, oda, oof, vof]``; donor is 710 (China), amounts in
        millions of constant 2021 USD.

    Examples
    --------
    >>> cf = chinese_finance()
    >>> set(cf["donor"]) == {710}
    True
    """
    ctx = default_context(context)
    raw = pd.read_csv(fetch("gcdf3_cow", context=ctx))
    out = pd.DataFrame(
        {
            "donor": CHINA,
            "ccode": raw["ccode"].astype("int64"),
            "year": raw["year"].astype("int64"),
            "oda": raw["oda_adj"] / 1e6,
            "oof": raw["oof_adj"] / 1e6,
            "vof": raw["vof_adj"] / 1e6,
        }
    )
    out["aid"] = out["oda"] + out["oof"] + out["vof"]
    out = out[codes.in_system(out["ccode"], out["year"], context=ctx)]
    out = out.sort_values(["ccode", "year"], ignore_index=True)
    out.attrs["unit"] = "constant 2021 USD millions (commitments, adjusted)"
    return out[["donor", "ccode", "year", "aid", "oda", "oof", "vof"]]
