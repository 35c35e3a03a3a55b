"""Peace-years splines (duration dependence) and average marginal effects of logits.

The AME's standard error is by the delta method over the clustered covariance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sidepay.analysis.model_fit import ModelFit

# --------------------------------------------------------------------------- splines


def peace_years_splines(
    t: pd.Series | np.ndarray, knots: Sequence[float] = (1.0, 4.0, 7.0), prefix: str = "_py"
) -> pd.DataFrame:
    """Cubic-spline basis of years since the last event (Beck, Katz and Tucker 1998).

    Returns the linear term and one restricted (natural) cubic spline term per interior
    knot (Harrell's parametrisation, linear beyond the outer knots), so a logit on them
    models duration dependence flexibly. Knots default to BKT's 1, 4 and 7 years.

    Examples
    --------
    >>> b = peace_years_splines(np.array([0.0, 2.0, 5.0, 10.0]))
    >>> list(b.columns)
    ['_py0', '_py1']
    >>> float(b["_py1"].iloc[0])
    0.0
    """
    x = np.asarray(t, float)
    k = np.asarray(sorted(knots), float)
    if len(k) < 3:
        raise ValueError("peace_years_splines needs at least 3 knots")
    cube = lambda u: np.where(u > 0, u, 0.0) ** 3  # noqa: E731
    scale = (k[-1] - k[0]) ** 2
    out = {f"{prefix}0": x}
    for j in range(len(k) - 2):
        term = (
            cube(x - k[j])
            - cube(x - k[-2]) * (k[-1] - k[j]) / (k[-1] - k[-2])
            + cube(x - k[-1]) * (k[-2] - k[j]) / (k[-1] - k[-2])
        )
        out[f"{prefix}{j + 1}"] = term / scale
    return pd.DataFrame(out, index=t.index if isinstance(t, pd.Series) else None)


def logit_average_marginal_effect(fit: ModelFit, data: pd.DataFrame, name: str) -> float:
    """Average marginal effect on Pr(y=1) of a one-unit change in ``name`` (no-FE logits).

    Computed from the linear predictor of the fitted coefficients on ``data`` (rows with
    every term observed); fixed effects, if any, are not included in the index, so the
    number is then an approximation documented as such. Its delta-method standard error
    is :func:`logit_ame_with_se`.

    Examples
    --------
    >>> fit = ModelFit("logit", "", pd.Series({"Intercept": 0.0, "x": 1.0}),
    ...     pd.DataFrame(np.eye(2), index=["Intercept", "x"], columns=["Intercept", "x"]), 2)
    >>> round(logit_average_marginal_effect(fit, pd.DataFrame({"x": [0.0, 0.0]}), "x"), 2)
    0.25
    """
    return logit_ame_with_se(fit, data, name)[0]


def logit_ame_with_se(fit: ModelFit, data: pd.DataFrame, name: str) -> tuple[float, float]:
    """Average marginal effect of ``name`` and its delta-method standard error.

    With ``p_i = F(x_i'b)`` and ``F' = p(1-p)``, the AME is ``b_k mean_i p_i(1-p_i)``; its
    gradient in ``b`` is ``g_j = b_k mean_i p_i(1-p_i)(1-2p_i) x_ij + 1[j=k] mean_i
    p_i(1-p_i)``, and the standard error is ``sqrt(g' V g)`` with the model's (clustered)
    covariance ``V`` (as Stata's ``margins, dydx()`` and R's ``marginaleffects``).

    Examples
    --------
    >>> fit = ModelFit("logit", "", pd.Series({"Intercept": 0.0, "x": 1.0}),
    ...     pd.DataFrame(np.eye(2) * 0.04, index=["Intercept", "x"],
    ...     columns=["Intercept", "x"]), 2)
    >>> ame, se = logit_ame_with_se(fit, pd.DataFrame({"x": [0.0, 0.0]}), "x")
    >>> round(ame, 3), round(se, 3)
    (0.25, 0.05)
    """
    names = [str(n) for n in fit.coef.index]
    terms = [n for n in names if n != "Intercept"]
    sub = data[terms].dropna().astype(float)
    X = sub.to_numpy()
    if "Intercept" in names:
        X = np.column_stack([np.ones(len(sub)), X])
        cols = ["Intercept", *terms]
    else:
        cols = terms
    b = fit.coef[cols].to_numpy(float)
    p = 1 / (1 + np.exp(-(X @ b)))
    dens = p * (1 - p)
    k = cols.index(name)
    ame = float(b[k] * dens.mean())
    grad = b[k] * (dens * (1 - 2 * p)) @ X / len(p)
    grad[k] += dens.mean()
    V = fit.vcov.loc[cols, cols].to_numpy(float)
    return ame, float(np.sqrt(max(float(grad @ V @ grad), 0.0)))
