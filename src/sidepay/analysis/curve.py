"""Inference on a specification curve: is the share of significant estimates unusual under the null?

Simonsohn, Simmons and Nelson (2020) ask of a specification curve how many specifications
would be significant in the predicted direction if the effect were zero everywhere. The
specifications share their data (the same clients, overlapping samples), so their
estimates are strongly correlated and the answer needs their joint distribution.

**Method: a multiplier (wild score) bootstrap under the null, with one draw per client.**
Every fit carries the per-cluster influence of its key estimate (score times bread,
summed by client, scaled so that its sum of squares is the reported variance; see
:meth:`~sidepay.analysis.estimators.ModelFit.contrast_influence`). A draw gives each
client one Rademacher weight (+1/-1), the same for every specification, and sets each
specification's null statistic to ``t* = sum_c w_c IF_c / se``: a draw from the joint
distribution of the t-statistics around zero that keeps the correlation between
specifications, since each client carries its weight into every specification it
enters (Kline and Santos 2012). The share of specifications with ``t*`` significant in
the predicted direction (two-sided 5%) over the draws is the null distribution of the
observed share; the p-value is the share of draws at least as large (with the +1
correction). Why not a permutation or a refitting bootstrap: refitting several hundred
specifications per draw (hundreds of draws) costs hours, and a permutation of a
time-varying regressor across clients breaks its serial structure; the score bootstrap
costs one matrix product. What it misses: it linearises each estimator around its
estimate (exact for OLS up to leverage), and specifications without clustered scores
(none in the declared multiverse) are left out of it.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> inf = [pd.Series(rng.normal(size=50) / 7, index=range(50)) for _ in range(5)]
>>> res = curve_inference(
...     estimates=[0.5] * 5, std_errors=[0.14] * 5, influence=inf, expected_sign=1,
...     draws=199, seed=1)
>>> res.share_supported, res.p_value < 0.05
(1.0, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["CURVE_DRAWS", "CurveInference", "curve_inference"]

CURVE_DRAWS = 999
"""Bootstrap draws of the curve's null distribution (p-values in steps of 1/1000)."""

METHOD = (
    "multiplier (wild score) bootstrap under the null: one Rademacher weight per client, "
    "shared across specifications"
)


@dataclass(frozen=True)
class CurveInference:
    """The observed shares of a curve and their null distribution.

    ``share_supported`` (``share_contrary``) is the share of estimated specifications
    significant at 5% in (against) the predicted direction; ``null_mean`` and
    ``null_q95`` the mean and 95th percentile of the supported share under the null;
    ``p_value`` the bootstrap p-value of ``share_supported``; ``p_value_contrary`` the
    same for ``share_contrary``; ``n_specifications`` the specifications in the test.
    """

    n_specifications: int
    share_supported: float
    share_contrary: float
    null_mean: float
    null_q95: float
    p_value: float
    p_value_contrary: float
    draws: int
    seed: int
    method: str = METHOD

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the JSON."""
        return asdict(self)


def curve_inference(
    estimates: Sequence[float],
    std_errors: Sequence[float],
    influence: Sequence[pd.Series],
    expected_sign: int,
    draws: int = CURVE_DRAWS,
    seed: int = 0,
    critical: Sequence[float] | None = None,
) -> CurveInference | None:
    """Null distribution of the share of significant specifications (module docstring).

    ``influence`` holds one Series per specification (index: cluster ids). ``critical``
    are the two-sided 5% critical values of each specification's reference distribution
    (normal by default). Returns None when no specification can enter the test.
    """
    keep = [
        i
        for i, (b, s, f) in enumerate(zip(estimates, std_errors, influence, strict=True))
        if f is not None and np.isfinite(b) and np.isfinite(s) and s > 0 and len(f)
    ]
    if not keep:
        return None
    crit = np.array(
        [critical[i] for i in keep] if critical is not None else [stats.norm.ppf(0.975)] * len(keep)
    )
    b = np.array([estimates[i] for i in keep], float)
    se = np.array([std_errors[i] for i in keep], float)
    t_obs = b / se
    sign = 1.0 if expected_sign > 0 else -1.0
    observed = float(np.mean((sign * t_obs) > crit))
    observed_contrary = float(np.mean((-sign * t_obs) > crit))
    clusters = pd.Index(sorted(set().union(*(set(influence[i].index) for i in keep))))
    M = np.zeros((len(clusters), len(keep)))
    for j, i in enumerate(keep):
        f = influence[i]
        M[clusters.get_indexer(f.index), j] = f.to_numpy(float)
    rng = np.random.default_rng(seed)
    w = rng.choice(np.array([-1.0, 1.0]), size=(draws, len(clusters)))
    t_null = (w @ M) / se  # draws x specifications
    share = ((sign * t_null) > crit).mean(axis=1)
    share_c = ((-sign * t_null) > crit).mean(axis=1)
    return CurveInference(
        n_specifications=len(keep),
        share_supported=observed,
        share_contrary=observed_contrary,
        null_mean=float(share.mean()),
        null_q95=float(np.quantile(share, 0.95)),
        p_value=float((1 + (share >= observed).sum()) / (draws + 1)),
        p_value_contrary=float((1 + (share_c >= observed_contrary).sum()) / (draws + 1)),
        draws=draws,
        seed=seed,
    )
