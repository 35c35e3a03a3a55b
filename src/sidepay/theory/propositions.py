"""Propositions P1-P8 of THEORY section 3, each computed as evidence for the report.

Every ``pN`` draws a seeded sample of parameter points (or a Monte Carlo sample of the
shocks of THEORY 2.5), evaluates the closed forms, and returns a
:class:`PropositionEvidence` with ``holds`` (the proposition's checks all pass on this
sample), the summary numbers and the arrays a figure needs. Same seed, same numbers.

The sampling box (``sample_points``) is the whole parameter space of THEORY 2.1 with the
unbounded parameters truncated: ``T, k, omega`` in [0, 1) and [0, 0.9], ``v`` in [0, 2],
``rho`` in [0.2, 2].

Examples
--------
>>> ev = p2(n=2_000, seed=3)
>>> ev.id, ev.holds
('P2', True)
>>> all(f().holds for f in (p1, p3, p4, p5, p8))
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np

from sidepay.theory.evidence import (
    TOL,
    PropositionEvidence,
    column,
    grid_points,
    sample_points,
    solve_at,
)
from sidepay.theory.formation import (
    BOUGHT_ALLIANCE,
    FloatArray,
    deficit,
)
from sidepay.theory.propositions_domestic import p6, p7, p8, shock_outcomes
from sidepay.theory.rivals import INCUMBENT_KEEPS, REALIGNS, max_offer, resolve_competition

__all__ = [
    "PROPOSITIONS",
    "PropositionEvidence",
    "p1",
    "p2",
    "p3",
    "p4",
    "p5",
    "p6",
    "p7",
    "p8",
    "sample_points",
    "shock_outcomes",
]


def p1(n: int = 20_000, seed: int = 1, grid: int = 21) -> PropositionEvidence:
    """P1: among formed alliances, the probability that a side payment is needed rises with d.

    Pointwise, the deficit ``D = lambda d x - sigma T`` rises in ``d`` (``lambda x >= 0``),
    so once a formed alliance needs a payment it needs one at every higher ``d`` at which it
    still forms; the share of formed alliances that are bought rises along the ``d`` grid.
    Fails if the sign of ``lambda d x`` in the deficit were flipped.

    Examples
    --------
    >>> ev = p1(n=2_000)
    >>> ev.holds, bool(ev.arrays["share_bought"][0] < ev.arrays["share_bought"][-1])
    (True, True)
    """
    pts = grid_points(sample_points(n, np.random.default_rng(seed)))
    d = np.linspace(0.0, 1.0, grid)
    eq = solve_at(pts, d=d[None, :])
    need = eq.deficit > 0.0
    both = eq.forms[:, :-1] & eq.forms[:, 1:]
    pointwise = not np.any(both & need[:, :-1] & ~need[:, 1:])
    formed = eq.forms.sum(axis=0)
    share = np.where(
        formed > 0, (eq.outcome == BOUGHT_ALLIANCE).sum(axis=0) / np.maximum(formed, 1), np.nan
    )
    rising = bool(np.all(np.diff(share) >= -TOL) and share[-1] > share[0])
    return PropositionEvidence(
        id="P1",
        holds=pointwise and rising,
        description="Among formed alliances, the probability that a side payment is needed rises with divergence d.",
        seed_claim="Interest divergence raises the likelihood that a great power uses side payments.",
        sign="+lambda(W) d x in the deficit D",
        summary={"share_bought_d0": float(share[0]), "share_bought_d1": float(share[-1])},
        arrays={"d": d, "share_bought": share, "share_formed": formed / n},
        checks={"pointwise_need_monotone": pointwise, "share_rises": rising},
    )


def _monotone_payment(
    name: str, values: FloatArray, n: int, seed: int, direction: int
) -> tuple[FloatArray, FloatArray, bool, bool]:
    pts = grid_points(sample_points(n, np.random.default_rng(seed)))
    eq = solve_at(pts, **{name: values[None, :]})
    a = eq.required_payment
    step = direction * np.diff(a, axis=1)
    weak = bool(np.all(step >= -TOL))
    positive = (eq.deficit[:, :-1] > 0) & (eq.deficit[:, 1:] > 0)
    if name == "W":
        positive &= pts["d"] > 0
    else:
        positive &= pts["sigma"] > 0
    strict = bool(np.all(step[positive] > 0))
    return values, a.mean(axis=0), weak, strict


def p2(n: int = 20_000, seed: int = 2, grid: int = 21) -> PropositionEvidence:
    """P2: the required side payment rises with coalition size W.

    ``da*/dW = rho (1 - omega) d x >= 0`` where ``D > 0``, strictly when ``d > 0``: small
    coalitions are cheaper to buy. Fails if the sign of ``(1 - omega) W`` in ``lambda(W)``
    were flipped.

    Examples
    --------
    >>> p2(n=1_000).checks
    {'weakly_rising': True, 'strictly_rising_where_paid': True}
    """
    W = np.linspace(0.01, 1.0, grid)
    W, mean_a, weak, strict = _monotone_payment("W", W, n, seed, +1)
    return PropositionEvidence(
        id="P2",
        holds=weak and strict,
        description="The required side payment rises with coalition size W (cheaper for small coalitions).",
        seed_claim="The side payment needed to compensate a concession is smaller for small-coalition leaders.",
        sign="+(1 - omega) W in lambda(W)",
        summary={
            "mean_required_payment_Wmin": float(mean_a[0]),
            "mean_required_payment_W1": float(mean_a[-1]),
        },
        arrays={"W": W, "mean_required_payment": mean_a},
        checks={"weakly_rising": weak, "strictly_rising_where_paid": strict},
    )


def p3(n: int = 20_000, seed: int = 3, grid: int = 21) -> PropositionEvidence:
    """P3: the required side payment falls with the common threat T.

    ``da*/dT = -sigma <= 0`` where ``D > 0``, strictly when ``sigma > 0``. Fails if the sign
    of ``sigma T`` in the deficit were flipped.

    Examples
    --------
    >>> p3(n=1_000).holds
    True
    """
    T = np.linspace(0.0, 1.0, grid)
    T, mean_a, weak, strict = _monotone_payment("T", T, n, seed, -1)
    return PropositionEvidence(
        id="P3",
        holds=weak and strict,
        description="The required side payment falls with the common threat T.",
        seed_claim="Without a common threat the security-autonomy trade-off leaves the weak state a deficit.",
        sign="-sigma T in the deficit D",
        summary={
            "mean_required_payment_T0": float(mean_a[0]),
            "mean_required_payment_T1": float(mean_a[-1]),
        },
        arrays={"T": T, "mean_required_payment": mean_a},
        checks={"weakly_falling": weak, "strictly_falling_where_paid": strict},
    )


def p4(n: int = 20_000, seed: int = 4, grid: int = 21) -> PropositionEvidence:
    """P4: rising d during an alliance brings termination or a larger payment, never a cut.

    The payment ``beta a* + (1 - beta) V`` is non-decreasing in ``a*``, which rises in
    ``d``; the alliance ends once ``a* > V``. Fails if the payment fell in ``a*`` (the sign
    of ``beta`` in the split) or the deficit fell in ``d``.

    Examples
    --------
    >>> ev = p4(n=1_000)
    >>> ev.holds, ev.summary["share_payment_cut"]
    (True, 0.0)
    """
    pts = grid_points(sample_points(n, np.random.default_rng(seed)))
    d = np.linspace(0.0, 1.0, grid)
    eq = solve_at(pts, d=d[None, :])
    start = eq.forms[:, :-1]
    ends = start & ~eq.forms[:, 1:]
    kept = start & eq.forms[:, 1:]
    delta = np.diff(eq.payment, axis=1)
    cut = kept & (delta < -TOL)
    raised = kept & (delta > TOL)
    paid = kept & (eq.deficit[:, 1:] > 0) & (pts["beta"] > 0)
    strict = bool(np.all(delta[paid & (eq.deficit[:, :-1] > 0)] > 0))
    steps = max(int(start.sum()), 1)
    return PropositionEvidence(
        id="P4",
        holds=(not cut.any()) and strict,
        description="Rising divergence during an alliance leads to termination or a larger payment, never to a lower payment with the alliance intact.",
        seed_claim="Rising divergence leads either to termination or to larger side payments.",
        sign="payment rises in the deficit (beta a* + (1 - beta) V with beta >= 0)",
        summary={
            "share_terminated": float(ends.sum() / steps),
            "share_payment_raised": float(raised.sum() / steps),
            "share_payment_cut": float(cut.sum() / steps),
        },
        arrays={
            "d": d,
            "share_allied": eq.forms.mean(axis=0),
            "mean_payment_allied": np.where(
                eq.forms.any(axis=0),
                (eq.payment * eq.forms).sum(axis=0) / np.maximum(eq.forms.sum(axis=0), 1),
                np.nan,
            ),
        },
        checks={
            "never_cut_while_allied": not bool(cut.any()),
            "strictly_raised_where_paid": strict,
        },
    )


def p5(n: int = 20_000, seed: int = 5, rivals: int = 3, psi: float = 0.05) -> PropositionEvidence:
    """P5: a rival offer G_r above the incumbent's maximum, net of psi, produces realignment.

    L realigns exactly when ``max_r G_r - psi > G_g`` and ``max_r G_r > 0``, or when the
    incumbent no longer wants the alliance (``S_g < 0``) and ``max_r G_r > 0``; otherwise a
    viable incumbent keeps L by matching, paying no more than its maximum. The new patron's
    price leaves L no better option and stays within the new patron's maximum. Fails if
    the switching cost entered with the other sign (``G_r + psi``).

    Examples
    --------
    >>> p5(n=1_000).holds
    True
    """
    rng = np.random.default_rng(seed)
    g = sample_points(n, rng)
    r = {k: v.reshape(n, rivals) for k, v in sample_points(n * rivals, rng).items()}
    eq_g = solve_at(g)
    V_g = eq_g.patron_surplus + eq_g.required_payment
    T, W, rho, omega = (column(g[k]) for k in ("T", "W", "rho", "omega"))
    G_r = max_offer(r["v"], r["x"], r["k"], r["sigma"], T, W, r["d"], rho, omega)
    D_r = deficit(W, r["d"], r["x"], r["sigma"], T, rho, omega)
    comp = resolve_competition(eq_g.deficit, V_g, G_r, psi, a0=eq_g.payment, D_rivals=D_r)
    G_g = V_g - eq_g.deficit
    best = G_r.max(axis=1)
    viable = eq_g.forms  # S_g >= 0
    outbid = (best - psi > G_g) & (best > 0)
    freed = ~viable & (best > 0)
    matched = viable & (best - psi <= G_g)
    realigned = comp.status == REALIGNS
    realign_when_outbid = bool(np.all(realigned[outbid | freed]))
    keep_when_matched = bool(np.all(comp.status[matched] == INCUMBENT_KEEPS))
    within_max = bool(np.all(comp.incumbent_required[matched] <= V_g[matched] + TOL))
    # the new patron's price: within its maximum, and L (net of psi if it leaves a viable
    # incumbent) does at least as well as with the incumbent's best offer, any other rival, or alone
    w = np.where(realigned, comp.winner, 0)
    rows = np.arange(n)
    V_w = (G_r + D_r)[rows, w]
    cost = np.where(viable, psi, 0.0)
    net = comp.payment - D_r[rows, w] - cost
    others = np.where(np.arange(rivals) == w[:, None], -np.inf, G_r).max(axis=1) - cost
    outside = np.maximum(np.maximum(others, 0.0), np.where(viable, G_g, -np.inf))
    price_ok = bool(
        np.all(comp.payment[realigned] <= V_w[realigned] + TOL)
        and np.all(net[realigned] >= outside[realigned] - TOL)
    )
    checks = {
        "realign_when_outbid": realign_when_outbid,
        "keep_when_matched": keep_when_matched,
        "match_within_incumbent_max": within_max,
        "new_patron_price_consistent": price_ok,
    }
    return PropositionEvidence(
        id="P5",
        holds=all(checks.values()),
        description="A rival's offer G_r above the incumbent's maximum, net of the switching cost psi, produces realignment.",
        seed_claim="A substitute great power offering more, at no higher cost, leads to realignment.",
        sign="-psi (the incumbent's edge) in the realignment condition",
        summary={
            "share_realigned": float(realigned.mean()),
            "share_outbid": float(outbid.mean()),
            "mean_payment_kept_with_rivals": float(comp.payment[matched].mean())
            if matched.any()
            else float("nan"),
            "mean_payment_kept_without_rivals": float(eq_g.payment[matched].mean())
            if matched.any()
            else float("nan"),
        },
        arrays={
            "margin": (best - psi - G_g),
            "realigned": realigned.astype(np.float64),
        },
        checks=checks,
    )


PROPOSITIONS: Final[dict[str, Callable[..., PropositionEvidence]]] = {
    "P1": p1, "P2": p2, "P3": p3, "P4": p4, "P5": p5, "P6": p6, "P7": p7, "P8": p8,
}  # fmt: skip
