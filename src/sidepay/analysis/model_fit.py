"""A fitted model reduced to numbers: :class:`ModelFit` and its Wald inference.

Every estimator (:mod:`sidepay.analysis.estimators`, :mod:`sidepay.analysis.survival`,
:mod:`sidepay.analysis.multi_estimation`) returns a :class:`ModelFit` (coefficients,
covariance, N, events, per-cluster influence) so that hypotheses, verdicts and tables never
touch a library object; :class:`EstimationProblem` is the one-line reason a model gives no
meaningful number.

Examples
--------
>>> fit = ModelFit("ols", "y ~ a", pd.Series({"a": 2.0}),
...     pd.DataFrame([[1.0]], index=["a"], columns=["a"]), 50)
>>> round(fit.term("a").p_value, 4)
0.0455
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sidepay.analysis.result import Term

__all__ = ["EstimationProblem", "ModelFit", "TermEstimate"]


class EstimationProblem(Exception):
    """The model cannot give a meaningful estimate; the message says why (one line)."""


@dataclass(frozen=True)
class TermEstimate:
    """Estimate, standard error, 95% interval and two-sided p-value of one term or contrast."""

    estimate: float
    std_error: float
    conf_low: float
    conf_high: float
    p_value: float


@dataclass
class ModelFit:
    """A fitted model reduced to what inference and tables need.

    ``df_t`` is the degrees of freedom of the t reference distribution (None: normal).
    """

    estimator: str
    formula: str
    coef: pd.Series
    vcov: pd.DataFrame
    n_obs: int
    n_events: int | None = None
    n_clusters: int | None = None
    vcov_type: str = "iid"
    df_t: float | None = None
    fixed_effects: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    influence: pd.DataFrame | None = None
    not_identified: tuple[str, ...] = ()

    @property
    def std_error(self) -> pd.Series:
        """Standard errors (square roots of the covariance diagonal)."""
        return pd.Series(np.sqrt(np.diag(self.vcov.to_numpy())), index=self.coef.index)

    def _dist(self) -> Any:
        return stats.norm if self.df_t is None else stats.t(self.df_t)

    def contrast(self, weights: dict[str, float], level: float = 0.95) -> TermEstimate:
        """Wald inference on a linear combination of coefficients.

        Examples
        --------
        >>> fit = ModelFit("ols", "y ~ a + b", pd.Series({"a": 1.0, "b": 0.5}),
        ...     pd.DataFrame(np.eye(2) * 0.01, index=["a", "b"], columns=["a", "b"]), 100)
        >>> round(fit.contrast({"a": 1.0, "b": -1.0}).estimate, 2)
        0.5
        """
        missing = [k for k in weights if k not in self.coef.index]
        if missing:
            raise EstimationProblem(
                f"term(s) {', '.join(missing)} not in the fitted model (dropped as collinear?)"
            )
        w = pd.Series(weights).reindex(self.coef.index, fill_value=0.0).to_numpy(float)
        est = float(w @ self.coef.to_numpy(float))
        var = float(w @ self.vcov.to_numpy(float) @ w)
        if not np.isfinite(est) or not np.isfinite(var) or var <= 0:
            what = " - ".join(weights)
            raise EstimationProblem(f"singular design: the variance of {what} is not positive")
        se = float(np.sqrt(var))
        dist = self._dist()
        crit = float(dist.ppf(0.5 + level / 2))
        p = float(2 * dist.sf(abs(est / se)))
        return TermEstimate(est, se, est - crit * se, est + crit * se, p)

    def term(self, name: str) -> TermEstimate:
        """Inference on one coefficient."""
        return self.contrast({name: 1.0})

    def terms(self) -> tuple[Term, ...]:
        """Inference on every coefficient; raises if any term's variance is not positive.

        A term listed in ``not_identified`` (its coefficient diverges: separation, or no
        event where it varies) carries ``identified=False``: tables print it without stars.
        """
        out = []
        for n in map(str, self.coef.index):
            t = self.term(n)
            out.append(Term(n, t.estimate, t.std_error, t.conf_low, t.conf_high, t.p_value,
                            identified=n not in self.not_identified))  # fmt: skip
        return tuple(out)

    def contrast_influence(self, weights: dict[str, float]) -> pd.Series | None:
        """Per-cluster influence of a linear combination (None without clustered scores).

        ``influence`` holds one row per cluster and one column per coefficient, scaled so
        that ``influence.T @ influence`` equals ``vcov``; the multiplier bootstrap of the
        specification curve (:mod:`sidepay.analysis.curve`) draws weights on these rows.

        Examples
        --------
        >>> fit = ModelFit("ols", "", pd.Series({"a": 1.0}), pd.DataFrame([[4.0]],
        ...     index=["a"], columns=["a"]), 2, influence=pd.DataFrame({"a": [2.0, 0.0]}))
        >>> fit.contrast_influence({"a": 1.0}).tolist()
        [2.0, 0.0]
        """
        if self.influence is None:
            return None
        w = pd.Series(weights).reindex(self.influence.columns, fill_value=0.0)
        return self.influence @ w

    def summary(self) -> pd.DataFrame:
        """One row per term: estimate, std_error, conf_low, conf_high, p_value."""
        rows = [self.term(str(n)).__dict__ for n in self.coef.index]
        return pd.DataFrame(rows, index=self.coef.index)
