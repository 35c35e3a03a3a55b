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
from sidepay.data.merge import CODE_SPACE, as_dyads, client_values
from sidepay.data.readers import capabilities, democracy, leaders, threat
from sidepay.data.readers._common import expand_years

__all__ = ["add_capabilities", "add_client_politics", "add_threat"]


def add_client_politics(panel: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add the client's regime, leaders and the dyad's divergence to a panel.

    ``W``, ``polity2``, ``polyarchy``, ``regime_type``, ``regime_change`` (Polity5, GWF,
    V-Dem) with their measurement breaks ``W_components`` (4 with GWF's military-regime
    indicator, to 2010; 3 Polity components only, from 2011) and ``regime_change_source``
    (``gwf``: GWF regime failure, to 2010; ``polity``: the Polity rule, from 2011 and
    outside GWF; CHISOLS is not used for regime change), ``leader_change``, ``leader_tenure``, ``irregular_exit`` (Archigos) of the
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
    names = (
        "W",
        "W_components",
        "polity2",
        "polyarchy",
        "regime_type",
        "regime_change",
        "regime_change_source",
    )
    cols = [c for c in names if c in src.columns]
    got = client_values(out, src, {c: c for c in cols})
    for c in cols:
        out[c] = got[c].to_numpy()
    if "W_components" in out.columns:  # 0 (no component known) -> missing, like W
        wc = out["W_components"].to_numpy(dtype="float64")
        out["W_components"] = pd.array(np.where(wc > 0, wc, np.nan)).astype("Int8")
    if "regime_change_source" in out.columns:
        out["regime_change_source"] = out["regime_change_source"].astype("string")
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
    """Add ``cinc_patron``, ``cinc_client`` (COW NMC), their ratio and the client's GDP, population.

    ``capability_ratio`` = ``cinc_client / cinc_patron`` (the asymmetry of the dyad; missing
    where NMC is, after 2016).

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
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = out["cinc_client"].to_numpy() / out["cinc_patron"].to_numpy()
    out["capability_ratio"] = np.where(np.isfinite(ratio), ratio, np.nan)
    got = client_values(out, capabilities.gdp_pop(context=ctx), {"gdp": "gdp", "pop": "pop"})
    # the schema's units: USD and persons (the source gives millions of both)
    out["gdp_client"] = got["gdp"].to_numpy() * 1e6
    out["pop_client"] = got["pop"].to_numpy() * 1e6
    return out


#: years of MIDs that make two states opponents at year t: t - THREAT_WINDOW + 1 .. t
THREAT_WINDOW = 5


def _rival_sets(lo: int, hi: int, ctx: DataContext) -> tuple[pd.DataFrame, int]:
    r = threat.rivalries(context=ctx)
    end = int(r["endyear"].max())
    idx, yrs = expand_years(
        np.maximum(r["styear"].to_numpy(), lo), np.minimum(r["endyear"].to_numpy(), hi)
    )
    a, b = r["ccode1"].to_numpy()[idx], r["ccode2"].to_numpy()[idx]
    long = pd.DataFrame({"ccode": np.r_[a, b], "rival": np.r_[b, a], "year": np.r_[yrs, yrs]})
    return long.drop_duplicates(), end


def _opponent_sets(lo: int, hi: int, ctx: DataContext) -> pd.DataFrame:
    """(ccode, rival, year): strategic rivals that year, or MID opponents in the window."""
    riv, _ = _rival_sets(lo, hi, ctx)
    mids = threat.mid_dyad_years(context=ctx)
    on = mids[mids["midongoing"] > 0]
    c1, c2, y = (on[c].to_numpy() for c in ("ccode1", "ccode2", "year"))
    idx, yrs = expand_years(y, y + THREAT_WINDOW - 1)
    m = pd.DataFrame({"ccode": c1[idx], "rival": c2[idx], "year": yrs})
    both = pd.concat([riv, m[(m["year"] >= lo) & (m["year"] <= hi)]], ignore_index=True)
    return both.drop_duplicates(ignore_index=True)


def _threat_coverage(ctx: DataContext) -> tuple[int, int]:
    span = threat.MID_COVERAGE
    return span[0], min(span[1], threat.RIVALRY_COVERAGE["td"][1])


def add_threat(panel: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add the client's external threat and the threat it shares with the patron.

    - ``common_threat``: the number of third states that are, in year t, strategic rivals
      (Thompson-Dreyer) or MID opponents within the last :data:`THREAT_WINDOW` years
      (t-4..t; GML MID) of **both** the patron and the client;
    - ``client_threat``: the number of states that are the client's rivals or MID opponents
      in the same sense (the client's own external threat);
    - ``threat`` counts the client's strategic rivals only and ``common_rival`` those it
      shares with the patron (the pre-issue-10 ``common_threat``, kept as an alternative);
    - ``terr_threat`` is Miller's latent territorial threat; ``mid_opponents`` counts the
      states the client is in an ongoing dispute with that year.

    All are missing outside 1816-2010 (the years both the rivalry list and the MID data
    cover) and 0 inside when the sources list nothing. Returns a new frame; rows are kept.

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [365, 2], "client": [750, 732], "year": [1970, 1975]})
    >>> out = add_threat(p)
    >>> bool(out.loc[0, "threat"] >= 2), bool(out.loc[0, "common_rival"] >= 1)
    (True, True)
    >>> int(out.loc[1, "common_threat"]) >= 1  # North Korea: a MID opponent of both
    True
    """
    ctx = default_context(context)
    out = panel.copy()
    lo, hi = int(out["year"].min()), int(out["year"].max())
    riv, end = _rival_sets(lo, hi, ctx)
    inside = out["year"].to_numpy() <= end
    n = riv.groupby(["ccode", "year"]).size().rename("n").reset_index()
    got = client_values(out, n, {"n": "n"})
    out["threat"] = np.where(inside, np.nan_to_num(got["n"].to_numpy()), np.nan)
    out["common_rival"] = np.where(inside, _shared(out, riv), np.nan)
    first, last = _threat_coverage(ctx)
    yr = out["year"].to_numpy()
    ok = (yr >= first) & (yr <= last)
    opp = _opponent_sets(lo, hi, ctx)
    per = opp.groupby(["ccode", "year"]).size().rename("n").reset_index()
    got = client_values(out, per, {"n": "n"})
    out["client_threat"] = np.where(ok, np.nan_to_num(got["n"].to_numpy()), np.nan)
    out["common_threat"] = np.where(ok, _shared(out, opp), np.nan)
    got = client_values(out, threat.terrthreat(context=ctx), {"lterrthreat": "terr_threat"})
    out["terr_threat"] = got["terr_threat"].to_numpy()
    mids = threat.mid_dyad_years(context=ctx)
    span = (int(mids["year"].min()), int(mids["year"].max()))
    ongoing = mids[mids["midongoing"] > 0]
    per = ongoing.groupby(["ccode1", "year"])["ccode2"].nunique().rename("n").reset_index()
    per = per.rename(columns={"ccode1": "ccode"})
    got = client_values(out, per, {"n": "n"})
    ok = (yr >= span[0]) & (yr <= span[1])
    out["mid_opponents"] = np.where(ok, np.nan_to_num(got["n"].to_numpy()), np.nan)
    return out


def _shared(out: pd.DataFrame, sets: pd.DataFrame) -> np.ndarray:
    """Per row: how many third states are in the (ccode, rival, year) sets of both sides."""
    pairs = out[["patron", "client", "year"]].reset_index(drop=True)
    pairs["i"] = np.arange(len(pairs))
    cr = pairs.merge(sets, left_on=["client", "year"], right_on=["ccode", "year"])
    cr = cr[cr["rival"] != cr["patron"]]
    key = (sets["year"].to_numpy() * CODE_SPACE + sets["ccode"].to_numpy()) * CODE_SPACE
    have = pd.Index(key + sets["rival"].to_numpy())
    q = (cr["year"].to_numpy() * CODE_SPACE + cr["patron"].to_numpy()) * CODE_SPACE
    shared = pd.Index(q + cr["rival"].to_numpy()).isin(have)
    cnt = np.bincount(cr["i"].to_numpy()[shared], minlength=len(out))
    return cnt.astype("float64")
