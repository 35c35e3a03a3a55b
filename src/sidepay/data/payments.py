"""Side payments on the panel: aid first, arms as a separate measure, one chosen as the main.

Concept: a side payment is the compensation a great power pays a small state for the
autonomy it gives up (THEORY.md 2.2, the ``a`` of the model). **Aid** measures it: economic
and military aid are transfers the client can spend on guns or butter. **Arms** deliveries
are partly the protection itself (the model's ``sigma T``), so SIPRI TIV is kept as its own
measure (``arms_tiv``) and not as the default. Until issue 10 ``side_payment`` was arms TIV
(the one series that covers every patron); it is now ``aid`` by default (``payment=``).

- ``aid`` = the patron's aid from the best series that covers it: US -> ``aid_us``
  (Greenbook), DAC patrons (UK, France, Germany, Japan) -> ``aid_dac``, China ->
  ``finance_china``; the USSR and Russia -> missing: **no Soviet aid series exists**.
- ``arms_tiv``: SIPRI deliveries (TIV millions, a volume index, not dollars), 0 inside
  1950-2021 where none is recorded (SIPRI's register lists every transfer of major
  conventional weapons), missing outside.
- ``any_payment``: 1 where aid or arms > 0, 0 where the observed ones are all 0, missing
  where neither is observed.
- ``side_payment`` = the chosen ``payment`` column; ``rival_payment`` = the largest
  ``side_payment`` to the same client-year by another great power (over every patron of the
  full panel: :func:`sidepay.data.panel.build_panel` computes it before selecting patrons).
- ``per_capita=True`` adds ``<col>_pc`` (US dollars per person) and ``<col>_gdp`` (share of
  the client's GDP) for every dollar column of :data:`DOLLAR_COLUMNS`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sidepay.data.aid_measures import add_aid, donor_frames
from sidepay.data.context import DataContext, default_context
from sidepay.data.merge import client_values, patron_client_values
from sidepay.data.readers import aid, arms, troops
from sidepay.errors import bad_param

__all__ = [
    "AID_OTHER",
    "DOLLAR_COLUMNS",
    "PAYMENTS",
    "SIPRI_COVERAGE",
    "add_per_capita",
    "add_side_payments",
    "choose_payment",
]

SIPRI_COVERAGE = (1950, 2021)
US, RUSSIA, CHINA, JAPAN = 2, 365, 710, 740
#: the measures ``payment=`` may choose as ``side_payment``
PAYMENTS: tuple[str, ...] = (
    "aid",
    "aid_us",
    "aid_econ",
    "aid_mil",
    "aid_dac",
    "finance_china",
    "arms_tiv",
)
#: money columns (constant 2022 USD millions) that get per-capita and GDP-share versions
DOLLAR_COLUMNS: tuple[str, ...] = tuple(c for c in PAYMENTS if c != "arms_tiv")  # TIV: no USD


def add_side_payments(
    panel: pd.DataFrame, *, payment: str = "aid", context: DataContext | None = None
) -> pd.DataFrame:
    """Add every side-payment measure and the chosen ``side_payment`` to a panel.

    Parameters
    ----------
    panel : DataFrame
        Rows ``patron, client, year``.
    payment : str
        The column that becomes ``side_payment`` (one of :data:`PAYMENTS`; default ``aid``).

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [2, 365], "client": [770, 770], "year": [1956, 1956]})
    >>> out = add_side_payments(p)
    >>> bool(out.loc[0, "side_payment"] > 0), bool(pd.isna(out.loc[1, "aid"]))
    (True, True)
    >>> bool(out.loc[1, "arms_tiv"] == 0), int(out.loc[1, "any_payment"])
    (True, 0)
    """
    if payment not in PAYMENTS:
        raise bad_param("payment", f"must be one of {', '.join(PAYMENTS)}; got {payment!r}")
    ctx = default_context(context)
    out = panel.copy()
    tiv = arms.sipri_tiv(context=ctx).rename(columns={"supplier": "donor"})
    got = patron_client_values(out, tiv, ["arms_tiv"], SIPRI_COVERAGE, complete=True)
    out["arms_tiv"] = got["arms_tiv"].to_numpy()
    out = add_aid(out, context=ctx)
    pat = out["patron"].to_numpy()
    best = np.where(
        pat == US, out["aid_us"], np.where(pat == CHINA, out["finance_china"], out["aid_dac"])
    )
    out["aid"] = np.where(pat == RUSSIA, np.nan, best)
    a, t = out["aid"].to_numpy(), out["arms_tiv"].to_numpy()
    seen = ~np.isnan(a) | ~np.isnan(t)
    anyp = (np.nan_to_num(a) > 0) | (np.nan_to_num(t) > 0)
    out["any_payment"] = pd.array(np.where(seen, anyp.astype(float), np.nan)).astype("Int8")
    out = choose_payment(out, payment)
    # US troops: the client's monadic values, on the US rows only
    troop = client_values(out, troops.us_troops(context=ctx), {"us_troops": "us_troops"})
    out["us_troops"] = np.where(pat == US, troop["us_troops"].to_numpy(), np.nan)
    out["aid_other"] = np.nan
    out["aid_other_source"] = pd.array([None] * len(out), dtype="string")
    commitments, dac2a, china = donor_frames(context=ctx)
    frames = {"aiddata": commitments, "aiddata_china": china, "oecd_dac2a": dac2a}
    for _, label, patrons in AID_OTHER:
        out = _attach_aid_other(out, frames[label], label, patrons)
    return out


def choose_payment(panel: pd.DataFrame, payment: str) -> pd.DataFrame:
    """Set ``side_payment`` to ``panel[payment]`` and recompute ``rival_payment``.

    ``rival_payment`` is the largest ``side_payment`` to the same client-year by another
    patron of ``panel`` (so give it every great power, then select).

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [2, 365], "client": [520, 520], "year": [1975, 1975],
    ...                   "arms_tiv": [1.0, 50.0]})
    >>> choose_payment(p, "arms_tiv")["rival_payment"].tolist()
    [50.0, 1.0]
    """
    if payment not in panel.columns:
        raise bad_param("payment", f"the panel has no column {payment!r}")
    out = panel.copy()
    out["side_payment"] = pd.to_numeric(out[payment]).to_numpy(dtype="float64", na_value=np.nan)
    out.attrs["payment"] = payment
    return _add_rival_payment(out)


def add_per_capita(panel: pd.DataFrame) -> pd.DataFrame:
    """Add ``<col>_pc`` (USD per person) and ``<col>_gdp`` (share of client GDP).

    For every column of :data:`DOLLAR_COLUMNS` present (and ``side_payment`` when it is one
    of them); needs ``pop_client`` (persons) and ``gdp_client`` (USD; Fariss et al.'s latent
    real GDP, 2017 dollars: the share mixes a 2022 numerator with a 2017 denominator, a
    constant factor of about 1.2 that leaves comparisons across rows intact).

    Examples
    --------
    >>> p = pd.DataFrame({"aid": [10.0], "pop_client": [1e7], "gdp_client": [1e10]})
    >>> out = add_per_capita(p)
    >>> float(out.loc[0, "aid_pc"]), float(out.loc[0, "aid_gdp"])
    (1.0, 0.001)
    """
    out = panel.copy()
    cols = [c for c in DOLLAR_COLUMNS if c in out.columns]
    if out.attrs.get("payment") in DOLLAR_COLUMNS and "side_payment" in out.columns:
        cols.append("side_payment")
    pop = out["pop_client"].to_numpy(dtype="float64")
    gdp = out["gdp_client"].to_numpy(dtype="float64")
    for c in cols:
        usd = pd.to_numeric(out[c]).to_numpy(dtype="float64", na_value=np.nan) * 1e6
        out[f"{c}_pc"] = usd / pop
        out[f"{c}_gdp"] = usd / gdp
    return out


#: ``aid_other`` (kept for the case figures of ``report/cases.py``; superseded by ``aid``):
#: one source per patron, never spliced: AidData (commitments, 1973-2013), AidData's Chinese
#: finance for China, OECD DAC2a (2009-2022) for Japan and Russia; sources' own base years.
AID_OTHER: tuple[tuple[Any, str, tuple[int, ...] | None], ...] = (
    (aid.aiddata_dyadic, "aiddata", None),
    (aid.chinese_finance, "aiddata_china", (CHINA,)),
    (aid.oecd_dac2a, "oecd_dac2a", (JAPAN, RUSSIA)),
)


def _attach_aid_other(
    out: pd.DataFrame, src: pd.DataFrame, label: str, patrons: tuple[int, ...] | None
) -> pd.DataFrame:
    donors = set(src["donor"].unique().tolist())
    take = np.isin(out["patron"].to_numpy(), sorted(donors if patrons is None else patrons))
    take &= np.isin(out["patron"].to_numpy(), sorted(donors))
    span = (int(src["year"].min()), int(src["year"].max()))
    take &= (out["year"].to_numpy() >= span[0]) & (out["year"].to_numpy() <= span[1])
    got = patron_client_values(out, src, ["aid"], span, complete=False)
    out["aid_other"] = np.where(take, got["aid"].to_numpy(), out["aid_other"].to_numpy())
    out.loc[take, "aid_other_source"] = label
    return out


def _add_rival_payment(out: pd.DataFrame) -> pd.DataFrame:
    """Largest ``side_payment`` to the same client-year by another patron of the panel."""
    pay = out["side_payment"].to_numpy(dtype="float64")
    key = out["client"].to_numpy() * 10_000 + out["year"].to_numpy()
    frame = pd.DataFrame({"key": key, "pay": pay, "patron": out["patron"].to_numpy()})
    srt = frame.sort_values(["key", "pay"], ascending=[True, False], na_position="last")
    first = srt.groupby("key").nth(0).set_index("key")
    second = srt.groupby("key").nth(1).set_index("key")
    top1 = first["pay"].reindex(key).to_numpy()
    top1_patron = first["patron"].reindex(key).to_numpy()
    top2 = second["pay"].reindex(key).to_numpy()
    out["rival_payment"] = np.where(top1_patron == out["patron"].to_numpy(), top2, top1)
    return out
