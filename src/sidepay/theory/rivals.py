"""Rival great powers, the incumbent's matching payment and realignment (THEORY 2.4).

L's gain from a contract with great power g, relative to standing alone, is
``sigma_g T - lambda d_g x_g + a = a - D_g``. The most a great power r can give L is its
whole surplus added to L's security-for-autonomy balance,

    G_r = v_r x_r - k_r sigma_r T - D_r          (max_offer)

Bertrand bidding: to keep L the incumbent g must give L at least ``G_r - psi`` (``psi``:
switching cost, the incumbent's edge), so it pays

    a_g = max(a_g^0, D_g + G_r - psi)             (incumbent_payment)

where ``a_g^0`` is its payment without competition (``a*_g`` for ``beta = 1``). If g no
longer wants the alliance even at L's required payment (``S_g < 0``), or ``a_g`` exceeds g's
maximum ``V_g = v_g x_g - k_g sigma_g T`` (equivalently ``G_r - psi > G_g``), the alliance
ends and L realigns to the rival with the largest ``G_r`` if that is positive, else it stays
non-aligned.

``psi`` is L's cost of leaving an incumbent that still offers the alliance. Where g has
walked away (``S_g < 0``) there is nothing to leave: L is free, as a non-aligned state
receiving formation offers is (THEORY 2.5 step 4), so it realigns whenever ``G_r > 0``.
The new patron pays the Bertrand price: the least payment at which L prefers it to every
other option, which includes ``psi`` when it lures L away from a viable incumbent.

Everything broadcasts; rivals lie along the last axis of the ``G_rivals`` argument.

Examples
--------
>>> c = resolve_competition(
...     D_g=0.1, V_g=0.3, G_rivals=[[0.1, 0.3]], psi=0.05, D_rivals=[[0.0, 0.1]]
... )
>>> int(c.status[0]), int(c.winner[0]), round(float(c.payment[0]), 3)
(1, 1, 0.35)

Rival 1 wins (``0.3 - psi > G_g = 0.2``) and pays ``D_r + G_g + psi = 0.1 + 0.2 + 0.05``:
L nets ``0.35 - D_r - psi = 0.2``, exactly the incumbent's best offer.
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
        non-aligned). The incumbent pays ``incumbent_payment``; a new patron r pays the
        least amount at which L prefers it to every other option: ``max(0, D_r + G_2)``
        with ``G_2 = max(G_g + psi, G_other)`` if the incumbent is viable (``S_g >= 0``: L
        must be paid its switching cost on top of the incumbent's best offer ``G_g``) and
        ``G_2 = max(0, G_other)`` if it is not, ``G_other`` the best other rival's offer.
        NaN where L realigns but ``D_rivals`` was not given.
    incumbent_required : the incumbent's matching payment ``a_g`` (kept or not).
    best_rival_offer : the largest ``G_r``.

    Examples
    --------
    >>> c = resolve_competition(D_g=[0.1, 0.1], V_g=0.3, G_rivals=[[0.2], [0.4]], psi=0.05)
    >>> [STATUS_NAMES[int(s)] for s in c.status], [round(float(a), 3) for a in c.incumbent_required]
    (['incumbent keeps', 'realignment'], [0.25, 0.45])
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
    a0 : the incumbent's payment without competition; default ``max(0, D_g)``. It is
        floored at ``max(0, D_g)``: a payment below the deficit is no contract.
    D_rivals : rivals' deficits ``D_r`` (same shape as ``G_rivals``), needed for the new
        patron's payment; without them that payment is NaN.

    Examples
    --------
    >>> c = resolve_competition(D_g=0.1, V_g=0.3, G_rivals=[[0.1, 0.2]], psi=0.05)
    >>> STATUS_NAMES[int(c.status[0])], round(float(c.payment[0]), 3)
    ('incumbent keeps', 0.25)
    >>> c = resolve_competition(D_g=0.5, V_g=0.3, G_rivals=[[-0.1, -0.2]])
    >>> STATUS_NAMES[int(c.status[0])], float(c.payment[0])
    ('non-aligned', 0.0)

    An incumbent that no longer wants the alliance (``S_g < 0``) frees L: it takes a
    rival offer below the switching cost.

    >>> c = resolve_competition(D_g=0.5, V_g=0.3, G_rivals=[[0.03]], psi=0.05, D_rivals=[[0.0]])
    >>> STATUS_NAMES[int(c.status[0])], float(c.payment[0])
    ('realignment', 0.0)
    """
    D = np.asarray(D_g, dtype=np.float64)
    V = np.asarray(V_g, dtype=np.float64)
    G = np.atleast_1d(np.asarray(G_rivals, dtype=np.float64))
    psi_arr = np.asarray(psi, dtype=np.float64)
    a_star = np.maximum(0.0, D)
    base = a_star if a0 is None else np.maximum(np.asarray(a0, dtype=np.float64), a_star)
    viable = a_star <= V  # S_g >= 0: g still wants the alliance at L's required payment
    best = G.max(axis=-1)
    winner = G.argmax(axis=-1)
    a_g = incumbent_payment(base, D, best, psi_arr)
    keeps = viable & (a_g <= V)
    realigns = ~keeps & (best > 0.0)
    status = np.where(keeps, INCUMBENT_KEEPS, np.where(realigns, REALIGNS, NONALIGNED)).astype(
        np.int8
    )
    # the new patron's Bertrand price: beat the best other rival, and either the viable
    # incumbent's best offer G_g = V - D plus L's switching cost, or standing alone
    n = G.shape[-1]
    if n > 1:
        others = np.where(np.arange(n) == winner[..., None], -np.inf, G).max(axis=-1)
    else:
        others = np.full(best.shape, -np.inf)
    second = np.where(viable, np.maximum(others, V - D + psi_arr), np.maximum(others, 0.0))
    if D_rivals is None:
        new_payment = np.full(best.shape, np.nan)
    else:
        D_new = np.take_along_axis(
            np.broadcast_to(np.asarray(D_rivals, dtype=np.float64), G.shape),
            winner[..., None],
            axis=-1,
        )[..., 0]
        new_payment = np.maximum(0.0, D_new + second)
    payment = np.where(keeps, a_g, np.where(realigns, new_payment, 0.0))
    return Competition(
        status=status,
        winner=np.where(realigns, winner, -1).astype(np.int64),
        payment=payment,
        incumbent_required=a_g,
        best_rival_offer=best,
    )
