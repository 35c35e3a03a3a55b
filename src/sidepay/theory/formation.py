"""Alliance formation between one great power g and one small state i (THEORY 2.2-2.3).

Every function broadcasts over numpy arrays of parameter points: pass scalars or arrays of
any mutually broadcastable shapes. No I/O, no data frames.

Symbols: ``W`` coalition size, ``d`` divergence, ``x`` concession package, ``sigma`` share
of the threat the patron's protection absorbs, ``T`` threat, ``v`` the patron's value of a
full concession, ``k`` the patron's cost per unit of protected threat, ``rho`` the salience
of concessions, ``omega`` the floor of the coalition-size effect, ``beta`` the patron's
bargaining weight.

Examples
--------
>>> eq = solve_formation(W=0.25, d=0.6, x=0.5, sigma=0.5, T=0.1, v=1.0, k=0.5)
>>> OUTCOME_NAMES[int(eq.outcome)], round(float(eq.payment), 4)
('bought alliance', 0.07)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

NO_ALLIANCE: Final = 0
PURE_TRADE: Final = 1
BOUGHT_ALLIANCE: Final = 2
OUTCOME_NAMES: Final[dict[int, str]] = {
    NO_ALLIANCE: "no alliance",
    PURE_TRADE: "pure trade",
    BOUGHT_ALLIANCE: "bought alliance",
}


def coalition_weight(W: ArrayLike, rho: ArrayLike = 1.0, omega: ArrayLike = 0.2) -> FloatArray:
    """lambda(W) = rho * (omega + (1 - omega) W): the cost to the leader of a unit of concession.

    Rises in ``W``: a large-coalition leader must compensate many supporters for the
    public bad of a concession, a small-coalition leader few.

    Examples
    --------
    >>> float(coalition_weight(1.0, rho=2.0, omega=0.3))
    2.0
    >>> float(coalition_weight(0.0, rho=1.0, omega=0.3))
    0.3
    """
    W = np.asarray(W, dtype=np.float64)
    omega = np.asarray(omega, dtype=np.float64)
    return np.asarray(rho, dtype=np.float64) * (omega + (1.0 - omega) * W)


def deficit(
    W: ArrayLike,
    d: ArrayLike,
    x: ArrayLike,
    sigma: ArrayLike,
    T: ArrayLike,
    rho: ArrayLike = 1.0,
    omega: ArrayLike = 0.2,
) -> FloatArray:
    """The leader's deficit D_g = lambda(W) d x - sigma T from allying with g.

    Positive: the alliance costs the leader more in compensating concessions than it saves
    in security spending, so a side payment of at least ``D_g`` is needed.

    Examples
    --------
    >>> float(deficit(W=1.0, d=0.5, x=1.0, sigma=0.0, T=0.0, rho=1.0, omega=0.0))
    0.5
    >>> float(deficit(W=1.0, d=0.0, x=1.0, sigma=1.0, T=0.3))
    -0.3
    """
    lam = coalition_weight(W, rho, omega)
    return lam * np.asarray(d, dtype=np.float64) * np.asarray(x, dtype=np.float64) - np.asarray(
        sigma, dtype=np.float64
    ) * np.asarray(T, dtype=np.float64)


def required_side_payment(
    W: ArrayLike,
    d: ArrayLike,
    x: ArrayLike,
    sigma: ArrayLike,
    T: ArrayLike,
    rho: ArrayLike = 1.0,
    omega: ArrayLike = 0.2,
) -> FloatArray:
    """a* = max(0, D_g): the least side payment the leader accepts.

    Examples
    --------
    >>> float(required_side_payment(W=0.5, d=0.0, x=1.0, sigma=0.5, T=1.0))
    0.0
    """
    return np.maximum(0.0, deficit(W, d, x, sigma, T, rho, omega))


def patron_max_payment(
    v: ArrayLike, x: ArrayLike, k: ArrayLike, sigma: ArrayLike, T: ArrayLike
) -> FloatArray:
    """v x - k sigma T: the most g would pay for the alliance (its value net of protection cost).

    Examples
    --------
    >>> float(patron_max_payment(v=1.0, x=0.5, k=1.0, sigma=0.5, T=0.2))
    0.4
    """
    return np.asarray(v, dtype=np.float64) * np.asarray(x, dtype=np.float64) - np.asarray(
        k, dtype=np.float64
    ) * np.asarray(sigma, dtype=np.float64) * np.asarray(T, dtype=np.float64)


@dataclass(frozen=True)
class Formation:
    """The formation equilibrium at each parameter point (arrays of one broadcast shape).

    Attributes
    ----------
    outcome : int8 array, ``NO_ALLIANCE`` (0), ``PURE_TRADE`` (1) or ``BOUGHT_ALLIANCE`` (2).
    forms : bool array, the alliance forms.
    deficit : D_g.
    required_payment : a* = max(0, D_g).
    patron_surplus : S_g = v x - k sigma T - a* (g's surplus at the required payment).
    payment : the side payment actually paid, a* + (1 - beta) S_g where the alliance forms,
        else 0.
    patron_payoff : g's payoff v x - k sigma T - payment where it forms, else 0.
    leader_gain : the leader's gain relative to standing alone, payment - D_g where it
        forms, else 0 (equals the fall in extraction E0 - E1).
    """

    outcome: NDArray[np.int8]
    forms: NDArray[np.bool_]
    deficit: FloatArray
    required_payment: FloatArray
    patron_surplus: FloatArray
    payment: FloatArray
    patron_payoff: FloatArray
    leader_gain: FloatArray


def solve_formation(
    W: ArrayLike,
    d: ArrayLike,
    x: ArrayLike,
    sigma: ArrayLike,
    T: ArrayLike,
    v: ArrayLike,
    k: ArrayLike,
    beta: ArrayLike = 1.0,
    rho: ArrayLike = 1.0,
    omega: ArrayLike = 0.2,
) -> Formation:
    """Solve the offer-and-accept game in closed form at every parameter point.

    g offers iff its surplus at the leader's required payment is non-negative; the leader
    accepts iff the payment covers the deficit. With bargaining weight ``beta`` the leader
    receives ``a* + (1 - beta) S_g``.

    Examples
    --------
    >>> eq = solve_formation(W=[0.1, 0.9], d=0.8, x=1.0, sigma=0.2, T=0.1, v=0.5, k=0.1)
    >>> [OUTCOME_NAMES[int(o)] for o in eq.outcome]
    ['bought alliance', 'no alliance']
    >>> eq = solve_formation(W=0.5, d=0.0, x=1.0, sigma=0.5, T=0.4, v=0.2, k=0.1)
    >>> OUTCOME_NAMES[int(eq.outcome)], float(eq.payment)
    ('pure trade', 0.0)
    """
    D = deficit(W, d, x, sigma, T, rho, omega)
    a_star = np.maximum(0.0, D)
    value = patron_max_payment(v, x, k, sigma, T)
    S = value - a_star
    forms = S >= 0.0
    outcome = np.where(forms, np.where(D > 0.0, BOUGHT_ALLIANCE, PURE_TRADE), NO_ALLIANCE).astype(
        np.int8
    )
    beta_arr = np.asarray(beta, dtype=np.float64)
    payment = np.where(forms, a_star + (1.0 - beta_arr) * S, 0.0)
    return Formation(
        outcome=outcome,
        forms=np.asarray(forms),
        deficit=D,
        required_payment=a_star,
        patron_surplus=S,
        payment=payment,
        patron_payoff=np.where(forms, value - payment, 0.0),
        leader_gain=np.where(forms, payment - D, 0.0),
    )
