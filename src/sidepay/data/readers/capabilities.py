"""Material capabilities and wealth: COW NMC (CINC) and latent GDP / population.

Sources: ``cow_nmc`` (COW National Material Capabilities 7.0 via peacesciencer; -9 already
recoded to missing) and ``cw_gdppop`` (Fariss et al. latent estimates on COW state-years, via
isard).
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from sidepay.data.acquire import read_rda
from sidepay.data.cache import cached_frame
from sidepay.data.context import DataContext, default_context
from sidepay.data.readers._common import int_keys

__all__ = ["gdp_pop", "nmc"]

NMC_COMPONENTS = ["milex", "milper", "irst", "pec", "tpop", "upop"]


def _build_nmc(ctx: DataContext) -> pd.DataFrame:
    raw = int_keys(read_rda("cow_nmc", context=ctx), ["ccode", "year"])
    out = raw[["ccode", "year", "cinc", *NMC_COMPONENTS]]
    return out.drop_duplicates(["ccode", "year"]).sort_values(["ccode", "year"], ignore_index=True)


def nmc(*, context: DataContext | None = None) -> pd.DataFrame:
    """COW material capabilities per state-year, 1816-2022.

    Returns
    -------
    pandas.DataFrame
        ``ccode, year, cinc, milex, milper, irst, pec, tpop, upop`` (COW units: milex in
        thousands of current USD (pounds before 1914), milper and populations in thousands,
        irst and pec in thousands of tons / coal-ton equivalents). Missing stays missing.

    Examples
    --------
    >>> f = nmc()
    >>> f.query("ccode == 2 and year == 1950")["cinc"].round(3).item()
    0.284
    """
    ctx = default_context(context)
    return cached_frame("nmc", partial(_build_nmc, ctx), ["cow_nmc"], version=1, context=ctx)


def _build_gdppop(ctx: DataContext) -> pd.DataFrame:
    raw = int_keys(read_rda("cw_gdppop", context=ctx), ["ccode", "year"])
    out = pd.DataFrame(
        {
            "ccode": raw["ccode"],
            "year": raw["year"],
            "gdp": raw["pwtrgdp"],
            "pop": raw["pwtpop"],
            "gdppc": raw["mrgdppc"],
            "gdp_sd": raw["sd_pwtrgdp"],
            "pop_sd": raw["sd_pwtpop"],
            "gdppc_sd": raw["sd_mrgdppc"],
        }
    )
    return out.drop_duplicates(["ccode", "year"]).sort_values(["ccode", "year"], ignore_index=True)


def gdp_pop(*, context: DataContext | None = None) -> pd.DataFrame:
    """Latent GDP and population per COW state-year, 1816-2019 (Fariss et al. 2022).

    Returns
    -------
    pandas.DataFrame
        ``ccode, year, gdp, pop, gdppc`` and their posterior standard deviations
        (``*_sd``). ``gdp`` is the latent Penn World Table real GDP (millions of 2017 USD),
        ``pop`` the latent PWT population (millions), ``gdppc`` the latent Maddison GDP per
        capita (2011 USD, PPP). These are model estimates for every state-year, not raw
        observations.

    Examples
    --------
    >>> f = gdp_pop()
    >>> bool(f.query("ccode == 2 and year == 2019")["pop"].item() > 300)
    True
    """
    ctx = default_context(context)
    return cached_frame(
        "gdp_pop", partial(_build_gdppop, ctx), ["cw_gdppop"], version=1, context=ctx
    )
