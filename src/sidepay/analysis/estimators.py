"""Estimators the field trusts, behind one small interface.

Fixed-effects OLS, logit and Poisson come from pyfixest (``feols``, ``feglm``,
``fepois``) with cluster-robust standard errors; Cox models with time-varying covariates
live in :mod:`sidepay.analysis.survival` (Efron ties, start-stop rows, checked against
``survival::coxph``). Every fit is
returned as a :class:`ModelFit` (coefficients, covariance, N, events) so that hypotheses,
verdicts and tables never touch a library object.

Anything that makes a number meaningless (no rows, no events, a key regressor that does
not vary, perfect separation, a singular design, no convergence) raises
:class:`EstimationProblem` with a one-line reason; the hypothesis runner turns it into an
*inconclusive* result instead of a crash or a silent number.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> df = pd.DataFrame({"x": rng.normal(size=400), "g": rng.integers(0, 20, 400)})
>>> df["y"] = 2.0 * df["x"] + rng.normal(size=400)
>>> fit = fit_feols(df, "y", ["x"], cluster="g")
>>> round(fit.term("x").estimate, 1)
2.0
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from sidepay.analysis.determinism import fixed_effects_in_formula_order
from sidepay.analysis.model_fit import EstimationProblem, ModelFit, TermEstimate

SEPARATION_BOUND = 8.0
"""A logit/Cox coefficient times the regressor's SD above this flags (quasi-)separation."""

FIXEF_TOL = 1e-12
"""Convergence tolerance of the fixed-effects demeaning (pyfixest's default 1e-6 leaves
two-way FE standard errors wrong in the 6th digit)."""

__all__ = [
    "FIXEF_TOL",
    "SEPARATION_BOUND",
    "EstimationProblem",
    "ModelFit",
    "TermEstimate",
    "cluster_influence",
    "fit_feglm",
    "fit_feols",
    "flag_not_identified",
]


# --------------------------------------------------------------------------- helpers


def _complete_cases(data: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    """Rows where every used column is observed, as float64 (nullable ints become floats)."""
    sub = data.loc[:, list(dict.fromkeys(cols))]
    sub = sub.dropna()
    if sub.empty:
        raise EstimationProblem(
            f"no rows with all of {', '.join(dict.fromkeys(cols))} observed in the sample"
        )
    return sub


def _check_varies(sub: pd.DataFrame, names: Sequence[str]) -> None:
    for name in names:
        if sub[name].nunique() < 2:
            raise EstimationProblem(f"{name} does not vary in the estimation sample")


def _check_events(sub: pd.DataFrame, outcome: str, all_events_ok: bool = False) -> int:
    y = sub[outcome].to_numpy(float)
    if not np.isin(y, (0.0, 1.0)).all():
        raise EstimationProblem(f"binary outcome {outcome} has values other than 0 and 1")
    n_events = int(y.sum())
    if n_events == 0:
        raise EstimationProblem(f"no events: {outcome} is never 1 in the sample")
    if n_events == len(y) and not all_events_ok:
        raise EstimationProblem(f"no non-events: {outcome} is always 1 in the sample")
    return n_events


def _check_separation(fit: ModelFit, sub: pd.DataFrame, names: Sequence[str]) -> None:
    """Diverging coefficients (monotone likelihood): raise for key regressors, note controls.

    A coefficient is diverging when its size, or its standard error, times the regressor's
    SD is implausibly large (> ``SEPARATION_BOUND``, or a standard error > 100 per SD).
    """
    se_all = fit.std_error
    for name in map(str, fit.coef.index):
        if name not in sub.columns:
            continue
        sd = float(sub[name].std())
        scaled = abs(float(fit.coef[name])) * sd
        se = float(se_all[name]) * sd
        if np.isfinite(scaled) and np.isfinite(se) and scaled <= SEPARATION_BOUND and se <= 100:
            continue
        if name in names:
            raise EstimationProblem(
                f"perfect separation: {name} (nearly) predicts the outcome; "
                "its coefficient diverges (not identified)"
            )
        flag_not_identified(
            fit, name, "coefficient diverges (quasi-separation); its estimate is meaningless"
        )


def flag_not_identified(fit: ModelFit, name: str, why: str) -> None:
    """Mark a control's coefficient as not identified (no stars, never a finding)."""
    if name in fit.not_identified:
        return
    fit.not_identified = (*fit.not_identified, name)
    fit.notes.append(f"control {name} not identified: {why}; the key estimate is kept")


def _check_binary_separation(sub: pd.DataFrame, outcome: str, names: Sequence[str]) -> None:
    """A 0/1 regressor in one of whose levels the outcome never (or always) occurs."""
    y = sub[outcome].to_numpy(float)
    for name in names:
        x = sub[name].to_numpy(float)
        if not np.isin(x, (0.0, 1.0)).all():
            continue
        for level in (0.0, 1.0):
            ys = y[x == level]
            if len(ys) and (ys.min() == ys.max()):
                raise EstimationProblem(
                    f"perfect separation: {outcome} is always {int(ys[0])} "
                    f"when {name} = {int(level)}"
                )


def _rhs(regressors: Sequence[str], controls: Sequence[str]) -> list[str]:
    return list(dict.fromkeys([*regressors, *controls]))


def _from_pyfixest(
    model: Any, estimator: str, formula: str, sub: pd.DataFrame, cluster: str | None
) -> ModelFit:
    names = [str(n) for n in model._coefnames]
    vcov = pd.DataFrame(np.asarray(model._vcov, float), index=names, columns=names)
    coef = pd.Series(np.asarray(model._beta_hat, float), index=names)
    df_t = getattr(model, "_df_t", None)
    influence = None
    if cluster:
        influence = cluster_influence(
            np.asarray(model._scores, float) @ np.asarray(model._bread, float),
            _model_rows(model, sub)[cluster].to_numpy(),
            vcov.to_numpy(),
            names,
        )
    return ModelFit(
        estimator=estimator,
        formula=formula,
        coef=coef,
        vcov=vcov,
        n_obs=int(model._N),
        n_clusters=int(sub[cluster].nunique()) if cluster else None,
        vcov_type=f"CRV1 by {cluster}" if cluster else "iid",
        df_t=float(df_t) if df_t is not None and estimator == "feols" else None,
        influence=influence,
    )


def _model_rows(model: Any, sub: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``sub`` a pyfixest model kept (it drops singletons and missing rows)."""
    na = getattr(model, "_na_index", None)
    if na is not None and len(na):
        return sub.loc[~sub.index.isin(list(na))]
    return sub


def cluster_influence(
    row_influence: np.ndarray, clusters: np.ndarray, vcov: np.ndarray, names: Sequence[str]
) -> pd.DataFrame | None:
    """Sum per-row influence (score times bread) by cluster, scaled to match ``vcov``.

    The scaling puts the small-sample factor of the reported variance on the rows, so that
    ``influence.T @ influence`` reproduces the diagonal of ``vcov`` exactly.

    Examples
    --------
    >>> inf = cluster_influence(np.array([[1.0], [1.0], [-2.0]]), np.array([1, 1, 2]),
    ...     np.array([[8.0]]), ["x"])
    >>> inf["x"].tolist()
    [2.0, -2.0]
    """
    if len(row_influence) != len(clusters):
        return None
    codes, uniques = pd.factorize(clusters)
    summed = np.zeros((len(uniques), row_influence.shape[1]))
    np.add.at(summed, codes, row_influence)
    raw = (summed**2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(raw > 0, np.sqrt(np.diag(vcov) / raw), 0.0)
    return pd.DataFrame(summed * scale, index=uniques, columns=list(names))


def _pyfixest_call(func: Any, formula: str, sub: pd.DataFrame, **kw: Any) -> Any:
    with warnings.catch_warnings(), fixed_effects_in_formula_order():
        warnings.simplefilter("ignore")
        try:
            return func(formula, data=sub, **kw)
        except EstimationProblem:
            raise
        except Exception as exc:  # pyfixest signals singular designs and the like by raising
            msg = " ".join(str(exc).split())[:160]
            if "step-halving" in msg.lower() or "deviance" in msg.lower():
                raise EstimationProblem(
                    f"perfect separation or no convergence: the GLM diverges ({msg})"
                ) from exc
            raise EstimationProblem(f"{type(exc).__name__} in estimation: {msg}") from exc


def _absorbed(
    sub: pd.DataFrame, controls: Sequence[str], fe: Sequence[str]
) -> tuple[list[str], list[str]]:
    """Controls constant within the groups of one fixed effect are absorbed by it.

    Dropping them changes no estimate; a term dropped for any other collinearity is a
    singular design (see ``_check_kept``).
    """
    kept, absorbed = [], []
    for c in controls:
        if any((sub.groupby(f, sort=False)[c].nunique() <= 1).all() for f in fe):
            absorbed.append(c)
        else:
            kept.append(c)
    return kept, absorbed


def _vcov_arg(cluster: str | None) -> Any:
    return {"CRV1": cluster} if cluster else "iid"


def _formula(outcome: str, rhs: Sequence[str], fe: Sequence[str]) -> str:
    f = f"{outcome} ~ {' + '.join(rhs)}"
    return f + (f" | {' + '.join(fe)}" if fe else "")


def _fe_design(
    data: pd.DataFrame,
    outcome: str,
    regressors: Sequence[str],
    controls: Sequence[str],
    fe: Sequence[str],
    cluster: str | None,
    must_vary: Sequence[str],
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Complete-case sample, kept right-hand side and controls absorbed by ``fe``.

    ``must_vary`` are the columns that must vary in the sample (``_check_varies``).
    """
    rhs = _rhs(regressors, controls)
    sub = _complete_cases(data, [outcome, *rhs, *fe, *([cluster] if cluster else [])])
    _check_varies(sub, must_vary)
    ctl, absorbed = _absorbed(sub, [c for c in rhs if c not in regressors], fe)
    return sub, [*regressors, *ctl], absorbed


def _finish_fe_fit(
    fit: ModelFit, fe: Sequence[str], absorbed: Sequence[str], rhs: Sequence[str]
) -> None:
    """Record the fixed effects and absorbed controls on ``fit``; refuse a dropped term."""
    fit.fixed_effects = tuple(fe)
    fit.notes += [f"{c} absorbed by the fixed effects" for c in absorbed]
    _check_kept(fit, rhs)


def _check_kept(fit: ModelFit, terms: Sequence[str]) -> None:
    """A dropped term (regressor or control) means the design was singular: no silent model."""
    dropped = [r for r in terms if r not in fit.coef.index]
    if dropped:
        raise EstimationProblem(
            f"singular design: {', '.join(dropped)} collinear with the other terms "
            "or the fixed effects"
        )


# --------------------------------------------------------------------------- estimators


def fit_feols(
    data: pd.DataFrame,
    outcome: str,
    regressors: Sequence[str],
    controls: Sequence[str] = (),
    fe: Sequence[str] = (),
    cluster: str | None = None,
) -> ModelFit:
    """Fixed-effects OLS (pyfixest ``feols``), CRV1 standard errors clustered by ``cluster``.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 2.9, 4.2, 5.0], "x": [0.0, 1, 2, 3, 4]})
    >>> round(fit_feols(df, "y", ["x"]).term("x").estimate, 2)
    1.02
    """
    import pyfixest as pf

    sub, rhs, absorbed = _fe_design(
        data, outcome, regressors, controls, fe, cluster, [outcome, *regressors]
    )
    formula = _formula(outcome, rhs, fe)
    model = _pyfixest_call(
        pf.feols, formula, sub, vcov=_vcov_arg(cluster),
        demeaner=pf.MapDemeaner(fixef_tol=FIXEF_TOL, fixef_maxiter=100_000),
    )  # fmt: skip
    fit = _from_pyfixest(model, "feols", formula, sub, cluster)
    _finish_fe_fit(fit, fe, absorbed, rhs)
    return fit


def fit_feglm(
    data: pd.DataFrame,
    outcome: str,
    regressors: Sequence[str],
    controls: Sequence[str] = (),
    fe: Sequence[str] = (),
    cluster: str | None = None,
    family: Literal["logit", "poisson"] = "logit",
) -> ModelFit:
    """Fixed-effects logit (``feglm``) or Poisson (``fepois``) with CRV1 standard errors.

    The logit checks for events and for perfect separation of the key regressors; the
    standard errors carry no small-sample factor (as R's ``glm``).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"x": rng.normal(size=2000)})
    >>> df["y"] = (rng.random(2000) < 1 / (1 + np.exp(-df["x"]))).astype(int)
    >>> 0.8 < fit_feglm(df, "y", ["x"]).term("x").estimate < 1.2
    True
    """
    import pyfixest as pf

    if family not in ("logit", "poisson"):
        raise ValueError(f"family must be logit or poisson; got {family!r}")
    sub, rhs, absorbed = _fe_design(
        data, outcome, regressors, controls, fe, cluster, list(regressors)
    )
    n_events: int | None = None
    formula = _formula(outcome, rhs, fe)
    ssc = pf.ssc(k_adj=False, G_adj=bool(cluster))
    if family == "logit":
        n_events = _check_events(sub, outcome)
        _check_binary_separation(sub, outcome, rhs)
        model = _pyfixest_call(
            pf.feglm, formula, sub, family="logit", vcov=_vcov_arg(cluster), ssc=ssc,
            iwls_tol=1e-12, iwls_maxiter=100, fixef_tol=FIXEF_TOL,
        )  # fmt: skip
    else:
        if (sub[outcome] < 0).any():
            raise EstimationProblem(f"Poisson outcome {outcome} has negative values")
        n_events = int((sub[outcome] > 0).sum())
        if n_events == 0:
            raise EstimationProblem(f"no events: {outcome} is never positive in the sample")
        model = _pyfixest_call(
            pf.fepois, formula, sub, vcov=_vcov_arg(cluster), ssc=ssc, fixef_tol=FIXEF_TOL
        )
    fit = _from_pyfixest(model, family, formula, sub, cluster)
    fit.n_events = n_events
    _finish_fe_fit(fit, fe, absorbed, rhs)
    if family == "logit":
        _check_separation(fit, sub, regressors)
    return fit
