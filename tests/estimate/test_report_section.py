"""The report's estimation section: numbers from sidepay.estimate, rendering in report/."""

from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd
import pytest

from sidepay.estimate.formation import FormationModel, formation_test_panel, simulate_formation
from sidepay.estimate.outofsample import ForecastResult
from sidepay.estimate.smm import fit_maintenance, simulated_panel
from sidepay.estimate.summary import EstimationSummary, summarize_estimation
from sidepay.report.estimation import estimation_section
from sidepay.sim.world import default_world

TRUTH = {
    "v[USA 1946-1989]": 0.6, "v[USA 1990-]": 0.3, "rho": 0.8, "omega": 0.3, "tau": 0.5,
    "k": 0.4, "beta": 0.6, "sigma_eps": 0.5, "sigma_eta": 0.3,
}  # fmt: skip


@functools.cache
def fits() -> tuple[FormationModel, pd.DataFrame, object]:
    panel = simulate_formation(formation_test_panel(100, (1985, 1994), seed=1), TRUTH, seed=2)
    formation = FormationModel().fit(panel)
    world = default_world().updated({"small_states.n": 30})
    data = simulated_panel(world, seed=8, periods=40)
    maintenance = fit_maintenance(
        data, seed=1, params=("s_d", "stickiness"), world=world, reps=2, bootstrap=40,
        divergence_unit=1.0, starts=2,
    )  # fmt: skip
    return formation, panel, maintenance


def _forecast() -> ForecastResult:
    scores = pd.DataFrame(
        {"design": "split", "target": ["termination", "termination"],
         "model": ["structural", "duration_logit"], "log_loss": [0.05, 0.04],
         "brier": [0.01, 0.009], "auc": [0.6, np.nan], "n": [1000, 1000], "events": [9, 9]}
    )  # fmt: skip
    return ForecastResult(1989, 2016, scores, {1989: 0.95}, [1989])


def test_summary_carries_every_number_the_section_shows() -> None:
    formation, panel, maintenance = fits()
    clients = sorted(panel["client"].unique())[:2]
    cases = [(2, int(clients[0]), "USA - first"), (2, 99999, "USA - absent")]
    s = summarize_estimation(
        formation=formation, maintenance=maintenance, forecast=_forecast(), panel=panel,
        cases=cases,
    )  # fmt: skip
    assert [p.name for p in s.formation] == list(formation.params_.index)
    rho = next(p for p in s.formation if p.name == "rho")
    assert rho.estimate == pytest.approx(formation.params_["rho"])
    assert rho.lower < rho.estimate < rho.upper
    assert [p.name for p in s.maintenance] == ["s_d", "stickiness"]
    assert s.maintenance[0].se == pytest.approx(maintenance.se_["s_d"])
    assert [m.name for m in s.moments] == list(maintenance.moments_data_.index)
    assert s.starts == 2 and 1 <= s.n_at_best <= 2
    priced, absent = s.prices
    assert priced.required_payment is not None and priced.required_payment >= 0
    assert priced.required_low <= priced.required_payment <= priced.required_high
    assert 0 <= priced.p_forms <= 1 and absent.required_payment is None and absent.note
    assert s.forecast_split == (1989, 2016) and s.forecasts[1].auc is None
    json.dumps(s.to_dict(), allow_nan=False)


def test_section_renders_the_numbers_escaped_and_sanitized() -> None:
    formation, panel, maintenance = fits()
    client = int(sorted(panel["client"].unique())[0])
    s = summarize_estimation(
        formation=formation, maintenance=maintenance, forecast=_forecast(), panel=panel,
        cases=[(2, client, "USA <script>alert(1)</script>")],
    )  # fmt: skip
    html = str(estimation_section(s))
    assert html.startswith('<div class="estimation-section">') and html.endswith("</div>")
    assert "<script" not in html and "USA &lt;script&gt;" in html
    for caption in ("Formation stage", "Maintenance stage", "Fit: each moment",
                    "The price of an ally", "Out-of-sample forecasts"):  # fmt: skip
        assert caption in html
    assert "drift_var" in html and "duration_logit" in html and "Hansen" in html
    assert html.count("<table") == 5


def test_empty_summary_renders_an_empty_section() -> None:
    assert str(estimation_section(EstimationSummary())) == (
        '<div class="estimation-section"></div>'
    )
