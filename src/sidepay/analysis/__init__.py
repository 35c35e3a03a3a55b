"""sidepay.analysis: hypotheses H1-H8 tested on any table in the panel schema.

Typed results (:class:`HypothesisResult`, :class:`Term`, :class:`ModelSummary`, ...), the
declarative specs, the estimators and the parameter-recovery study. Nothing here renders
a table (see :mod:`sidepay.report`) or imports ``sidepay.data`` or ``sidepay.sim``. Names
are imported on first use, so ``import sidepay.analysis`` stays cheap.

Examples
--------
>>> import sidepay.analysis as analysis
>>> analysis.HYPOTHESES["H2"].outcome
'log_side_payment'
>>> "run_hypotheses" in analysis.__all__
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sidepay.lazy import lazy_exports

if TYPE_CHECKING:
    from sidepay.analysis.estimators import (
        EstimationProblem,
        ModelFit,
        TermEstimate,
        fit_feglm,
        fit_feols,
    )
    from sidepay.analysis.hypotheses import (
        estimation_sample,
        parse_only,
        run_hypotheses,
        with_options,
    )
    from sidepay.analysis.marginal import logit_average_marginal_effect, peace_years_splines
    from sidepay.analysis.prepare import derive, needed_panel_columns
    from sidepay.analysis.recovery import recovery_study, replicate, summarize
    from sidepay.analysis.result import (
        Coverage,
        HypothesisResult,
        HypothesisResults,
        ModelSummary,
        Part,
        Term,
        Verdict,
    )
    from sidepay.analysis.specs import ALTERNATIVES, HYPOTHESES, SAMPLES, HypothesisSpec
    from sidepay.analysis.survival import fit_cox
    from sidepay.analysis.verdict import combine_verdicts, verdict

_WHERE = {
    "EstimationProblem": "estimators",
    "ModelFit": "estimators",
    "TermEstimate": "estimators",
    "fit_feglm": "estimators",
    "fit_feols": "estimators",
    "logit_average_marginal_effect": "marginal",
    "peace_years_splines": "marginal",
    "estimation_sample": "hypotheses",
    "parse_only": "hypotheses",
    "run_hypotheses": "hypotheses",
    "with_options": "hypotheses",
    "derive": "prepare",
    "needed_panel_columns": "prepare",
    "recovery_study": "recovery",
    "replicate": "recovery",
    "summarize": "recovery",
    "Coverage": "result",
    "HypothesisResult": "result",
    "HypothesisResults": "result",
    "ModelSummary": "result",
    "Part": "result",
    "Term": "result",
    "Verdict": "result",
    "ALTERNATIVES": "specs",
    "HYPOTHESES": "specs",
    "SAMPLES": "specs",
    "HypothesisSpec": "specs",
    "fit_cox": "survival",
    "combine_verdicts": "verdict",
    "verdict": "verdict",
}

__all__ = [
    "ALTERNATIVES",
    "HYPOTHESES",
    "SAMPLES",
    "Coverage",
    "EstimationProblem",
    "HypothesisResult",
    "HypothesisResults",
    "HypothesisSpec",
    "ModelFit",
    "ModelSummary",
    "Part",
    "Term",
    "TermEstimate",
    "Verdict",
    "combine_verdicts",
    "derive",
    "estimation_sample",
    "fit_cox",
    "fit_feglm",
    "fit_feols",
    "logit_average_marginal_effect",
    "needed_panel_columns",
    "parse_only",
    "peace_years_splines",
    "recovery_study",
    "replicate",
    "run_hypotheses",
    "summarize",
    "verdict",
    "with_options",
]


__getattr__, __dir__ = lazy_exports(__name__, {n: f".{m}" for n, m in _WHERE.items()})
