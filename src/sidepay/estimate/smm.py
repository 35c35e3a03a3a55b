"""The maintenance stage by the method of simulated moments (issue 12, deliverable 2).

:func:`fit_maintenance` chooses the maintenance parameters of THEORY 2.5 that bring the
simulator's moments (:mod:`sidepay.estimate.moments`) closest to a panel's:

    theta_hat = argmin (m_data - m_sim(theta))' W (m_data - m_sim(theta))

* ``m_sim(theta)`` averages ``reps`` simulated worlds (``sidepay.sim.engine.run_history``,
  moments from its arrays, no data frame), all with the same seed: **common random
  numbers** across parameter points, so the objective is a deterministic function of
  theta;
* ``W`` is the inverse of the data moments' covariance ``S``, bootstrapped by client
  cluster (``weighting="optimal"``; ``"diagonal"`` keeps its diagonal only);
* the minimiser is Levenberg-Marquardt on finite-difference Jacobians: each iteration
  evaluates the Jacobian's points and several damped steps at once, so the parameter
  points of an iteration run in parallel on any ``concurrent.futures.Executor``
  (a ``ProcessPoolExecutor`` or ``distributed.Client(...).get_executor()``);
* standard errors are the sandwich ``A (S + V) A'``, ``A = (J'WJ)^-1 J'W``, with
  ``J = d m_sim / d theta`` (central differences at the estimate) and ``V`` the covariance
  of the simulated moments themselves, measured at the estimate over ``sim_noise``
  independent seeds (with ``sim_noise=0``, the textbook ``V = S / R``, ``R`` the ratio of
  simulated to observed dyad-years, which the recovery study found up to 2.4 times too
  small in the directions that identify ``s_d``, ``s_l_small`` and ``stickiness``);
  ``A`` is also the sensitivity of Andrews, Gentzkow and Shapiro (2017),
  ``-(G'WG)^-1 G'W`` with ``G = d(m_data - m_sim)/d theta = -J``: the change of each
  estimate per unit change of each data moment;
* the over-identification test is Hansen's J for any weighting: the residual
  ``r = m_data - m_sim`` has covariance ``(I - JA)(S + V)(I - JA)'`` at the estimate, and
  ``r' [(I - JA)(S + V)(I - JA)']^+ r`` is chi-squared on ``M - p`` degrees of freedom
  (with optimal weighting and ``V = S / R`` it is the textbook ``objective / (1 + 1/R)``).

Non-convergence raises :class:`NotConvergedError` (one line); the fit never returns a
silent number. See ``docs/estimation-smm.md``.

Examples
--------
>>> from sidepay.sim.world import default_world
>>> world = default_world().updated({"small_states.n": 40})
>>> data = simulated_panel(world, seed=11, periods=40)
>>> fit = fit_maintenance(data, seed=3, params=("s_d", "mu_r"), world=world, reps=4,
...                       bootstrap=60, divergence_unit=1.0)
>>> fit.converged_, list(fit.params_.index)
(True, ['s_d', 'mu_r'])
>>> bool(abs(fit.params_["mu_r"] - 0.15) < 4 * fit.se_["mu_r"])
True
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from sidepay.errors import bad_param
from sidepay.estimate.moments import (
    MOMENTS,
    MomentSpec,
    MomentStats,
    moment_spec,
    moment_stats,
)
from sidepay.estimate.sim_moments import history_stats
from sidepay.estimate.smm_fit import BOUND_SHARE, MaintenanceFit, world_at, world_toml
from sidepay.estimate.smm_search import (
    MomentProblem,
    NotConvergedError,
    multistart,
    n_at_best,
)
from sidepay.options import parse_count, parse_seed
from sidepay.schema import validate_panel
from sidepay.theory.params import ModelParams, param_bounds

__all__ = [
    "DEFAULT_PARAMS",
    "MaintenanceFit",
    "NotConvergedError",
    "fit_maintenance",
    "simulate_stats",
    "simulated_panel",
    "world_toml",
]

#: The maintenance parameters estimated by default, each identified by its own moments
#: (docs/estimation-smm.md): drift and shocks of divergence (dd_mean, drift_var), the
#: regime-change jump away from the patron (dd_regime, haz_regime), the leader-change jump
#: (dd_leader_excess, haz_leader), payment stickiness (pay_up, pay_down) and the patron's
#: bargaining weight while held up after a regime change (pay_change_regime).
DEFAULT_PARAMS = ("mu_d", "s_d", "mu_r", "s_l_small", "stickiness", "beta_holdup")

#: Typical scale of each parameter: finite-difference steps and the convergence test
#: are fractions of it (other parameters: a tenth of the start value, at least 0.01).
SCALES = {
    "mu_d": 0.002, "s_d": 0.002, "mu_r": 0.05, "s_r": 0.05, "s_l_small": 0.01,
    "s_l_large": 0.01, "stickiness": 0.1, "beta_holdup": 0.1, "beta": 0.1, "psi": 0.02,
    "h0": 0.02, "eta": 0.1, "offer_rate": 0.05,
}  # fmt: skip
WEIGHTINGS = ("optimal", "diagonal")
#: Lower bound of the estimated shock scales (``s_d``, ``s_r``, ``s_l_*``).
MIN_SHOCK = 1e-4


# ---------------------------------------------------------------- simulation at a point
def _run_history(world: Any, periods: int, reps: int, seed: int, burn_in: int) -> Any:
    from sidepay.sim.engine import run_history

    # positional: the engine's horizon argument is being renamed (years -> periods)
    return run_history(world, periods, reps, seed, 0, burn_in=burn_in)


def simulate_stats(
    world: Any,
    values: Mapping[str, float],
    spec: MomentSpec,
    *,
    periods: int,
    reps: int,
    seed: int,
    burn_in: int = 0,
) -> MomentStats:
    """Moment statistics of ``reps`` simulated worlds at parameter ``values`` (top level,
    so that an executor's worker can run it).

    Examples
    --------
    >>> from sidepay.sim.world import default_world
    >>> w = default_world().updated({"small_states.n": 10})
    >>> s = simulate_stats(w, {"s_d": 0.05}, MomentSpec((2, 365)), periods=10, reps=2, seed=1)
    >>> s.clusters
    20
    """
    h = _run_history(world_at(world, values), periods, reps, seed, burn_in)
    return history_stats(h, spec)


def _totals(
    world: Any, values: dict[str, float], spec: MomentSpec, periods: int, reps: int,
    seed: int, burn_in: int,
) -> tuple[NDArray[np.float64], float]:  # fmt: skip
    """(moment vector, simulated dyad-years with a known alliance status)."""
    s = simulate_stats(world, values, spec, periods=periods, reps=reps, seed=seed, burn_in=burn_in)
    return s.moments().to_numpy(), float(s.counts()[["allied_cold_war", "allied_after"]].sum())


def simulated_panel(world: Any, *, seed: int, periods: int = 75, burn_in: int = 0) -> pd.DataFrame:
    """One simulated world as a panel (one replication): data for a recovery study.

    Examples
    --------
    >>> from sidepay.sim.world import default_world
    >>> p = simulated_panel(default_world().updated({"small_states.n": 5}), seed=1, periods=3)
    >>> len(p), int(p["rep"].max())
    (30, 0)
    """
    from sidepay.sim.output import panel_frame

    return panel_frame(_run_history(world, periods, 1, seed, burn_in))


def _check_params(params: Sequence[str], world: Any) -> list[str]:
    if isinstance(params, str):
        params = (params,)
    names = list(params)
    if not names:
        raise bad_param("params", "must name at least one parameter")
    allowed = {
        *(n for n, f in ModelParams.model_fields.items() if f.annotation is float),
        "offer_rate",
    }
    for n in names:
        if n not in allowed:
            raise bad_param(
                "params",
                f"unknown or non-float parameter {n!r}; allowed: {', '.join(sorted(allowed))}",
            )
    if len(set(names)) != len(names):
        raise bad_param("params", f"names a parameter twice: {names}")
    return names


def _bounds(name: str) -> tuple[float, float]:
    if name == "offer_rate":
        return 0.0, 1.0
    lo, hi, lo_inc, hi_inc = param_bounds(name)
    s = SCALES.get(name, 0.01)
    lo = lo if lo_inc else lo + 1e-6 * s
    if name.startswith("s_"):  # a shock scale of 0 would tie every D1 (terciles undefined)
        lo = max(lo, MIN_SHOCK)
    hi = hi if hi_inc else hi - 1e-6 * s
    return lo, (hi if math.isfinite(hi) else 1e6)


def fit_maintenance(
    panel: pd.DataFrame,
    *,
    seed: int,
    params: Sequence[str] = DEFAULT_PARAMS,
    world: Any = None,
    reps: int = 20,
    payment: str = "side_payment",
    divergence_unit: float | str = "range",
    weighting: str = "diagonal",
    bootstrap: int = 200,
    sim_noise: int = 20,
    start: Mapping[str, float] | None = None,
    executor: Executor | None = None,
    max_iter: int = 40,
    tol: float = 0.02,
    burn_in: int = 0,
    starts: int = 1,
) -> MaintenanceFit:
    """Fit the maintenance parameters to a panel by the method of simulated moments.

    Parameters
    ----------
    panel : a panel in the schema (real: ``sidepay.data.panel.build_panel()``, or simulated).
    seed : seed of the simulations (common to every parameter point) and of the bootstrap.
    params : maintenance parameters to estimate (fields of ``ModelParams`` or
        ``offer_rate``); the others stay at ``world``'s values. Estimating ``s_l_small``
        moves ``s_l_large`` in proportion.
    world : the simulated world whose parameters are estimated (default ``default_world()``);
        its great powers' codes select the panel's patrons.
    reps : simulated worlds per parameter point.
    payment : the panel's side-payment column.
    divergence_unit : the panel's divergence per model unit, or ``"range"`` (max - min).
    weighting : ``"diagonal"`` (inverse bootstrap variances, the default) or
        ``"optimal"`` (inverse bootstrap covariance: efficient in theory, but with 18
        moments its estimated weights chase the covariance's sampling errors and its
        intervals are too short; see docs/estimation-smm.md, Recovery).
    bootstrap : client-cluster bootstrap draws for the moments' covariance.
    sim_noise : independent simulation seeds at the estimate that measure the simulated
        moments' own covariance ``V`` for the standard errors and the J test (0: the
        textbook ``V = S / R``).
    start : start values (default: the world's).
    executor : where parameter points run (None: in this process); any
        ``concurrent.futures.Executor``, e.g. ``distributed.Client(...).get_executor()``.
    max_iter, tol : Levenberg-Marquardt iterations; convergence when a step moves every
        parameter by less than ``tol`` of its scale (``SCALES``).
    burn_in : periods simulated before the first year and not recorded.
    starts : seeded starts of the minimiser (multi-start): the first at ``start``, the
        others drawn within ``START_SPREAD`` scales of it from ``seed``; the fit is the
        best, and ``n_at_best_`` says how many starts reached it.

    Returns
    -------
    MaintenanceFit

    Raises
    ------
    sidepay.errors.InputError
        A bad argument (named), or a panel without the rows or columns the moments need.
    NotConvergedError
        The minimiser did not converge.
    """
    t0 = time.perf_counter()
    from sidepay.sim.world import default_world

    validate_panel(panel, param="panel")
    seed = parse_seed(seed)
    reps = parse_count(reps, "reps", low=1, high=10_000)
    bootstrap = parse_count(bootstrap, "bootstrap", low=20)
    max_iter = parse_count(max_iter, "max_iter", low=1)
    burn_in = parse_count(burn_in, "burn_in", low=0)
    starts = parse_count(starts, "starts", low=1, high=1000)
    sim_noise = parse_count(sim_noise, "sim_noise", low=0, high=10_000)
    if sim_noise == 1:
        raise bad_param("sim_noise", "must be 0 (textbook S / R) or at least 2 seeds; got 1")
    if weighting not in WEIGHTINGS:
        raise bad_param("weighting", f"must be one of {', '.join(WEIGHTINGS)}; got {weighting!r}")
    if not (isinstance(tol, float | int) and tol > 0):
        raise bad_param("tol", f"must be a number > 0; got {tol!r}")
    if executor is not None and not isinstance(executor, Executor):
        raise bad_param(
            "executor", f"must be None or a concurrent.futures.Executor; got {executor!r}"
        )
    world = default_world() if world is None else world
    names = _check_params(params, world)
    base = {
        n: float(world.offer_rate if n == "offer_rate" else getattr(world.params, n)) for n in names
    }
    for k, v in (start or {}).items():
        if k not in base:
            raise bad_param("start", f"names {k!r}, which is not in params={names}")
        base[k] = float(v)

    spec = moment_spec(
        panel,
        patrons=[int(c) for c in world.codes],
        payment=payment,
        divergence_unit=divergence_unit,
    )
    last = max(hi for _, hi in spec.coverage.values())
    periods = last - world.start_year + 1
    if periods < 3:
        raise bad_param(
            "panel", f"ends in {last}, before the world's start_year {world.start_year} + 2"
        )
    data = moment_stats(panel, spec, payment=payment)
    m_data = data.moments().to_numpy()
    boot = data.bootstrap(bootstrap, np.random.default_rng(np.random.SeedSequence([seed, 1])))
    n_data = float(data.counts()[["allied_cold_war", "allied_after"]].sum())

    lo, hi = (np.array(b) for b in zip(*(_bounds(n) for n in names), strict=True))
    if "beta_holdup" in names:  # the held-up weight is min(beta, beta_holdup): flat above beta
        j = names.index("beta_holdup")
        hi[j] = min(hi[j], float(world.params.beta))
        base["beta_holdup"] = min(base["beta_holdup"], hi[j])
    scale = np.array([SCALES.get(n, max(0.1 * abs(base[n]), 0.01)) for n in names])
    theta0 = np.array([base[n] for n in names])

    def evaluate(
        points: list[NDArray[np.float64]], seeds: Sequence[int] | None = None
    ) -> list[NDArray[np.float64]]:
        """Simulated moments at ``points`` (common random numbers: ``seed``), or at one
        point under each of ``seeds``."""
        if seeds is not None:
            points = [points[0]] * len(seeds)
        args = [
            (
                world,
                dict(zip(names, map(float, p), strict=True)),
                spec,
                periods,
                reps,
                seed if seeds is None else int(s),
                burn_in,
            )
            for p, s in zip(points, seeds or [seed] * len(points), strict=True)
        ]
        prob.n_evals += len(points)
        if executor is None:
            out = [_totals(*a) for a in args]
        else:
            out = [f.result() for f in [executor.submit(_totals, *a) for a in args]]
        n_sim[0] = out[-1][1]
        return [o[0] for o in out]

    n_sim = [0.0]
    # moments kept: defined in the data (and its bootstrap) and at the start point
    keep = np.isfinite(m_data)
    S_all = np.full((len(m_data), len(m_data)), np.nan)
    S_all[np.ix_(keep, keep)] = _nan_cov(boot[:, keep])
    keep &= np.isfinite(np.diag(S_all)) & (np.nan_to_num(np.diag(S_all)) > 0)
    prob = MomentProblem(names, lo, hi, scale, evaluate, m_data, np.eye(1), keep)
    (m_start,) = evaluate([prob.clip(theta0)])
    keep &= np.isfinite(m_start)
    prob.keep = keep
    if keep.sum() < len(names):
        raise bad_param(
            "panel", f"defines only {int(keep.sum())} moments for {len(names)} parameters"
        )
    S = S_all[np.ix_(keep, keep)]
    W: NDArray[np.float64] = np.asarray(
        np.linalg.pinv(S, hermitian=True) if weighting == "optimal" else np.diag(1 / np.diag(S)),
        dtype=np.float64,
    )
    prob.W = W

    theta, m_hat, n_iter, start_objs = multistart(prob, theta0, starts, seed, max_iter, tol)
    n_best = n_at_best(start_objs)

    # inference at the estimate: central differences, sandwich with simulation noise
    pts = prob.steps(theta, central=True)
    J = prob.jacobian(theta, pts, prob.evaluate(pts), m_hat, central=True)[keep]
    if not np.isfinite(J).all():
        bad = sorted(
            {
                m
                for m, row in zip(np.array(MOMENTS)[keep], J, strict=True)
                if not np.isfinite(row).all()
            }
        )
        raise NotConvergedError(
            f"fit_maintenance: simulated moment(s) {', '.join(bad)} undefined near the estimate; "
            "raise reps= or drop a parameter from params="
        )
    r_eff = n_sim[0] / n_data if n_data > 0 else float(reps)
    H = J.T @ W @ J
    try:
        Hinv = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        raise NotConvergedError(
            "fit_maintenance: the moments do not identify the parameters at the estimate "
            "(singular J'WJ); drop a parameter from params="
        ) from None
    A = Hinv @ J.T @ W
    V = _simulation_cov(evaluate, theta, keep, seed, sim_noise) if sim_noise else S / r_eff
    omega = S + V
    cov = A @ omega @ A.T
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    f = prob.objective(m_hat)
    kept = [m for m, k in zip(MOMENTS, keep, strict=True) if k]
    df = len(kept) - len(names)
    j_stat = j_p = None
    if df > 0:
        j_stat = hansen_j((m_data - m_hat)[keep], J, A, omega, df)
        j_p = float(stats.chi2.sf(j_stat, df))
    near = BOUND_SHARE * scale
    at_bound = [
        n
        for n, t, a, b, s in zip(names, theta, lo, hi, near, strict=True)
        if t - a <= s or b - t <= s
    ]
    idx = pd.Index(names)
    return MaintenanceFit(
        params_=pd.Series(theta, index=idx, name="estimate"),
        se_=pd.Series(se, index=idx, name="se"),
        cov_=pd.DataFrame(cov, index=idx, columns=idx),
        start_=pd.Series(theta0, index=idx, name="start"),
        at_bound_=at_bound,
        moments_data_=pd.Series(m_data[keep], index=kept, name="data"),
        moments_sim_=pd.Series(m_hat[keep], index=kept, name="simulated"),
        moment_se_=pd.Series(np.sqrt(np.diag(S)), index=kept, name="data_se"),
        moment_cov_=pd.DataFrame(S, index=kept, columns=kept),
        sim_cov_=pd.DataFrame(V, index=kept, columns=kept),
        sim_noise_=sim_noise,
        weight_=pd.DataFrame(W, index=kept, columns=kept),
        jacobian_=pd.DataFrame(J, index=kept, columns=idx),
        sensitivity_=pd.DataFrame(A, index=idx, columns=kept),
        objective_=f,
        j_stat_=j_stat,
        j_pvalue_=j_p,
        converged_=True,
        reps_=reps,
        r_eff_=r_eff,
        n_iter_=n_iter,
        starts_=starts,
        n_at_best_=n_best,
        start_objectives_=[float(o) for o in start_objs],
        n_evals_=prob.n_evals,
        seconds_=time.perf_counter() - t0,
        seed_=seed,
        weighting_=weighting,
        world_=world,
        spec_=spec,
        payment_=payment,
    )


def _simulation_cov(
    evaluate: Any, theta: NDArray[np.float64], keep: NDArray[np.bool_], seed: int, k: int
) -> NDArray[np.float64]:
    """Covariance of the simulated moments at ``theta`` over ``k`` independent seeds (the
    stream ``SeedSequence([seed, 3])``): the simulation noise the estimate carries."""
    seeds = np.random.SeedSequence([seed, 3]).generate_state(k, dtype=np.uint32)
    draws = np.array(evaluate([theta], seeds=[int(s) for s in seeds]))[:, keep]
    V = _nan_cov(draws)
    if not np.isfinite(V).all():
        raise NotConvergedError(
            "fit_maintenance: a simulated moment is undefined under some of the sim_noise "
            "seeds at the estimate; raise reps="
        )
    return V


def hansen_j(
    resid: NDArray[np.float64], J: NDArray[np.float64], A: NDArray[np.float64],
    omega: NDArray[np.float64], df: int,
) -> float:  # fmt: skip
    """Hansen's J for any weighting: ``r' [(I - JA) omega (I - JA)']^+ r``, the generalised
    inverse of rank ``df`` (moments minus parameters).

    Examples
    --------
    >>> import numpy as np
    >>> J = np.array([[1.0], [1.0]]); omega = np.eye(2); A = np.linalg.pinv(J)
    >>> round(hansen_j(np.array([1.0, -1.0]), J, A, omega, 1), 6)  # (1 - -1)^2 / 2
    2.0
    """
    M = np.eye(len(resid)) - J @ A
    Vr = M @ omega @ M.T
    w, U = np.linalg.eigh((Vr + Vr.T) / 2)
    top = np.argsort(w)[::-1][:df]
    z = U[:, top].T @ resid
    return float(np.sum(z**2 / w[top]))


def _nan_cov(boot: NDArray[np.float64]) -> NDArray[np.float64]:
    """Covariance over the bootstrap draws where every moment is defined."""
    ok = np.isfinite(boot).all(axis=1)
    if ok.sum() < 2:
        return np.full((boot.shape[1], boot.shape[1]), np.nan)
    return np.asarray(np.cov(boot[ok], rowvar=False))
