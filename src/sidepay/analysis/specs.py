"""Hypotheses H1-H8 and their alternatives as declarative specs (no estimation here).

:class:`HypothesisSpec` names the outcome, key regressor(s), expected sign, sample,
controls, fixed effects, clustering and estimator; :mod:`sidepay.analysis.hypotheses`
runs them. The operationalizations are documented in ``docs/hypotheses.md``.

Examples
--------
>>> sorted(SAMPLES) == sorted(SAMPLE_COLUMNS)
True
>>> ALTERNATIVES["H2-ppml"].estimator, ALTERNATIVES["H2-ppml"].expected_sign
('poisson', 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

Estimator = Literal["feols", "logit", "poisson", "cox"]
Sample = Literal[
    "formations", "allied", "allied_continuing", "allied_client_years", "all_client_years"
]
CLIENT_YEAR_SAMPLES = ("allied_client_years", "all_client_years")
UNIT_KEYS = ("rep", "patron", "client", "year")
CLIENT_YEAR_COLUMNS = ("leader_change", "leader_tenure", "W", "gdp_client", "side_payment")

SAMPLES: dict[str, str] = {
    "formations": "dyad-years in which an alliance spell begins (formation == 1)",
    "allied": "allied dyad-years (allied == 1)",
    "allied_continuing": "allied dyad-years that do not end the spell (termination == 0)",
    "allied_client_years": "client-years allied with at least one patron",
    "all_client_years": "all client-years",
}
SAMPLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "formations": ("formation",),
    "allied": ("allied",),
    "allied_continuing": ("allied", "termination"),
    "allied_client_years": ("allied",),
    "all_client_years": ("allied",),
}


@dataclass(frozen=True)
class HypothesisSpec:
    """One testable hypothesis: what is regressed on what, in which sample, how.

    ``regressors[0]`` is the key regressor unless ``contrast`` (weights on coefficients)
    defines the key quantity, as in H7 (leader-only minus regime-change effect).
    ``peace_years`` adds Beck-Katz-Tucker cubic splines of that duration column to a logit;
    ``strata`` stratifies a Cox model's baseline hazard. ``secondary`` are further tests of
    the same hypothesis whose verdicts combine with the primary one.
    """

    id: str
    title: str
    prediction: str
    outcome: str
    regressors: tuple[str, ...]
    expected_sign: int
    sample: Sample
    estimator: Estimator
    controls: tuple[str, ...] = ()
    fixed_effects: tuple[str, ...] = ()
    cluster: str | None = "client_id"
    strata: tuple[str, ...] = ()
    peace_years: str | None = None
    contrast: dict[str, float] | None = None
    secondary: tuple[HypothesisSpec, ...] = field(default=())
    primary_title: str = ""  # the primary part's own title when there are secondary parts

    @property
    def key(self) -> str:
        """Name of the key quantity (a regressor or a contrast)."""
        if self.contrast:
            return " ".join(
                f"{'+' if w > 0 else '-'} {k}" for k, w in self.contrast.items()
            ).lstrip("+ ")
        return self.regressors[0]


_CLIENT_CONTROLS = ("W", "divergence", "common_threat", "cinc_client", "log_gdp_client")

HYPOTHESES: dict[str, HypothesisSpec] = {
    "H1": HypothesisSpec(
        "H1",
        "Divergence makes alliances costlier to form",
        "At alliance formation, side payments (largest of t-1, t, t+1) are larger the more "
        "the patron's and client's interests diverge.",
        outcome="log_payment_at_formation",
        regressors=("divergence",),
        expected_sign=1,
        sample="formations",
        estimator="feols",
        controls=("W", "common_threat", "cinc_client"),
        fixed_effects=("patron",),
    ),
    "H2": HypothesisSpec(
        "H2",
        "Side payments rise with the client's coalition size W",
        "Among allied dyad-years, side payments are larger the larger the client's W.",
        outcome="log_side_payment",
        regressors=("W",),
        expected_sign=1,
        sample="allied",
        estimator="feols",
        controls=tuple(c for c in _CLIENT_CONTROLS if c != "W"),
        fixed_effects=("patron", "year"),
    ),
    "H3": HypothesisSpec(
        "H3",
        "Side payments fall with common threat",
        "Among allied dyad-years, side payments are smaller the larger the shared threat.",
        outcome="log_side_payment",
        regressors=("common_threat",),
        expected_sign=-1,
        sample="allied",
        estimator="feols",
        controls=tuple(c for c in _CLIENT_CONTROLS if c != "common_threat"),
        fixed_effects=("patron", "year"),
    ),
    "H4": HypothesisSpec(
        "H4",
        "Rising divergence: termination or larger payments",
        "Divergence raises the cause-specific hazard of termination (realignment censored); "
        "within continuing alliances, payments rise with divergence.",
        outcome="end_termination",
        regressors=("divergence",),
        expected_sign=1,
        sample="allied",
        estimator="cox",
        controls=("W", "common_threat"),
        strata=("patron",),
        primary_title="Divergence raises the cause-specific hazard of termination",
        secondary=(
            HypothesisSpec(
                "H4b",
                "Payments rise with divergence within continuing spells",
                "Within a spell, years of higher divergence carry higher payments.",
                outcome="log_side_payment",
                regressors=("divergence",),
                expected_sign=1,
                sample="allied_continuing",
                estimator="feols",
                controls=("W", "common_threat"),
                fixed_effects=("spell", "year"),
            ),
        ),
    ),
    "H5": HypothesisSpec(
        "H5",
        "Rival offers cause realignment",
        "A rival great power's side payments to the client last year raise the "
        "cause-specific hazard of realignment (termination without realignment censored).",
        outcome="end_realignment",
        regressors=("log_rival_payment_lag",),
        expected_sign=1,
        sample="allied",
        estimator="cox",
        controls=("log_side_payment_lag", "divergence"),
        strata=("patron",),
    ),
    "H6": HypothesisSpec(
        "H6",
        "Regime change: termination or a higher price",
        "A regime change in the client (this or last year) raises the hazard of termination; "
        "alliances that continue pay more after it.",
        outcome="termination",
        regressors=("recent_regime_change",),
        expected_sign=1,
        sample="allied",
        estimator="cox",
        controls=("divergence", "W"),
        strata=("patron",),
        primary_title="Regime change raises the hazard of termination",
        secondary=(
            HypothesisSpec(
                "H6b",
                "Continuing alliances pay more after a regime change",
                "Within a spell, payments are higher in the years just after a regime change.",
                outcome="log_side_payment",
                regressors=("recent_regime_change",),
                expected_sign=1,
                sample="allied_continuing",
                estimator="feols",
                controls=("divergence", "W"),
                fixed_effects=("spell", "year"),
            ),
        ),
    ),
    "H7": HypothesisSpec(
        "H7",
        "Leader change alone matters less than regime change",
        "In a logit of termination with peace-years splines, the effect of a leader change "
        "without regime change is smaller than the effect of a regime change.",
        outcome="termination",
        regressors=("recent_leader_only_change", "recent_regime_change"),
        expected_sign=-1,
        sample="allied",
        estimator="logit",
        controls=("divergence", "W"),
        fixed_effects=("patron",),
        peace_years="spell_year",
        contrast={"recent_leader_only_change": 1.0, "recent_regime_change": -1.0},
    ),
    "H8": HypothesisSpec(
        "H8",
        "Paid leaders survive longer",
        "Among allied client-years, leaders who received more side payments last year are "
        "less likely to lose office (logit with peace-years splines of tenure).",
        outcome="leader_change",
        regressors=("log_payment_received_lag",),
        expected_sign=-1,
        sample="allied_client_years",
        estimator="logit",
        controls=("W", "log_gdp_client"),
        peace_years="leader_tenure_lag",
    ),
}


ALTERNATIVES: dict[str, HypothesisSpec] = {
    "H1-logit": replace(
        HYPOTHESES["H1"],
        id="H1-logit",
        title="Divergence makes bought alliances more likely (logit)",
        prediction="Among formations, any side payment in t-1..t+1 is more likely the larger "
        "the divergence (P1 read literally; needs formations without payment).",
        outcome="paid_at_formation",
        estimator="logit",
    ),
    "H2-client-fe": replace(
        HYPOTHESES["H2"], id="H2-client-fe", fixed_effects=("client_id", "year")
    ),
    "H3-client-fe": replace(
        HYPOTHESES["H3"], id="H3-client-fe", fixed_effects=("client_id", "year")
    ),
    "H2-ppml": replace(
        HYPOTHESES["H2"],
        id="H2-ppml",
        outcome="side_payment",
        estimator="poisson",
        prediction="As H2, by Poisson pseudo-maximum likelihood on the payment level "
        "(zeros kept, no log1p scale choice).",
    ),
    "H3-ppml": replace(
        HYPOTHESES["H3"],
        id="H3-ppml",
        outcome="side_payment",
        estimator="poisson",
        prediction="As H3, by Poisson pseudo-maximum likelihood on the payment level.",
    ),
    "H4-post-cold-war": replace(
        HYPOTHESES["H4"],
        id="H4-post-cold-war",
        controls=(*HYPOTHESES["H4"].controls, "post_cold_war"),
    ),
    "H6-post-cold-war": replace(
        HYPOTHESES["H6"],
        id="H6-post-cold-war",
        controls=(*HYPOTHESES["H6"].controls, "post_cold_war"),
    ),
    "H5-no-divergence": replace(
        HYPOTHESES["H5"], id="H5-no-divergence", controls=("log_side_payment_lag",)
    ),
    "H8-all-client-years": replace(
        HYPOTHESES["H8"],
        id="H8-all-client-years",
        sample="all_client_years",
        controls=("allied", "W", "log_gdp_client"),
    ),
}
"""Alternative operationalizations (docs/hypotheses.md); run with ``specs=ALTERNATIVES``."""
