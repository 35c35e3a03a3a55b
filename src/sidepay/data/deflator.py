"""One price base for every money column: constant 2022 US dollars.

The mirror holds no price-index file, so the deflator is derived from a file that carries
both current and constant dollars for the same flows: **ForeignAssistance.gov**'s country
file (``foreignassistance_country``; US Agency for International Development and Department
of State), whose ``constant_amount`` is in fiscal-2022 dollars. For each fiscal year the
implicit deflator is ``sum(current_amount) / sum(constant_amount)`` over its obligations
(1.0 in FY2022, 0.083 in FY1946, 0.905 in FY2020). It is the deflator the US government
itself applied to these aid flows, it covers FY1946-2024 (every year any source of
sidepay needs) and it is a US price index, which is what a sum in US dollars needs.

The sources' own constant dollars are rebased with it, one factor per source:

=================  ==============  ============================================
source             its base year   factor to 2022 dollars
=================  ==============  ============================================
Greenbook          2020            1 / D(2020)
AidData Core 3.1   2011            1 / D(2011)
OECD DAC2a         2022            1 (already 2022 dollars)
AidData GCDF 3.0   2021            1 / D(2021)
=================  ==============  ============================================

Rebasing keeps each source's own year-to-year deflation (Greenbook's, AidData's, the DAC's
donor deflators) and only moves the base year; no current-dollar series is deflated here.

Examples
--------
>>> BASE_YEAR
2022
>>> round(rebase_factor(2020), 3)
1.105
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from sidepay.data.acquire import fetch
from sidepay.data.context import DataContext, default_context

__all__ = ["BASE_YEAR", "DEFLATOR_SOURCE", "implicit_deflator", "rebase_factor"]

BASE_YEAR = 2022
DEFLATOR_SOURCE = "foreignassistance_country"
UNIT = f"constant {BASE_YEAR} USD millions"


@lru_cache(maxsize=8)
def _deflator(ctx: DataContext) -> pd.Series:
    raw = pd.read_csv(
        fetch(DEFLATOR_SOURCE, context=ctx),
        usecols=["Transaction Type Name", "Fiscal Year", "current_amount", "constant_amount"],
    )
    ob = raw[raw["Transaction Type Name"] == "Obligations"]
    fy = ob["Fiscal Year"].astype(str).str[:4].astype("int64")  # "1976tq" -> 1976
    sums = ob.groupby(fy)[["current_amount", "constant_amount"]].sum()
    return (sums["current_amount"] / sums["constant_amount"]).rename("deflator")


def implicit_deflator(*, context: DataContext | None = None) -> pd.Series:
    """Implicit US deflator by fiscal year (FY2022 = 1), from ForeignAssistance.gov.

    Examples
    --------
    >>> d = implicit_deflator()
    >>> float(d.loc[2022]), int(d.index.min()), round(float(d.loc[1946]), 3)
    (1.0, 1946, 0.083)
    """
    return _deflator(default_context(context)).copy()


def rebase_factor(from_base: int, *, context: DataContext | None = None) -> float:
    """Multiply constant ``from_base`` dollars by this to get constant 2022 dollars.

    Examples
    --------
    >>> rebase_factor(2022)
    1.0
    """
    d = _deflator(default_context(context))
    return float(np.float64(d.loc[BASE_YEAR]) / np.float64(d.loc[from_base]))
