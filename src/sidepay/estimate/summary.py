"""Everything the report's estimation section shows, as plain numbers (issue 12, item 7).

:func:`estimation_summary` fits both stages to a panel, prices the case studies and
scores the forecasts; :func:`summarize_estimation` turns already fitted results into the
same :class:`EstimationSummary`. The report (``sidepay.report.estimation``) only renders
it: every number here is computed here.

Examples
--------
>>> from sidepay.estimate.formation import FormationModel
>>> from sidepay.estimate.simulate import formation_test_panel, simulate_formation
>>> truth = {"v[USA 1990-]": 0.3, "rho": 0.8, "omega": 0.3, "tau": 0.5, "k": 0.4,
...          "beta": 0.6, "sigma_eps": 0.5, "sigma_eta": 0.3}
>>> panel = simulate_formation(formation_test_panel(50, (1990, 1993), seed=0), truth, seed=1)
>>> fit = FormationModel(transform="level").fit(panel)
>>> s = summarize_estimation(formation=fit, panel=panel, cases=[(2, 1000, "USA - 1000")])
>>> [p.name for p in s.formation][:2], s.prices[0].label
(['v[USA 1990-]', 'rho'], 'USA - 1000')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sidepay.progress import Stages

__all__ = [
    "CasePrice",
    "EstimationSummary",
    "ForecastScore",
    "MomentFit",
    "ParamEstimate",
    "estimation_summary",
    "report_estimation",
    "summarize_estimation",
]

#: A case study: (patron code, client code, label).
CaseSpec = tuple[int, int, str]


def _num(x: Any) -> float | None:
    """A finite float, or None."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class ParamEstimate:
    """One estimate with its 95% interval (``truth`` for a simulated world)."""

    name: str
    estimate: float | None
    se: float | None
    lower: float | None
    upper: float | None
    note: str = ""


@dataclass(frozen=True)
class MomentFit:
    """One maintenance moment: the data's, its bootstrap s.e., the simulated one at the
    estimates and the t of the gap."""

    name: str
    data: float | None
    data_se: float | None
    simulated: float | None
    t: float | None


@dataclass(frozen=True)
class CasePrice:
    """The price of one case-study alliance in one year (model payment units)."""

    label: str
    patron: int
    client: int
    year: int
    required_payment: float | None
    required_low: float | None
    required_high: float | None
    p_forms: float | None
    p_forms_low: float | None
    p_forms_high: float | None
    observed_payment: float | None
    observed_allied: float | None
    note: str = ""
    #: a* and its interval on the payment column's own scale (``expm1`` under ``log1p``),
    #: the scale of ``observed_payment``
    required_level: float | None = None
    required_level_low: float | None = None
    required_level_high: float | None = None


@dataclass(frozen=True)
class ForecastScore:
    """Out-of-sample scores of one model for one target and design."""

    design: str
    target: str
    model: str
    log_loss: float | None
    brier: float | None
    auc: float | None
    n: int
    events: int


@dataclass(frozen=True)
class EstimationSummary:
    """Plain numbers of the estimation section (``to_dict`` is JSON-safe)."""

    formation: list[ParamEstimate] = field(default_factory=list)
    formation_n: int | None = None
    maintenance: list[ParamEstimate] = field(default_factory=list)
    moments: list[MomentFit] = field(default_factory=list)
    j_stat: float | None = None
    j_df: int | None = None
    j_pvalue: float | None = None
    starts: int | None = None
    n_at_best: int | None = None
    prices: list[CasePrice] = field(default_factory=list)
    forecasts: list[ForecastScore] = field(default_factory=list)
    forecast_split: tuple[int, int] | None = None
    notes: list[str] = field(default_factory=list)
    #: the stages that ran (:data:`STAGES`), the payment column and its transform
    stages: list[str] = field(default_factory=list)
    payment: str | None = None
    transform: str | None = None
    #: why a stage gave no numbers (did not converge, could not run)
    messages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return asdict(self)


def _price_year(panel: pd.DataFrame, patron: int, client: int, pred: pd.Series) -> int | None:
    """The year a case is priced: the median allied year with a prediction, else the
    median year with a prediction (a pair that never allied, e.g. USA - Ethiopia)."""
    rows = (panel["patron"] == patron) & (panel["client"] == client) & pred.notna()
    if not rows.any():
        return None
    allied = rows & (panel["allied"] == 1) if "allied" in panel.columns else rows
    years = panel.loc[allied if allied.any() else rows, "year"].to_numpy()
    return int(np.sort(years)[(len(years) - 1) // 2])


def _prices(fit: Any, panel: pd.DataFrame, cases: Sequence[CaseSpec]) -> list[CasePrice]:
    from sidepay.estimate.price import predicted_required_payment, price_of_ally

    pred = predicted_required_payment(fit, panel)
    out = []
    for patron, client, label in cases:
        year = _price_year(panel, patron, client, pred)
        if year is None:
            none = dict.fromkeys(
                ("required_payment", "required_low", "required_high", "p_forms", "p_forms_low",
                 "p_forms_high", "observed_payment", "observed_allied"),
            )  # fmt: skip
            out.append(CasePrice(label, patron, client, 0, **none, note="no priced year in panel"))
            continue
        p = price_of_ally(fit, panel, patron, client, year)
        rq, pf, lv = p.required_payment, p.p_forms, p.required_payment_level
        out.append(
            CasePrice(
                label, patron, client, year, _num(rq.estimate), _num(rq.conf_low),
                _num(rq.conf_high), _num(pf.estimate), _num(pf.conf_low), _num(pf.conf_high),
                _num(p.observed_payment), _num(p.observed_allied), "; ".join(p.notes),
                _num(lv.estimate), _num(lv.conf_low), _num(lv.conf_high),
            )
        )  # fmt: skip
    return out


def summarize_estimation(
    *,
    formation: Any = None,
    maintenance: Any = None,
    forecast: Any = None,
    panel: pd.DataFrame | None = None,
    cases: Sequence[CaseSpec] = (),
) -> EstimationSummary:
    """An :class:`EstimationSummary` from fitted results (any may be None).

    Parameters
    ----------
    formation : a fitted ``FormationModel`` (case prices need it and ``panel``).
    maintenance : a ``MaintenanceFit``.
    forecast : a ``ForecastResult``.
    panel : the panel the formation stage was fitted to (for the case prices).
    cases : (patron, client, label) of the case studies to price.
    """
    notes: list[str] = []
    form: list[ParamEstimate] = []
    prices: list[CasePrice] = []
    form_n = None
    if formation is not None:
        s = formation.summary
        out_of_range = set(formation.out_of_range_)
        for name, r in s.iterrows():
            lo = r.get("profile_low", np.nan)
            hi = r.get("profile_high", np.nan)
            profiled = _num(lo) is not None and _num(hi) is not None
            form.append(
                ParamEstimate(
                    str(name), _num(r["estimate"]), _num(r["se"]),
                    _num(lo if profiled else r["conf_low"]),
                    _num(hi if profiled else r["conf_high"]),
                    ("profile interval" if profiled else "")
                    + ("; outside the theory's range" if name in out_of_range else ""),
                )
            )  # fmt: skip
        form_n = int(formation.n_obs_)
        notes += [str(n) for n in formation.notes_]
        if panel is not None and cases:
            prices = _prices(formation, panel, cases)
    maint: list[ParamEstimate] = []
    moments: list[MomentFit] = []
    j_stat = j_p = None
    j_df = starts = n_best = None
    if maintenance is not None:
        at_bound = set(maintenance.at_bound_)
        for name, r in maintenance.summary.iterrows():
            maint.append(
                ParamEstimate(
                    str(name), _num(r["estimate"]), _num(r["se"]), _num(r["lower_95"]),
                    _num(r["upper_95"]), "at a bound: interval not valid" if name in at_bound else "",
                )
            )  # fmt: skip
        for name, r in maintenance.moment_fit.iterrows():
            moments.append(
                MomentFit(str(name), _num(r.data), _num(r.data_se), _num(r.simulated), _num(r.t))
            )
        j_stat, j_p = _num(maintenance.j_stat_), _num(maintenance.j_pvalue_)
        j_df = len(maintenance.moments_data_) - len(maintenance.params_)
        starts, n_best = int(maintenance.starts_), int(maintenance.n_at_best_)
    scores: list[ForecastScore] = []
    split = None
    if forecast is not None:
        for r in forecast.scores.itertuples():
            scores.append(
                ForecastScore(
                    str(r.design), str(r.target), str(r.model), _num(r.log_loss), _num(r.brier),
                    _num(r.auc), int(r.n), int(r.events),
                )
            )  # fmt: skip
        split = (int(forecast.train_until), int(forecast.test_until))
        notes += [str(n) for n in forecast.notes]
    stages = [name for name, fitted in (("formation", formation), ("maintenance", maintenance),
              ("forecast", forecast)) if fitted is not None]  # fmt: skip
    if prices:
        stages.insert(1, "prices")
    return EstimationSummary(
        formation=form, formation_n=form_n, maintenance=maint, moments=moments, prices=prices,
        forecasts=scores, forecast_split=split, notes=notes, j_stat=j_stat, j_df=j_df,
        j_pvalue=j_p, starts=starts, n_at_best=n_best, stages=stages,
        payment=None if formation is None else str(formation.payment),
        transform=None if formation is None else str(formation.transform),
    )  # fmt: skip


def estimation_summary(
    panel: pd.DataFrame,
    *,
    seed: int,
    cases: Sequence[CaseSpec] = (),
    payment: str = "side_payment",
    reps: int = 20,
    starts: int = 5,
    train_until: int = 1989,
) -> EstimationSummary:
    """Fit both stages to ``panel``, price ``cases`` and score the forecasts: what
    ``sidepay run --estimate both`` shows (:func:`report_estimation` with
    ``estimate="both"``; a stage that fails is a note, never numbers).

    Parameters
    ----------
    panel : the real panel (``sidepay.build_panel()``) or any panel in the schema with
        the formation, maintenance and forecast columns.
    seed : seed of the maintenance stage's simulations, bootstrap and starts.
    cases : (patron, client, label) of the case studies (the report passes
        ``sidepay.report.cases.CASES``).
    payment : the side-payment column.
    reps, starts : simulated worlds per point and seeded starts of the SMM.
    train_until : last training year of the forecasts (rolling origin too).
    """
    summary, _ = report_estimation(
        panel, estimate="both", seed=seed, cases=cases, payment=payment, reps=reps,
        starts=starts, train_until=train_until,
    )  # fmt: skip
    return summary


#: parameters whose profile-likelihood interval the report shows
PROFILED = ("rho", "omega", "beta")


def report_estimation(
    panel: pd.DataFrame,
    *,
    estimate: str = "formation",
    seed: int,
    cases: Sequence[CaseSpec] = (),
    payment: str = "side_payment",
    reps: int = 20,
    starts: int = 5,
    train_until: int = 1989,
    stages: Stages | None = None,
) -> tuple[EstimationSummary, Any]:
    """The estimates of ``sidepay run --estimate {formation,both}``, stage by stage.

    ``"formation"`` fits the formation stage by ML with the profile intervals of
    :data:`PROFILED`, prices ``cases`` and scores the forecasts; ``"both"`` adds the
    maintenance stage by simulated moments (``reps``, ``starts``, ``seed`` as in
    ``sidepay estimate --stage maintenance``). A stage that cannot run on ``panel``
    (:class:`~sidepay.estimate.formation.EstimationError`, e.g. a likelihood that does
    not converge, or a panel too short for it) gives no numbers and one line in
    ``messages`` instead; the other stages still run.

    Parameters
    ----------
    panel : the real panel (``sidepay.build_panel()``).
    estimate : ``"formation"`` or ``"both"``.
    stages : the job's progress display (``sidepay.progress.Stages``); one stage each.

    Returns
    -------
    (EstimationSummary, FormationModel or None)
        The summary and the fitted formation model (None when it did not fit).

    Examples
    --------
    A panel in which every dyad is always allied identifies no ``v``: a note, no numbers.

    >>> from sidepay.estimate.simulate import formation_test_panel, simulate_formation
    >>> truth = {"v[USA 1990-]": 0.3, "rho": 0.8, "omega": 0.3, "tau": 0.5, "k": 0.4,
    ...          "beta": 0.6, "sigma_eps": 0.5, "sigma_eta": 0.3}
    >>> panel = simulate_formation(formation_test_panel(20, (1990, 1991), seed=0), truth, seed=1)
    >>> s, fit = report_estimation(panel.assign(allied=1), seed=1)
    >>> fit is None, s.formation, s.stages, s.messages[0][:46]
    (True, [], [], 'Formation stage: no estimates (no patron x era')
    >>> s.messages[1][:43]  # this panel has no spells to forecast
    'Forecasts: not scored (panel= lacks column '
    """
    from sidepay.errors import InputError
    from sidepay.estimate.formation import EstimationError, FormationModel
    from sidepay.estimate.outofsample import forecast
    from sidepay.options import ESTIMATE_CHOICES, parse_choice
    from sidepay.progress import Stages

    choice = parse_choice(estimate, ESTIMATE_CHOICES[1:], "estimate")
    stages = stages or Stages(quiet=True)
    failed = (EstimationError, InputError)
    messages: list[str] = []
    fit: FormationModel | None = None
    with stages.stage("estimate: formation", total=1 + len(PROFILED)) as advance:
        try:
            fit = FormationModel(payment).fit(panel)
        except failed as exc:
            messages.append(f"Formation stage: no estimates ({exc}).")
        advance(1)
        for name in PROFILED:
            if fit is None:
                break
            try:
                fit.profile_interval(name)
            except failed as exc:
                messages.append(f"Profile interval of {name} not computed ({exc}).")
            advance(1)
    scores = None
    with stages.stage("estimate: forecast"):
        try:
            scores = forecast(panel, train_until=train_until, model=FormationModel(payment))
        except failed as exc:
            messages.append(f"Forecasts: not scored ({exc}).")
    maintenance = None
    if choice == "both":
        from sidepay.estimate.smm import fit_maintenance

        with stages.stage("estimate: maintenance"):
            try:
                maintenance = fit_maintenance(
                    panel, seed=seed, payment=payment, reps=reps, starts=starts
                )
            except failed as exc:
                messages.append(f"Maintenance stage: no estimates ({exc}).")
    with stages.stage("estimate: case prices"):
        summary = summarize_estimation(
            formation=fit, maintenance=maintenance, forecast=scores, panel=panel, cases=cases
        )
    return replace(summary, messages=messages), fit
