"""The search of the simulated-moments estimator: Levenberg-Marquardt on common random
numbers, polished restarts and seeded multi-start (used by :func:`sidepay.estimate.smm.fit_maintenance`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sidepay.estimate.formation import EstimationError

#: Finite-difference step as a share of the scale.
JAC_STEP = 0.5

#: Restarts of Levenberg-Marquardt from its own end point (see ``polished``).
POLISH = 3
#: Extra starts are drawn within this many scales (``SCALES``) of the start values.
START_SPREAD = 5.0


class NotConvergedError(EstimationError):
    """The simulated-moments estimator did not converge (never a silent number); an
    :class:`~sidepay.estimate.formation.EstimationError`, so one ``except`` catches the
    failures of both stages."""


# ---------------------------------------------------------------- the estimator
@dataclass
class MomentProblem:
    names: list[str]
    lo: NDArray[np.float64]
    hi: NDArray[np.float64]
    scale: NDArray[np.float64]
    evaluate: Callable[[list[NDArray[np.float64]]], list[NDArray[np.float64]]]
    m_data: NDArray[np.float64]
    W: NDArray[np.float64]
    keep: NDArray[np.bool_]
    n_evals: int = 0

    def objective(self, m_sim: NDArray[np.float64]) -> float:
        r = (self.m_data - m_sim)[self.keep]
        if not np.isfinite(r).all():
            return math.inf
        return float(r @ self.W @ r)

    def clip(self, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.minimum(np.maximum(theta, self.lo), self.hi)

    def steps(self, theta: NDArray[np.float64], central: bool) -> list[NDArray[np.float64]]:
        """Finite-difference points: +h (or -h near the upper bound), and -h if central."""
        pts = []
        for j in range(len(theta)):
            h = JAC_STEP * self.scale[j]
            up = theta.copy()
            if central:  # theta +- h, shortened on the side of a bound
                up[j] = min(theta[j] + h, self.hi[j])
                dn = theta.copy()
                dn[j] = max(theta[j] - h, self.lo[j])
                pts += [up, dn]
            else:
                up[j] = theta[j] + h if theta[j] + h <= self.hi[j] else theta[j] - h
                pts.append(up)
        return pts

    def jacobian(
        self, theta: NDArray[np.float64], pts: list[NDArray[np.float64]],
        values: list[NDArray[np.float64]], m0: NDArray[np.float64], central: bool,
    ) -> NDArray[np.float64]:  # fmt: skip
        J = np.empty((len(m0), len(theta)))
        per = 2 if central else 1
        for j in range(len(theta)):
            a, ma = pts[per * j], values[per * j]
            if central:
                b, mb = pts[per * j + 1], values[per * j + 1]
            else:
                b, mb = theta, m0
            J[:, j] = (ma - mb) / (a[j] - b[j])
        return J


def levenberg_marquardt(
    prob: MomentProblem, theta0: NDArray[np.float64], max_iter: int, tol: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    """Levenberg-Marquardt on the SMM objective; each iteration's points (Jacobian, then
    several damped steps) are evaluated as one batch. Returns (theta, m_sim, iterations)."""
    theta = prob.clip(theta0)
    (m,) = prob.evaluate([theta])
    f = prob.objective(m)
    if not math.isfinite(f):
        raise NotConvergedError(
            "fit_maintenance: the simulated moments are undefined at the start values "
            "(no simulated event of some kind); raise reps= or change start="
        )
    lam = 1e-2
    keep = prob.keep
    for it in range(1, max_iter + 1):
        pts = prob.steps(theta, central=False)
        J = prob.jacobian(theta, pts, prob.evaluate(pts), m, central=False)
        Js = (J * prob.scale)[keep]  # in units of the scales
        r = (prob.m_data - m)[keep]
        H = Js.T @ prob.W @ Js
        g = Js.T @ prob.W @ r
        dH = np.diag(np.diag(H)) + 1e-12 * np.eye(len(theta))
        lams = [lam / 10, lam, lam * 10]
        trials, deltas = [], []
        for lm in lams:
            try:
                step = np.linalg.solve(H + lm * dH, g)
            except np.linalg.LinAlgError:
                step = np.linalg.lstsq(H + lm * dH, g, rcond=None)[0]
            deltas.append(step)
            trials.append(prob.clip(theta + step * prob.scale))
        values = prob.evaluate(trials)
        objs = [prob.objective(v) for v in values]
        best = int(np.argmin(objs))
        moved = np.abs(trials[best] - theta) / prob.scale
        if objs[best] < f:
            f_old = f
            theta, m, f = trials[best], values[best], objs[best]
            lam = max(lams[best] / 3, 1e-6)
            if moved.max() < tol or (f_old - f) <= 1e-10 * (1 + f_old):
                return theta, m, it
        else:
            # no damped step lowers the objective: at a (piecewise-flat) minimum when even
            # the undamped step is below tolerance, else damp harder and retry
            small = np.abs(deltas[-1]).max() < tol or moved.max() < tol
            if small:
                return theta, m, it
            lam *= 100
            if lam > 1e10:
                return theta, m, it
    raise NotConvergedError(
        f"fit_maintenance did not converge in max_iter={max_iter} iterations "
        f"(objective {f:.4g}); raise max_iter= or reps="
    )


def polished(
    prob: MomentProblem, theta0: NDArray[np.float64], max_iter: int, tol: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    """Levenberg-Marquardt restarted (fresh damping) from its own end point until a restart
    no longer lowers the objective (at most ``POLISH`` restarts): with common random
    numbers the objective is piecewise flat, and one run may stop on a ledge short of the
    minimum (the recovery study found estimates moving with the start by a third of their
    standard error without it)."""
    theta, m, n_iter = levenberg_marquardt(prob, theta0, max_iter, tol)
    f = prob.objective(m)
    for _ in range(POLISH):
        t2, m2, k = levenberg_marquardt(prob, theta, max_iter, tol)
        n_iter += k
        f2 = prob.objective(m2)
        if not f2 < f - 1e-9 * (1 + f):
            break
        theta, m, f = t2, m2, f2
    return theta, m, n_iter


def multistart(
    prob: MomentProblem, theta0: NDArray[np.float64], starts: int, seed: int, max_iter: int,
    tol: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], int, list[float]]:  # fmt: skip
    """The best of ``starts`` polished runs: the first from ``theta0``, the others from
    points drawn uniformly within ``START_SPREAD`` scales of it (clipped to the bounds) by
    the stream ``SeedSequence([seed, 2])``. Returns (theta, m_sim, iterations, objective
    reached from each start). A start whose simulated moments are undefined counts as inf."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    points = [theta0] + [
        prob.clip(theta0 + rng.uniform(-START_SPREAD, START_SPREAD, len(theta0)) * prob.scale)
        for _ in range(starts - 1)
    ]
    best: tuple[NDArray[np.float64], NDArray[np.float64], float] | None = None
    objs: list[float] = []
    n_iter = 0
    error: NotConvergedError | None = None
    for point in points:
        try:
            theta, m, k = polished(prob, point, max_iter, tol)
        except NotConvergedError as exc:
            objs.append(math.inf)
            error = error or exc
            continue
        n_iter += k
        f = prob.objective(m)
        objs.append(f)
        if best is None or f < best[2]:
            best = (theta, m, f)
    if best is None:
        assert error is not None
        raise error
    return best[0], best[1], n_iter, objs


def n_at_best(objs: Sequence[float]) -> int:
    """How many starts reached the best objective (within 0.1% of it, plus 1e-6)."""
    f = min(objs)
    return sum(1 for o in objs if o <= f + 1e-3 * abs(f) + 1e-6)
