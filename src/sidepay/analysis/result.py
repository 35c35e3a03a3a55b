"""The result of testing one hypothesis on one panel: what the report and JSON consume.

Examples
--------
>>> r = HypothesisResult(hypothesis="H2", title="Price rises with W", world="simulated",
...     outcome="side_payment", regressor="W", expected_sign=1, estimator="feols",
...     estimate=0.8, std_error=0.2, conf_low=0.4, conf_high=1.2, p_value=0.001,
...     n_obs=1000, n_events=None, verdict="supported", reason="")
>>> r.to_dict()["verdict"]
'supported'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Verdict = Literal["supported", "contrary", "inconclusive"]


@dataclass
class HypothesisResult:
    """Estimate, interval, p-value, sample size and verdict of one hypothesis on one panel.

    ``tables`` maps a format name ("html", "latex", "markdown") to the full regression
    table; ``details`` holds further estimates (secondary terms, marginal effects, the
    competing-risk model), each a plain JSON-able dict; ``coverage`` says which years,
    clients and patrons entered the estimation sample.
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
    tables: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    coverage: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, JSON-serialisable."""
        return asdict(self)
