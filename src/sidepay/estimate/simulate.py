"""Draws from the random-utility formation model itself, for recovery tests and studies.

:func:`formation_test_panel` makes a synthetic covariate panel in the schema;
:func:`simulate_formation` draws alliances and payments on any panel at given parameters.

Examples
--------
>>> p = simulate_formation(formation_test_panel(3, (1990, 1990), seed=0),
...     {"v[USA 1990-]": 0.3, "rho": 0.8, "omega": 0.3, "tau": 0.5, "k": 0.4, "beta": 0.6,
...      "sigma_eps": 0.5, "sigma_eta": 0.3}, seed=1)
>>> sorted(p["allied"].unique().tolist()) in ([0], [1], [0, 1])
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sidepay.errors import bad_param
from sidepay.estimate.mapping import (
    ERA_BREAK,
    Transform,
    capability_share,
    group_label,
    untransform_payment,
)


def formation_test_panel(
    n_clients: int = 200,
    years: tuple[int, int] = (1980, 1999),
    patrons: tuple[int, ...] = (2,),
    *,
    seed: int,
) -> pd.DataFrame:
    """A synthetic covariate panel (divergence, W, threat, capabilities) in the schema.

    Covariates only: :func:`simulate_formation` draws alliances and payments on it.
    Divergence is persistent per dyad with yearly noise, W takes the five BdM levels,
    threat is a small count.

    Examples
    --------
    >>> formation_test_panel(5, (1990, 1991), seed=0).shape[0]
    10
    """
    rng = np.random.default_rng(seed)
    yrs = np.arange(years[0], years[1] + 1)
    P, C, Y = np.meshgrid(np.array(patrons), np.arange(1, n_clients + 1), yrs, indexing="ij")
    n = P.size
    base_d = rng.uniform(0.1, 1.5, size=(len(patrons), n_clients, 1))
    d = np.clip(base_d + rng.normal(0, 0.15, size=P.shape), 0.0, None)
    W = rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], size=(1, n_clients, 1))
    W = np.broadcast_to(W, P.shape).copy()
    flip = rng.random(P.shape) < 0.05
    W[flip] = rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], size=int(flip.sum()))
    return pd.DataFrame({
        "patron": P.ravel().astype(np.int64), "client": (C.ravel() + 100).astype(np.int64),
        "year": Y.ravel().astype(np.int64), "divergence": d.ravel(), "W": W.ravel(),
        "threat": rng.poisson(0.8, n).astype(np.float64),
        "cinc_patron": np.full(n, 0.2), "cinc_client": rng.uniform(0.0, 0.1, n),
    })  # fmt: skip


def simulate_formation(
    panel: pd.DataFrame,
    params: dict[str, float] | pd.Series,
    *,
    seed: int,
    payment: str = "side_payment",
    threat: str = "threat",
    transform: Transform = "log1p",
    era_break: int = ERA_BREAK,
) -> pd.DataFrame:
    """Draw alliances and payments from the random-utility formation model itself.

    ``params`` uses the names of :attr:`FormationModel.params_` (``v[USA 1990-]``, ``rho``,
    ..., ``sigma_eps``, ``sigma_eta``). Returns a copy of ``panel`` with ``allied`` (0/1)
    and ``payment`` (on the level scale: ``expm1`` of the model's payment under ``log1p``,
    missing where not allied) replaced. Same seed, same draws.
    """
    p = dict(params)
    rng = np.random.default_rng(seed)
    out = panel.copy()
    labels = [group_label(a, b, era_break) for a, b in zip(out["patron"], out["year"], strict=True)]
    missing = sorted({g for g in labels if f"v[{g}]" not in p})
    if missing:
        raise bad_param("params", f"lacks v[...] for {', '.join(missing)}")
    v = np.array([p[f"v[{g}]"] for g in labels])
    from sidepay.theory.formation import solve_formation

    T = p["tau"] * out[threat].to_numpy(np.float64)
    sigma = capability_share(out["cinc_patron"], out["cinc_client"])
    eq = solve_formation(
        out["W"].to_numpy(np.float64), out["divergence"].to_numpy(np.float64), 1.0, sigma, T,
        v, p["k"], p["beta"], p["rho"], p["omega"],
    )  # fmt: skip
    n = len(out)
    eps = rng.normal(0.0, p["sigma_eps"], n)
    eta = rng.normal(0.0, p["sigma_eta"], n)
    allied = eq.patron_surplus + eps >= 0.0
    a = np.maximum(0.0, eq.required_payment + (1.0 - p["beta"]) * eq.patron_surplus + eta)
    out["allied"] = allied.astype(np.int64)
    out[payment] = np.where(allied, untransform_payment(a, transform), np.nan)
    return out
