"""The formation-stage ML estimator: recovery, coverage, gradient, sandwich, real panel."""

from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd
import pytest

from sidepay.estimate import likelihood as lk
from sidepay.estimate.formation import (
    EstimationError,
    FormationModel,
    formation_test_panel,
    simulate_formation,
)

TRUTH = {
    "v[USA 1946-1989]": 0.6, "v[USA 1990-]": 0.3, "rho": 0.8, "omega": 0.3, "tau": 0.5,
    "k": 0.4, "beta": 0.6, "sigma_eps": 0.5, "sigma_eta": 0.3,
}  # fmt: skip


@functools.cache
def _covariates(n_clients: int = 150) -> pd.DataFrame:
    return formation_test_panel(n_clients=n_clients, years=(1980, 1999), seed=3)


@functools.cache
def real_panel() -> pd.DataFrame:
    from sidepay.data.panel import build_panel

    return build_panel()


def test_recovers_known_parameters_within_a_few_standard_errors() -> None:
    fit = FormationModel().fit(simulate_formation(_covariates(), TRUTH, seed=11))
    assert fit.converged_ and fit.n_clusters_ == 150
    z = (fit.params_[list(TRUTH)] - pd.Series(TRUTH)) / fit.se_[list(TRUTH)]
    assert (z.abs() < 4).all(), z.round(2).to_dict()


def test_wald_intervals_cover_the_truth_in_seeded_replications() -> None:
    reps = 16
    hits = pd.DataFrame(0, index=range(reps), columns=list(TRUTH))
    for r in range(reps):
        summ = (
            FormationModel().fit(simulate_formation(_covariates(100), TRUTH, seed=200 + r)).summary
        )
        for name, value in TRUTH.items():
            hits.loc[r, name] = int(
                summ.loc[name, "conf_low"] <= value <= summ.loc[name, "conf_high"]
            )
    # 95% intervals: 16 reps cover at least 12 times with probability > 0.99 when correct
    assert (hits.sum() >= 12).all(), hits.sum().to_dict()
    assert hits.to_numpy().mean() > 0.85


def test_analytic_score_equals_finite_differences() -> None:
    fit = FormationModel().fit(simulate_formation(_covariates(60), TRUTH, seed=5))
    des = fit.design_
    theta = fit.theta_ + np.linspace(-0.1, 0.1, len(fit.theta_))
    _, grad = lk.loglik(theta, des)
    h = 1e-6
    numeric = np.array([
        (lk.loglik(theta + h * e, des)[0] - lk.loglik(theta - h * e, des)[0]) / (2 * h)
        for e in np.eye(len(theta))
    ])  # fmt: skip
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-4)
    # the exact kink (width 0) too, away from D = 0
    _, g0 = lk.loglik(theta, des, width=0.0)
    n0 = np.array([
        (lk.loglik(theta + h * e, des, 0.0)[0] - lk.loglik(theta - h * e, des, 0.0)[0]) / (2 * h)
        for e in np.eye(len(theta))
    ])  # fmt: skip
    np.testing.assert_allclose(g0, n0, rtol=1e-4, atol=1e-3)


def test_clustered_sandwich_equals_hand_computation() -> None:
    H = np.array([[-4.0, 1.0], [1.0, -3.0]])
    scores = np.array([[1.0, -1.0], [0.5, 0.0], [-2.0, 1.0], [0.5, 0.0]])
    cluster = np.array([7, 7, 9, 3])
    V, V0, G = lk.clustered_sandwich(H, scores, cluster)
    A_inv = np.linalg.inv(-H)
    s7, s9, s3 = scores[0] + scores[1], scores[2], scores[3]
    B = 3 / 2 * (np.outer(s7, s7) + np.outer(s9, s9) + np.outer(s3, s3))
    assert G == 3
    np.testing.assert_allclose(V0, A_inv)
    np.testing.assert_allclose(V, A_inv @ B @ A_inv, rtol=1e-12)


def test_profile_interval_brackets_the_estimate() -> None:
    fit = FormationModel().fit(simulate_formation(_covariates(100), TRUTH, seed=8))
    lo, hi = fit.profile_interval("rho")
    est, se = fit.params_["rho"], fit.se_["rho"]
    assert lo < est < hi and 0.5 * se < (hi - lo) / 3.92 < 2 * se
    lo_w, hi_w = fit.profile_interval("one_minus_omega")
    assert lo_w < 1 - fit.params_["omega"] < hi_w
    assert {"profile_low", "profile_high"} <= set(fit.summary.columns)


def test_non_convergence_is_an_error_not_a_number() -> None:
    sim = simulate_formation(_covariates(60), TRUTH, seed=5)
    with pytest.raises(EstimationError, match="did not converge"):
        FormationModel(maxiter=1).fit(sim)


def test_to_dict_is_json_safe_and_repr_short() -> None:
    fit = FormationModel().fit(simulate_formation(_covariates(60), TRUTH, seed=6))
    text = json.dumps(fit.to_dict(), allow_nan=False)
    assert '"rho"' in text and "NaN" not in text
    assert repr(fit).startswith("<FormationModel") and len(repr(fit)) < 200
    assert "<table" in fit._repr_html_()
    with pytest.raises(Exception, match="payment="):
        FormationModel(payment="no_such_column").fit(_covariates(60))


def test_real_panel_fit_converges_with_finite_standard_errors() -> None:
    fit = FormationModel().fit(real_panel())
    assert fit.converged_
    assert np.isfinite(fit.se_).all() and (fit.se_ > 0).all()
    assert fit.n_clusters_ > 100 and fit.n_obs_ > 20_000
    assert {"v[USA 1946-1989]", "v[RUS 1946-1989]"} <= set(fit.params_.index)
