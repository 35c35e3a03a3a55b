"""The small-state leader's extraction and survival (THEORY 2.2).

Extraction funds guns, butter and the compensation owed to supporters for concessions,
net of aid:

    alone:          E0 = T + B
    allied with g:  E1 = (1 - sigma) T + B + lambda(W) d x - a = E0 + D_g - a

Extraction is costly to survival, ``c(E) = max(E, 0)^2 / (2 kappa Y)``, and the leader's
per-period deposition hazard is ``h_L = min(h0 + eta c(E), h_cap)`` with ``h_cap < 1``.
``E1 <= E0`` exactly when ``a >= D_g``: the acceptance rule of the formation game.

Examples
--------
>>> E0 = extraction_alone(T=0.1, B=0.2)
>>> E1 = extraction_allied(T=0.1, B=0.2, sigma=0.5, W=0.25, d=0.6, x=0.5, a=0.1)
>>> round(float(E0), 3), round(float(E1), 3)
(0.3, 0.27)
>>> bool(leader_hazard(E1) < leader_hazard(E0))
True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from sidepay.theory.formation import FloatArray, coalition_weight

__all__ = [
    "extraction_allied",
    "extraction_alone",
    "extraction_cost",
    "leader_hazard",
    "leader_shock_scale",
    "stability_salience",
]


def extraction_alone(T: ArrayLike, B: ArrayLike) -> FloatArray:
    """E0 = T + B: extraction when the state stands alone.

    Examples
    --------
    >>> float(extraction_alone(0.1, 0.2))
    0.30000000000000004
    """
    return np.asarray(T, dtype=np.float64) + np.asarray(B, dtype=np.float64)


def extraction_allied(
    T: ArrayLike,
    B: ArrayLike,
    sigma: ArrayLike,
    W: ArrayLike,
    d: ArrayLike,
    x: ArrayLike,
    a: ArrayLike,
    rho: ArrayLike = 1.0,
    omega: ArrayLike = 0.2,
) -> FloatArray:
    """E1 = (1 - sigma) T + B + lambda(W) d x - a: extraction when allied and paid ``a``.

    Examples
    --------
    >>> float(extraction_allied(T=1.0, B=0.0, sigma=1.0, W=1.0, d=0.0, x=1.0, a=0.0))
    0.0
    """
    T = np.asarray(T, dtype=np.float64)
    return (
        (1.0 - np.asarray(sigma, dtype=np.float64)) * T
        + np.asarray(B, dtype=np.float64)
        + coalition_weight(W, rho, omega)
        * np.asarray(d, dtype=np.float64)
        * np.asarray(x, dtype=np.float64)
        - np.asarray(a, dtype=np.float64)
    )


def extraction_cost(E: ArrayLike, kappa: ArrayLike = 1.0, Y: ArrayLike = 1.0) -> FloatArray:
    """c(E) = max(E, 0)^2 / (2 kappa Y): the survival cost of extracting ``E``.

    Negative extraction (aid exceeding all needs) costs nothing and buys nothing extra.

    Examples
    --------
    >>> float(extraction_cost(1.0, kappa=2.0, Y=1.0)), float(extraction_cost(-1.0))
    (0.25, 0.0)
    """
    E = np.maximum(np.asarray(E, dtype=np.float64), 0.0)
    with np.errstate(over="ignore"):  # an astronomically large E costs +inf: the cap binds
        return E * E / (2.0 * np.asarray(kappa, dtype=np.float64) * np.asarray(Y, dtype=np.float64))


def leader_hazard(
    E: ArrayLike,
    kappa: ArrayLike = 1.0,
    Y: ArrayLike = 1.0,
    h0: ArrayLike = 0.05,
    eta: ArrayLike = 0.5,
    h_cap: ArrayLike = 0.95,
) -> FloatArray:
    """h_L = min(h0 + eta c(E), h_cap): the leader's per-period deposition hazard.

    Examples
    --------
    >>> float(leader_hazard(1.0, kappa=1.0, Y=1.0, h0=0.05, eta=0.5))
    0.3
    >>> float(leader_hazard(100.0))
    0.95
    """
    return np.minimum(
        np.asarray(h0, dtype=np.float64)
        + np.asarray(eta, dtype=np.float64) * extraction_cost(E, kappa, Y),
        np.asarray(h_cap, dtype=np.float64),
    )


def leader_shock_scale(
    W: ArrayLike, s_l_small: ArrayLike = 0.04, s_l_large: ArrayLike = 0.02
) -> FloatArray:
    """s_l(W) = s_l_small + (s_l_large - s_l_small) W: s.d. of the leader-change jump in d.

    Falls in ``W`` when ``s_l_large <= s_l_small`` (institutional constraints bind new
    leaders of large-coalition systems).

    Examples
    --------
    >>> [round(float(s), 3) for s in leader_shock_scale([0.0, 0.5, 1.0])]
    [0.04, 0.03, 0.02]
    """
    W = np.asarray(W, dtype=np.float64)
    lo = np.asarray(s_l_small, dtype=np.float64)
    return lo + (np.asarray(s_l_large, dtype=np.float64) - lo) * W


def stability_salience(rho: ArrayLike, h: ArrayLike, stability_effect: ArrayLike) -> FloatArray:
    """rho_eff = rho (1 + stability_effect h): regime instability shifting the price.

    The sign is a parameter (THEORY 2.5 step 5): ``stability_effect > 0`` makes concessions
    costlier for unstable regimes (their supporters must be bought more dearly, so the
    required payment rises with ``h``); ``< 0`` makes unstable leaders value resources more,
    so they accept less. With ``|stability_effect| <= 1`` and ``h < 1`` it stays positive.

    Examples
    --------
    >>> float(stability_salience(1.0, 0.5, -0.4))
    0.8
    """
    return np.asarray(rho, dtype=np.float64) * (
        1.0 + np.asarray(stability_effect, dtype=np.float64) * np.asarray(h, dtype=np.float64)
    )
