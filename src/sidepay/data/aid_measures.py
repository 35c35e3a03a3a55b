"""Aid on the panel, one documented column per series, in constant 2022 US dollars (millions).

=================  =====================================================  ==============
column             series                                                 years
=================  =====================================================  ==============
``aid_us``         US economic + military obligations (USAID Greenbook)   FY1946-2020
``aid_econ``       its economic part                                      FY1946-2020
``aid_mil``        its military part                                      FY1946-2020
``aid_dac_commit`` bilateral commitments, AidData Core 3.1                1973-2013
``aid_dac_disb``   bilateral gross ODA disbursements, OECD DAC2a          2009-2022
``aid_dac``        ``aid_dac_commit`` to 2008, ``aid_dac_disb`` from 2009 1973-2022
``finance_china``  Chinese official finance (ODA+OOF+vague, AidData 3.0)  2000-2021
=================  =====================================================  ==============

All are rebased to 2022 dollars with :mod:`sidepay.data.deflator`. Each is missing outside
its source's years, and inside them a dyad-year the source does not list is:

- Greenbook: 0 for a COW state in the system (the Greenbook is the complete record of US
  obligations; ``aid_recorded`` = 0 marks such filled zeros);
- AidData Core and DAC2a: 0 where the source lists the donor that year **and** the recipient
  that year (from any donor): the source then covers both, and lists positive flows only;
  missing otherwise (a recipient the source does not cover that year, or a donor that did not
  report, such as Japan in AidData Core, which has no Japanese rows);
- GCDF: the source's own recipient-years (with its zeros); missing elsewhere.

The 2009-2013 overlap of AidData and DAC2a is reconciled by taking DAC2a from 2009
(disbursements, the DAC's own published series, continuing to 2022); ``aid_dac_source``
says which series a value comes from, and :func:`dac_overlap_agreement` measures how far
the two agree where both exist.

Examples
--------
>>> p = pd.DataFrame({"patron": [2, 200], "client": [770, 770], "year": [2010, 2010]})
>>> out = add_aid(p)
>>> bool(out.loc[0, "aid_us"] > 0), out.loc[1, "aid_dac_source"]
(True, 'dac2a_disb')
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from sidepay.data.context import DataContext, default_context
from sidepay.data.deflator import rebase_factor
from sidepay.data.merge import client_values, patron_client_values
from sidepay.data.readers import aid

__all__ = [
    "AIDDATA_YEARS",
    "DAC2A_YEARS",
    "GCDF_YEARS",
    "add_aid",
    "dac_overlap_agreement",
    "dac_series",
    "donor_frames",
]

US, RUSSIA, CHINA = 2, 365, 710
AIDDATA_YEARS, DAC2A_YEARS, GCDF_YEARS = (1973, 2013), (2009, 2022), (2000, 2021)
#: the source's own base year of constant dollars
_BASE = {"greenbook": 2020, "aiddata": 2011, "dac2a": 2022, "gcdf": 2021}


def _covered(panel: pd.DataFrame, src: pd.DataFrame, span: tuple[int, int], col: str) -> np.ndarray:
    """Donor->recipient value; 0 where the source covers donor-year and recipient-year."""
    got = patron_client_values(panel, src, [col], span, complete=False)[col].to_numpy()
    donor_years = src[["donor", "year"]].drop_duplicates().assign(one=1.0)
    recip_years = src[["ccode", "year"]].drop_duplicates().assign(one=1.0)
    dy = client_values(
        panel.assign(client=panel["patron"]),
        donor_years.rename(columns={"donor": "ccode"}),
        {"one": "one"},
    )["one"].to_numpy()
    ry = client_values(panel, recip_years, {"one": "one"})["one"].to_numpy()
    yr = panel["year"].to_numpy()
    inside = (yr >= span[0]) & (yr <= span[1]) & (dy == 1) & (ry == 1)
    return np.where(inside, np.nan_to_num(got), np.nan)


@lru_cache(maxsize=4)
def _donor_frames(ctx: DataContext) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """AidData Core, DAC2a and GCDF frames, read once per process and context."""
    return (
        aid.aiddata_dyadic(context=ctx),
        aid.oecd_dac2a(context=ctx),
        aid.chinese_finance(context=ctx),
    )


def donor_frames(
    *, context: DataContext | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(aiddata_dyadic, oecd_dac2a, chinese_finance)`` as read (copies).

    Examples
    --------
    >>> ad, oe, cf = donor_frames()
    >>> int(ad["year"].max()), int(oe["year"].max()), int(cf["year"].max())
    (2013, 2022, 2021)
    """
    return tuple(f.copy() for f in _donor_frames(default_context(context)))  # type: ignore[return-value]


def dac_series(panel: pd.DataFrame, *, context: DataContext | None = None) -> dict[str, np.ndarray]:
    """``aid_dac_commit`` (AidData) and ``aid_dac_disb`` (DAC2a) of every panel row.

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [740, 740], "client": [770, 770], "year": [2000, 2010]})
    >>> s = dac_series(p)
    >>> bool(np.isnan(s["aid_dac_commit"][0])), bool(s["aid_dac_disb"][1] > 0)
    (True, True)
    """
    ctx = default_context(context)
    ad, oe, _ = _donor_frames(ctx)
    commit = _covered(panel, ad, AIDDATA_YEARS, "aid") * rebase_factor(
        _BASE["aiddata"], context=ctx
    )
    disb = _covered(panel, oe, DAC2A_YEARS, "aid") * rebase_factor(_BASE["dac2a"], context=ctx)
    return {"aid_dac_commit": commit, "aid_dac_disb": disb}


def add_aid(panel: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add the aid columns of the module table to a panel (``patron, client, year``).

    ``aid_us``, ``aid_econ``, ``aid_mil``, ``aid_recorded`` on the US rows only (missing on
    the others); ``aid_dac_commit``, ``aid_dac_disb``, ``aid_dac`` and ``aid_dac_source`` on
    every patron the sources list as a donor; ``finance_china`` on the Chinese rows. No
    series exists for Soviet or Russian aid: those rows stay missing. Rows are kept.

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [2, 365], "client": [651, 651], "year": [1979, 1979]})
    >>> out = add_aid(p)
    >>> bool(out.loc[0, "aid_mil"] > 1000), bool(pd.isna(out.loc[1, "aid_dac"]))
    (True, True)
    """
    ctx = default_context(context)
    out = panel.copy()
    pat = out["patron"].to_numpy()
    us = pat == US
    gb = aid.greenbook(context=ctx).astype({"aid_recorded": "float64"})
    cols = {c: c for c in ("aid_econ", "aid_mil", "aid_recorded")}
    got = client_values(out, gb, cols)
    to2022 = rebase_factor(_BASE["greenbook"], context=ctx)
    for c in ("aid_econ", "aid_mil"):
        out[c] = np.where(us, got[c].to_numpy() * to2022, np.nan)
    out["aid_us"] = out["aid_econ"] + out["aid_mil"]
    out["aid_recorded"] = pd.array(
        np.where(us, got["aid_recorded"].to_numpy(), np.nan), dtype="Float64"
    ).astype("Int8")
    dac = dac_series(out, context=ctx)
    out["aid_dac_commit"] = dac["aid_dac_commit"]
    out["aid_dac_disb"] = dac["aid_dac_disb"]
    late = out["year"].to_numpy() >= DAC2A_YEARS[0]
    out["aid_dac"] = np.where(late, dac["aid_dac_disb"], dac["aid_dac_commit"])
    source = np.where(late, "dac2a_disb", "aiddata_commit").astype(object)
    source[np.isnan(out["aid_dac"].to_numpy(dtype="float64"))] = None
    out["aid_dac_source"] = pd.array(source, dtype="string")
    cf = _donor_frames(ctx)[2]
    fin = client_values(out, cf, {"aid": "aid"})["aid"].to_numpy()
    out["finance_china"] = np.where(
        pat == CHINA, fin * rebase_factor(_BASE["gcdf"], context=ctx), np.nan
    )
    return out


def dac_overlap_agreement(*, context: DataContext | None = None) -> pd.DataFrame:
    """Agreement of AidData commitments and DAC2a disbursements in 2009-2013, by donor.

    Over the donor-recipient-years both sources list with a positive amount (2022 dollars):
    ``pairs``, the ratio of totals (DAC2a / AidData), the median dyad-year ratio, the share
    of dyad-years within a factor of 2, and the Pearson correlation of log amounts.

    Examples
    --------
    >>> a = dac_overlap_agreement()
    >>> bool((a.loc[2, "log_corr"] > 0.5))
    True
    """
    ctx = default_context(context)
    ad = aid.aiddata_dyadic(context=ctx)
    oe = aid.oecd_dac2a(context=ctx)
    lo, hi = DAC2A_YEARS[0], AIDDATA_YEARS[1]
    a = ad[(ad["year"] >= lo) & (ad["year"] <= hi)].groupby(["donor", "ccode", "year"])["aid"]
    o = oe[(oe["year"] >= lo) & (oe["year"] <= hi)].groupby(["donor", "ccode", "year"])["aid"]
    both = pd.concat(
        [a.sum() * rebase_factor(_BASE["aiddata"], context=ctx), o.sum()],
        axis=1,
        keys=["aiddata", "dac2a"],
        join="inner",
    )
    both = both[(both["aiddata"] > 0) & (both["dac2a"] > 0)]
    ratio = both["dac2a"] / both["aiddata"]
    cmp = both.assign(ratio=ratio, la=np.log(both["aiddata"]), lo=np.log(both["dac2a"]))
    g = cmp.assign(within2=(ratio >= 0.5) & (ratio <= 2)).groupby(level="donor")
    out = pd.DataFrame(
        {
            "pairs": g["ratio"].size(),
            "total_ratio": g["dac2a"].sum() / g["aiddata"].sum(),
            "median_ratio": g["ratio"].median(),
            "share_within_2x": g["within2"].mean(),
            "log_corr": g.apply(lambda f: f["la"].corr(f["lo"])),
        }
    )
    return out
