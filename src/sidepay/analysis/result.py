"""Typed results of testing hypotheses: numbers, terms, notes; no rendering here.

A :class:`HypothesisResult` holds the headline estimate of one hypothesis on one panel,
the fitted model behind it (:class:`ModelSummary`, one :class:`Term` per coefficient),
the controls and notes, and for a multi-part hypothesis (H4, H6) its secondary results
and one :class:`Part` per part. :func:`sidepay.analysis.hypotheses.run_hypotheses`
returns a :class:`HypothesisResults` (a list with a notebook summary). Tables, pages and
JSON files are made from these objects in :mod:`sidepay.report`; :meth:`to_dict` gives
the JSON content of ``results.json`` (without the rendered tables, which ``report/``
adds).

Examples
--------
>>> r = HypothesisResult(hypothesis="H2", title="Price rises with W", world="simulated",
...     outcome="side_payment", regressor="W", expected_sign=1, estimator="feols",
...     estimate=0.8, std_error=0.2, conf_low=0.4, conf_high=1.2, p_value=0.001,
...     n_obs=1000, n_events=None, verdict="supported", reason="")
>>> r.to_dict()["verdict"]
'supported'
>>> r
<H2 simulated: estimate 0.8 [0.4, 1.2], p = 0.001, N 1000, supported>
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["supported", "contrary", "inconclusive"]
PartRole = Literal["primary", "secondary"]


@dataclass(frozen=True)
class Term:
    """One coefficient of a fitted model: estimate, standard error, 95% interval, p-value.

    Examples
    --------
    >>> Term("W", 0.8, 0.2, 0.4, 1.2, 0.001).to_dict()["std_error"]
    0.2
    """

    name: str
    estimate: float
    std_error: float
    conf_low: float
    conf_high: float
    p_value: float
    identified: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The term's numbers (not its name), as in ``details["terms"][name]`` of the JSON.

        A term that is not identified (its coefficient diverges) says so under
        ``"identified": false``; tables print it without stars.
        """
        out: dict[str, Any] = {
            "estimate": float(self.estimate),
            "std_error": float(self.std_error),
            "conf_low": float(self.conf_low),
            "conf_high": float(self.conf_high),
            "p_value": float(self.p_value),
        }
        if not self.identified:
            out["identified"] = False
        return out


@dataclass(frozen=True)
class ModelSummary:
    """A fitted model reduced to what a reader and a regression table need.

    ``vcov`` names the variance estimator (``"CRV1 by client_id"``); ``sample`` describes
    the estimation sample; ``fixed_effects`` are absorbed effects or Cox strata.

    Examples
    --------
    >>> m = ModelSummary("feols", "y ~ W", "iid", "all rows", (Term("W", 1, .1, .8, 1.2, 0),),
    ...     n_obs=50)
    >>> m.term("W").estimate, m.term("x")
    (1, None)
    """

    estimator: str
    formula: str
    vcov: str
    sample: str
    terms: tuple[Term, ...]
    n_obs: int
    n_events: int | None = None
    n_clusters: int | None = None
    fixed_effects: tuple[str, ...] = ()

    def term(self, name: str) -> Term | None:
        """The term called ``name``, if the model has one."""
        return next((t for t in self.terms if t.name == name), None)


@dataclass(frozen=True)
class Coverage:
    """Years, clients and patrons of the rows an estimate used (None: not known).

    Examples
    --------
    >>> Coverage(years=(1950, 1989), n_clients=120).to_dict()
    {'years': [1950, 1989], 'n_clients': 120}
    """

    years: tuple[int, int] | None = None
    n_clients: int | None = None
    n_patrons: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The known fields, as in the ``coverage`` of the JSON."""
        out: dict[str, Any] = {}
        if self.years is not None:
            out["years"] = list(self.years)
        if self.n_clients is not None:
            out["n_clients"] = self.n_clients
        if self.n_patrons is not None:
            out["n_patrons"] = self.n_patrons
        return out


@dataclass(frozen=True)
class Part:
    """One part of a multi-part hypothesis (H4a, H4b), with its own estimate and verdict."""

    role: PartRole
    hypothesis: str
    title: str
    outcome: str
    regressor: str
    estimator: str
    estimate: float | None
    std_error: float | None
    conf_low: float | None
    conf_high: float | None
    p_value: float | None
    n_obs: int
    n_events: int | None
    verdict: Verdict
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """As in ``details["parts"]`` of the JSON (the role under the key ``part``)."""
        keys = ("hypothesis", "title", "outcome", "regressor", "estimator", "estimate",
                "std_error", "conf_low", "conf_high", "p_value", "n_obs", "n_events",
                "verdict", "reason")  # fmt: skip
        return {"part": self.role, **{k: getattr(self, k) for k in keys}}


def _short(x: float | None) -> str:
    return "–" if x is None else f"{x:.3g}"


@dataclass(repr=False)
class HypothesisResult:
    """Estimate, interval, p-value, sample size and verdict of one hypothesis on one panel.

    ``model`` is the fitted model of the headline estimate (None when there is none: a
    missing column, an empty sample, an estimation problem; ``reason`` says which);
    ``controls`` are the controls that estimate used; ``notes`` say what was dropped or
    absorbed. A multi-part hypothesis keeps its further tests in ``secondary`` (full
    results) and all its parts in ``parts``; its ``verdict`` combines them and
    ``primary_verdict`` is the first part's own. ``coverage`` says which years, clients and
    patrons entered the estimation sample; ``missing_columns`` the panel columns it lacked.
    """

    hypothesis: str
    title: str
    world: str
    outcome: str
    regressor: str
    expected_sign: int
    estimator: str
    estimate: float | None
    std_error: float | None
    conf_low: float | None
    conf_high: float | None
    p_value: float | None
    n_obs: int
    n_events: int | None
    verdict: Verdict
    reason: str
    prediction: str = ""
    model: ModelSummary | None = None
    controls: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    average_marginal_effect: float | None = None
    ame_std_error: float | None = None
    hazard_ratio: float | None = None
    secondary: tuple[HypothesisResult, ...] = ()
    parts: tuple[Part, ...] = ()
    primary_verdict: Verdict | None = None
    coverage: Coverage = field(default_factory=Coverage)
    missing_columns: tuple[str, ...] = ()
    model_changed: bool = False

    def __repr__(self) -> str:
        if self.estimate is None:
            return f"<{self.hypothesis} {self.world}: no estimate, {self.verdict}>"
        small = self.p_value is not None and self.p_value < 0.001
        p = "p < 0.001" if small else f"p = {_short(self.p_value)}"
        return (
            f"<{self.hypothesis} {self.world}: estimate {_short(self.estimate)} "
            f"[{_short(self.conf_low)}, {_short(self.conf_high)}], {p}, N {self.n_obs}, "
            f"{self.verdict}>"
        )

    def _repr_html_(self) -> str:
        from sidepay.report.summary import results_summary_html

        return results_summary_html([self])

    def _details(self) -> dict[str, Any]:
        """The ``details`` object of the JSON: model, controls, notes, parts.

        Examples
        --------
        >>> HypothesisResult("H2", "t", "real", "y", "W", 1, "feols", None, None, None,
        ...     None, None, 0, None, "inconclusive", "no rows", notes=("x dropped",))._details()
        {'notes': ['x dropped']}
        """
        out: dict[str, Any] = {}
        if self.model is not None:
            out |= {
                "formula": self.model.formula,
                "vcov": self.model.vcov,
                "sample": self.model.sample,
                "controls": list(self.controls),
            }
        if self.model is not None or not self.missing_columns:
            out["notes"] = list(self.notes)
        if self.model is not None:
            out["terms"] = {t.name: t.to_dict() for t in self.model.terms}
        if self.average_marginal_effect is not None:
            out["average_marginal_effect"] = self.average_marginal_effect
        if self.ame_std_error is not None:
            out["ame_std_error"] = self.ame_std_error
        if self.model_changed:
            out["model_changed"] = True
        if self.hazard_ratio is not None:
            out["hazard_ratio"] = self.hazard_ratio
        if self.parts:
            # the secondary results carry no tables of their own: the parent's hold them
            out["secondary"] = [s._record(tables_slot=True) for s in self.secondary]
            out["parts"] = [q.to_dict() for q in self.parts]
            out["primary_verdict"] = self.primary_verdict
        return out

    def _record(self, tables_slot: bool = False) -> dict[str, Any]:
        keys = ("hypothesis", "title", "world", "outcome", "regressor", "expected_sign",
                "estimator", "estimate", "std_error", "conf_low", "conf_high", "p_value",
                "n_obs", "n_events", "verdict", "reason", "prediction")  # fmt: skip
        out: dict[str, Any] = {k: getattr(self, k) for k in keys}
        if tables_slot:
            out["tables"] = {}
        out["details"] = self._details()
        out["coverage"] = self.coverage.to_dict()
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, JSON-serialisable: the result as ``sidepay test --json`` prints it.

        ``results.json`` holds the same with the rendered regression tables added under
        ``"tables"`` (:func:`sidepay.report.html.results_document`).
        """
        return self._record()


class HypothesisResults(list[HypothesisResult]):
    """The results of :func:`~sidepay.analysis.hypotheses.run_hypotheses`: a list of
    :class:`HypothesisResult` that shows a one-row-per-result summary in a notebook.

    Examples
    --------
    >>> HypothesisResults([])
    HypothesisResults([])
    """

    def __repr__(self) -> str:
        return "HypothesisResults([" + ",\n ".join(repr(r) for r in self) + "])"

    def _repr_html_(self) -> str:
        from sidepay.report.summary import results_summary_html

        return results_summary_html(self)

    def by_id(self) -> dict[str, HypothesisResult]:
        """The results keyed by hypothesis id (the first one of each id).

        Examples
        --------
        >>> HypothesisResults([]).by_id()
        {}
        """
        out: dict[str, HypothesisResult] = {}
        for r in self:
            out.setdefault(r.hypothesis, r)
        return out
