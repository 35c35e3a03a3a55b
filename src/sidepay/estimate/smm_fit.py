"""The fitted maintenance stage: :class:`MaintenanceFit`, its JSON and its ``world.toml``.

Split from :mod:`sidepay.estimate.smm` (the estimator); see that module and
``docs/estimation-smm.md``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sidepay.estimate.moments import (
    MomentSpec,
)
from sidepay.jsonsafe import finite_or_none

#: Parameters below (or at) a bound by less than this share of the scale are "at bound".
BOUND_SHARE = 1e-3


def world_at(world: Any, values: Mapping[str, float]) -> Any:
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


# ---------------------------------------------------------------- the result
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
    sim_cov_ : the simulated moments' covariance ``V`` at the estimates, over ``sim_noise_``
        independent seeds (0: the textbook ``S / r_eff_``).
    weight_ : the weighting matrix ``W``.
    jacobian_ : ``d m_sim / d theta`` at the estimates (moments x parameters).
    sensitivity_ : ``-(G'WG)^-1 G'W`` (parameters x moments), ``G = -jacobian_``.
    objective_ : the minimised objective; ``j_stat_``, ``j_pvalue_`` Hansen's J test of
        the over-identifying restrictions (for either weighting; None when just identified).
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
    sim_cov_: pd.DataFrame
    sim_noise_: int
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
        """Each moment: data, its bootstrap s.e., simulated at the estimates, and the t of the
        gap (over the data's and the simulation's noise)."""
        gap = self.moments_data_ - self.moments_sim_
        return pd.DataFrame(
            {
                "data": self.moments_data_,
                "data_se": self.moment_se_,
                "simulated": self.moments_sim_,
                "t": gap / np.sqrt(self.moment_se_**2 + np.diag(self.sim_cov_)),
            }
        )

    def to_world(self) -> Any:
        """The ``sidepay.sim.world.World`` at the estimates."""
        return world_at(self.world_, {str(k): float(v) for k, v in self.params_.items()})

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary (no NaN or Infinity: missing numbers are None)."""
        summ = self.summary
        return finite_or_none(
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
                "sim_noise": self.sim_noise_,
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
