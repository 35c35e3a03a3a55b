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

from sidepay.errors import InputError

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

    Examples
    --------
    >>> eq = solve_formation(W=0.25, d=0.6, x=0.5, sigma=0.5, T=0.1, v=1.0, k=0.5, beta=0.5)
    >>> round(float(eq.payment), 4), round(float(eq.patron_payoff + eq.leader_gain), 4)
    (0.2725, 0.405)
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


def _as_flat(a: ArrayLike, n: int, name: str) -> FloatArray:
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 0:
        return np.broadcast_to(arr, (n,))
    if arr.shape != (n,):
        raise InputError(
            f"{name} must be a scalar or a 1-d array of length {n}; got shape {arr.shape}"
        )
    return arr


def solve_formation_chunked(
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
    *,
    chunk: int = 16_384,
    out: Formation | None = None,
) -> Formation:
    """``solve_formation`` for many 1-d parameter points, chunked with preallocated outputs.

    Same results as :func:`solve_formation` (bit for bit), but every temporary lives in a
    small cache-resident scratch buffer of ``chunk`` points, so memory beyond the outputs is
    O(chunk) and the solve runs near memory bandwidth. Arguments are scalars or 1-d arrays
    of one common length; ``out`` may pass preallocated result arrays of that length.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> W, d = rng.uniform(0.01, 1, 1000), rng.uniform(0, 1, 1000)
    >>> a = solve_formation_chunked(W, d, 0.5, 0.5, 0.1, 1.0, 0.5, 0.7, chunk=64)
    >>> b = solve_formation(W, d, 0.5, 0.5, 0.1, 1.0, 0.5, 0.7)
    >>> bool(np.array_equal(a.payment, b.payment) and np.array_equal(a.outcome, b.outcome))
    True
    """
    sizes = [np.size(a) for a in (W, d, x, sigma, T, v, k, beta, rho, omega) if np.ndim(a) > 0]
    n = max(sizes, default=1)
    args = [
        _as_flat(a, n, nm)
        for a, nm in zip(
            (W, d, x, sigma, T, v, k, beta, rho, omega),
            ("W", "d", "x", "sigma", "T", "v", "k", "beta", "rho", "omega"),
            strict=True,
        )
    ]
    if out is None:
        out = Formation(
            outcome=np.empty(n, np.int8),
            forms=np.empty(n, np.bool_),
            deficit=np.empty(n),
            required_payment=np.empty(n),
            patron_surplus=np.empty(n),
            payment=np.empty(n),
            patron_payoff=np.empty(n),
            leader_gain=np.empty(n),
        )
    c = max(1, min(int(chunk), n))
    t1, t2, t3 = np.empty(c), np.empty(c), np.empty(c)
    pos, bought, nf = np.empty(c, np.bool_), np.empty(c, np.int8), np.empty(c, np.bool_)
    for lo in range(0, n, c):
        hi = min(lo + c, n)
        m = hi - lo
        Wc, dc, xc, sc, Tc, vc, kc, bc, rc, oc = (a[lo:hi] for a in args)
        a1, a2, a3, p1, o1, nfc = t1[:m], t2[:m], t3[:m], pos[:m], bought[:m], nf[:m]
        D = out.deficit[lo:hi]
        a_star = out.required_payment[lo:hi]
        S = out.patron_surplus[lo:hi]
        pay = out.payment[lo:hi]
        forms = out.forms[lo:hi]
        # lambda(W) d x - sigma T, in the same operation order as ``deficit``
        np.subtract(1.0, oc, out=a1)
        np.multiply(a1, Wc, out=a1)
        np.add(oc, a1, out=a1)
        np.multiply(rc, a1, out=a1)
        np.multiply(a1, dc, out=a1)
        np.multiply(a1, xc, out=a1)
        np.multiply(sc, Tc, out=a2)
        np.subtract(a1, a2, out=D)
        np.maximum(0.0, D, out=a_star)
        # V = v x - k sigma T, as ``patron_max_payment``
        np.multiply(vc, xc, out=a1)
        np.multiply(kc, sc, out=a3)
        np.multiply(a3, Tc, out=a3)
        np.subtract(a1, a3, out=a1)
        np.subtract(a1, a_star, out=S)
        np.greater_equal(S, 0.0, out=forms)
        np.logical_not(forms, out=nfc)
        np.greater(D, 0.0, out=p1)
        np.add(p1, 1, out=o1, casting="unsafe")
        np.multiply(o1, forms, out=out.outcome[lo:hi], casting="unsafe")
        # payment a* + (1 - beta) S where it forms
        np.subtract(1.0, bc, out=a2)
        np.multiply(a2, S, out=a2)
        np.add(a_star, a2, out=a2)
        np.copyto(pay, a2)
        np.copyto(pay, 0.0, where=nfc)  # not a multiply by forms: keeps +0.0 and inf out
        np.subtract(a1, pay, out=out.patron_payoff[lo:hi])
        np.copyto(out.patron_payoff[lo:hi], 0.0, where=nfc)
        np.subtract(pay, D, out=out.leader_gain[lo:hi])
        np.copyto(out.leader_gain[lo:hi], 0.0, where=nfc)
    return out
