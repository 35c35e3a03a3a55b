"""The simulation engine, its worlds, its output and the `sidepay simulate run` command."""

from __future__ import annotations

import io
import pickle
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sim_oracle  # tests/fixtures/sim_oracle.py, registered by tests/conftest.py
from hypothesis import given, settings
from hypothesis import strategies as st

from sidepay.cli import main
from sidepay.errors import InputError
from sidepay.schema import COLUMNS, KEYS, TRUTH_COLUMNS, conform
from sidepay.sim import engine
from sidepay.sim.engine import History, run_history, simulate, write_simulation
from sidepay.sim.output import events_path, write_result
from sidepay.sim.world import World, default_world
from sidepay.theory.dynamics import step

reference_step = sim_oracle.reference_step


@pytest.fixture(scope="module")
def small_world() -> World:
    return default_world().updated({"small_states.n": 30})


@pytest.fixture(scope="module")
def run(small_world: World):  # type: ignore[no-untyped-def]
    return simulate(small_world, periods=50, reps=6, seed=11)


def parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


# ------------------------------------------------------------------ seeds and splitting
def test_same_seed_same_bytes(small_world: World, run) -> None:  # type: ignore[no-untyped-def]
    again = simulate(small_world, periods=50, reps=6, seed=11)
    assert parquet_bytes(again.panel) == parquet_bytes(run.panel)
    assert parquet_bytes(again.events) == parquet_bytes(run.events)
    other = simulate(small_world, periods=50, reps=6, seed=12)
    assert not other.panel["divergence"].equals(run.panel["divergence"])


def test_replication_chunks_concatenate_to_the_serial_run(small_world: World, run) -> None:  # type: ignore[no-untyped-def]
    parts = [simulate(small_world, periods=50, reps=n, seed=11, rep_start=a) for a, n in
             ((0, 1), (1, 3), (4, 2))]  # fmt: skip
    panel = pd.concat([p.panel for p in parts], ignore_index=True)
    events = pd.concat([p.events for p in parts], ignore_index=True)
    assert parquet_bytes(panel) == parquet_bytes(run.panel)
    assert parquet_bytes(events) == parquet_bytes(run.events)


HISTORY_FIELDS = ("d", "W", "ally", "pay", "spell_start", "regime_change", "leader_change",
                  "leader_hazard", "tenure", "v_scale")  # fmt: skip


def assert_same_history(a: History, b: History) -> None:
    """Byte-identical arrays (signed zeros included), static draws and initial state."""
    for name in HISTORY_FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        assert (x.dtype, x.shape) == (y.dtype, y.shape), name
        assert x.tobytes() == y.tobytes(), name
    for group in ("static", "initial"):
        for key, x in getattr(a, group).items():
            assert x.tobytes() == getattr(b, group)[key].tobytes(), f"{group}.{key}"


def test_engine_equals_the_numpy_step_and_the_per_dyad_loop(small_world: World) -> None:
    w = small_world.updated({"small_states.n": 12})
    a = run_history(w, periods=60, reps=3, seed=2)  # the compiled kernel
    b = run_history(w, periods=60, reps=3, seed=2, step_function=step)
    c = run_history(w, periods=60, reps=3, seed=2, step_function=reference_step)
    assert_same_history(a, b)
    for name in ("d", "W", "ally", "pay", "spell_start", "regime_change", "leader_change",
                 "leader_hazard", "tenure"):  # fmt: skip
        np.testing.assert_array_equal(getattr(a, name), getattr(c, name), err_msg=name)
    assert (a.ally >= 0).any() and a.regime_change.any()


def test_kernel_runs_equal_numpy_runs_in_any_world(
    small_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whole runs: three powers, epochs, burn-in, hold-ups and several replication blocks."""
    three = small_world.updated(
        {
            "great_powers": [
                *small_world.model_dump()["great_powers"],
                {
                    "code": 710,
                    "name": "third",
                    "v": 0.2,
                    "k": 0.3,
                    "divergence_mean": 0.5,
                    "divergence_sd": 0.2,
                },
            ],
            "epochs": [
                {"name": "a", "start_year": 1900, "v_scale": [1.0, 0.8, 0.5]},
                {"name": "b", "start_year": 1950, "v_scale": [0.6, 1.0, 1.2]},
            ],
            "params.stability_effect": 0.6,
            "params.mu_d": 0.004,
            "params.psi": 0.0,
            "params.beta": 0.6,
            "small_states.n": 17,
            "small_states.divergence_corr": -0.3,
        }
    )
    monkeypatch.setattr(engine, "_BLOCK_DYADS", 2 * 3 * 17)  # numpy path: several blocks
    for world, burn_in in ((three, 30), (small_world, 0), (small_world, 5)):
        a = run_history(world, periods=25, reps=4, seed=8, rep_start=3, burn_in=burn_in)
        b = run_history(world, periods=25, reps=4, seed=8, rep_start=3, burn_in=burn_in,
                        step_function=step)  # fmt: skip
        assert_same_history(a, b)
        assert (a.ally >= 0).any()
    assert set(np.unique(a.ally).tolist()) >= {-1, 0, 1}


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    beta=st.sampled_from([0.5, 0.9, 1.0]),
    psi=st.floats(0.0, 0.2),
    stickiness=st.floats(0.0, 1.0),
    stability_effect=st.floats(-1.0, 1.0),
    offer_rate=st.floats(0.0, 1.0),
    h_mean=st.floats(0.01, 0.3),
)
def test_kernel_runs_equal_numpy_runs_for_any_parameters(
    seed: int,
    beta: float,
    psi: float,
    stickiness: float,
    stability_effect: float,
    offer_rate: float,
    h_mean: float,
) -> None:
    w = default_world().updated(
        {
            "small_states.n": 9,
            "params.beta": beta,
            "params.psi": psi,
            "params.stickiness": stickiness,
            "params.stability_effect": stability_effect,
            "offer_rate": offer_rate,
            "small_states.h_mean": h_mean,
        }
    )
    a = run_history(w, periods=12, reps=2, seed=seed, burn_in=3)
    b = run_history(w, periods=12, reps=2, seed=seed, burn_in=3, step_function=step)
    assert_same_history(a, b)


# ------------------------------------------------------------------ the panel
def test_panel_is_in_the_schema(run) -> None:  # type: ignore[no-untyped-def]
    p = run.panel
    assert list(p.columns[:3]) == list(KEYS)
    pd.testing.assert_frame_equal(p, conform(p))  # built in conform's order and dtypes
    known = {**COLUMNS, **TRUTH_COLUMNS}
    for col in p.columns:
        if col in known:
            assert str(p[col].dtype) == known[col].dtype, col
        else:
            assert col.startswith("truth_"), col
    assert len(p) == 6 * 2 * 30 * 50
    assert not p.duplicated(["rep", *KEYS]).any()
    assert set(p["patron"]) == {2, 365}
    assert p["client"].min() == 1000 and p["client"].max() == 1029
    assert p["year"].min() == 1946 and p["year"].max() == 1995
    for col in ("allied", "side_payment", "divergence", "W", "threat", "formation"):
        assert p[col].notna().all(), col


def test_panel_alliance_bookkeeping(run) -> None:  # type: ignore[no-untyped-def]
    p = run.panel
    allied = p["allied"] == 1
    assert (p.loc[~allied, "side_payment"] == 0).all()
    assert (p.loc[allied, "side_payment"] >= 0).all()
    assert p["spell_id"].notna().eq(allied).all()
    assert (p.loc[p["formation"] == 1, "spell_year"] == 0).all()
    assert (p.loc[allied, "spell_year"] >= 0).all()
    for ev in ("formation", "termination", "payment_increase", "payment_decrease"):
        assert (p.loc[p[ev] == 1, "allied"] == 1).all(), ev
    assert (p.loc[p["realignment"] == 1, "termination"] == 1).all()
    # at the end of a year a client has at most one patron
    ongoing = p[allied & (p["termination"] == 0)]
    assert ongoing.groupby(["rep", "client", "year"]).size().max() == 1
    # a spell is one unbroken run of years with one formation at most (left-censored: none)
    g = p[allied].groupby("spell_id")
    assert (g["year"].max() - g["year"].min() + 1).eq(g.size()).all()
    assert g["formation"].sum().max() == 1
    # the rival's payment is what the client gets from the other patron
    wide = p.pivot_table(index=["rep", "client", "year"], columns="patron",
                         values=["side_payment", "rival_payment"])  # fmt: skip
    np.testing.assert_allclose(wide["rival_payment"][2], wide["side_payment"][365])
    # every kind of event happens in this run
    for ev in ("formation", "termination", "realignment", "payment_increase",
               "payment_decrease", "regime_change", "leader_change"):  # fmt: skip
        assert p[ev].sum() > 0, ev


def test_event_log_matches_the_panel(run) -> None:  # type: ignore[no-untyped-def]
    p, e = run.panel, run.events
    counts = e["event"].value_counts()
    for ev in ("formation", "termination", "realignment", "payment_increase", "payment_decrease"):
        assert counts[ev] == p[ev].sum(), ev
    states = p[p["patron"] == 2]
    for ev in ("regime_change", "leader_change"):
        assert counts[ev] == states[ev].sum(), ev
        assert e.loc[e["event"] == ev, "patron"].isna().all()
    f = e[e["event"] == "formation"].merge(p, on=["rep", "patron", "client", "year"])
    assert (f["formation"] == 1).all()


def test_truth_columns_are_the_model(run, small_world: World) -> None:  # type: ignore[no-untyped-def]
    p = run.panel
    prm = small_world.params
    lam = prm.rho * (prm.omega + (1 - prm.omega) * p["W"])
    D = lam * p["divergence"] * p["truth_x"] - p["common_threat"]
    np.testing.assert_allclose(p["truth_deficit"], D, atol=1e-12)
    V = p["truth_v"] * p["truth_x"] - p["truth_k"] * p["common_threat"]
    np.testing.assert_allclose(p["truth_surplus"], V - np.maximum(D, 0), atol=1e-12)
    # epochs: the USSR-like power's v falls in 1990
    v365 = p[p["patron"] == 365].groupby(p["year"] >= 1990)["truth_v"].first()
    assert v365[True] < v365[False]
    # allied dyads are feasible for their patron (or end this year)
    alive = p[(p["allied"] == 1) & (p["termination"] == 0)]
    assert (alive["truth_surplus"] >= -1e-12).all()
    assert (alive["side_payment"] <= V[alive.index] + 1e-12).all()


def test_default_world_draws_resemble_its_calibration() -> None:
    w = default_world()
    h = run_history(w, periods=1, reps=40, seed=3)
    ss = w.small_states
    W = h.static["T"]  # threat
    share_no_rival = np.mean(np.isclose(W, ss.threat_floor))
    assert abs(share_no_rival - ss.rivals_probs[0]) < 0.03
    d = h.d[0]
    for g, gp in enumerate(w.great_powers):
        assert abs(d[:, g].mean() - gp.divergence_mean) < 0.03
    assert np.corrcoef(d[:, 0].ravel(), d[:, 1].ravel())[0, 1] < -0.4
    assert abs(h.static["h"].mean() - ss.h_mean) < 0.005


# ------------------------------------------------------------------ worlds and bad input
def test_world_toml_round_trip_and_partial_files(tmp_path: Path) -> None:
    f = tmp_path / "w.toml"
    f.write_text('base = "default"\nname = "mine"\n[params]\npsi = 0.2\n'
                 '[small_states]\nn = 7\n', encoding="utf-8")  # fmt: skip
    w = World.from_toml(f)
    assert (w.name, w.params.psi, w.small_states.n) == ("mine", 0.2, 7)
    assert w.great_powers == default_world().great_powers


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('base = "default"\noffer_rate = 1.5\n', "field 'offer_rate' = 1.5"),
        ('base = "default"\n[params]\nrho = -1\n', "field 'params.rho' = -1"),
        ('base = "default"\ncolour = 1\n', "unknown field 'colour'"),
        ('base = "default"\n[small_states]\nW_probs = [1.0]\n', "W_levels and W_probs"),
        ('base = "default"\n[small_states]\ndivergence_corr = -1.0\n', "divergence_corr"),
        (
            'base = "default"\n[[epochs]]\nname = "x"\nstart_year = 1\nv_scale = [1]\n',
            "one v_scale per great power",
        ),
        ('base = "other"\n', "base must be 'default'"),
        ("name = [\n", "not valid TOML"),
        ('name = "x"\n', "field 'great_powers' is required"),
    ],
)
def test_bad_world_files_give_one_line(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        World.from_toml(f)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_draw_system_caches_nothing_on_the_world() -> None:
    """The world's constants are cached per law, not on the model: == and pickling work."""
    a, b = default_world(), default_world()
    s1 = a.draw_system(np.random.default_rng(4))
    assert a == b and a == pickle.loads(pickle.dumps(a))
    s2 = b.draw_system(np.random.default_rng(4))
    assert all(s1[k].tobytes() == s2[k].tobytes() for k in s1)
    assert all(arr.flags.writeable for arr in s1.values())  # fresh arrays, not the cache
    s1["d"][:] = -1.0
    assert (a.draw_system(np.random.default_rng(4))["d"] >= 0).all()


def test_bad_run_arguments(small_world: World) -> None:
    for kw in ({"periods": 0}, {"reps": -1}, {"seed": -3}, {"rep_start": -1}, {"periods": 2.5}):
        # library errors name the Python parameter, not a command-line flag
        with pytest.raises(InputError, match=f"^{next(iter(kw))}= "):
            simulate(small_world, **kw)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="no field"):
        small_world.updated({"params.nothing": 1})


# ------------------------------------------------------------------ files and the CLI
def test_cli_run_writes_panel_and_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = tmp_path / "w.toml"
    world.write_text('base = "default"\n[small_states]\nn = 8\n', encoding="utf-8")
    out = tmp_path / "out" / "sim.parquet"
    argv = ["simulate", "run", "--world", str(world), "--periods", "6", "--reps", "3",
            "--seed", "4", "--burn-in", "5", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    panel = pd.read_parquet(out)
    events = pd.read_parquet(events_path(out))
    expected = simulate(World.from_toml(world), periods=6, reps=3, seed=4, burn_in=5)
    assert len(panel) == 2 * 8 * 6 * 3
    pd.testing.assert_frame_equal(panel, expected.panel)
    assert len(events) == len(expected.events)
    assert "wrote" in capsys.readouterr().out
    assert sorted(x.name for x in out.parent.iterdir()) == ["sim.events.parquet", "sim.parquet"]


@pytest.mark.parametrize(
    "args",
    [
        ["--periods", "0"],
        ["--reps", "0"],
        ["--burn-in", "-2"],
        ["--world", "/nonexistent/world.toml"],
    ],
)
def test_cli_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code = main(["simulate", "run", *args, "--out", str(tmp_path / "x.parquet")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("sidepay: error:") and err.count("\n") == 1
    assert not (tmp_path / "x.parquet").exists()


def test_write_is_atomic_and_replaces(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "a.parquet"
    write_result(run.panel.head(10), run.events.head(5), out)
    write_result(run.panel.head(20), run.events.head(7), out)
    assert len(pd.read_parquet(out)) == 20
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.events.parquet", "a.parquet"]


def test_streamed_write_in_chunks_equals_one_run(tmp_path: Path, small_world: World) -> None:
    out = tmp_path / "s.parquet"
    _, ev_path, n, m = write_simulation(small_world, out, periods=7, reps=5, seed=3, chunk_rows=900)
    expected = simulate(small_world, periods=7, reps=5, seed=3)
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected.panel)
    pd.testing.assert_frame_equal(pd.read_parquet(ev_path), expected.events)
    assert (n, m) == (len(expected.panel), len(expected.events))
    assert oct(out.stat().st_mode & 0o777) != "0o600"  # a normal file, not mkstemp's mode
    with pytest.raises(InputError, match="reps"):
        write_simulation(small_world, tmp_path / "t.parquet", reps=0)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["s.events.parquet", "s.parquet"]


def test_burn_in_starts_the_record_from_a_going_system(small_world: World) -> None:
    cold = simulate(small_world, periods=12, reps=4, seed=5).panel
    warm = simulate(small_world, periods=12, reps=4, seed=5, burn_in=40).panel
    first = warm["year"] == 1946
    # without burn-in every alliance of the first year is new; with it most already exist
    assert (
        cold.loc[cold["year"] == 1946, "formation"].sum()
        == (cold["year"] == 1946).mul(cold["allied"] == 1).sum()
    )
    assert warm.loc[first & (warm["allied"] == 1), "formation"].mean() < 0.3
    assert warm["spell_start"].min() < 1946
    held = warm[warm["allied"] == 1]
    assert (held["year"] - held["spell_start"]).eq(held["spell_year"]).all()
    assert (
        held.loc[held["formation"] == 1, "spell_start"] == held.loc[held["formation"] == 1, "year"]
    ).all()
    # the split-by-replications guarantee holds with burn-in too
    part = simulate(small_world, periods=12, reps=2, seed=5, rep_start=2, burn_in=40).panel
    tail = warm[warm["rep"] >= 2].reset_index(drop=True)
    assert parquet_bytes(part) == parquet_bytes(tail)
    with pytest.raises(InputError, match="burn_in"):
        simulate(small_world, periods=3, reps=1, burn_in=-1)


def test_cli_years_is_a_deprecated_alias_of_periods(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sim.parquet"
    argv = ["simulate", "run", "--reps", "1", "--seed", "2", "--out", str(out)]
    assert main([*argv, "--years", "3"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--years is deprecated" in err and "--periods" in err
    old = pd.read_parquet(out)
    assert main([*argv, "--periods", "3"]) == 0
    assert capsys.readouterr().err == ""
    pd.testing.assert_frame_equal(pd.read_parquet(out), old)


def test_simulate_years_keyword_is_deprecated(small_world: World) -> None:
    with pytest.warns(DeprecationWarning, match="periods="):
        old = simulate(small_world, years=3, reps=1, seed=2)
    pd.testing.assert_frame_equal(old.panel, simulate(small_world, periods=3, reps=1, seed=2).panel)
    with pytest.raises(InputError, match="periods= only"):
        simulate(small_world, periods=3, years=3)


def test_package_faces_are_lazy_and_complete() -> None:
    import subprocess

    import sidepay.sim
    import sidepay.theory

    for pkg in (sidepay.sim, sidepay.theory):
        assert sorted(pkg.__all__) == sorted(pkg._HOME)  # type: ignore[attr-defined]
        for name in pkg.__all__:
            assert getattr(pkg, name) is not None, name
    code = "import sys, sidepay.sim, sidepay.theory; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
