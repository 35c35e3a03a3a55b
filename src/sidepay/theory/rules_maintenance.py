"""The bargaining and renegotiation rules of THEORY 2.5 (step 4), as plain scalar functions.

The companion of :mod:`sidepay.theory.rules` (primitives, drift, the leader's extraction
and hazard, regime and leader change): the same conventions hold here. Each rule is
written with operations that mean the same on a Python float and on a numpy array, uses
the four primitives of :mod:`sidepay.theory.rules` for what differs between them, and
reads parameters from one bundle ``p`` by attribute. The vectorized
``sidepay.theory.dynamics.step`` calls them on arrays, the kernel
``sidepay.sim.kernel.run_periods`` compiles them (numba), the per-dyad test oracle calls
them on floats. No numba, no I/O here.

Examples
--------
>>> V = patron_value(0.5, 0.5, 0.1)
>>> S = patron_surplus(V, required_payment(0.2))
>>> round(float(V), 3), round(float(S), 3), round(float(best_offer(V, 0.2, S)), 3)
(0.15, -0.05, -inf)
"""

from __future__ import annotations

from sidepay.theory.params import ModelParams
from sidepay.theory.rules import NEG_INF, Flag, Real, larger, select, smaller

__all__ = [
    "best_offer",
    "entrant_payment",
    "keeps_alliance",
    "kept_payment",
    "lured",
    "offered",
    "patron_surplus",
    "patron_value",
    "required_payment",
    "retention_payment",
    "takes_offer",
]


# ---------------------------------------------------- 4. bargaining and renegotiation
def required_payment(D: Real) -> Real:
    """a* = max(D, 0): the leader's required side payment.

    Examples
    --------
    >>> float(required_payment(0.2))
    0.2
    """
    return larger(D, 0.0)


def patron_value(v: Real, x: Real, kST: Real) -> Real:
    """V = v x - k sigma T: the most the patron would pay for the alliance.

    Examples
    --------
    >>> float(patron_value(1.0, 0.5, 0.1))
    0.4
    """
    return v * x - kST


def patron_surplus(V: Real, a_star: Real) -> Real:
    """S = V - a*: the patron's surplus at the required payment.

    Examples
    --------
    >>> float(patron_surplus(0.4, 0.1))
    0.30000000000000004
    """
    return V - a_star


def best_offer(V: Real, D: Real, S: Real) -> Real:
    """G = V - D, the patron's best offer to the leader; none (-inf) if it cannot afford
    the alliance (S < 0).

    Examples
    --------
    >>> float(best_offer(0.4, 0.1, -0.01))
    -inf
    """
    return select(S >= 0.0, V - D, NEG_INF)


def retention_payment(
    a_star: Real, S: Real, D: Real, G_rival: Real, beta: Real, p: ModelParams
) -> Real:
    """a = max(a* + (1 - beta) S, D + G_rival - psi): what keeps the leader from the best
    rival (``sidepay.theory.rivals.incumbent_payment`` on the bargaining payment).

    Examples
    --------
    >>> round(float(retention_payment(0.1, 0.2, 0.1, 0.3, 1.0, ModelParams(psi=0.05))), 6)
    0.35
    """
    return larger((1.0 - beta) * S + a_star, D + G_rival - p.psi)


def keeps_alliance(allied: Flag, S: Real, need: Real, V: Real) -> Flag:
    """The incumbent keeps the alliance: it still wants it and can pay what keeps L.

    Examples
    --------
    >>> bool(keeps_alliance(True, 0.1, 0.3, 0.4))
    True
    """
    return allied & (S >= 0.0) & (need <= V)


def kept_payment(
    pay: Real, need: Real, need_prev: Real, renew: Flag, V: Real, p: ModelParams
) -> Real:
    """The payment of a kept alliance: raised to ``need`` if the requirement rose, else
    lowered by ``1 - stickiness`` of the gap; renegotiated afresh (``need``) with a new
    leader; never above the patron's maximum ``V``.

    Examples
    --------
    >>> float(kept_payment(0.3, 0.1, 0.2, False, 1.0, ModelParams(stickiness=0.5)))
    0.2
    """
    fall = pay - (1.0 - p.stickiness) * (pay - need)
    kept = select(need >= need_prev, larger(pay, need), fall)
    return smaller(select(renew, need, kept), V)


def lured(term: Flag, S_incumbent: Real) -> Flag:
    """A terminated alliance whose patron still wanted it: leaving costs L ``psi``.

    Examples
    --------
    >>> bool(lured(True, 0.0))
    True
    """
    return term & (S_incumbent >= 0.0)


def offered(u: Real, offer_rate: Real) -> Flag:
    """A non-aligned state receives formation offers this period.

    Examples
    --------
    >>> bool(offered(0.1, 0.25))
    True
    """
    return u < offer_rate


def takes_offer(term: Flag, nonaligned: Flag, offer: Flag, best_G: Real) -> Flag:
    """A new alliance: realignment after a termination (best offer > 0) or a formation
    offer to a non-aligned state (any offer).

    Examples
    --------
    >>> bool(takes_offer(False, True, True, 0.0)), bool(takes_offer(True, False, False, 0.0))
    (True, False)
    """
    return (term & (best_G > 0.0)) | (nonaligned & offer & (best_G > NEG_INF))


def entrant_payment(
    a_star: Real,
    V: Real,
    D: Real,
    G_rival: Real,
    lure: Flag,
    G_incumbent: Real,
    beta: Real,
    p: ModelParams,
) -> Real:
    """The new patron's payment: its bargaining payment ``a* + (1 - beta) (V - a*)`` or
    the Bertrand price ``D + max(G_rival, G_incumbent + psi if lured)``, whichever is
    higher, never above ``V`` (``sidepay.theory.rivals.resolve_competition``).

    Examples
    --------
    >>> p = ModelParams(psi=0.05)
    >>> round(float(entrant_payment(0.06, 0.5, 0.06, 0.24, True, 0.24, 1.0, p)), 6)
    0.35
    """
    first = a_star + (1.0 - beta) * (V - a_star)
    second = select(lure, larger(G_rival, G_incumbent + p.psi), G_rival)
    return smaller(larger(first, second + D), V)
