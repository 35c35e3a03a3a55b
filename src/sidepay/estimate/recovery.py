"""Recovery of the maintenance parameters (issue 12, deliverable 3).

Simulate one world from known parameters, estimate them with :func:`fit_maintenance`,
repeat, and report bias, RMSE and the coverage of 95% intervals for every parameter.
Replication ``r`` of a point draws its data from seed ``data_seed + r`` and runs the
estimator with seed ``r`` (the estimator's simulations never share the data's stream).

Examples
--------
>>> from sidepay.sim.world import default_world
>>> w = default_world().updated({"small_states.n": 30})
>>> rows = recovery_replications(w, {"s_d": 0.03, "mu_r": 0.15}, reps=2, sim_reps=3,
...                              periods=30, bootstrap=40)
>>> len(rows), sorted(rows["param"].unique())
(4, ['mu_r', 's_d'])
>>> list(summarize_recovery(rows).columns)[:4]
['point', 'param', 'truth', 'n']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from sidepay.estimate.smm import NotConvergedError, fit_maintenance, simulated_panel, world_at
from sidepay.options import parse_count

__all__ = ["RECOVERY_POINTS", "recovery_replications", "summarize_recovery"]

#: The default world's values and three other points (true parameter values).
RECOVERY_POINTS: dict[str, dict[str, float]] = {
    "default": {"mu_d": 0.0, "s_d": 0.03, "mu_r": 0.15, "s_l_small": 0.04,
                "stickiness": 0.5, "beta_holdup": 0.4},
    "volatile": {"mu_d": 0.002, "s_d": 0.05, "mu_r": 0.15, "s_l_small": 0.04,
                 "stickiness": 0.5, "beta_holdup": 0.4},
    "leader_shocks": {"mu_d": 0.0, "s_d": 0.03, "mu_r": 0.05, "s_l_small": 0.08,
                      "stickiness": 0.5, "beta_holdup": 0.4},
    "sticky_holdup": {"mu_d": -0.001, "s_d": 0.03, "mu_r": 0.15, "s_l_small": 0.04,
                      "stickiness": 0.8, "beta_holdup": 0.2},
}  # fmt: skip


def recovery_replications(
    world: Any,
    truth: Mapping[str, float],
    *,
    reps: int,
    sim_reps: int = 5,
    periods: int = 75,
    bootstrap: int = 200,
    data_seed: int = 100_000,
    first_rep: int = 0,
    point: str = "point",
    on_rep: Callable[[pd.DataFrame], None] | None = None,
    **fit_options: Any,
) -> pd.DataFrame:
    """Estimate ``truth`` from ``reps`` simulated worlds; one row per (rep, parameter).

    Columns: point, rep, param, truth, estimate, se, covered (the 95% interval holds the
    truth), converged (False: the fit raised ``NotConvergedError``; estimate and se NaN),
    seconds. ``on_rep`` receives each replication's rows as they are made.
    """
    reps = parse_count(reps, "reps", low=1)
    true_world = world_at(world, truth)
    names = list(truth)
    out = []
    for r in range(first_rep, first_rep + reps):
        data = simulated_panel(true_world, seed=data_seed + r, periods=periods)
        try:
            fit = fit_maintenance(
                data, seed=r, params=names, world=world, reps=sim_reps, bootstrap=bootstrap,
                divergence_unit=1.0, **fit_options,
            )  # fmt: skip
            est, se, ok, secs = fit.params_, fit.se_, True, fit.seconds_
        except NotConvergedError:
            est = se = pd.Series(np.nan, index=names)
            ok, secs = False, float("nan")
        rows = pd.DataFrame(
            {
                "point": point,
                "rep": r,
                "param": names,
                "truth": [float(truth[n]) for n in names],
                "estimate": est.to_numpy(),
                "se": se.to_numpy(),
                "converged": ok,
                "seconds": secs,
            }
        )
        rows["covered"] = (rows["estimate"] - rows["truth"]).abs() <= 1.959964 * rows["se"]
        if on_rep is not None:
            on_rep(rows)
        out.append(rows)
    return pd.concat(out, ignore_index=True)


def summarize_recovery(rows: pd.DataFrame) -> pd.DataFrame:
    """Bias, RMSE, mean s.e., s.d. of the estimates and 95% coverage per point and
    parameter (converged fits only; ``failed`` counts the others).

    Examples
    --------
    >>> rows = pd.DataFrame({"point": "p", "rep": [0, 1], "param": "a", "truth": 1.0,
    ...     "estimate": [0.9, 1.3], "se": [0.2, 0.2], "converged": True, "seconds": 1.0,
    ...     "covered": [True, True]})
    >>> summarize_recovery(rows)[["bias", "coverage"]].round(3).values.tolist()
    [[0.1, 1.0]]
    """
    out = []
    for (point, param), g in rows.groupby(["point", "param"], sort=False):
        ok = g[g["converged"]]
        err = ok["estimate"] - ok["truth"]
        out.append(
            {
                "point": point,
                "param": param,
                "truth": float(g["truth"].iloc[0]),
                "n": len(ok),
                "failed": int((~g["converged"]).sum()),
                "bias": float(err.mean()),
                "rmse": float(np.sqrt((err**2).mean())),
                "mean_se": float(ok["se"].mean()),
                "sd_estimate": float(ok["estimate"].std()),
                "coverage": float(ok["covered"].mean()),
            }
        )
    return pd.DataFrame(out)
