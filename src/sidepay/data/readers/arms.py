"""SIPRI arms transfers (trend-indicator values, TIV) per supplier-recipient-year, 1950-2021.

Built from SIPRI's own per-supplier export tables (recipient x year matrices, generated 28
July 2022) rather than from the processed long file of the same release: the processed file
drops every row whose partner it could not code for that year, which removes all arms
supplied by or to West Germany before 1991 (e.g. US deliveries to the Federal Republic
1955-1990, ~37,000 TIV), Syria 1959-1961 and a few more. Where the processed file has a row
it equals the table value; the test suite checks this.

Codes: suppliers and recipients are coded by name and year with :mod:`sidepay.data.codes`
(Soviet Union and Russia are 365 throughout; SIPRI's "Germany" before 1991 is the Federal
Republic, 260). Rows whose supplier or recipient is not a COW state in that year — armed
groups (``*``), organisations (``**``), "unknown" parties, territories, states outside
their COW membership years — are kept apart in :func:`sipri_tiv_nonstate`.

A TIV of 0 in SIPRI means deliveries worth less than 0.5 million TIV; an empty cell means
no recorded delivery. Supplier-recipient-years without a delivery are absent, not zero.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pandas as pd

from sidepay.data import codes
from sidepay.data.acquire import fetch
from sidepay.data.context import DataContext, default_context
from sidepay.errors import InputError

__all__ = ["sipri_supplier_table", "sipri_tables", "sipri_tiv", "sipri_tiv_nonstate"]

_READER_VERSION = 1
_TITLE = re.compile(r"TIV of arms exports from (.+), (\d{4})-(\d{4})")


def _parse_table(text: str) -> tuple[str, pd.DataFrame]:
    rows = list(csv.reader(io.StringIO(text)))
    match = _TITLE.match(rows[0][0] if rows and rows[0] else "")
    if match is None:
        raise InputError("not a SIPRI TIV export table (no 'TIV of arms exports from' title)")
    header = next(i for i, r in enumerate(rows) if len(r) > 1 and r[1].strip().isdigit())
    years = [int(y) for y in rows[header][1:] if y.strip().isdigit()]
    records = []
    for row in rows[header + 1 :]:
        if not row or not row[0].strip() or row[0].strip() == "Total":
            continue
        for year, cell in zip(years, row[1 : 1 + len(years)], strict=False):
            if cell.strip():
                records.append((row[0].strip(), year, float(cell)))
    frame = pd.DataFrame(records, columns=["recipient", "year", "arms_tiv"])
    frame["year"] = frame["year"].astype("int64")
    return match.group(1), frame


def sipri_tables(*, context: DataContext | None = None) -> pd.DataFrame:
    """All SIPRI per-supplier export tables, long: ``[supplier_name, recipient_name, year, arms_tiv]``.

    Examples
    --------
    >>> t = sipri_tables()
    >>> {"United States", "Soviet Union", "China"} <= set(t["supplier_name"])
    True
    """

    ctx = default_context(context)

    def build() -> pd.DataFrame:
        parts = []
        with zipfile.ZipFile(fetch("sipri_tiv_tables_zip", context=ctx)) as zf:
            for member in sorted(zf.namelist()):
                if not member.endswith(".csv"):
                    continue
                supplier, frame = _parse_table(zf.read(member).decode("utf-8-sig"))
                frame.insert(0, "supplier_name", supplier)
                parts.append(frame)
        out = pd.concat(parts, ignore_index=True)
        return out.rename(columns={"recipient": "recipient_name"})

    from sidepay.data.cache import cached_frame

    return cached_frame(
        "sipri-tables", build, ["sipri_tiv_tables_zip"], version=_READER_VERSION, context=ctx
    )


def sipri_supplier_table(supplier: str, *, context: DataContext | None = None) -> pd.DataFrame:
    """One supplier's table as SIPRI publishes it: ``[recipient, year, arms_tiv]``.

    Examples
    --------
    >>> us = sipri_supplier_table("United States")
    >>> float(us.loc[(us.recipient == "Pakistan") & (us.year == 1956), "arms_tiv"].iloc[0]) > 0
    True
    """
    tables = sipri_tables(context=context)
    rows = tables[tables["supplier_name"] == supplier]
    if rows.empty:
        allowed = sorted(tables["supplier_name"].unique())
        raise InputError(f"no SIPRI table for supplier {supplier!r}; allowed: {allowed[:8]} ...")
    out = rows.drop(columns="supplier_name").rename(columns={"recipient_name": "recipient"})
    return out.reset_index(drop=True)


def _coded(ctx: DataContext) -> pd.DataFrame:
    def build() -> pd.DataFrame:
        tables = sipri_tables(context=ctx)
        sup = codes.resolve(tables["supplier_name"], tables["year"], strict=True, context=ctx)
        rec = codes.resolve(tables["recipient_name"], tables["year"], strict=True, context=ctx)
        out = tables.copy()
        out["supplier"] = sup["ccode"].to_numpy()
        out["supplier_status"] = sup["status"].to_numpy()
        out["ccode"] = rec["ccode"].to_numpy()
        out["recipient_status"] = rec["status"].to_numpy()
        return out

    return codes.cached_coded(
        "sipri-coded", build, ["sipri_tiv_tables_zip"], _READER_VERSION, context=ctx
    )


def sipri_tiv(*, context: DataContext | None = None) -> pd.DataFrame:
    """Arms transfers between COW states: ``[supplier, ccode, year, arms_tiv]``.

    Returns
    -------
    pandas.DataFrame
        One row per supplier-recipient-year with a recorded delivery (TIV millions); rows
        of the Soviet Union (to 1991) and Russia (from 1992) share supplier 365.

    Examples
    --------
    >>> tiv = sipri_tiv()
    >>> somalia = tiv[(tiv.supplier == 365) & (tiv.ccode == 520)]
    >>> int(somalia["year"].max())
    1977
    """
    coded = _coded(default_context(context))
    keep = (coded["supplier_status"] == "state") & (coded["recipient_status"] == "state")
    out = (
        coded[keep]
        .groupby(["supplier", "ccode", "year"], as_index=False)
        .agg(arms_tiv=("arms_tiv", "sum"))
    )
    out = out.astype({"supplier": "int64", "ccode": "int64", "year": "int64"})
    out.attrs["unit"] = "SIPRI TIV millions (deliveries)"
    return out.sort_values(["supplier", "ccode", "year"], ignore_index=True)


def sipri_tiv_nonstate(*, context: DataContext | None = None) -> pd.DataFrame:
    """SIPRI deliveries with a non-state or out-of-system party, kept apart from :func:`sipri_tiv`.

    Returns
    -------
    pandas.DataFrame
        ``[supplier_name, recipient_name, year, arms_tiv, supplier, supplier_status, ccode,
        recipient_status]`` (codes are set where that side is a state).

    Examples
    --------
    >>> ns = sipri_tiv_nonstate()
    >>> "non_state" in set(ns["recipient_status"])
    True
    """
    coded = _coded(default_context(context))
    keep = (coded["supplier_status"] != "state") | (coded["recipient_status"] != "state")
    return coded[keep].reset_index(drop=True)
