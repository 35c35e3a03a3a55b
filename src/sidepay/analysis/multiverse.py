"""Every hypothesis over its declared multiverse of defensible choices.

:func:`run_multiverse` crosses the choices of :data:`sidepay.analysis.choices.DIMENSIONS`
(side-payment measure, alliance definition, fixed effects, period, controls, estimator,
sample) and runs every specification on one panel. Linear and Poisson models with the
same data are fitted in one pyfixest call per group (``sw`` over fixed effects,
``fsplit`` over the eras; :func:`sidepay.analysis.multi_estimation.fit_many`); hazards
and logits one by one. The primary specification is the pre-declared one and stays the
headline (:func:`sidepay.analysis.hypotheses.run_hypotheses` gives it). For each part the
specification curve is tested against its null (:mod:`sidepay.analysis.curve`); across
H1-H8 the primary p-values are adjusted by Holm and Benjamini-Hochberg
(:mod:`sidepay.analysis.multiplicity`); each primary specification gets its
leave-one-cluster-out influence (:mod:`sidepay.analysis.influence`).

A choice the panel cannot make (a measure whose column it lacks) gives specifications
that are inconclusive with the reason ``column X not in the panel``; they are counted
under ``unavailable`` (a part of ``inconclusive``) in the summary.

Examples
--------
>>> from sidepay.analysis.choices import DIMENSIONS
>>> sum(d.size() for d in DIMENSIONS.values()) >= 200
True
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sidepay.analysis.choices import DIMENSIONS, FIXED_EFFECTS, MEASURES, PARTS, PERIODS
from sidepay.analysis.curve import CURVE_DRAWS, CurveInference, curve_inference
from sidepay.analysis.hypotheses import (
    _changed_model,
    _estimate,
    parse_only,
    run_hypotheses,
)
from sidepay.analysis.influence import Influence, leave_one_cluster_out
from sidepay.analysis.model_fit import EstimationProblem, ModelFit
from sidepay.analysis.multi_estimation import fit_many
from sidepay.analysis.multiplicity import benjamini_hochberg, holm, intersection_union_p
from sidepay.analysis.result import HypothesisResult, Verdict
from sidepay.analysis.samples import _estimation_sample
from sidepay.analysis.specs import HYPOTHESES, HypothesisSpec
from sidepay.analysis.spells import spells_for
from sidepay.analysis.verdict import verdict
from sidepay.schema import validate_panel

__all__ = ["HypothesisMultiverse", "Multiverse", "Specification", "part_spec", "run_multiverse"]

_PAYMENT_OUTCOMES = {"log_side_payment": "side_payment",
                     "log_payment_at_formation": "payment_at_formation"}  # fmt: skip


@dataclass
class Specification:
    """One specification's choices and result (``influence`` is not serialised)."""

    part: str
    choices: dict[str, str]
    primary: bool
    estimate: float | None = None
    std_error: float | None = None
    conf_low: float | None = None
    conf_high: float | None = None
    p_value: float | None = None
    n: int = 0
    n_events: int | None = None
    verdict: Verdict = "inconclusive"
    reason: str = ""
    identified: bool = True
    available: bool = True
    critical: float = float(stats.norm.ppf(0.975))
    influence: pd.Series | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """As in the ``specifications`` of the JSON."""
        keys = ("part", "choices", "primary", "estimate", "std_error", "conf_low", "conf_high",
                "p_value", "n", "n_events", "verdict", "reason", "identified", "available")  # fmt: skip
        return {k: getattr(self, k) for k in keys}


@dataclass
class HypothesisMultiverse:
    """One hypothesis over its multiverse: the headline, every specification, the summary."""

    id: str
    expected_sign: int
    primary: HypothesisResult | None
    specifications: list[Specification]
    curves: dict[str, CurveInference | None] = field(default_factory=dict)
    influence: dict[str, Influence | None] = field(default_factory=dict)
    p_primary: float | None = None
    p_holm: float | None = None
    p_bh: float | None = None

    def summary(self) -> dict[str, Any]:
        """Counts of verdicts over every specification (and per part for H4, H6)."""

        def count(specs: Sequence[Specification]) -> dict[str, int]:
            return {
                "supported": sum(s.verdict == "supported" for s in specs),
                "contrary": sum(s.verdict == "contrary" for s in specs),
                "inconclusive": sum(s.verdict == "inconclusive" for s in specs),
                "unavailable": sum(not s.available for s in specs),
                "not_identified": sum(not s.identified for s in specs),
            }

        out: dict[str, Any] = count(self.specifications)
        parts = list(dict.fromkeys(s.part for s in self.specifications))
        if len(parts) > 1:
            out["by_part"] = {
                p: count([s for s in self.specifications if s.part == p]) for p in parts
            }
        return out

    def flips(self) -> list[dict[str, Any]]:
        """Single-choice departures from the primary that change its verdict.

        Each entry names the part, the choice, the value and the verdict it gives (only
        estimated specifications that differ from the primary in exactly one choice).
        """
        out: list[dict[str, Any]] = []
        for part in dict.fromkeys(s.part for s in self.specifications):
            specs = [s for s in self.specifications if s.part == part]
            prim = next((s for s in specs if s.primary), None)
            if prim is None:
                continue
            for s in specs:
                diff = [k for k in s.choices if s.choices[k] != prim.choices[k]]
                if len(diff) == 1 and s.available and s.verdict != prim.verdict:
                    out.append({"part": part, "choice": diff[0], "value": s.choices[diff[0]],
                                "verdict": s.verdict, "estimate": s.estimate,
                                "p_value": s.p_value})  # fmt: skip
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of one hypothesis (issue 11's shape, with extras)."""
        prim = self.primary.to_dict() if self.primary is not None else None
        return {
            "id": self.id,
            "primary": prim,
            "p_primary": self.p_primary,
            "p_holm": self.p_holm,
            "p_bh": self.p_bh,
            "specifications": [s.to_dict() for s in self.specifications],
            "summary": self.summary(),
            "curve_inference": {k: (v.to_dict() if v else None) for k, v in self.curves.items()},
            "influence": {k: (v.to_dict() if v else None) for k, v in self.influence.items()},
            "flips": self.flips(),
        }


@dataclass
class Multiverse:
    """The multiverse of every hypothesis asked for, on one panel."""

    world: str
    hypotheses: list[HypothesisMultiverse]
    seconds: float = 0.0
    draws: int = CURVE_DRAWS
    seed: int = 0

    def n_specifications(self) -> int:
        """Specifications run over all hypotheses."""
        return sum(len(h.specifications) for h in self.hypotheses)

    def by_id(self) -> dict[str, HypothesisMultiverse]:
        """The hypotheses keyed by id."""
        return {h.id: h for h in self.hypotheses}

    def to_dict(self) -> dict[str, Any]:
        """``{"hypotheses": [...]}`` as ``sidepay test --multiverse --json`` prints it."""
        return {
            "world": self.world,
            "n_specifications": self.n_specifications(),
            "seconds": round(self.seconds, 3),
            "multiple_testing": "Holm and Benjamini-Hochberg across the primary p-values "
            "of H1-H8 (H4, H6: the larger part p-value, an intersection-union test)",
            "hypotheses": [h.to_dict() for h in self.hypotheses],
        }

    def __repr__(self) -> str:
        rows = [f"{h.id} {h.summary()['supported']}/{h.summary()['contrary']}/"
                f"{h.summary()['inconclusive']}" for h in self.hypotheses]  # fmt: skip
        return (f"<Multiverse {self.world}: {self.n_specifications()} specifications "
                f"(supported/contrary/inconclusive) {'; '.join(rows)}>")  # fmt: skip


# --------------------------------------------------------------------------- specs


def part_spec(part: str) -> HypothesisSpec:
    """The declared spec of a hypothesis part (H4b, H6b are H4's and H6's secondary).

    Examples
    --------
    >>> part_spec("H4b").sample, part_spec("H4a").estimator
    ('allied_continuing', 'cox')
    """
    base = DIMENSIONS[part].base
    if base in HYPOTHESES:
        return HYPOTHESES[base]
    parent = HYPOTHESES[base.rstrip("ab")]
    return next(s for s in parent.secondary if s.id == base)


def _variant(base: HypothesisSpec, c: dict[str, str]) -> HypothesisSpec:
    """The spec of one choice set (period is applied to the data, not the spec)."""
    spec = replace(base, secondary=())
    m = MEASURES[c["payment"]]
    if spec.outcome in _PAYMENT_OUTCOMES and m.scale in ("level", "lpm", "ppml"):
        spec = replace(spec, outcome=_PAYMENT_OUTCOMES[spec.outcome],
                       estimator="poisson" if m.scale == "ppml" else "feols")  # fmt: skip
    if c["fixed_effects"] != "declared":
        spec = replace(spec, fixed_effects=FIXED_EFFECTS[c["fixed_effects"]])
    if c["controls"] == "none":
        spec = replace(spec, controls=())
    if c["estimator"] == "cox_unstratified":
        spec = replace(spec, strata=())
    elif c["estimator"] == "logit_splines":
        spec = replace(spec, estimator="logit", strata=(), fixed_effects=("patron",),
                       peace_years="spell_year")  # fmt: skip
    elif c["estimator"] == "lpm":
        spec = replace(spec, estimator="feols")
    if c["sample"] == "all":
        spec = replace(spec, sample="all_client_years", controls=("allied", *spec.controls))
    return spec


def _cell(
    panel: pd.DataFrame, payment: str, alliance: str, spells: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """The panel with the chosen payment as ``side_payment`` and spells of the chosen
    alliance definition (``spells`` caches one panel per definition); KeyError names a
    column the panel lacks."""
    m = MEASURES[payment]
    if m.source_column not in panel.columns:
        raise KeyError(m.source_column)
    if alliance not in spells:
        spells[alliance] = spells_for(panel, alliance)
    out = spells[alliance]
    if m.source_column != "side_payment":
        out = out.assign(side_payment=out[m.source_column].astype("float64"))
    return out


def _period_mask(data: pd.DataFrame, period: str) -> pd.Series:
    lo, hi = PERIODS[period]
    year = data["year"]
    keep = pd.Series(True, index=data.index)
    if lo is not None:
        keep &= year >= lo
    if hi is not None:
        keep &= year <= hi
    return keep


def _era(data: pd.DataFrame) -> pd.Series:
    return pd.Series(np.where(data["year"] <= 1989, "cold_war", "post_cold_war"),
                     index=data.index)  # fmt: skip


def _fill(s: Specification, spec: HypothesisSpec, fit: ModelFit | EstimationProblem,
          notes: Sequence[str]) -> None:  # fmt: skip
    """Put a fit's key estimate, verdict and influence on ``s``."""
    if isinstance(fit, EstimationProblem):
        s.reason = str(fit)
        s.identified = "not identified" not in s.reason
        return
    try:
        weights = spec.contrast or {spec.regressors[0]: 1.0}
        est = fit.contrast(weights)
    except EstimationProblem as exc:
        s.reason = str(exc)
        return
    s.estimate, s.std_error = est.estimate, est.std_error
    s.conf_low, s.conf_high, s.p_value = est.conf_low, est.conf_high, est.p_value
    s.n, s.n_events = fit.n_obs, fit.n_events
    s.critical = float(fit._dist().ppf(0.975))
    s.influence = fit.contrast_influence(weights)
    s.verdict = verdict(est.estimate, est.p_value, spec.expected_sign)
    changed, voids = _changed_model([*notes, *fit.notes])
    s.reason = changed if voids else changed + ("significant at 5%" if s.verdict != "inconclusive"
                                               else "not significant at 5%")  # fmt: skip
    if voids:
        s.verdict = "inconclusive"


def _run_group(
    cell: pd.DataFrame,
    part: str,
    specs: list[Specification],
    base: HypothesisSpec,
    multiple_estimation: bool = True,
) -> None:
    """Run specifications that share the measure, alliance, controls, estimator, sample."""
    c0 = specs[0].choices
    spec0 = _variant(base, c0)
    variants = [_variant(base, s.choices) for s in specs]
    fes = {
        s.choices["fixed_effects"]: v.fixed_effects for s, v in zip(specs, variants, strict=True)
    }
    union = tuple(dict.fromkeys(col for v in variants for col in v.fixed_effects))
    peace = next((v.peace_years for v in variants if v.peace_years), None)
    try:
        data, controls, notes = _estimation_sample(
            cell, replace(spec0, fixed_effects=union, peace_years=peace, controls=base.controls
                          if spec0.sample == base.sample else spec0.controls))  # fmt: skip
    except Exception as exc:  # a column the cell lacks (InputError): every spec says so
        for s in specs:
            s.reason, s.available = f"{exc}", False
        return
    linear = spec0.estimator in ("feols", "poisson") and not spec0.peace_years
    if linear and multiple_estimation:
        data = data.assign(_era=_era(data))
        fits: dict[Any, ModelFit | EstimationProblem] = {}
        for with_fe in (True, False):
            sets = [fe for fe in dict.fromkeys(fes.values()) if bool(fe) == with_fe]
            if not sets:
                continue
            try:
                fits |= fit_many(data, spec0.outcome, spec0.regressors, controls, sets,
                                 cluster=spec0.cluster, split="_era",
                                 family="poisson" if spec0.estimator == "poisson" else "feols")  # fmt: skip
            except EstimationProblem as exc:
                fits |= {(fe, p): exc for fe in sets for p in ("all", "cold_war", "post_cold_war")}
        for s in specs:
            fe = fes[s.choices["fixed_effects"]]
            got: ModelFit | EstimationProblem = fits.get((fe, s.choices["period"]),
                           EstimationProblem("no rows in this period"))  # fmt: skip
            _fill(s, spec0, got, notes)
        return
    for s, spec in zip(specs, variants, strict=True):
        sub = data.loc[_period_mask(data, s.choices["period"])]
        use = [c for c in controls if c in spec.controls]
        try:
            if sub.empty:
                raise EstimationProblem("the sample is empty in this period")
            fit: ModelFit | EstimationProblem = _estimate(spec, sub, use)
        except EstimationProblem as exc:
            fit = exc
        _fill(s, spec, fit, [n for n in notes if any(f"control {c} " in n for c in spec.controls)])


def _run_part(
    panel: pd.DataFrame,
    part: str,
    multiple_estimation: bool = True,
    spells: dict[str, pd.DataFrame] | None = None,
) -> list[Specification]:
    dims = DIMENSIONS[part]
    base = part_spec(part)
    primary = dims.primary()
    specs = [Specification(part, c, c == primary) for c in dims.specifications()]
    groups: dict[tuple[str, ...], list[Specification]] = {}
    # linear models: one multiple-estimation call per (measure, alliance, controls, ...);
    # hazards and logits share one estimation sample per (measure, alliance, sample)
    inner: tuple[str, ...] = ("fixed_effects", "period")
    if _variant(base, primary).estimator not in ("feols", "poisson") or base.peace_years:
        inner = ("fixed_effects", "period", "controls", "estimator")
    for s in specs:
        key = tuple(v for k, v in s.choices.items() if k not in inner)
        groups.setdefault(key, []).append(s)
    cells: dict[tuple[str, str], pd.DataFrame | str] = {}
    for group in groups.values():
        c = group[0].choices
        ck = (c["payment"], c["alliance"])
        if ck not in cells:
            try:
                cells[ck] = _cell(panel, *ck, spells if spells is not None else {})
            except KeyError as exc:
                cells[ck] = f"column {exc.args[0]} not in the panel"
        cell = cells[ck]
        if isinstance(cell, str):
            for s in group:
                s.reason, s.available = cell, False
            continue
        _run_group(cell, part, group, base, multiple_estimation)
    return specs


# --------------------------------------------------------------------------- running


def run_multiverse(
    panel: pd.DataFrame,
    world: str = "real",
    only: str | Sequence[str] | None = None,
    primary: Sequence[HypothesisResult] | None = None,
    draws: int = CURVE_DRAWS,
    seed: int = 0,
    influence: bool = True,
    multiple_estimation: bool = True,
) -> Multiverse:
    """Run every hypothesis over its declared multiverse (module docstring).

    Parameters
    ----------
    panel
        A table in the panel schema (real or simulated).
    world
        Label carried into the results.
    only
        Hypothesis ids (``"H2,H5"``); all by default.
    primary
        The headline results of :func:`~sidepay.analysis.hypotheses.run_hypotheses` on
        the same panel, if already computed (else they are computed here).
    draws, seed
        Bootstrap draws and seed of the curve inference (same seed, same numbers).
    influence
        Compute the leave-one-cluster-out influence of each primary specification.
    multiple_estimation
        Fit linear and Poisson models through pyfixest's multiple-estimation syntax
        (default); False fits one pyfixest call per specification (the benchmark's
        peer; the same numbers).

    Returns
    -------
    Multiverse
        One :class:`HypothesisMultiverse` per hypothesis; ``to_dict()`` is the JSON.
    """
    started = time.perf_counter()
    validate_panel(panel)
    ids = parse_only(only)
    heads = {r.hypothesis: r for r in (primary or run_hypotheses(panel, world=world, only=ids))}
    out: list[HypothesisMultiverse] = []
    spells: dict[str, pd.DataFrame] = {}  # one spell panel per alliance definition
    for h in ids:
        specs: list[Specification] = []
        curves: dict[str, CurveInference | None] = {}
        infl: dict[str, Influence | None] = {}
        sign = HYPOTHESES[h].expected_sign
        for part in PARTS[h]:
            part_specs = _run_part(panel, part, multiple_estimation, spells)
            specs += part_specs
            ok = [s for s in part_specs if s.estimate is not None and s.identified]
            curves[part] = curve_inference(
                [s.estimate for s in ok],  # type: ignore[misc]
                [s.std_error for s in ok],  # type: ignore[misc]
                [s.influence for s in ok],  # type: ignore[misc]
                sign, draws=draws, seed=seed, critical=[s.critical for s in ok],
            )  # fmt: skip
            if influence:
                infl[part] = leave_one_cluster_out(panel, part_spec(part))
        head = heads.get(h)
        parts_p = [q.p_value for q in head.parts] if head and head.parts else None
        p = intersection_union_p(parts_p) if parts_p else (head.p_value if head else None)
        out.append(HypothesisMultiverse(h, sign, head, specs, curves, infl, p_primary=p))
    p_primary = [m.p_primary for m in out]
    for m, ph, pb in zip(out, holm(p_primary), benjamini_hochberg(p_primary), strict=True):
        m.p_holm, m.p_bh = ph, pb
    return Multiverse(world, out, time.perf_counter() - started, draws, seed)
