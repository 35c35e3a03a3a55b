"""Many fixed-effects models in one pyfixest call (``sw`` fixed effects, ``fsplit`` samples).

The multiverse runs the same linear (or Poisson) model under several sets of fixed
effects and in several periods. pyfixest's multiple-estimation syntax fits them in one
call (``y ~ x + controls | sw(patron+year, client_id+year)`` with ``fsplit="era"``), which
shares the model matrix and the demeaning; :func:`fit_many` returns one
:class:`~sidepay.analysis.estimators.ModelFit` per (fixed effects, sample), or the
:class:`~sidepay.analysis.estimators.EstimationProblem` that makes that one meaningless.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> df = pd.DataFrame({"x": rng.normal(size=600), "g": rng.integers(0, 30, 600),
...     "f": rng.integers(0, 4, 600), "era": rng.choice(["a", "b"], 600)})
>>> df["y"] = 2.0 * df["x"] + rng.normal(size=600)
>>> fits = fit_many(df, "y", ["x"], (), [("f",), ("g",)], cluster="g", split="era")
>>> sorted(fits)[:2]
[(('f',), 'a'), (('f',), 'all')]
>>> round(fits[(("g",), "all")].term("x").estimate, 1)
2.0
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd

from sidepay.analysis.estimators import (
    FIXEF_TOL,
    _complete_cases,
    _from_pyfixest,
    _pyfixest_call,
    _vcov_arg,
)
from sidepay.analysis.model_fit import EstimationProblem, ModelFit

__all__ = ["fit_many"]

_SAMPLE = re.compile(r"\(Sample: .* = (?P<value>.*)\)$")


def _fe_part(fe_sets: Sequence[tuple[str, ...]]) -> str:
    terms = ["+".join(fe) if fe else "0" for fe in fe_sets]
    if len(terms) == 1:
        return "" if terms[0] == "0" else f" | {terms[0]}"
    return f" | sw({', '.join(terms)})"


def fit_many(
    data: pd.DataFrame,
    outcome: str,
    regressors: Sequence[str],
    controls: Sequence[str],
    fe_sets: Sequence[tuple[str, ...]],
    cluster: str | None = None,
    split: str | None = None,
    family: Literal["feols", "poisson"] = "feols",
) -> dict[tuple[tuple[str, ...], str], ModelFit | EstimationProblem]:
    """Fit ``outcome ~ regressors + controls`` under each fixed-effects set and sample.

    All models use the rows where every variable (of every fixed-effects set) is
    observed, so the choices compare like with like. With ``split`` the models are also
    fitted on each value of that column (key ``"all"`` for the full sample). A model
    whose key regressor was dropped (collinear with the fixed effects) or does not vary
    is an :class:`EstimationProblem`; a control dropped by pyfixest is noted as absorbed.
    Standard errors are CRV1 by ``cluster`` (Poisson without a small-sample factor on
    k, as :func:`~sidepay.analysis.estimators.fit_feglm`).
    """
    import pyfixest as pf

    fe_cols = list(dict.fromkeys(c for fe in fe_sets for c in fe))
    rhs = list(dict.fromkeys([*regressors, *controls]))
    extra = [*([cluster] if cluster else []), *([split] if split else [])]
    sub = _complete_cases(data, [outcome, *rhs, *fe_cols, *extra])
    fe_keys = {"+".join(fe) if fe else "0": tuple(fe) for fe in fe_sets}
    formula = f"{outcome} ~ {' + '.join(rhs)}{_fe_part(fe_sets)}"
    kw: dict[str, Any] = {"vcov": _vcov_arg(cluster)}
    if split:
        kw["fsplit"] = split
    if family == "feols":
        kw["demeaner"] = pf.MapDemeaner(fixef_tol=FIXEF_TOL, fixef_maxiter=100_000)
        func = pf.feols
    else:
        if (sub[outcome] < 0).any():
            raise EstimationProblem(f"Poisson outcome {outcome} has negative values")
        kw |= {"ssc": pf.ssc(k_adj=False, G_adj=bool(cluster)), "fixef_tol": FIXEF_TOL}
        func = pf.fepois
    fitted = _pyfixest_call(func, formula, sub, **kw)
    models = getattr(fitted, "all_fitted_models", None)
    models = dict(models) if models is not None else {formula: fitted}
    out: dict[tuple[tuple[str, ...], str], ModelFit | EstimationProblem] = {}
    for key, model in models.items():
        m = _SAMPLE.search(str(key))
        value = m.group("value") if m else "all"
        fml = str(getattr(model, "_fml", key))
        fe_text = fml.split("|", 1)[1].strip() if "|" in fml else "0"
        fe = fe_keys.get(fe_text.replace(" ", ""), tuple(re.split(r"\s*\+\s*", fe_text)))
        part = sub if value == "all" else sub[sub[split].astype(str) == value]
        out[(fe, value)] = _one(model, family, fml, part, cluster, regressors, rhs, fe)
    return out


def _one(
    model: Any,
    family: str,
    formula: str,
    part: pd.DataFrame,
    cluster: str | None,
    regressors: Sequence[str],
    rhs: Sequence[str],
    fe: tuple[str, ...],
) -> ModelFit | EstimationProblem:
    for name in regressors:
        if part[name].nunique() < 2:
            return EstimationProblem(f"{name} does not vary in the estimation sample")
    try:
        fit = _from_pyfixest(model, family, formula, part, cluster)
    except Exception as exc:  # a model pyfixest could not finish (singular, no variance)
        return EstimationProblem(f"{type(exc).__name__} in estimation: {exc}"[:200])
    dropped = [r for r in regressors if r not in fit.coef.index]
    if dropped:
        return EstimationProblem(
            f"singular design: {', '.join(dropped)} collinear with the fixed effects"
        )
    fit.fixed_effects = fe
    fit.notes += [f"{c} absorbed by the fixed effects" for c in rhs if c not in fit.coef.index]
    if family == "poisson":
        fit.n_events = int((part[formula.split("~")[0].strip()] > 0).sum())
    return fit
