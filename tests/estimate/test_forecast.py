"""Out-of-sample forecasts: scores, the structural end probability, a real-panel run, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from sidepay.cli import main
from sidepay.estimate.outofsample import (
    auc,
    bivariate_normal_cdf,
    end_probability,
    forecast,
    scores,
)


def test_scores_against_hand_values() -> None:
    y = np.array([0, 0, 1, 1, 0])
    p = np.array([0.1, 0.3, 0.2, 0.9, 0.3])
    s = scores(y, p)
    assert s["brier"] == pytest.approx(np.mean((p - y) ** 2))
    assert s["log_loss"] == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    # pairs (pos, neg): 0.2 beats 0.1 only; 0.9 beats all three -> 4 of 6
    assert s["auc"] == pytest.approx(4 / 6) and auc(np.zeros(3), np.ones(3)) is None


def test_bivariate_normal_cdf_matches_scipy() -> None:
    h, k = np.array([-1.0, 0.3, 1.2, -0.4]), np.array([0.5, -0.7, 1.0, -2.0])
    for r in (0.0, 0.6, 0.95):
        ref = [
            stats.multivariate_normal([0, 0], [[1, r], [r, 1]]).cdf([a, b])
            for a, b in zip(h, k, strict=True)
        ]
        np.testing.assert_allclose(bivariate_normal_cdf(h, k, r), ref, atol=1e-6)


def test_end_probability_falls_with_persistence_and_rises_as_surplus_falls() -> None:
    z = np.array([1.0, 1.0])
    assert end_probability(z, z, 0.0)[0] == pytest.approx(stats.norm.cdf(-1.0))
    assert end_probability(z, z, 0.99)[0] < end_probability(z, z, 0.5)[0]
    falling = end_probability(z, np.array([1.0, 0.0]), 0.9)
    assert falling[1] > falling[0]


def test_forecast_on_the_real_panel() -> None:
    from sidepay.data.panel import build_panel

    res = forecast(build_panel(), train_until=1989, rolling=False)
    s = res.scores
    assert set(s["model"]) == {"structural", "duration_logit", "cox_h4", "cox_h6"}
    assert set(s["target"]) == {"termination", "realignment"}
    assert (s["n"] > 1000).all() and s["log_loss"].notna().all()
    assert 0.9 < res.r[1989] < 1.0
    json.dumps(res.to_dict(), allow_nan=False)


def test_forecast_bad_origin_is_one_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forecast", "--train-until", "1900"]) == 2
    assert main(["forecast", "--train-until", "x"]) == 2
    err = capsys.readouterr().err
    assert "--train-until" in err
