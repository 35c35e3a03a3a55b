"""A known data-generating process in the panel schema, for the analysis tests.

Every mechanism of H1-H8 is switched on with a chosen strength (``effect``): ``effect=1``
gives the predicted signs, ``effect=0`` switches every mechanism off, ``effect=-1``
reverses them. Nothing here is read from ../shared/data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sidepay.schema import conform


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def make_panel(
    seed: int = 0, n_clients: int = 120, years: int = 40, effect: float = 1.0
) -> pd.DataFrame:
    """Directed patron-client-year panel with known effects (see module docstring)."""
    rng = np.random.default_rng(seed)
    patrons = np.array([2, 200, 365])
    g, n = len(patrons), n_clients
    clients = np.arange(100, 100 + n)
    b = effect

    W = rng.uniform(0.1, 1.0, n)
    d = rng.uniform(0.0, 1.0, (g, n))
    ct = rng.gamma(2.0, 0.5, (g, n))
    allied = np.zeros((g, n), bool)
    bought = np.zeros((g, n), bool)
    spell_start = np.zeros((g, n), int)
    spell_no = np.zeros((g, n), int)
    tenure = np.zeros(n)
    pay_prev = np.zeros(n)
    rc_prev = np.zeros(n, bool)
    lo_prev = np.zeros(n, bool)
    rows = []
    rival = np.zeros((g, n))
    for t in range(years):
        year = 1950 + t
        rc = rng.random(n) < 0.06
        W = np.where(rc, rng.uniform(0.1, 1.0, n), W)
        p_lead = _sigmoid(-1.2 - 0.6 * b * np.log1p(pay_prev))
        lc = rc | (rng.random(n) < p_lead)
        lo = lc & ~rc
        tenure = np.where(lc, 0.0, tenure + 1)
        d = np.clip(d + rng.normal(0, 0.08, (g, n)) + 0.15 * rc, 0, 1)
        ct = np.clip(ct + rng.normal(0, 0.1, (g, n)), 0, None)
        rival_prev = rival
        rival = np.exp(rng.normal(0.5, 1.0, (g, n))) - 1
        recent_rc = rc | rc_prev
        recent_lo = lo | lo_prev

        # formations among non-allied dyads
        form = ~allied & (rng.random((g, n)) < 0.08)
        bought = np.where(form, rng.random((g, n)) < _sigmoid(4 * b * (d - 0.5)), bought)
        spell_no = spell_no + form
        spell_start = np.where(form, year, spell_start)
        allied = allied | form
        # payments of allied dyads (bought spells pay every year, pure trade pays nothing)
        mean = 1 + b * (2.0 * W - 1.0 * ct + 1.5 * d + 0.8 * recent_rc)
        pay = np.where(
            allied & bought, np.expm1(np.clip(mean + rng.normal(0, 0.4, (g, n)), 0, None)), 0.0
        )
        # ends: realignment (rival offers) and other termination (divergence, regime change)
        h_real = _sigmoid(-4.0 + 1.0 * b * np.log1p(rival_prev))
        h_term = _sigmoid(-3.5 + b * (2.5 * d + 1.5 * recent_rc + 0.1 * recent_lo))
        u = rng.random((g, n))
        realign = allied & ~form & (u < h_real)
        term = allied & ~form & ~realign & (u < h_real + h_term)
        ends = realign | term
        for gi in range(g):
            rows.append(
                pd.DataFrame(
                    {
                        "patron": patrons[gi],
                        "client": clients,
                        "year": year,
                        "allied": allied[gi].astype(int),
                        "spell_id": np.where(
                            allied[gi],
                            [
                                f"{patrons[gi]}-{c}-{k}"
                                for c, k in zip(clients, spell_no[gi], strict=True)
                            ],
                            None,
                        ),
                        "spell_start": np.where(allied[gi], spell_start[gi], np.nan),
                        "spell_year": np.where(allied[gi], year - spell_start[gi], np.nan),
                        "side_payment": pay[gi],
                        "rival_payment": rival[gi],
                        "divergence": d[gi],
                        "W": W,
                        "regime_change": rc.astype(int),
                        "leader_change": lc.astype(int),
                        "leader_tenure": tenure,
                        "common_threat": ct[gi],
                        "threat": ct[gi] * 2,
                        "cinc_client": rng.uniform(0.001, 0.01, n),
                        "gdp_client": np.exp(rng.normal(10, 1, n)),
                        "formation": form[gi].astype(int),
                        "termination": ends[gi].astype(int),
                        "realignment": realign[gi].astype(int),
                    }
                )
            )
        pay_prev = pay.sum(axis=0)
        allied = allied & ~ends
        rc_prev, lo_prev = rc, lo
    panel = pd.concat(rows, ignore_index=True)
    return conform(panel)
