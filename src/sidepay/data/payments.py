"""Side payments on the panel: SIPRI arms transfers, US aid and troops, other donors' aid.

- **side_payment** = SIPRI arms transfers (TIV, millions) from patron to client, the one
  measure that covers every patron; inside SIPRI coverage (1950-2021) a patron-client-year
  with no recorded delivery is 0 (SIPRI's register lists every transfer of major
  conventional weapons), outside it is missing. US aid keeps its own columns.
- **rival_payment** = the largest side payment to the same client that year by another
  patron in the panel.
- **aid_other**: one source per patron, never spliced (:data:`AID_OTHER`); a
  donor-recipient-year the source does not list stays missing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sidepay.data.context import DataContext, default_context
from sidepay.data.merge import client_values, patron_client_values
from sidepay.data.readers import aid, arms, troops

__all__ = ["AID_OTHER", "SIPRI_COVERAGE", "add_side_payments"]

SIPRI_COVERAGE = (1950, 2021)
US, RUSSIA, CHINA, JAPAN = 2, 365, 710, 740


def add_side_payments(panel: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add side payments to a panel (``patron, client, year``): arms, US aid, other aid.

    ``arms_tiv`` (= ``side_payment``) are SIPRI deliveries from patron to client (0 inside
    1950-2021 when none is recorded, missing outside); ``rival_payment`` the largest side
    payment to the same client-year by another patron of the panel; ``aid_econ``,
    ``aid_mil``, ``aid_recorded`` (US Greenbook) and ``us_troops`` on the US rows only;
    ``aid_other`` with ``aid_other_source``, one source per patron (:data:`AID_OTHER`).
    Returns a new frame; rows and their order are kept.

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [2, 365], "client": [770, 770], "year": [1956, 1956]})
    >>> out = add_side_payments(p)
    >>> bool(out.loc[0, "side_payment"] > 0), bool(pd.isna(out.loc[1, "aid_mil"]))
    (True, True)
    """
    ctx = default_context(context)
    out = panel.copy()
    tiv = arms.sipri_tiv(context=ctx).rename(columns={"supplier": "donor"})
    got = patron_client_values(out, tiv, ["arms_tiv"], SIPRI_COVERAGE, complete=True)
    out["arms_tiv"] = got["arms_tiv"].to_numpy()
    out["side_payment"] = out["arms_tiv"]
    out = _add_rival_payment(out)
    # US aid and troops: the client's monadic values, on the US rows only
    us = out["patron"].to_numpy() == US
    gb = aid.greenbook(context=ctx).astype({"aid_recorded": "float64"})
    cols = {"aid_econ": "aid_econ", "aid_mil": "aid_mil", "aid_recorded": "aid_recorded"}
    got = client_values(out, gb, cols)
    troop_years = troops.us_troops(context=ctx)
    got["us_troops"] = client_values(out, troop_years, {"us_troops": "us_troops"})["us_troops"]
    for c in ("aid_econ", "aid_mil", "aid_recorded", "us_troops"):
        out[c] = np.where(us, got[c].to_numpy(), np.nan)
    # 1 where the Greenbook lists the state-year, 0 where its absence was read as no aid
    out["aid_recorded"] = out["aid_recorded"].astype("Int8")
    out["aid_other"] = np.nan
    out["aid_other_source"] = pd.array([None] * len(out), dtype="string")
    for reader, label, patrons in AID_OTHER:
        out = _attach_aid_other(out, reader(context=ctx), label, patrons)
    return out


#: One source per patron for ``aid_other``, never spliced: AidData (commitments, DAC
#: donors, 1973-2013), AidData's Chinese finance (2000-2021) for China, OECD DAC2a (gross
#: ODA disbursements, 2009-2022) for the patrons AidData lacks (Japan, Russia).
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
    # a donor-recipient-year the source does not list stays missing (not 0)
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
    rival = np.where(top1_patron == out["patron"].to_numpy(), top2, top1)
    out["rival_payment"] = rival
    return out
