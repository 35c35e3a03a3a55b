"""The maintenance stage by simulated moments: recovery, inference, output, errors."""

from __future__ import annotations

import json
from concurrent.futures import Executor

import numpy as np
import pytest

from sidepay.errors import InputError, SidepayError
from sidepay.estimate.smm import NotConvergedError, fit_maintenance, simulated_panel, world_toml
from sidepay.sim.world import World, default_world

TRUTH = {"s_d": 0.03, "mu_r": 0.15, "stickiness": 0.5}


@pytest.fixture(scope="module")
def world():
    return default_world().updated({"small_states.n": 60})


@pytest.fixture(scope="module")
def data(world):
    return simulated_panel(world, seed=2024, periods=50)


@pytest.fixture(scope="module")
def fit(world, data):
    # start away from the truth, so that the test checks the minimiser moves to it
    return fit_maintenance(
        data, seed=9, params=tuple(TRUTH), world=world, reps=6, bootstrap=150,
        divergence_unit=1.0, start={"s_d": 0.045, "mu_r": 0.08, "stickiness": 0.3},
    )  # fmt: skip


def test_recovers_known_parameters_within_their_standard_errors(fit):
    assert fit.converged_ and fit.n_iter_ >= 1
    for name, truth in TRUTH.items():
        assert abs(fit.params_[name] - truth) < 3 * fit.se_[name], name
        assert 0 < fit.se_[name] < 0.5 * max(truth, 0.05), name


def test_sensitivity_has_the_shape_and_signs_theory_gives(fit):
    lam = fit.sensitivity_
    assert lam.shape == (len(TRUTH), len(fit.moments_data_))
    assert list(lam.columns) == list(fit.moments_data_.index)
    # a larger divergence jump at regime changes in the data means a larger mu_r; a larger
    # variance of divergence drift a larger s_d
    assert lam.loc["mu_r", "dd_regime"] > 0
    assert lam.loc["s_d", "drift_var"] > 0
    # the Jacobian: more drift raises the drift variance, a larger jump the termination
    # hazard at regime changes
    assert fit.jacobian_.loc["drift_var", "s_d"] > 0
    assert fit.jacobian_.loc["haz_regime", "mu_r"] > 0
    # the sandwich: A (S + V) A' is what cov_ holds, V measured over independent seeds
    A = lam.to_numpy()
    omega = fit.moment_cov_.to_numpy() + fit.sim_cov_.to_numpy()
    np.testing.assert_allclose(A @ omega @ A.T, fit.cov_.to_numpy(), rtol=1e-10)
    assert fit.sim_noise_ > 1 and not np.allclose(
        fit.sim_cov_.to_numpy(), fit.moment_cov_.to_numpy() / fit.r_eff_
    )


def test_outputs_are_json_safe_and_the_world_round_trips(fit, tmp_path):
    d = fit.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert json.loads(text)["params"]["mu_r"]["estimate"] == pytest.approx(fit.params_["mu_r"])
    assert set(fit.summary.columns) >= {"estimate", "se", "lower_95", "upper_95"}
    w = fit.to_world()
    assert w.params.mu_r == pytest.approx(fit.params_["mu_r"])
    path = tmp_path / "world.toml"
    path.write_text(world_toml(fit))
    assert World.from_toml(path) == w
    assert "MaintenanceFit" in repr(fit) and "<table" in fit._repr_html_()
    assert fit.moment_fit["simulated"].notna().all()


def test_same_seed_same_bytes(world, data):
    kw = dict(seed=4, params=("s_d",), world=world, reps=3, bootstrap=40, divergence_unit=1.0)
    a = fit_maintenance(data, **kw)
    b = fit_maintenance(data, **kw)
    assert a.params_.to_numpy().tobytes() == b.params_.to_numpy().tobytes()
    assert a.cov_.to_numpy().tobytes() == b.cov_.to_numpy().tobytes()


def test_dask_local_cluster_gives_the_serial_result(world, data):
    distributed = pytest.importorskip("distributed")
    kw = dict(seed=4, params=("s_d",), world=world, reps=3, bootstrap=40, divergence_unit=1.0)
    serial = fit_maintenance(data, **kw)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:  # fmt: skip
        with distributed.Client(cluster) as client:
            ex = client.get_executor(pure=False)
            assert isinstance(ex, Executor)
            on_dask = fit_maintenance(data, executor=ex, **kw)
    assert on_dask.params_.to_numpy().tobytes() == serial.params_.to_numpy().tobytes()
    assert on_dask.n_evals_ == serial.n_evals_


def test_textbook_inference_with_optimal_weights_and_no_measured_noise(world, data):
    """With W = S^-1 and V = S / R the sandwich is (1 + 1/R) A S A'. Fails if it drifted."""
    fit = fit_maintenance(
        data, seed=9, params=("s_d", "mu_r"), world=world, reps=4, bootstrap=150,
        divergence_unit=1.0, weighting="optimal", sim_noise=0,
    )  # fmt: skip
    A, S = fit.sensitivity_.to_numpy(), fit.moment_cov_.to_numpy()
    np.testing.assert_allclose((1 + 1 / fit.r_eff_) * A @ S @ A.T, fit.cov_.to_numpy())
    assert fit.j_stat_ is not None and 0 < fit.j_pvalue_ <= 1


def test_general_j_is_the_textbook_j_under_optimal_weights():
    """At an efficient estimate (W = omega^-1, first-order condition J'W r = 0) the
    general J equals r' omega^-1 r; under another W it is still chi-squared, not r'Wr."""
    from scipy import stats

    from sidepay.estimate.smm import hansen_j

    rng = np.random.default_rng(5)
    M, p = 9, 3
    L = rng.normal(size=(M, M))
    omega = L @ L.T + M * np.eye(M)
    J = rng.normal(size=(M, p))
    W = np.linalg.inv(omega)
    A = np.linalg.solve(J.T @ W @ J, J.T @ W)
    r = (np.eye(M) - J @ A) @ rng.normal(size=M)  # satisfies J'W r = 0
    assert hansen_j(r, J, A, omega, M - p) == pytest.approx(r @ W @ r, rel=1e-9)
    # Monte Carlo under a diagonal W: residuals of m ~ N(0, omega) give chi2(M - p)
    Wd = np.diag(1 / np.diag(omega))
    Ad = np.linalg.solve(J.T @ Wd @ J, J.T @ Wd)
    Lo = np.linalg.cholesky(omega)
    js = [
        hansen_j((np.eye(M) - J @ Ad) @ (Lo @ rng.normal(size=M)), J, Ad, omega, M - p)
        for _ in range(4000)
    ]
    assert stats.kstest(js, stats.chi2(M - p).cdf).pvalue > 0.01


def test_non_convergence_is_an_error(world, data):
    with pytest.raises(NotConvergedError, match="max_iter=1") as info:
        fit_maintenance(data, seed=1, params=("s_d", "mu_r"), world=world, reps=3,
                        bootstrap=40, divergence_unit=1.0, max_iter=1,
                        start={"s_d": 0.09, "mu_r": 0.5})  # fmt: skip
    assert isinstance(info.value, SidepayError) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"params": ("nope",)}, "params="),
        ({"weighting": "best"}, "weighting="),
        ({"reps": 0}, "reps="),
        ({"sim_noise": 1}, "sim_noise="),
        ({"start": {"mu_d": 0.1}, "params": ("s_d",)}, "start="),
        ({"payment": "no_such_column"}, "payment="),
        ({"executor": "tcp://nowhere"}, "executor="),
    ],
)
def test_bad_arguments_name_the_parameter(data, kwargs, param):
    with pytest.raises(InputError, match=param):
        fit_maintenance(data, seed=1, **kwargs)


def test_cli_estimate_maintenance_simulated_writes_truth_and_a_world_simulate_accepts(
    tmp_path, capsys
):
    from sidepay.cli import main

    out = tmp_path / "est"
    argv = ["estimate", "--world", "simulated", "--stage", "maintenance", "--seed", "3",
            "--states", "25", "--reps", "2", "--starts", "2", "--out", str(out), "--json"]  # fmt: skip
    assert main(argv) == 0
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads((out / "estimates.json").read_text())
    assert printed == saved and saved["stage"] == "maintenance"
    params = saved["maintenance"]["params"]
    assert params["s_d"]["truth"] == pytest.approx(0.03)
    assert params["stickiness"]["truth"] == pytest.approx(0.5)
    assert all(
        p["estimate"] is not None and p["lower_95"] <= p["upper_95"] for p in params.values()
    )
    assert saved["maintenance"]["starts"] == 2 and 1 <= saved["maintenance"]["n_at_best"] <= 2
    world = World.from_toml(out / "world.toml")
    assert world.params.s_d == pytest.approx(params["s_d"]["estimate"])
    sim_out = tmp_path / "sim.csv"
    argv = ["simulate", "run", "--world", str(out / "world.toml"), "--periods", "3",
            "--reps", "1", "--out", str(sim_out)]  # fmt: skip
    assert main(argv) == 0
    assert sim_out.stat().st_size > 0


def test_cli_estimate_on_a_process_pool_gives_the_serial_estimates(tmp_path, capsys):
    """--workers 2 runs the parameter points on the sweeps' spawn pool: same numbers."""
    from sidepay.cli import main

    runs = {}
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        argv = ["estimate", "--world", "simulated", "--stage", "maintenance", "--seed", "4",
                "--states", "20", "--reps", "2", "--starts", "1", "--workers", workers,
                "--out", str(out)]  # fmt: skip
        assert main(argv) == 0
        m = json.loads((out / "estimates.json").read_text())["maintenance"]
        m.pop("seconds")
        runs[workers] = m
    capsys.readouterr()
    assert runs["1"] == runs["2"]
    assert main(["estimate", "--workers", "2", "--out", str(tmp_path / "f")]) == 2
    assert capsys.readouterr().err.strip() == (
        "sidepay: error: --workers applies to --stage maintenance or both"
    )


def test_cli_estimate_bad_stage_and_states_on_real_are_one_line_errors(tmp_path, capsys):
    from sidepay.cli import main

    assert main(["estimate", "--stage", "upkeep", "--out", str(tmp_path / "a")]) == 2
    assert main(["estimate", "--states", "10", "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("sidepay: error: --stage") and err[1].startswith(
        "sidepay: error: --states"
    )
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_multistart_reports_the_best_and_how_many_reached_it(world, data):
    kw = dict(seed=5, params=("mu_r",), world=world, reps=2, bootstrap=30, divergence_unit=1.0)
    one = fit_maintenance(data, **kw)
    three = fit_maintenance(data, starts=3, **kw)
    assert three.starts_ == 3 and len(three.start_objectives_) == 3
    assert three.start_objectives_[0] == pytest.approx(one.objective_)
    assert three.objective_ == pytest.approx(min(three.start_objectives_))
    assert three.objective_ <= one.objective_
    assert 1 <= three.n_at_best_ <= 3


def test_not_converged_is_an_estimation_error():
    from sidepay.estimate import EstimationError
    from sidepay.estimate import NotConvergedError as Lazy

    assert Lazy is NotConvergedError and issubclass(NotConvergedError, EstimationError)
