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
* standard errors are the sandwich ``(1 + 1/R) A S A'``, ``A = (J'WJ)^-1 J'W``, with
  ``J = d m_sim / d theta`` (central differences at the estimate) and ``R`` the ratio of
  simulated to observed dyad-years; ``A`` is also the sensitivity of Andrews, Gentzkow
  and Shapiro (2017), ``-(G'WG)^-1 G'W`` with ``G = d(m_data - m_sim)/d theta = -J``:
  the change of each estimate per unit change of each data moment.

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

import html
import math
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from sidepay.errors import bad_param
from sidepay.estimate.formation import EstimationError
from sidepay.estimate.moments import (
    MOMENTS,
    MomentSpec,
    MomentStats,
    history_stats,
    moment_spec,
    moment_stats,
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
#: Finite-difference step as a share of the scale.
JAC_STEP = 0.5
#: Parameters below (or at) a bound by less than this share of the scale are "at bound".
BOUND_SHARE = 1e-3
WEIGHTINGS = ("optimal", "diagonal")
#: Lower bound of the estimated shock scales (``s_d``, ``s_r``, ``s_l_*``).
MIN_SHOCK = 1e-4
#: Restarts of Levenberg-Marquardt from its own end point (see ``_polished``).
POLISH = 3
#: Extra starts are drawn within this many scales (``SCALES``) of the start values.
START_SPREAD = 5.0


class NotConvergedError(EstimationError):
    """The simulated-moments estimator did not converge (never a silent number); an
    :class:`~sidepay.estimate.formation.EstimationError`, so one ``except`` catches the
    failures of both stages."""


# ---------------------------------------------------------------- simulation at a point
def _run_history(world: Any, periods: int, reps: int, seed: int, burn_in: int) -> Any:
    from sidepay.sim.engine import run_history

    # positional: the engine's horizon argument is being renamed (years -> periods)
    return run_history(world, periods, reps, seed, 0, burn_in=burn_in)


def _world_at(world: Any, values: Mapping[str, float]) -> Any:
    """The world with maintenance parameters set; ``s_l_large`` follows ``s_l_small`` at
    the base world's ratio (leader shocks shrink with W by the same proportion)."""
    changes: dict[str, Any] = {}
    base = world.params
    for name, value in values.items():
        if name == "offer_rate":
            changes["offer_rate"] = float(value)
            continue
        changes[f"params.{name}"] = float(value)
        if name == "s_l_small" and "s_l_large" not in values:
            ratio = base.s_l_large / base.s_l_small if base.s_l_small > 0 else 1.0
            changes["params.s_l_large"] = float(value) * ratio
    return world.updated(changes)


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
    h = _run_history(_world_at(world, values), periods, reps, seed, burn_in)
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


# ---------------------------------------------------------------- the result
def _json(x: Any) -> Any:
    """JSON-safe: NaN/inf become None, numpy scalars become Python numbers."""
    if isinstance(x, dict):
        return {str(k): _json(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_json(v) for v in x]
    if isinstance(x, np.ndarray):
        return _json(x.tolist())
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, int | np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        return float(x) if math.isfinite(float(x)) else None
    return x


@dataclass
class MaintenanceFit:
    """A fitted maintenance stage (lifelines shape: fitted attributes end in ``_``).

    Attributes
    ----------
    params_, se_ : estimates and standard errors (Series by parameter).
    cov_ : their covariance (DataFrame).
    start_ : the starting values (the base world's).
    at_bound_ : parameters at (or within ``BOUND_SHARE`` of) a bound of ``ModelParams``;
        their normal intervals are not valid (the truth may sit at the bound).
    moments_data_, moments_sim_ : the moments used, data and simulated at the estimates.
    moment_se_ : bootstrap standard errors of the data moments.
    moment_cov_ : the data moments' bootstrap covariance ``S``.
    weight_ : the weighting matrix ``W``.
    jacobian_ : ``d m_sim / d theta`` at the estimates (moments x parameters).
    sensitivity_ : ``-(G'WG)^-1 G'W`` (parameters x moments), ``G = -jacobian_``.
    objective_ : the minimised objective; ``j_stat_``, ``j_pvalue_`` Hansen's J test of
        the over-identifying restrictions (optimal weighting only, else None).
    converged_ : always True (a fit that does not converge raises).
    reps_, r_eff_ : simulated worlds per point and simulated / observed dyad-years.
    n_iter_, n_evals_, seconds_ : iterations, parameter points simulated, wall time.
    starts_, n_at_best_, start_objectives_ : seeded starts of the minimiser, how many
        reached the best objective (within 0.1%), and the objective each reached.
    """

    params_: pd.Series
    se_: pd.Series
    cov_: pd.DataFrame
    start_: pd.Series
    at_bound_: list[str]
    moments_data_: pd.Series
    moments_sim_: pd.Series
    moment_se_: pd.Series
    moment_cov_: pd.DataFrame
    weight_: pd.DataFrame
    jacobian_: pd.DataFrame
    sensitivity_: pd.DataFrame
    objective_: float
    j_stat_: float | None
    j_pvalue_: float | None
    converged_: bool
    reps_: int
    r_eff_: float
    n_iter_: int
    starts_: int
    n_at_best_: int
    start_objectives_: list[float]
    n_evals_: int
    seconds_: float
    seed_: int
    weighting_: str
    world_: Any = field(repr=False)
    spec_: MomentSpec = field(repr=False)
    payment_: str = "side_payment"

    @property
    def summary(self) -> pd.DataFrame:
        """Estimates with standard errors, 95% intervals, start values and bound flags."""
        z = stats.norm.ppf(0.975)
        return pd.DataFrame(
            {
                "estimate": self.params_,
                "se": self.se_,
                "lower_95": self.params_ - z * self.se_,
                "upper_95": self.params_ + z * self.se_,
                "start": self.start_,
                "at_bound": [p in self.at_bound_ for p in self.params_.index],
            }
        )

    @property
    def moment_fit(self) -> pd.DataFrame:
        """Each moment: data, its bootstrap s.e., simulated at the estimates, t of the gap."""
        gap = self.moments_data_ - self.moments_sim_
        return pd.DataFrame(
            {
                "data": self.moments_data_,
                "data_se": self.moment_se_,
                "simulated": self.moments_sim_,
                "t": gap / (self.moment_se_ * math.sqrt(1 + 1 / self.r_eff_)),
            }
        )

    def to_world(self) -> Any:
        """The ``sidepay.sim.world.World`` at the estimates."""
        return _world_at(self.world_, {str(k): float(v) for k, v in self.params_.items()})

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary (no NaN or Infinity: missing numbers are None)."""
        summ = self.summary
        return _json(
            {
                "stage": "maintenance",
                "estimator": "simulated method of moments",
                "params": {
                    name: {
                        "estimate": row.estimate,
                        "se": row.se,
                        "lower_95": row.lower_95,
                        "upper_95": row.upper_95,
                        "start": row.start,
                        "at_bound": row.at_bound,
                    }
                    for name, row in summ.iterrows()
                },
                "cov": self.cov_.to_numpy(),
                "moments": {
                    name: {"data": r.data, "data_se": r.data_se, "simulated": r.simulated, "t": r.t}
                    for name, r in self.moment_fit.iterrows()
                },
                "sensitivity": {p: dict(self.sensitivity_.loc[p]) for p in self.sensitivity_.index},
                "objective": self.objective_,
                "j_stat": self.j_stat_,
                "j_pvalue": self.j_pvalue_,
                "j_df": len(self.moments_data_) - len(self.params_),
                "converged": self.converged_,
                "reps": self.reps_,
                "r_eff": self.r_eff_,
                "n_iter": self.n_iter_,
                "starts": self.starts_,
                "n_at_best": self.n_at_best_,
                "start_objectives": self.start_objectives_,
                "n_evals": self.n_evals_,
                "seconds": self.seconds_,
                "seed": self.seed_,
                "weighting": self.weighting_,
                "payment": self.payment_,
                "spec": self.spec_.to_dict(),
            }
        )

    def __repr__(self) -> str:
        est = ", ".join(
            f"{k}={v:.4g} ({s:.2g})"
            for (k, v), s in zip(self.params_.items(), self.se_, strict=True)
        )
        return (
            f"<MaintenanceFit SMM: {est}; {len(self.moments_data_)} moments, "
            f"objective {self.objective_:.4g}>"
        )

    def _repr_html_(self) -> str:
        head = html.escape(
            f"Maintenance stage by SMM: {len(self.moments_data_)} moments, "
            f"{self.reps_} simulated worlds, objective {self.objective_:.4g}"
        )
        return f"<p>{head}</p>" + self.summary.to_html(float_format=lambda x: f"{x:.4g}")


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"cannot write {v!r} to TOML")
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def world_toml(fit_or_world: Any) -> str:
    """A complete world TOML document (``World.from_toml`` reads it back to the same
    world) for a :class:`MaintenanceFit` (its world at the estimates) or a ``World``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sidepay.sim.world import World, default_world
    >>> w = default_world().updated({"params.s_d": 0.0123})
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "world.toml"
    >>> _ = path.write_text(world_toml(w))
    >>> World.from_toml(path) == w
    True
    """
    world = fit_or_world.to_world() if isinstance(fit_or_world, MaintenanceFit) else fit_or_world
    data = world.model_dump()
    lines = ["# a sidepay world (written by sidepay.estimate.smm.world_toml)"]
    tables, arrays = {}, {}
    for key, value in data.items():
        if isinstance(value, dict):
            tables[key] = value
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            arrays[key] = value
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    for key, table in tables.items():
        lines += ["", f"[{key}]"] + [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    for key, items in arrays.items():
        for item in items:
            lines += ["", f"[[{key}]]"] + [f"{k} = {_toml_value(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the estimator
@dataclass
class _Problem:
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


def _lm(
    prob: _Problem, theta0: NDArray[np.float64], max_iter: int, tol: float
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


def _polished(
    prob: _Problem, theta0: NDArray[np.float64], max_iter: int, tol: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    """Levenberg-Marquardt restarted (fresh damping) from its own end point until a restart
    no longer lowers the objective (at most ``POLISH`` restarts): with common random
    numbers the objective is piecewise flat, and one run may stop on a ledge short of the
    minimum (the recovery study found estimates moving with the start by a third of their
    standard error without it)."""
    theta, m, n_iter = _lm(prob, theta0, max_iter, tol)
    f = prob.objective(m)
    for _ in range(POLISH):
        t2, m2, k = _lm(prob, theta, max_iter, tol)
        n_iter += k
        f2 = prob.objective(m2)
        if not f2 < f - 1e-9 * (1 + f):
            break
        theta, m, f = t2, m2, f2
    return theta, m, n_iter


def _multistart(
    prob: _Problem, theta0: NDArray[np.float64], starts: int, seed: int, max_iter: int,
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
            theta, m, k = _polished(prob, point, max_iter, tol)
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


def _n_at_best(objs: Sequence[float]) -> int:
    """How many starts reached the best objective (within 0.1% of it, plus 1e-6)."""
    f = min(objs)
    return sum(1 for o in objs if o <= f + 1e-3 * abs(f) + 1e-6)


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
    weighting: str = "optimal",
    bootstrap: int = 200,
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
    weighting : ``"optimal"`` (inverse bootstrap covariance) or ``"diagonal"``.
    bootstrap : client-cluster bootstrap draws for the moments' covariance.
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

    def evaluate(points: list[NDArray[np.float64]]) -> list[NDArray[np.float64]]:
        args = [
            (
                world,
                dict(zip(names, map(float, p), strict=True)),
                spec,
                periods,
                reps,
                seed,
                burn_in,
            )
            for p in points
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
    prob = _Problem(names, lo, hi, scale, evaluate, m_data, np.eye(1), keep)
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

    theta, m_hat, n_iter, start_objs = _multistart(prob, theta0, starts, seed, max_iter, tol)
    n_best = _n_at_best(start_objs)

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
    cov = (1 + 1 / r_eff) * A @ S @ A.T
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    f = prob.objective(m_hat)
    kept = [m for m, k in zip(MOMENTS, keep, strict=True) if k]
    df = len(kept) - len(names)
    j_stat = j_p = None
    if weighting == "optimal" and df > 0:
        j_stat = f / (1 + 1 / r_eff)
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


def _nan_cov(boot: NDArray[np.float64]) -> NDArray[np.float64]:
    """Covariance over the bootstrap draws where every moment is defined."""
    ok = np.isfinite(boot).all(axis=1)
    if ok.sum() < 2:
        return np.full((boot.shape[1], boot.shape[1]), np.nan)
    return np.asarray(np.cov(boot[ok], rowvar=False))
