"""Formation, rivals, leader and statics closed forms: hand-computed values and signs."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from sidepay.errors import InputError
from sidepay.theory.formation import (
    BOUGHT_ALLIANCE,
    NO_ALLIANCE,
    PURE_TRADE,
    Formation,
    coalition_weight,
    deficit,
    solve_formation,
    solve_formation_chunked,
)
from sidepay.theory.leader import (
    extraction_allied,
    extraction_alone,
    extraction_cost,
    leader_hazard,
    stability_salience,
)
from sidepay.theory.params import ModelParams
from sidepay.theory.rivals import NONALIGNED, REALIGNS, max_offer, resolve_competition
from sidepay.theory.statics import STATICS_OUTPUTS, comparative_statics, solve_params


def test_hand_computed_point():
    """W=0.25: lambda = 0.2 + 0.8*0.25 = 0.4; D = 0.4*0.6*0.5 - 0.5*0.1 = 0.07."""
    eq = solve_formation(W=0.25, d=0.6, x=0.5, sigma=0.5, T=0.1, v=1.0, k=0.5, beta=0.5)
    assert math.isclose(float(eq.deficit), 0.07)
    S = 0.5 - 0.025 - 0.07
    assert math.isclose(float(eq.patron_surplus), S)
    assert math.isclose(float(eq.payment), 0.07 + 0.5 * S)
    assert math.isclose(float(eq.leader_gain), 0.5 * S)
    assert int(eq.outcome) == BOUGHT_ALLIANCE


def test_three_outcomes_named():
    eq = solve_formation(
        W=[0.5, 0.5, 1.0], d=[0.0, 0.8, 1.0], x=1.0, sigma=0.5, T=0.2, v=[0.2, 1.0, 0.1], k=0.1
    )
    assert eq.outcome.tolist() == [PURE_TRADE, BOUGHT_ALLIANCE, NO_ALLIANCE]
    assert eq.payment[2] == 0.0 and not eq.forms[2]


def test_signs_of_the_deficit():
    """Fails if any sign in D = lambda(W) d x - sigma T or lambda = rho(omega + (1-omega)W) flips."""
    assert float(coalition_weight(1.0, 1.0, 0.2)) > float(coalition_weight(0.1, 1.0, 0.2))
    base = float(deficit(0.5, 0.5, 0.5, 0.5, 0.5))
    assert float(deficit(0.5, 0.6, 0.5, 0.5, 0.5)) > base  # d raises D
    assert float(deficit(0.5, 0.5, 0.5, 0.5, 0.6)) < base  # T lowers D
    assert float(deficit(0.5, 0.5, 0.5, 0.6, 0.5)) < base  # sigma lowers D


def test_broadcasting_shapes():
    eq = solve_formation(
        W=np.linspace(0.1, 1, 4)[:, None],
        d=np.linspace(0, 1, 3),
        x=0.5,
        sigma=0.5,
        T=0.1,
        v=1.0,
        k=0.5,
    )
    assert eq.payment.shape == (4, 3) and eq.outcome.dtype == np.int8


def test_rivals_realignment_and_nonalignment():
    # incumbent: D=0.1, V=0.3 -> G_g = 0.2
    c = resolve_competition(0.1, 0.3, [[0.1, 0.24], [0.1, 0.26]], psi=0.05)
    assert c.status.tolist() == [0, REALIGNS]
    assert math.isclose(float(c.payment[0]), 0.1 + 0.24 - 0.05)
    c = resolve_competition(0.5, 0.3, [[-0.1]])
    assert int(c.status[0]) == NONALIGNED and int(c.winner[0]) == -1
    G = max_offer(v=1.0, x=0.5, k=0.5, sigma=0.5, T=0.1, W=0.25, d=0.6)
    assert math.isclose(float(G), 0.475 - 0.07)


def test_leader_extraction_and_hazard():
    """Fails if the aid sign in E1 or the cost's convexity flipped."""
    assert float(extraction_alone(0.3, 0.2)) == 0.5
    E1 = extraction_allied(T=0.3, B=0.2, sigma=0.5, W=1.0, d=0.5, x=1.0, a=0.1, rho=1.0, omega=0.0)
    assert math.isclose(float(E1), 0.15 + 0.2 + 0.5 - 0.1)
    assert float(extraction_cost(2.0, kappa=1.0, Y=2.0)) == 1.0
    h = leader_hazard(np.array([0.0, 0.5, 1.0, 10.0]), h0=0.05, eta=0.5, h_cap=0.9)
    assert h[0] == 0.05 and np.all(np.diff(h) >= 0) and h[-1] == 0.9
    assert float(stability_salience(1.0, 0.5, 0.5)) == 1.25


def test_statics_any_parameter_and_monotone_in_W():
    cs = comparative_statics("W", 0.05, 1.0, 50)
    assert set(STATICS_OUTPUTS) <= set(cs)
    assert np.all(np.diff(cs["required_payment"]) >= 0)
    cs = comparative_statics("h", 0.0, 0.9, 10, ModelParams(stability_effect=0.5))
    assert np.all(np.diff(cs["required_payment"]) > 0)  # positive stability effect raises the price
    cs = comparative_statics("h", 0.0, 0.9, 10, ModelParams(stability_effect=-0.5))
    assert np.all(np.diff(cs["required_payment"]) < 0)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("mu_r", 0, 1, 5), "cannot vary 'mu_r'"),
        (("W", 0.0, 1.0, 5), "parameter 'W' = 0.0"),
        (("W", 0.5, 0.2, 5), "--from must be < --to"),
        (("W", 0.1, 0.2, 1), "points must be in [2,"),
        (("d", 0.1, float("nan"), 5), "parameter 'd' = nan"),
    ],
)
def test_statics_bad_input(args, fragment):
    with pytest.raises(InputError) as info:
        comparative_statics(*args)
    assert fragment in str(info.value)


def test_solve_params_matches_solve_formation():
    p = ModelParams(beta=0.3)
    out = solve_params(p)
    eq = solve_formation(p.W, p.d, p.x, p.sigma, p.T, p.v, p.k, p.beta, p.rho, p.omega)
    assert float(out["payment"]) == float(eq.payment)


def test_chunked_solver_is_bit_identical_and_fills_out_buffers():
    rng = np.random.default_rng(11)
    n = 100_003  # not a multiple of the chunk
    args = [
        rng.uniform(0.01, 1, n),
        rng.uniform(0, 1, n),
        rng.uniform(0.05, 1, n),
        rng.uniform(0, 1, n),
        rng.uniform(0, 1, n),
        rng.uniform(0, 2, n),
        rng.uniform(0, 1, n),
        rng.uniform(0, 1, n),
    ]
    ref = solve_formation(*args, rho=1.3, omega=0.1)
    got = solve_formation_chunked(*args, rho=1.3, omega=0.1, chunk=4096)
    names = [f.name for f in dataclasses.fields(Formation)]
    assert len(names) == 8
    for name in names:
        assert getattr(got, name).tobytes() == getattr(ref, name).tobytes(), name
    again = solve_formation_chunked(*args, rho=1.3, omega=0.1, chunk=999, out=got)
    assert again is got and again.payment.tobytes() == ref.payment.tobytes()


def test_chunked_solver_rejects_mismatched_shapes():
    with pytest.raises(InputError, match="d must be a scalar or a 1-d array of length 3"):
        solve_formation_chunked(np.ones(3) * 0.5, np.ones(2) * 0.5, 0.5, 0.5, 0.1, 1.0, 0.5)


def test_benchmark_script_runs_and_checks_agreement():
    """The benchmark asserts the three paths agree before timing; run it tiny (no timing use)."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_formation.py"
    proc = subprocess.run(
        [
            sys.executable,
            str(script),
            "--points",
            "20000",
            "--runs",
            "1",
            "--loop-sample",
            "2000",
            "--chunk",
            "1000",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "ratio vs chunked" in proc.stdout and "peak memory" in proc.stdout
