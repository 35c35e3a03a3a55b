"""The client's politics, capabilities and threat on the panel (``patron, client, year``).

Each step attaches state-year measures of the client (or both sides) with the gathers of
:mod:`sidepay.data.merge`: a measure the source does not give stays missing, never 0;
counts of events (rivals, disputes) are 0 inside the source's coverage when it lists none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sidepay.data import dyads
from sidepay.data.context import DataContext, default_context
from sidepay.data.merge import as_dyads, client_values
from sidepay.data.readers import capabilities, democracy, leaders, threat
from sidepay.data.readers._common import expand_years

__all__ = ["add_capabilities", "add_client_politics", "add_threat"]


def add_client_politics(panel: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add the client's regime, leaders and the dyad's divergence to a panel.

    ``W``, ``polity2``, ``polyarchy``, ``regime_type``, ``regime_change`` (Polity5, GWF,
    V-Dem), ``leader_change``, ``leader_tenure``, ``irregular_exit`` (Archigos) of the
    client, and ``divergence`` = |UNGA ideal point of patron - client|; missing where a
    source says nothing. Returns a new frame; rows and their order are kept.

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [2], "client": [770], "year": [1958]})
    >>> int(add_client_politics(p).loc[0, "leader_change"])
    1
    """
    ctx = default_context(context)
    out = panel.copy()
    src = democracy.regime_years(context=ctx)
    cols = [
        c for c in ("W", "polity2", "polyarchy", "regime_type", "regime_change") if c in src.columns
    ]
    got = client_values(out, src, {c: c for c in cols})
    for c in cols:
        out[c] = got[c].to_numpy()
    lead = leaders.leader_years(context=ctx)
    cols = [c for c in ("leader_change", "leader_tenure", "irregular_exit") if c in lead.columns]
    got = client_values(out, lead, {c: c for c in cols})
    for c in cols:
        out[c] = got[c].to_numpy()
    out["irregular_exit"] = out["irregular_exit"].astype("Int8")
    d = dyads.add_ideal_points(as_dyads(out), context=ctx)
    out["divergence"] = d["ideal_distance"].to_numpy()
    return out


def add_capabilities(panel: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add ``cinc_patron``, ``cinc_client`` (COW NMC) and the client's GDP and population.

    ``gdp_client`` (USD) and ``pop_client`` (persons) are Fariss et al.'s latent estimates.
    Returns a new frame; rows and their order are kept.

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [2], "client": [770], "year": [1950]})
    >>> bool(add_capabilities(p).loc[0, "cinc_patron"] > 0.2)
    True
    """
    ctx = default_context(context)
    out = panel.copy()
    d = dyads.add_nmc(as_dyads(out[["patron", "client", "year"]]), context=ctx)
    out["cinc_patron"] = d["cinc1"].to_numpy()
    out["cinc_client"] = d["cinc2"].to_numpy()
    got = client_values(out, capabilities.gdp_pop(context=ctx), {"gdp": "gdp", "pop": "pop"})
    # the schema's units: USD and persons (the source gives millions of both)
    out["gdp_client"] = got["gdp"].to_numpy() * 1e6
    out["pop_client"] = got["pop"].to_numpy() * 1e6
    return out


def _rival_sets(lo: int, hi: int, ctx: DataContext) -> tuple[pd.DataFrame, int]:
    r = threat.rivalries(context=ctx)
    end = int(r["endyear"].max())
    idx, yrs = expand_years(
        np.maximum(r["styear"].to_numpy(), lo), np.minimum(r["endyear"].to_numpy(), hi)
    )
    a, b = r["ccode1"].to_numpy()[idx], r["ccode2"].to_numpy()[idx]
    long = pd.DataFrame({"ccode": np.r_[a, b], "rival": np.r_[b, a], "year": np.r_[yrs, yrs]})
    return long.drop_duplicates(), end


def add_threat(panel: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add the client's external threat: rivalries, common rivals, territorial threat, MIDs.

    ``threat`` counts the client's strategic rivals and ``common_threat`` those it shares
    with the patron (Thompson-Dreyer, missing after 2010); ``terr_threat`` is Miller's
    latent territorial threat; ``mid_opponents`` counts the states the client is in an
    ongoing dispute with (GML MID, 1816-2010). Returns a new frame; rows are kept.

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [365], "client": [750], "year": [1970]})
    >>> out = add_threat(p)
    >>> bool(out.loc[0, "threat"] >= 2), bool(out.loc[0, "common_threat"] >= 1)
    (True, True)
    """
    ctx = default_context(context)
    out = panel.copy()
    lo, hi = int(out["year"].min()), int(out["year"].max())
    riv, end = _rival_sets(lo, hi, ctx)
    inside = out["year"].to_numpy() <= end
    n = riv.groupby(["ccode", "year"]).size().rename("n").reset_index()
    got = client_values(out, n, {"n": "n"})
    out["threat"] = np.where(inside, np.nan_to_num(got["n"].to_numpy()), np.nan)
    # common threat: rivals of the client that are also rivals of the patron
    pairs = out[["patron", "client", "year"]].reset_index()
    cr = pairs.merge(riv, left_on=["client", "year"], right_on=["ccode", "year"])
    shared = cr.merge(riv, left_on=["patron", "rival", "year"], right_on=["ccode", "rival", "year"])
    cnt = shared.groupby("index").size()
    common = np.zeros(len(out))
    common[cnt.index.to_numpy()] = cnt.to_numpy()
    out["common_threat"] = np.where(inside, common, np.nan)
    got = client_values(out, threat.terrthreat(context=ctx), {"lterrthreat": "terr_threat"})
    out["terr_threat"] = got["terr_threat"].to_numpy()
    mids = threat.mid_dyad_years(context=ctx)
    span = (int(mids["year"].min()), int(mids["year"].max()))
    ongoing = mids[mids["midongoing"] > 0]
    per = ongoing.groupby(["ccode1", "year"])["ccode2"].nunique().rename("n").reset_index()
    per = per.rename(columns={"ccode1": "ccode"})
    got = client_values(out, per, {"n": "n"})
    yr = out["year"].to_numpy()
    ok = (yr >= span[0]) & (yr <= span[1])
    out["mid_opponents"] = np.where(ok, np.nan_to_num(got["n"].to_numpy()), np.nan)
    return out
