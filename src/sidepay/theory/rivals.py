"""Rival great powers, the incumbent's matching payment and realignment (THEORY 2.4).

L's gain from a contract with great power g, relative to standing alone, is
``sigma_g T - lambda d_g x_g + a = a - D_g``. The most a great power r can give L is its
whole surplus added to L's security-for-autonomy balance,

    G_r = v_r x_r - k_r sigma_r T - D_r          (max_offer)

Bertrand bidding: to keep L the incumbent g must give L at least ``G_r - psi`` (``psi``:
switching cost, the incumbent's edge), so it pays

    a_g = max(a_g^0, D_g + G_r - psi)             (incumbent_payment)

where ``a_g^0`` is its payment without competition (``a*_g`` for ``beta = 1``). If
``a_g`` exceeds g's maximum ``V_g = v_g x_g - k_g sigma_g T`` (equivalently ``G_r - psi > G_g``
or ``S_g < 0``) the alliance ends and L realigns to the rival with the largest ``G_r`` if
that is positive, else it stays non-aligned.

Everything broadcasts; rivals lie along the last axis of the ``G_rivals`` argument.

Examples
--------
>>> c = resolve_competition(D_g=0.1, V_g=0.3, G_rivals=[[0.1, 0.3]], psi=0.05)
>>> int(c.status[0]), int(c.winner[0]), round(float(c.payment[0]), 3)
(1, 1, 0.2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sidepay.theory.formation import FloatArray, deficit, patron_max_payment

__all__ = [
    "INCUMBENT_KEEPS",
    "NONALIGNED",
    "REALIGNS",
    "STATUS_NAMES",
    "Competition",
    "incumbent_payment",
    "max_offer",
    "resolve_competition",
]

INCUMBENT_KEEPS: Final = 0
REALIGNS: Final = 1
NONALIGNED: Final = 2
STATUS_NAMES: Final[dict[int, str]] = {
    INCUMBENT_KEEPS: "incumbent keeps",
    REALIGNS: "realignment",
    NONALIGNED: "non-aligned",
}


def max_offer(
    v: ArrayLike,
    x: ArrayLike,
    k: ArrayLike,
    sigma: ArrayLike,
    T: ArrayLike,
    W: ArrayLike,
    d: ArrayLike,
    rho: ArrayLike = 1.0,
    omega: ArrayLike = 0.2,
) -> FloatArray:
    """G_r = v x - k sigma T + sigma T - lambda(W) d x: the most great power r can offer L.

    It is r's whole surplus from the alliance plus L's security-for-autonomy balance, i.e.
    L's gain over standing alone when r pays all it can. Payments are non-negative, so a
    great power whose value falls short of its protection cost (``v x - k sigma T < 0``)
    cannot offer anything: there ``G_r = -inf`` (it does not bid). The spec's formula
    omits this; the gambit parity test found it.

    Examples
    --------
    >>> float(max_offer(v=1.0, x=0.5, k=0.0, sigma=0.0, T=0.0, W=1.0, d=1.0, rho=1.0))
    0.0
    >>> round(float(max_offer(v=1.0, x=0.5, k=0.5, sigma=0.5, T=0.2, W=0.25, d=0.6)), 4)
    0.43
    >>> float(max_offer(v=0.0, x=0.5, k=1.0, sigma=1.0, T=0.5, W=0.5, d=0.0))
    -inf
    """
    V = patron_max_payment(v, x, k, sigma, T)
    return np.where(V >= 0.0, V - deficit(W, d, x, sigma, T, rho, omega), -np.inf)


def incumbent_payment(
    a0: ArrayLike, D_g: ArrayLike, G_rival: ArrayLike, psi: ArrayLike = 0.0
) -> FloatArray:
    """a_g = max(a0, D_g + G_r - psi): the incumbent's payment that keeps L from the best rival.

    ``a0`` is the incumbent's payment without competition (``a*_g = max(0, D_g)`` under
    ``beta = 1``). ``D_g + G_r - psi`` leaves L exactly ``G_r - psi``, the best rival offer
    net of the switching cost.

    Examples
    --------
    >>> round(float(incumbent_payment(a0=0.1, D_g=0.1, G_rival=0.3, psi=0.05)), 6)
    0.35
    >>> float(incumbent_payment(a0=0.1, D_g=0.1, G_rival=-0.5))
    0.1
    """
    return np.maximum(
        np.asarray(a0, dtype=np.float64),
        np.asarray(D_g, dtype=np.float64)
        + np.asarray(G_rival, dtype=np.float64)
        - np.asarray(psi, dtype=np.float64),
    )


@dataclass(frozen=True)
class Competition:
    """Outcome of the incumbent-versus-rivals bidding at each point.

    Attributes
    ----------
    status : int8, ``INCUMBENT_KEEPS`` (0), ``REALIGNS`` (1) or ``NONALIGNED`` (2).
    winner : int64, index of the rival L realigns to, -1 where it does not realign.
    payment : the side payment L receives from its patron after competition (0 if
        non-aligned). The incumbent pays ``incumbent_payment``; a new patron pays
        ``max(a*_r, D_r + G_second)``, the runner-up's offer (no switching cost: L has
        already switched), with ``G_second`` the best of the other bidders (the old
        incumbent included) and 0.
    incumbent_required : the incumbent's matching payment ``a_g`` (kept or not).
    best_rival_offer : the largest ``G_r``.
    """

    status: NDArray[np.int8]
    winner: NDArray[np.int64]
    payment: FloatArray
    incumbent_required: FloatArray
    best_rival_offer: FloatArray


def resolve_competition(
    D_g: ArrayLike,
    V_g: ArrayLike,
    G_rivals: ArrayLike,
    psi: ArrayLike = 0.0,
    a0: ArrayLike | None = None,
    D_rivals: ArrayLike | None = None,
) -> Competition:
    """Resolve Bertrand bidding between incumbent g and rivals (rivals on the last axis).

    Parameters
    ----------
    D_g, V_g : the incumbent's deficit and maximum ``v_g x_g - k_g sigma_g T``.
    G_rivals : rivals' maximum offers ``G_r`` (``max_offer``), shape ``(..., n_rivals)``.
    psi : switching cost.
    a0 : the incumbent's payment without competition; default ``max(0, D_g)``.
    D_rivals : rivals' deficits, used for the new patron's payment; default: the new
        patron pays exactly its runner-up's offer ``max(0, G_second)`` on top of ``D_r``
        taken as 0 (pass it for the exact payment).

    Examples
    --------
    >>> c = resolve_competition(D_g=0.1, V_g=0.3, G_rivals=[[0.1, 0.2]], psi=0.05)
    >>> STATUS_NAMES[int(c.status[0])], round(float(c.payment[0]), 3)
    ('incumbent keeps', 0.25)
    >>> c = resolve_competition(D_g=0.5, V_g=0.3, G_rivals=[[-0.1, -0.2]])
    >>> STATUS_NAMES[int(c.status[0])], float(c.payment[0])
    ('non-aligned', 0.0)
    """
    D = np.asarray(D_g, dtype=np.float64)
    V = np.asarray(V_g, dtype=np.float64)
    G = np.atleast_1d(np.asarray(G_rivals, dtype=np.float64))
    base = np.maximum(0.0, D) if a0 is None else np.asarray(a0, dtype=np.float64)
    best = G.max(axis=-1)
    winner = G.argmax(axis=-1)
    a_g = incumbent_payment(base, D, best, psi)
    keeps = a_g <= V
    realigns = ~keeps & (best > 0.0)
    status = np.where(keeps, INCUMBENT_KEEPS, np.where(realigns, REALIGNS, NONALIGNED)).astype(
        np.int8
    )
    # runner-up for the new patron: the best other rival, the old incumbent (G_g = V - D), 0
    n = G.shape[-1]
    if n > 1:
        others = np.where(np.arange(n) == winner[..., None], -np.inf, G).max(axis=-1)
    else:
        others = np.full(best.shape, -np.inf)
    G_incumbent = np.where(V >= 0.0, V - D, -np.inf)  # a patron with V < 0 does not bid
    second = np.maximum(np.maximum(others, G_incumbent), 0.0)
    if D_rivals is None:
        D_new = np.zeros_like(best)
    else:
        D_new = np.take_along_axis(
            np.broadcast_to(np.asarray(D_rivals, dtype=np.float64), G.shape),
            winner[..., None],
            axis=-1,
        )[..., 0]
    new_payment = np.maximum(np.maximum(0.0, D_new), D_new + second)
    payment = np.where(keeps, a_g, np.where(realigns, new_payment, 0.0))
    return Competition(
        status=status,
        winner=np.where(realigns, winner, -1).astype(np.int64),
        payment=payment,
        incumbent_required=a_g,
        best_rival_offer=best,
    )
