"""Cox models with time-varying covariates: start-stop rows, Efron ties, clustered errors.

The Efron partial likelihood is maximised by Newton-Raphson with step halving, as
``survival::coxph`` does; the robust (Lin-Wei) variance sums Efron score residuals by
cluster, as ``coxph(..., cluster = g)``. Both agree with R to 1e-6 (tests/analysis/test_r_parity.py).
lifelines' ``CoxTimeVaryingFitter`` is not used: it diverges on the simulated panels where
coxph converges, and has no robust variance for time-varying fits (docs/hypotheses.md).

Examples
--------
>>> import numpy as np, pandas as pd
>>> df = pd.DataFrame({"start": 0.0, "stop": [1.0, 2, 3, 4, 5, 6], "e": [1, 1, 0, 1, 0, 1],
...     "x": [2.0, 0.1, 0.2, 1.0, 1.5, 0.3]})
>>> fit_cox(df, "e", ["x"]).estimator
'cox'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sidepay.analysis.estimators import (
    _check_events,
    _check_separation,
    _check_varies,
    _complete_cases,
    _rhs,
    flag_not_identified,
)
from sidepay.analysis.model_fit import EstimationProblem, ModelFit


def monotone_covariates(
    X: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    event: np.ndarray,
    strata: np.ndarray,
    names: list[str],
) -> list[str]:
    """Covariates whose Cox coefficient is not identified (monotone partial likelihood).

    If at every event time the dying rows hold the smallest value of a covariate in their
    risk set (or at every event time the largest), and the covariate varies in some risk
    set, the partial likelihood keeps rising as that coefficient goes to minus (plus)
    infinity: the estimate is not finite. The simplest case is a covariate that is zero at
    every event and positive elsewhere. R's ``coxph`` then warns "Loglik converged before
    variable ...; coefficient may be infinite".

    Examples
    --------
    >>> x = np.array([[0.0], [0.0], [1.0], [2.0]])
    >>> monotone_covariates(x, np.zeros(4), np.array([1.0, 2, 3, 4]),
    ...     np.array([True, True, False, False]), np.zeros(4, int), ["threat"])
    ['threat']
    """
    p = X.shape[1]
    at_min, at_max, varies = np.ones(p, bool), np.ones(p, bool), np.zeros(p, bool)
    for code in np.unique(strata):
        g = strata == code
        xs, st, sp, ev = X[g], start[g], stop[g], event[g]
        for t in np.unique(sp[ev]):
            risk = (st < t) & (sp >= t)
            dead = risk & ev & (sp == t)
            lo, hi = xs[risk].min(axis=0), xs[risk].max(axis=0)
            xd = xs[dead]
            at_min &= (xd <= lo + 1e-12 * (1 + abs(lo))).all(axis=0)
            at_max &= (xd >= hi - 1e-12 * (1 + abs(hi))).all(axis=0)
            varies |= hi > lo
    return [n for n, flag in zip(names, varies & (at_min | at_max), strict=True) if flag]


def _efron_terms(
    beta: np.ndarray, X: np.ndarray, start: np.ndarray, stop: np.ndarray, event: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Efron log partial likelihood, score and information of one stratum (start-stop rows).

    The risk set at an event time t holds the rows with start < t <= stop; it is formed
    directly for each distinct event time (no running sums, so no cancellation).
    """
    p = X.shape[1]
    eta = X @ beta
    w = np.exp(eta - eta.max())  # a common factor cancels in every ratio below
    ll, score, info = 0.0, np.zeros(p), np.zeros((p, p))
    shift = float(eta.max())
    for t in np.unique(stop[event]):
        risk = (start < t) & (stop >= t)
        dead = risk & event & (stop == t)
        d = int(dead.sum())
        xr, wr = X[risk], w[risk]
        xd, wd = X[dead], w[dead]
        s0r, s1r, s2r = wr.sum(), wr @ xr, (xr * wr[:, None]).T @ xr
        s0d, s1d, s2d = wd.sum(), wd @ xd, (xd * wd[:, None]).T @ xd
        ll += float(eta[dead].sum())
        score += xd.sum(axis=0)
        # Efron's correction for the d tied deaths, all j = 0..d-1 at once
        f = np.arange(d) / d
        s0 = s0r - f * s0d  # (d,)
        s1 = s1r[None, :] - f[:, None] * s1d[None, :]  # (d, p)
        ll -= float(np.log(s0).sum()) + d * shift
        score -= (s1 / s0[:, None]).sum(axis=0)
        inv = 1.0 / s0
        info += inv.sum() * s2r - (f * inv).sum() * s2d
        info -= (s1 * (inv**2)[:, None]).T @ s1
    return ll, score, info


def _efron_score_residuals(
    beta: np.ndarray, X: np.ndarray, start: np.ndarray, stop: np.ndarray, event: np.ndarray
) -> np.ndarray:
    """Per-row score residuals of one stratum (Efron ties), summing to the score.

    Row i at risk at event time t contributes ``-c_ij w_i (x_i - xbar_j) / S0_j`` for each
    of the d tied deaths j (``c_ij = 1``, or ``1 - j/d`` if i dies at t); a death adds
    ``x_i - mean_j xbar_j``. As ``survival::residuals(type="score")``.
    """
    eta = X @ beta
    w = np.exp(eta - eta.max())
    U = np.zeros_like(X)
    for t in np.unique(stop[event]):
        risk = (start < t) & (stop >= t)
        dead = risk & event & (stop == t)
        d = int(dead.sum())
        idx_r = np.flatnonzero(risk)
        is_dead = dead[idx_r]
        xr, wr = X[idx_r], w[idx_r]
        s0r, s1r = wr.sum(), wr @ xr
        s0d, s1d = wr[is_dead].sum(), wr[is_dead] @ xr[is_dead]
        # sum over the d tied deaths j of c_ij w_i (x_i - xbar_j) / S0_j, with c_ij = 1
        # for survivors and 1 - j/d for the dying, in closed form over j
        f = np.arange(d) / d
        s0 = s0r - f * s0d  # (d,)
        xbar = (s1r[None, :] - f[:, None] * s1d[None, :]) / s0[:, None]  # (d, p)
        a_live, b_live = (1.0 / s0).sum(), (xbar / s0[:, None]).sum(axis=0)
        g = (1.0 - f) / s0
        a_dead, b_dead = g.sum(), (xbar * g[:, None]).sum(axis=0)
        a = np.where(is_dead, a_dead, a_live)[:, None]
        b = np.where(is_dead[:, None], b_dead[None, :], b_live[None, :])
        contrib = -wr[:, None] * (xr * a - b)
        contrib[is_dead] += xr[is_dead] - xbar.mean(axis=0)
        U[idx_r] += contrib
    return U


def _cox_newton(
    X: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    event: np.ndarray,
    strata: np.ndarray,
    tol: float = 1e-12,
    max_iter: int = 100,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Newton-Raphson with step halving (as survival::coxph); returns beta, info, loglik."""
    groups = [strata == s for s in np.unique(strata)]

    def total(beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        parts = [_efron_terms(beta, X[g], start[g], stop[g], event[g]) for g in groups]
        return (
            sum(q[0] for q in parts),
            np.sum([q[1] for q in parts], axis=0),
            np.sum([q[2] for q in parts], axis=0),
        )

    beta = np.zeros(X.shape[1])
    ll, score, info = total(beta)
    for _ in range(max_iter):
        try:
            step = np.linalg.solve(info, score)
        except np.linalg.LinAlgError as exc:
            raise EstimationProblem(
                "singular design: the Cox information matrix is singular"
            ) from exc
        for _half in range(30):
            ll_new, score_new, info_new = total(beta + step)
            if np.isfinite(ll_new) and ll_new >= ll - 1e-12 * abs(ll):
                break
            step = step / 2
        else:
            raise EstimationProblem(
                "Cox model did not converge: the likelihood does not improve (perfect separation?)"
            )
        beta = beta + step
        done = abs(ll_new - ll) <= tol * abs(ll_new)
        ll, score, info = ll_new, score_new, info_new
        if done:
            return beta, info, ll
    raise EstimationProblem(
        f"Cox model did not converge in {max_iter} iterations (perfect separation?)"
    )


def fit_cox(
    data: pd.DataFrame,
    event: str,
    regressors: Sequence[str],
    controls: Sequence[str] = (),
    start: str = "start",
    stop: str = "stop",
    strata: Sequence[str] = (),
    cluster: str | None = None,
) -> ModelFit:
    """Cox model with time-varying covariates on start-stop rows (Efron ties).

    ``event`` is 1 on the row (interval) where the spell ends by the cause of interest and
    0 otherwise; ending by a competing cause is coded 0 (censored), which makes the model
    cause-specific. ``strata`` get separate baseline hazards. The partial likelihood is
    maximised by Newton-Raphson with step halving, as ``survival::coxph`` does, and agrees
    with it to 1e-6 (tests/analysis/test_r_parity.py). Standard errors are model-based (inverse
    information), as ``coxph``'s default, or with ``cluster`` the robust (Lin-Wei) sandwich
    summed over clusters, as ``coxph(..., cluster = g)``. (lifelines' CoxTimeVaryingFitter
    diverges on the simulated panels where coxph converges; see docs/hypotheses.md.)

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> n = 600
    >>> x = rng.normal(size=n)
    >>> t = rng.exponential(1 / np.exp(0.7 * x))
    >>> df = pd.DataFrame({"start": 0.0, "stop": t, "event": 1, "x": x})
    >>> 0.5 < fit_cox(df, "event", ["x"]).term("x").estimate < 0.9
    True
    """
    rhs = _rhs(regressors, controls)
    sub = _complete_cases(
        data, [event, start, stop, *rhs, *strata, *([cluster] if cluster else [])]
    )
    sub = sub.astype({c: "float64" for c in [event, start, stop, *rhs]})
    if (sub[stop] <= sub[start]).any():
        raise EstimationProblem(f"some rows have {stop} <= {start}; intervals must be positive")
    n_events = _check_events(sub, event, all_events_ok=True)
    _check_varies(sub, list(regressors))
    # a control constant in the sample is absorbed by the baseline hazard: drop it, say so
    constant = [c for c in rhs if c not in regressors and sub[c].nunique() < 2]
    rhs = [c for c in rhs if c not in constant]
    X = sub[rhs].to_numpy(float)
    X = X - X.mean(axis=0)  # centring (as coxph) changes no estimate, only the arithmetic
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise EstimationProblem(f"singular design: {', '.join(rhs)} are collinear")
    if strata:
        strata_codes = pd.MultiIndex.from_frame(sub[list(strata)]).factorize()[0]
    else:
        strata_codes = np.zeros(len(sub), int)
    monotone = monotone_covariates(
        X, sub[start].to_numpy(), sub[stop].to_numpy(), sub[event].to_numpy() == 1,
        strata_codes, rhs,
    )  # fmt: skip
    key_monotone = [c for c in monotone if c in regressors]
    if key_monotone:
        raise EstimationProblem(
            f"perfect separation (monotone likelihood): {key_monotone[0]} takes its extreme "
            "value at every event; its coefficient is infinite (not identified)"
        )
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        beta, info, _ll = _cox_newton(
            X, sub[start].to_numpy(), sub[stop].to_numpy(), sub[event].to_numpy() == 1, strata_codes
        )
    try:
        vcov = np.linalg.inv(info)
    except np.linalg.LinAlgError as exc:
        raise EstimationProblem("singular design: the Cox information matrix is singular") from exc
    vcov_type = "model-based"
    if cluster:
        start_a, stop_a = sub[start].to_numpy(), sub[stop].to_numpy()
        ev = sub[event].to_numpy() == 1
        U = np.zeros_like(X)
        for s_code in np.unique(strata_codes):
            g = strata_codes == s_code
            U[g] = _efron_score_residuals(beta, X[g], start_a[g], stop_a[g], ev[g])
        dfbeta = U @ vcov
        codes = pd.factorize(sub[cluster])[0]
        summed = np.zeros((codes.max() + 1, X.shape[1]))
        np.add.at(summed, codes, dfbeta)
        vcov = summed.T @ summed
        vcov_type = f"robust by {cluster}"
    influence = None
    if cluster:
        influence = pd.DataFrame(summed, index=pd.factorize(sub[cluster])[1], columns=rhs)
    fit = ModelFit(
        estimator="cox",
        formula=f"Surv({start}, {stop}, {event}) ~ {' + '.join(rhs)}"
        + (f" + strata({', '.join(strata)})" if strata else ""),
        coef=pd.Series(beta, index=rhs),
        vcov=pd.DataFrame(vcov, index=rhs, columns=rhs),
        n_obs=len(sub),
        n_events=n_events,
        n_clusters=int(sub[cluster].nunique()) if cluster else None,
        vcov_type=vcov_type,
        fixed_effects=tuple(f"strata({s})" for s in strata),
        notes=[
            f"{c} does not vary in the sample: absorbed by the baseline hazard" for c in constant
        ],
        influence=influence,
    )
    for c in monotone:
        flag_not_identified(
            fit, c, "no event where it leaves its extreme value (monotone likelihood; "
            "the coefficient is infinite)",
        )  # fmt: skip
    _check_separation(fit, sub, regressors)
    return fit
