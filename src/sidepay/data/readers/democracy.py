"""Regimes: Polity5, winning-coalition size W, V-Dem polyarchy, GWF regime type and change.

Sources (all via democracyData, which adds COW codes ``cown``): ``polity5`` (Polity5
p5v2018, to 2020), ``gwf_all`` (Geddes-Wright-Frantz regimes, 1946-2010), ``vdem_simple``
(V-Dem v15 indices, to 2024).

Winning coalition W (Bueno de Mesquita et al. 2003, from Polity and GWF): the mean of four
indicators, [xrcomp >= 2], [xropen > 2], [parcomp == 5] and [not a military regime]. A
regime is military when its GWF type contains "military" (military, military-personal,
party-military, party-military-personal, indirect military). Polity's special codes -66
(foreign interruption), -77 (interregnum) and -88 (transition) are not values of a scale,
so any component carrying one makes W missing. Outside GWF coverage (before 1946, after
2010) and in GWF's non-regime years (warlord, provisional, foreign-occupied,
not-independent) the military indicator is unknown and W is the mean of the three Polity
indicators; ``W_components`` records 4 or 3.

Regime change (kept apart from leader change, see :mod:`sidepay.data.readers.leaders`):
inside GWF coverage it is GWF's regime failure (``gwf_fail``), coded in the year the old
regime ends; outside it, a major Polity transition (``regtrans`` in {-2, 2, 3}, or 96/97/98
state transformation, or a jump of |polity2| >= 3 from the previous year, or entry into a
-66/-77/-88 episode). ``regime_change_source`` says which rule applied.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from sidepay.data.acquire import read_rda
from sidepay.data.cache import cached_frame
from sidepay.data.context import DataContext, default_context

__all__ = ["GWF_COVERAGE", "coalition_size_w", "regime_years"]

GWF_COVERAGE = (1946, 2010)
#: Polity5 columns the reader keeps (special codes -66/-77/-88 as published).
POLITY_COLUMNS = (
    "polity2",
    "polity",
    "democ",
    "autoc",
    "xrcomp",
    "xropen",
    "xconst",
    "parcomp",
    "regtrans",
    "durable",
)
_SPECIAL = (-66.0, -77.0, -88.0)
_POLITY_MAJOR = {-2.0, 2.0, 3.0, 96.0, 97.0, 98.0}


def coalition_size_w(
    xrcomp: np.ndarray | pd.Series,
    xropen: np.ndarray | pd.Series,
    parcomp: np.ndarray | pd.Series,
    military: np.ndarray | pd.Series,
) -> tuple[np.ndarray, np.ndarray]:
    """Winning-coalition size W from Polity components and a military-regime indicator.

    Parameters
    ----------
    xrcomp, xropen, parcomp : array-like
        Polity components; NaN or a special code (-66, -77, -88) makes W missing.
    military : array-like
        1.0 military regime, 0.0 not military, NaN unknown (then W uses the three Polity
        indicators only).

    Returns
    -------
    (W, n_components) : tuple of arrays
        W in [0, 1] (NaN where undefined) and the number of indicators used (0, 3 or 4).

    Examples
    --------
    >>> w, n = coalition_size_w([3, 1, 3], [4, 4, -88], [5, 3, 5], [0, 1, np.nan])
    >>> w.tolist(), n.tolist()
    ([1.0, 0.25, nan], [4, 4, 0])
    >>> coalition_size_w([3], [4], [3], [np.nan])[0].round(3).tolist()
    [0.667]
    """
    comp = np.asarray(xrcomp, dtype=float)
    opn = np.asarray(xropen, dtype=float)
    par = np.asarray(parcomp, dtype=float)
    mil = np.asarray(military, dtype=float)
    bad = np.zeros(comp.shape, dtype=bool)
    for arr in (comp, opn, par):
        bad |= np.isnan(arr) | np.isin(arr, _SPECIAL)
    polity_sum = (comp >= 2).astype(float) + (opn > 2).astype(float) + (par == 5).astype(float)
    known = ~np.isnan(mil)
    w = np.where(known, (polity_sum + (1.0 - np.nan_to_num(mil))) / 4.0, polity_sum / 3.0)
    n = np.where(known, 4, 3)
    w = np.where(bad, np.nan, w)
    n = np.where(bad, 0, n)
    return w, n.astype("int64")


def _one_per_state_year(frame: pd.DataFrame, entity: str) -> pd.DataFrame:
    """Resolve COW state-years that a source codes twice (state transformation years).

    Keeps the entity that continues into the next year (e.g. USSR over Russia in 1922,
    unified Vietnam over North Vietnam in 1976); otherwise the last row.
    """
    keys = ["ccode", entity, "year"]
    later = frame[keys].drop_duplicates().assign(year=lambda d: d["year"] - 1, _continues=True)
    flag = frame[keys].merge(later, on=keys, how="left")["_continues"].notna().to_numpy()
    frame = frame.assign(_continues=flag).sort_values(
        ["ccode", "year", "_continues"], kind="stable"
    )
    return frame.drop_duplicates(["ccode", "year"], keep="last").drop(columns="_continues")


def _polity(ctx: DataContext) -> pd.DataFrame:
    raw = read_rda("polity5", context=ctx).dropna(subset=["cown", "year"])
    cols = list(POLITY_COLUMNS)
    out = raw[["cown", "year", "polity_annual_country", *cols]].rename(columns={"cown": "ccode"})
    out = out.astype({"ccode": "int64", "year": "int64"})
    return _one_per_state_year(out, "polity_annual_country").drop(columns="polity_annual_country")


def _gwf(ctx: DataContext) -> pd.DataFrame:
    raw = read_rda("gwf_all", context=ctx).dropna(subset=["cown", "year"])
    rtype = raw["gwf_regimetype"].fillna(raw["gwf_nonautocracy"]).astype("string")
    autocracy = raw["gwf_regimetype"].notna()
    military = np.where(
        autocracy,
        rtype.str.contains("military", regex=False).astype(float),
        np.where(raw["gwf_nonautocracy"].eq("democracy"), 0.0, np.nan),
    )
    out = pd.DataFrame(
        {
            "ccode": raw["cown"].astype("int64"),
            "year": raw["year"].astype("int64"),
            "gwf_case": raw["gwf_casename"].astype(str),
            "regime_type": rtype,
            "gwf_military": military,
            "gwf_fail": raw["gwf_fail"],
        }
    )
    return _one_per_state_year(out, "gwf_case")


def _vdem(ctx: DataContext) -> pd.DataFrame:
    raw = read_rda("vdem_simple", context=ctx).dropna(subset=["cown", "year"])
    out = pd.DataFrame(
        {
            "ccode": raw["cown"].astype("int64"),
            "year": raw["year"].astype("int64"),
            "vdem_country": raw["vdem_country_name"].astype(str),
            "polyarchy": raw["v2x_polyarchy"],
            "libdem": raw["v2x_libdem"],
        }
    )
    return _one_per_state_year(out, "vdem_country").drop(columns="vdem_country")


def _polity_change(p: pd.DataFrame) -> pd.Series:
    p = p.sort_values(["ccode", "year"])
    prev = p.groupby("ccode")[["year", "polity2", "polity"]].shift(1)
    consecutive = prev["year"] == p["year"] - 1
    jump = consecutive & ((p["polity2"] - prev["polity2"]).abs() >= 3)
    enters_special = consecutive & p["polity"].isin(_SPECIAL) & ~prev["polity"].isin(_SPECIAL)
    major = p["regtrans"].isin(_POLITY_MAJOR)
    known = p["polity2"].notna() | p["regtrans"].notna() | p["polity"].notna()
    change = (jump | enters_special | major).astype(float)
    return change.where(known)


def _build_regime_years(ctx: DataContext) -> pd.DataFrame:
    pol, gwf, vdem = _polity(ctx), _gwf(ctx), _vdem(ctx)
    pol["polity_change"] = _polity_change(pol)
    out = pol.merge(gwf, on=["ccode", "year"], how="outer").merge(
        vdem, on=["ccode", "year"], how="outer"
    )
    out = out.sort_values(["ccode", "year"], ignore_index=True)
    w, n = coalition_size_w(out["xrcomp"], out["xropen"], out["parcomp"], out["gwf_military"])
    out["W"] = w
    out["W_components"] = n
    in_gwf = out["gwf_fail"].notna()
    out["regime_change"] = np.where(in_gwf, out["gwf_fail"], out["polity_change"])
    source = pd.Series(None, index=out.index, dtype=object)
    source[out["polity_change"].notna()] = "polity"
    source[in_gwf] = "gwf"
    out["regime_change_source"] = source
    out["regime_change"] = out["regime_change"].astype("Int8")
    for c in POLITY_COLUMNS:
        out[c] = out[c].astype("float64")
    cols = [
        "ccode",
        "year",
        "polity2",
        "W",
        "polyarchy",
        "regime_type",
        "regime_change",
        "regime_change_source",
        "W_components",
        "gwf_military",
        "gwf_case",
        "libdem",
        *POLITY_COLUMNS[1:],
    ]
    return out[cols]


def regime_years(*, context: DataContext | None = None) -> pd.DataFrame:
    """Regime measures per COW state-year (union of Polity5, GWF and V-Dem coverage).

    Returns
    -------
    pandas.DataFrame
        ``ccode, year, polity2, W, polyarchy, regime_type, regime_change,
        regime_change_source, W_components, gwf_military, gwf_case, libdem`` and the Polity
        components (``polity, democ, autoc, xrcomp, xropen, xconst, parcomp, regtrans,
        durable``; special codes -66/-77/-88 kept as published). Each measure is missing
        outside its own source's coverage. See the module docstring for W and
        ``regime_change``.

    Examples
    --------
    >>> r = regime_years()
    >>> int(r.query("ccode == 155 and year == 1973")["regime_change"].item())
    1
    """
    ctx = default_context(context)
    return cached_frame(
        "regime_years",
        partial(_build_regime_years, ctx),
        ["polity5", "gwf_all", "vdem_simple"],
        version=1,
        context=ctx,
    )
