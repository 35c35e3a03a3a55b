"""The runner that tests hypotheses H1-H8 (specs in :mod:`sidepay.analysis.specs`) on any panel.

Each :class:`HypothesisSpec` names the outcome, key regressor(s), expected sign, sample,
controls, fixed effects, clustering and estimator. :func:`run_hypotheses` runs them on a
table in the panel schema (real or simulated) and returns one typed
:class:`~sidepay.analysis.result.HypothesisResult` per hypothesis (estimate, terms,
controls, notes, parts); :mod:`sidepay.report` renders them as tables. A hypothesis that cannot be estimated (missing column, no
events, perfect separation, singular design) comes back *inconclusive* with the reason.
The operationalizations and their alternatives are documented in ``docs/hypotheses.md``.

Examples
--------
>>> [s.id for s in HYPOTHESES.values()]
['H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'H7', 'H8']
>>> HYPOTHESES["H2"].estimator, HYPOTHESES["H2"].expected_sign
('feols', 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from sidepay.analysis.estimators import fit_feglm, fit_feols
from sidepay.analysis.marginal import logit_ame_with_se, peace_years_splines
from sidepay.analysis.model_fit import EstimationProblem, ModelFit
from sidepay.analysis.result import (
    HypothesisResult,
    HypothesisResults,
    ModelSummary,
    Part,
    PartRole,
    Verdict,
)
from sidepay.analysis.samples import (
    _coverage,
    _estimation_sample,
    _missing,
    _model_variables,
    check_spec_columns,
    estimation_sample,
)
from sidepay.analysis.specs import (
    ALTERNATIVES,
    CLIENT_YEAR_COLUMNS,
    CLIENT_YEAR_SAMPLES,
    HYPOTHESES,
    SAMPLE_COLUMNS,
    SAMPLES,
    UNIT_KEYS,
    Estimator,
    HypothesisSpec,
    Sample,
)
from sidepay.analysis.survival import fit_cox
from sidepay.analysis.verdict import combine_verdicts, verdict
from sidepay.errors import InputError
from sidepay.schema import validate_panel

__all__ = [
    "ALTERNATIVES",
    "CLIENT_YEAR_COLUMNS",
    "CLIENT_YEAR_SAMPLES",
    "HYPOTHESES",
    "SAMPLES",
    "SAMPLE_COLUMNS",
    "UNIT_KEYS",
    "Estimator",
    "HypothesisSpec",
    "Sample",
    "check_spec_columns",
    "estimation_sample",
    "parse_only",
    "run_hypotheses",
    "with_options",
]


# --------------------------------------------------------------------------- running


def _with_peace_years(
    spec: HypothesisSpec, data: pd.DataFrame, controls: list[str]
) -> tuple[pd.DataFrame, list[str]]:
    """``data`` with the peace-years splines of ``spec`` added as controls (if it has any)."""
    if spec.peace_years:
        splines = peace_years_splines(data[spec.peace_years].astype("float64"))
        data = data.assign(**{c: splines[c] for c in splines.columns})
        controls = [*controls, *splines.columns]
    return data, controls


def _estimate(spec: HypothesisSpec, data: pd.DataFrame, controls: list[str]) -> ModelFit:
    if spec.estimator == "feols":
        # with peace years: a linear probability model of a binary outcome
        data, controls = _with_peace_years(spec, data, controls)
        return fit_feols(
            data, spec.outcome, spec.regressors, controls, spec.fixed_effects, spec.cluster
        )
    if spec.estimator in ("logit", "poisson"):
        data, controls = _with_peace_years(spec, data, controls)
        return fit_feglm(
            data, spec.outcome, spec.regressors, controls, spec.fixed_effects, spec.cluster,
            family="logit" if spec.estimator == "logit" else "poisson",
        )  # fmt: skip
    return fit_cox(
        data, spec.outcome, spec.regressors, controls, strata=spec.strata, cluster=spec.cluster
    )


def _model_summary(fit: ModelFit, spec: HypothesisSpec) -> ModelSummary:
    """The typed summary of a fit (raises if any term's variance is not positive)."""
    return ModelSummary(
        estimator=fit.estimator, formula=fit.formula, vcov=fit.vcov_type,
        sample=SAMPLES[spec.sample], terms=fit.terms(), n_obs=fit.n_obs,
        n_events=fit.n_events, n_clusters=fit.n_clusters, fixed_effects=fit.fixed_effects,
    )  # fmt: skip


def _marginal_effect(
    spec: HypothesisSpec, fit: ModelFit, data: pd.DataFrame
) -> tuple[float, float] | None:
    """Average marginal effect of the key regressor of a logit without fixed effects,
    with its delta-method standard error."""
    if spec.estimator != "logit" or spec.fixed_effects:
        return None
    try:
        if spec.peace_years:
            sp = peace_years_splines(data[spec.peace_years].astype("float64"))
            data = pd.concat([data, sp], axis=1)
        return logit_ame_with_se(fit, data, spec.regressors[0])
    except (KeyError, ValueError):
        return None


def _changed_model(notes: Sequence[str]) -> tuple[str, bool]:
    """How a declared model changed (controls dropped), and whether that voids the verdict.

    A control never observed in the sample (its source does not cover these years or
    clients) voids the verdict: the declared model cannot be estimated, and a verdict on a
    smaller model would be a verdict on another hypothesis test. A control whose column the
    panel does not have at all (a simulated world has no GDP) keeps the verdict, with the
    change said first in the reason.
    """
    dropped = [n for n in notes if n.startswith("control ") and " dropped: " in n]
    if not dropped:
        return "", False
    uncovered = [n for n in dropped if "never observed" in n]
    if uncovered:
        return (
            "inconclusive because the pre-declared model changed: "
            + "; ".join(uncovered)
            + " (the estimate shown is from the model without it and is not counted)"
        ), True
    return "MODEL CHANGED (" + "; ".join(dropped) + "): ", False


def _run_one(spec: HypothesisSpec, panel: pd.DataFrame, world: str) -> HypothesisResult:
    base: dict[str, Any] = dict(
        hypothesis=spec.id, title=spec.title, world=world, outcome=spec.outcome,
        regressor=spec.key, expected_sign=spec.expected_sign, estimator=spec.estimator,
        prediction=spec.prediction,
    )  # fmt: skip
    empty: dict[str, Any] = dict(
        estimate=None, std_error=None, conf_low=None, conf_high=None, p_value=None
    )
    missing = _missing(spec, panel)
    if missing:
        return HypothesisResult(
            **base, **empty, n_obs=0, n_events=None, verdict="inconclusive",
            reason=f"the panel lacks column(s) {', '.join(missing)}",
            missing_columns=tuple(missing),
        )  # fmt: skip
    data, controls, notes = _estimation_sample(panel, spec)
    coverage = _coverage(data, _model_variables(spec, controls))
    try:
        if data.empty:
            raise EstimationProblem(f"the sample ({SAMPLES[spec.sample]}) is empty")
        fit = _estimate(spec, data, controls)
        est = fit.contrast(spec.contrast) if spec.contrast else fit.term(spec.regressors[0])
        model = _model_summary(fit, spec)
    except EstimationProblem as exc:
        return HypothesisResult(
            **base, **empty, n_obs=len(data), n_events=None, verdict="inconclusive",
            reason=str(exc), notes=tuple(notes), coverage=coverage,
        )  # fmt: skip
    v: Verdict = verdict(est.estimate, est.p_value, spec.expected_sign)
    reason = _reason(v, spec)
    changed, voids = _changed_model(notes)
    if voids:
        v, reason = "inconclusive", changed
    elif changed:
        reason = changed + reason
    ame = _marginal_effect(spec, fit, data)
    return HypothesisResult(
        **base, estimate=est.estimate, std_error=est.std_error, conf_low=est.conf_low,
        conf_high=est.conf_high, p_value=est.p_value, n_obs=fit.n_obs, n_events=fit.n_events,
        verdict=v, reason=reason, model=model, controls=tuple(controls),
        notes=(*notes, *fit.notes),
        average_marginal_effect=None if ame is None else ame[0],
        ame_std_error=None if ame is None else ame[1],
        hazard_ratio=float(np.exp(est.estimate)) if spec.estimator == "cox" else None,
        coverage=coverage, model_changed=bool(changed),
    )  # fmt: skip


def _reason(v: Verdict, spec: HypothesisSpec) -> str:
    sign = "positive" if spec.expected_sign > 0 else "negative"
    if v == "supported":
        return f"{sign} as predicted, p < 0.05"
    if v == "contrary":
        return f"significant (p < 0.05) but not {sign}: the data contradict the prediction"
    return "not significant at 5%"


def _part(r: HypothesisResult, role: PartRole, title: str = "") -> Part:
    """One part of a multi-part hypothesis; the primary part is renamed H4a (or X:a)."""
    hypothesis, title = r.hypothesis, (title or r.title) if role == "primary" else r.title
    if role == "primary":
        hypothesis += "a" if r.hypothesis[-1:].isdigit() else ":a"  # H4a, H4-post-cold-war:a
    return Part(
        role, hypothesis, title, r.outcome, r.regressor, r.estimator, r.estimate,
        r.std_error, r.conf_low, r.conf_high, r.p_value, r.n_obs, r.n_events, r.verdict,
        r.reason,
    )  # fmt: skip


def _with_secondary(spec: HypothesisSpec, panel: pd.DataFrame, world: str) -> HypothesisResult:
    """Run a hypothesis and its secondary parts; combine their verdicts.

    The top-level estimate stays the primary part's (e.g. H4's hazard ratio); the verdict
    is the combination (:func:`~sidepay.analysis.verdict.combine_verdicts`), and
    ``parts`` lists every part with its own estimate and verdict, so a hazard part that is
    supported next to a payment part that is contrary is visible as such.
    """
    main = _run_one(spec, panel, world)
    if not spec.secondary:
        return main
    secondary = tuple(_run_one(s, panel, world) for s in spec.secondary)
    parts = (_part(main, "primary", spec.primary_title),
             *(_part(p, "secondary") for p in secondary))  # fmt: skip
    combined = combine_verdicts([main.verdict, *[p.verdict for p in secondary]])
    each = "; ".join(f"{q.hypothesis} ({q.title}): {q.verdict}, {q.reason}" for q in parts)
    reason = (
        f"{combined} overall (every part must be supported; any contrary part makes it "
        f"contrary). Parts: {each}"
    )
    return replace(
        main, verdict=combined, reason=reason, secondary=secondary, parts=parts,
        primary_verdict=main.verdict,
    )  # fmt: skip


def parse_only(only: str | Iterable[str] | None) -> list[str]:
    """Hypothesis ids from ``"H2,H5"`` or a list; all when None.

    Examples
    --------
    >>> parse_only("h2, H5")
    ['H2', 'H5']
    """
    if only is None:
        return list(HYPOTHESES)
    items = only.split(",") if isinstance(only, str) else list(only)
    ids = [i.strip().upper() for i in items if i.strip()]
    bad = [i for i in ids if i not in HYPOTHESES]
    if bad or not ids:
        raise InputError(
            f"unknown hypothesis {', '.join(bad) or '(none given)'}; allowed: {', '.join(HYPOTHESES)}",
            param="only",
        )
    return ids


def run_hypotheses(
    panel: pd.DataFrame,
    world: str = "real",
    only: str | Sequence[str] | None = None,
    specs: dict[str, HypothesisSpec] | None = None,
) -> HypothesisResults:
    """Test the hypotheses on a panel-schema table; one result per hypothesis.

    Parameters
    ----------
    panel
        Directed patron-client-year table in the ``sidepay.schema`` columns (a simulated
        panel may stack replications in ``rep``).
    world
        Label carried into the results ("real" or "simulated").
    only
        Hypothesis ids (``"H2,H5"`` or a list); all by default.
    specs
        Alternative specs (for robustness checks); defaults to :data:`HYPOTHESES`.

    Returns
    -------
    HypothesisResults
        A list of :class:`~sidepay.analysis.result.HypothesisResult`, in the order asked;
        a notebook shows it as a one-row-per-result summary.

    Raises
    ------
    sidepay.errors.InputError
        ``panel`` is not a table in the panel schema (a key column missing, a column of
        the wrong kind; :func:`sidepay.schema.validate_panel`) or ``only`` names an
        unknown hypothesis. A column a hypothesis needs but the panel lacks is not an
        error: that hypothesis comes back inconclusive, naming the column.

    Examples
    --------
    >>> res = run_hypotheses(pd.DataFrame({"patron": [2], "client": [20], "year": [1950]}),
    ...     only="H2")
    >>> res[0].verdict, res[0].reason
    ('inconclusive', 'the panel lacks column(s) side_payment, W, allied')
    >>> run_hypotheses(pd.DataFrame({"patron": [2], "client": [20], "year": ["1950"]}))
    Traceback (most recent call last):
    ...
    sidepay.errors.InputError: panel= column year must be int64 (numeric); found object dtype holding string values such as '1950'
    """
    validate_panel(panel)
    specs = specs or HYPOTHESES
    for spec in specs.values():
        check_spec_columns(spec, panel)
    if specs is HYPOTHESES:
        ids = parse_only(only)
    else:
        ids = (
            list(specs)
            if only is None
            else [i.strip() for i in (only.split(",") if isinstance(only, str) else only)]
        )
        unknown = [i for i in ids if i not in specs]
        if unknown:
            raise InputError(
                f"unknown hypothesis {', '.join(unknown)}; allowed: {', '.join(specs)}",
                param="only",
            )
    return HypothesisResults(_with_secondary(specs[i], panel, world) for i in ids)


def with_options(spec: HypothesisSpec, **changes: Any) -> HypothesisSpec:
    """A copy of ``spec`` with fields changed (for alternative operationalizations).

    Examples
    --------
    >>> with_options(HYPOTHESES["H2"], fixed_effects=("client", "year")).fixed_effects
    ('client', 'year')
    """
    return replace(spec, **changes)
