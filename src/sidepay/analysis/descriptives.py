"""Descriptive statistics of every measure, by patron and era (the report's first table).

A referee reads the distribution of each measure before any estimate: how many
dyad-years observe it, its mean and spread, how often it is non-zero (side payments are
mostly zero), and which years it covers, separately for each patron and for the Cold War
(to 1989) and after (1990 on). :data:`MEASURES` names each measure with the concept of
the theory it stands for; a measure the panel lacks is listed as absent, never filled.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"patron": [2, 2, 365], "client": [20, 20, 20],
...     "year": [1950, 1995, 1950], "side_payment": [0.0, 4.0, 1.0]})
>>> t = describe_measures(df, ["side_payment"])
>>> t.loc[(t.patron == 2) & (t.era == "all"), ["n", "mean", "share_nonzero"]].values.tolist()
[[2.0, 2.0, 0.5]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

__all__ = ["MEASURES", "describe_measures"]

MEASURES: dict[str, str] = {
    "side_payment": "side payment, the panel's main measure (theory: the transfer s)",
    "aid_us": "US economic and military aid, constant USD millions (s, US only)",
    "aid_dac": "DAC patrons' bilateral aid (s, Western patrons)",
    "aid": "each patron's best aid series (s; missing for the USSR)",
    "finance_china": "Chinese official finance (s, China)",
    "arms_tiv": "arms transfers, SIPRI TIV (s in kind; every patron)",
    "any_payment": "any side payment at all, 0/1 (s > 0)",
    "rival_payment": "a rival great power's largest payment to the client (the outside offer)",
    "allied": "alliance in force, security definition (the alliance decision)",
    "allied_defense": "defense pact in force",
    "allied_any": "any pact in force",
    "divergence": "interest divergence of patron and client (d)",
    "W": "the client's winning-coalition size (W)",
    "common_threat": "threat shared by patron and client (t)",
    "client_threat": "threat the client faces",
    "capability_ratio": "patron's to client's capabilities (asymmetry)",
    "cinc_client": "client's CINC share",
    "gdp_client": "client's GDP",
    "regime_change": "regime change in the client (GWF, Polity outside GWF)",
    "leader_change": "leader change in the client (Archigos)",
    "formation": "first year of a spell",
    "termination": "last year of a spell",
    "realignment": "ends a spell for a tie with another great power within 3 years",
}
"""Each measure and the concept it stands for (docs/hypotheses.md says what each misses)."""

ERA_SPLIT = 1990
"""First year of the post-Cold War era."""


def describe_measures(panel: pd.DataFrame, measures: Sequence[str] | None = None) -> pd.DataFrame:
    """N, mean, sd, share non-zero and years covered of each measure, by patron and era.

    One row per (measure, patron, era) with ``era`` in ``"cold_war"``, ``"post_cold_war"``
    and ``"all"`` and ``patron`` a COW code or ``"all"``; ``n`` counts the dyad-years where
    the measure is observed. A measure the panel lacks gets one row with ``n = 0`` and
    ``present = False``.
    """
    names = list(measures if measures is not None else MEASURES)
    era = np.where(panel["year"].to_numpy() < ERA_SPLIT, "cold_war", "post_cold_war")
    rows: list[dict[str, object]] = []
    for name in names:
        if name not in panel.columns:
            rows.append({"measure": name, "patron": "all", "era": "all", "n": 0,
                         "present": False})  # fmt: skip
            continue
        x = panel[name].astype("float64")
        frame = pd.DataFrame({"x": x.to_numpy(), "patron": panel["patron"].to_numpy(),
                              "era": era, "year": panel["year"].to_numpy()})  # fmt: skip
        frame = frame[frame["x"].notna()]
        groups: list[tuple[Any, Any, pd.DataFrame]] = [("all", "all", frame)]
        groups += [("all", e, g) for e, g in frame.groupby("era", sort=True)]
        for p, g in frame.groupby("patron", sort=True):
            code = int(cast(Any, p))
            groups.append((code, "all", g))
            groups += [(code, e, h) for e, h in g.groupby("era", sort=True)]
        for patron, e, g in groups:
            v = g["x"].to_numpy()
            rows.append({
                "measure": name, "patron": patron, "era": e, "n": len(v),
                "mean": float(v.mean()) if len(v) else None,
                "sd": float(v.std(ddof=1)) if len(v) > 1 else None,
                "share_nonzero": float((v != 0).mean()) if len(v) else None,
                "first_year": int(g["year"].min()) if len(v) else None,
                "last_year": int(g["year"].max()) if len(v) else None,
                "present": True,
            })  # fmt: skip
    return pd.DataFrame(rows)
