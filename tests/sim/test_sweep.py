"""Sweeps: same bytes on a process pool and a real Dask LocalCluster; failures; resume."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from sidepay.cli import main
from sidepay.errors import InputError
from sidepay.sim.grid import SweepGrid, load_grid, point_seed
from sidepay.sim.sweep import read_sweep, run_sweep, sweep_parts

GRID_TOML = """
[sweep]
world = "default"
periods = 8
reps = 4
seed = 5
reps_per_task = 2

[axes]
"params.rho" = [0.5, 2.0]
"""


@pytest.fixture(scope="module")
def grid_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("grid") / "grid.toml"
    path.write_text(GRID_TOML)
    return path


@pytest.fixture(scope="module")
def grid(grid_file: Path) -> SweepGrid:
    return load_grid(grid_file)


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    """One spawn-started pool of two processes shared by the tests (spawning is slow)."""
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as ex:
        yield ex


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """A real two-worker Dask LocalCluster with worker processes (starts in ~1-2 s), shared
    by the module and always closed, also when a test fails."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # never the fixed default port another process may hold
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def local_run(grid: SweepGrid, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference: the grid on the default local process pool (2 spawned processes)."""
    out = tmp_path_factory.mktemp("local")
    summary = run_sweep(grid, out, workers=2)
    assert summary.ok, summary.failed
    assert (summary.ran, summary.skipped, summary.n_tasks) == (4, 0, 4)
    return out


def _part_hashes(out: Path) -> dict[str, str]:
    return {
        f"{kind}/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()
        for kind in ("panel", "events")
        for p in sweep_parts(out, kind)
    }


def _frame_hash(out: Path, kind: str = "panel") -> str:
    frame = read_sweep(out, kind)
    keys = [c for c in ("point", "rep", "patron", "client", "year") if c in frame.columns]
    frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(rows.tobytes()).hexdigest()


# ------------------------------------------------------------------------------ the plan


def test_grid_points_tasks_and_seeds_are_deterministic(grid: SweepGrid) -> None:
    assert grid.n_points == 2
    assert [p.values for p in grid.points()] == [{"params.rho": 0.5}, {"params.rho": 2.0}]
    assert [t.name for t in grid.tasks()] == [
        "point-00000_reps-000000-000002",
        "point-00000_reps-000002-000004",
        "point-00001_reps-000000-000002",
        "point-00001_reps-000002-000004",
    ]
    from sidepay.sim.grid import point_world

    indexed = SweepGrid(axes={"great_powers.1.v": [0.1, 0.9]}, fixed={"small_states.n": 9})
    assert point_world(indexed, 1).great_powers[1].v == 0.9
    assert point_world(indexed, 0).small_states.n == 9
    three = SweepGrid(axes={"a": [1, 2, 3], "b": ["x", "y"]}, reps=1, periods=1)
    assert [three.point(i) for i in range(6)] == list(three.points())
    seeds = {point_seed(5, p) for p in range(1000)}
    assert len(seeds) == 1000
    assert point_seed(5, 0) != point_seed(6, 0)
    # the split never enters the fingerprint: only what is computed does
    assert SweepGrid(reps=4, reps_per_task=1).fingerprint() == SweepGrid(reps=4).fingerprint()
    assert SweepGrid(reps=4, seed=2).fingerprint() != SweepGrid(reps=4).fingerprint()


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[sweep]\nreps = 0\n", "sweep.reps"),
        ("[sweep]\nperiods = 'ten'\n", "sweep.periods"),
        ("[sweep]\nyears = 10\n", "sweep.years is now sweep.periods"),
        ("[sweep]\nrepz = 3\n", "sweep.repz"),
        ("[sweep]\nworld = 'nowhere.toml'\n", "sweep.world"),
        ("[axes]\nrho = 0.5\n", "axes.rho"),
        ("[axes]\nrho = []\n", "axes.rho"),
        ("[grid]\nrho = [1]\n", "[grid]"),
        ("[axes]\nrho = [1.0]\n[fixed]\nrho = 2.0\n", "axes.rho"),
        ("[axes\n", "not valid TOML"),
        ("[axes]\nrho = [1.0, 'high']\n", "axes.rho"),
        ('[axes]\n"params.rho x" = [1.0]\n', "params.rho x"),
    ],
)
def test_bad_grid_file_is_one_line_naming_the_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_grid(path)
    message = str(info.value)
    assert field in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("axes", "field"),
    [
        ({"params.no_such_thing": [1.0]}, "params.no_such_thing"),
        ({"params.rho": [1.0, -1.0]}, "rho"),
    ],
)
def test_bad_parameter_is_refused_before_any_work(
    tmp_path: Path, axes: dict[str, list[float]], field: str
) -> None:
    grid = SweepGrid(axes=axes, reps=1, periods=2)
    with pytest.raises(InputError, match=field.replace(".", r"\.")):
        run_sweep(grid, tmp_path / "out", workers=1)
    assert not (tmp_path / "out" / "panel").exists()


def test_out_that_is_a_file_is_refused(grid: SweepGrid, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("not a folder")
    with pytest.raises(InputError, match="is a file"):
        run_sweep(grid, tmp_path / "taken", workers=1)


def test_cli_bad_grid_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[sweep]\nreps = -3\n")
    code = main(["simulate", "sweep", "--grid", str(bad), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("sidepay: error:") and "sweep.reps" in err
    assert len(err.splitlines()) == 1


# ------------------------------------------------------------------------------ the runs


def test_local_parts_are_complete_and_labelled(local_run: Path, grid: SweepGrid) -> None:
    panel = read_sweep(local_run)
    assert sorted(panel["point"].unique()) == [0, 1]
    for col in ("patron", "client", "year", "allied", "rep"):
        assert col in panel.columns
    per_point = panel.groupby("point")["rep"].agg(["min", "max", "nunique"])
    assert per_point["nunique"].tolist() == [grid.reps, grid.reps]
    assert per_point["max"].tolist() == [grid.reps - 1, grid.reps - 1]
    assert panel["year"].nunique() == grid.periods
    manifest = json.loads((local_run / "manifest.json").read_text())
    assert {r["status"] for r in manifest["tasks"].values()} == {"done"}
    assert sum(r["rows"] for r in manifest["tasks"].values()) == len(panel)
    points = pd.read_parquet(local_run / "points.parquet")
    assert points["params.rho"].tolist() == [0.5, 2.0]
    labelled = read_sweep(local_run, points=[1], columns=["rep"], with_values=True)
    assert list(labelled.columns) == ["point", "rep", "params.rho"]
    assert set(labelled["params.rho"]) == {2.0} and len(labelled) == (panel["point"] == 1).sum()
    # different points differ (their seeds and parameters do)
    a = panel[panel["point"] == 0].drop(columns="point").reset_index(drop=True)
    b = panel[panel["point"] == 1].drop(columns="point").reset_index(drop=True)
    assert not a.equals(b)


def test_dask_localcluster_worker_processes_give_the_same_bytes(
    local_run: Path,
    grid: SweepGrid,
    grid_file: Path,
    tmp_path: Path,
    cluster: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from distributed import Client

    with Client(cluster) as client:
        summary = run_sweep(grid, tmp_path, client.get_executor(pure=False))
        assert summary.ok, summary.failed
        worker_pids = set(client.run(os.getpid).values())
    # the tasks ran in the two worker processes, not in this one
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    ran_in = {int(r["worker"].rsplit(":", 1)[1]) for r in manifest["tasks"].values()}
    assert ran_in <= worker_pids and os.getpid() not in ran_in and len(worker_pids) == 2
    # the command line, with the scheduler named by DASK_SCHEDULER_ADDRESS
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.scheduler_address)  # type: ignore[attr-defined]
    out = tmp_path / "by_address"
    assert main(["simulate", "sweep", "--grid", str(grid_file), "--out", str(out)]) == 0
    reference = _part_hashes(local_run)
    assert len(reference) == 8
    assert _part_hashes(tmp_path) == reference
    assert _part_hashes(out) == reference


def test_dask_threads_in_one_process_give_the_same_bytes(
    local_run: Path, grid: SweepGrid, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as threads,
        distributed.Client(threads) as client,
    ):
        summary = run_sweep(grid, tmp_path, client.get_executor(pure=False), workers=2)
    assert summary.ok, summary.failed
    assert _part_hashes(tmp_path) == _part_hashes(local_run)


def test_split_and_worker_count_do_not_change_results(
    local_run: Path, grid: SweepGrid, tmp_path: Path, pool: ProcessPoolExecutor
) -> None:
    one_task_per_point = SweepGrid(
        axes=grid.axes, world=grid.world, reps=grid.reps, periods=grid.periods, seed=grid.seed,
        reps_per_task=grid.reps,
    )  # fmt: skip
    summary = run_sweep(one_task_per_point, tmp_path, pool, workers=2)
    assert summary.ok and summary.n_tasks == 2
    assert _frame_hash(tmp_path) == _frame_hash(local_run)
    assert _frame_hash(tmp_path, "events") == _frame_hash(local_run, "events")


def test_failed_task_is_recorded_others_finish_then_resume(
    local_run: Path, grid: SweepGrid, tmp_path: Path, pool: ProcessPoolExecutor
) -> None:
    # a real failure: the part's final path is occupied by a folder, so the rename fails
    blocked = tmp_path / "panel" / "point-00001_reps-000000-000002.parquet"
    blocked.mkdir(parents=True)
    summary = run_sweep(grid, tmp_path, pool, workers=2)
    assert not summary.ok
    assert list(summary.failed) == ["point-00001_reps-000000-000002"]
    assert summary.ran == 3
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    rec = manifest["tasks"]["point-00001_reps-000000-000002"]
    assert rec["status"] == "failed" and "Error" in rec["error"]
    assert len(sweep_parts(tmp_path)) == 3

    blocked.rmdir()
    resumed = run_sweep(grid, tmp_path, pool, workers=2)
    assert resumed.ok
    assert (resumed.ran, resumed.skipped) == (1, 3)
    assert _part_hashes(tmp_path) == _part_hashes(local_run)


def test_resume_reruns_missing_and_unreadable_parts_only(
    local_run: Path, grid: SweepGrid, tmp_path: Path, pool: ProcessPoolExecutor
) -> None:
    out = tmp_path / "sweep"
    shutil.copytree(local_run, out)
    (out / "panel" / "point-00000_reps-000002-000004.parquet").unlink()
    torn = out / "events" / "point-00001_reps-000002-000004.parquet"
    torn.write_bytes(torn.read_bytes()[: torn.stat().st_size // 2])  # an interrupted copy
    (out / "events" / ".point-00000_reps-000000-000002.parquet.abc.tmp").write_bytes(b"x")
    ran: list[str] = []
    summary = run_sweep(grid, out, pool, workers=2, on_task=lambda r: ran.append(r["task"]))
    assert summary.ok and summary.skipped == 2
    assert sorted(ran) == ["point-00000_reps-000002-000004", "point-00001_reps-000002-000004"]
    assert not list((out / "events").glob(".*.tmp"))
    assert _part_hashes(out) == _part_hashes(local_run)


def test_a_different_sweep_in_the_same_folder_is_refused(local_run: Path, grid: SweepGrid) -> None:
    other = SweepGrid(
        axes=grid.axes, world=grid.world, reps=grid.reps, periods=grid.periods, seed=99
    )
    with pytest.raises(InputError, match="different sweep"):
        run_sweep(other, local_run, workers=1)


def test_cli_sweep_reports_failures_exit_1_then_resumes(
    grid_file: Path,
    local_run: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    out = tmp_path / "cli"
    blocked = out / "events" / "point-00000_reps-000002-000004.parquet"
    blocked.mkdir(parents=True)
    argv = ["simulate", "sweep", "--grid", str(grid_file), "--out", str(out)]
    assert main([*argv, "--workers", "2"]) == 1
    captured = capsys.readouterr()
    assert "3 tasks run, 0 already done, 1 failed, of 4" in captured.out
    assert captured.err.startswith("failed point-00000_reps-000002-000004: IsADirectoryError")
    blocked.rmdir()
    assert main(argv) == 0
    assert "1 tasks run, 3 already done, 0 failed" in capsys.readouterr().out
    assert _part_hashes(out) == _part_hashes(local_run)


def test_a_sweep_too_large_for_memory_is_split_not_refused(
    grid: SweepGrid, tmp_path: Path, pool: ProcessPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sidepay.sim import grid as plan

    auto = SweepGrid(axes=grid.axes, world=grid.world, reps=3, periods=4, seed=1)
    # a budget far below one task's measured footprint: one replication per task
    monkeypatch.setattr(plan, "TASK_MEMORY_BUDGET", 1024)
    summary = run_sweep(auto, tmp_path / "tight", pool, workers=1)
    assert summary.ok and summary.reps_per_task == 1 and summary.n_tasks == 6
    monkeypatch.undo()
    # with room to spare the split only balances work across workers (>= 4 tasks each)
    roomy = run_sweep(auto, tmp_path / "roomy", pool, workers=1)
    assert roomy.ok and roomy.reps_per_task == 2 and roomy.n_tasks == 4
    assert _frame_hash(tmp_path / "tight") == _frame_hash(tmp_path / "roomy")


def test_cli_bad_scheduler_exits_2_with_one_line(
    grid_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "nonsense://nowhere")
    code = main(["simulate", "sweep", "--grid", str(grid_file), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert "Dask scheduler" in err and "nonsense://nowhere" in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "o" / "manifest.json").exists()  # nothing planned or written


def test_world_file_relative_to_grid_and_its_text_in_the_fingerprint(
    tmp_path: Path, pool: ProcessPoolExecutor
) -> None:
    from importlib import resources

    text = resources.files("sidepay.sim").joinpath("worlds/default.toml").read_text("utf-8")
    (tmp_path / "w").mkdir()
    world = tmp_path / "w" / "small.toml"
    world.write_text(text.replace('name = "default"', 'name = "small"', 1))
    grid_file = tmp_path / "w" / "grid.toml"
    grid_file.write_text(
        '[sweep]\nworld = "small.toml"\nperiods = 3\nreps = 2\n'
        '[fixed]\n"small_states.n" = 7\n[axes]\npsi = [0.0, 0.1]\n'
    )
    out = tmp_path / "out"
    summary = run_sweep(grid_file, out, pool, workers=2)
    assert summary.ok and summary.n_tasks >= 2
    panel = read_sweep(out, with_values=True)
    assert len(panel) == 2 * 2 * 7 * 3 * 2  # points x patrons x states x years x reps
    assert sorted(panel["psi"].unique()) == [0.0, 0.1]
    # the same grid over an edited world is another sweep: refused, never mixed
    world.write_text(world.read_text().replace("offer_rate = 0.25", "offer_rate = 0.5"))
    with pytest.raises(InputError, match="different sweep"):
        run_sweep(grid_file, out, pool, workers=2)


# ------------------------------------------------------------------------------ one way to set parameters


def test_world_updated_and_apply_parameters_are_one_implementation() -> None:
    from sidepay.sim.grid import apply_parameters
    from sidepay.sim.world import default_world

    w = default_world()
    changes = {"rho": 2.0, "small_states.n": 5, "great_powers.1.v": 0.25}
    a, b = w.updated(changes), apply_parameters(w, changes)
    assert a == b
    assert (a.params.rho, a.small_states.n, a.great_powers[1].v) == (2.0, 5, 0.25)
    assert a.great_powers[0] == w.great_powers[0] and w.params.rho != 2.0  # a copy
    # a bare name found in a table and in the list of powers is refused, not guessed
    with pytest.raises(InputError, match=r"'v' is ambiguous; write one of params\.v, great"):
        w.updated({"v": 1.0})
    with pytest.raises(InputError) as info:
        apply_parameters(w, {"params.nothing": 1.0}, where="fixed")
    message = str(info.value)
    assert message.startswith("fixed: world has no field 'params.nothing'; allowed")
    assert "params.rho" in message and "small_states.n" in message and "\n" not in message
    with pytest.raises(InputError, match=r"^axes: .*params\.rho.*\(at params\.rho=-1\.0\)$"):
        apply_parameters(w, {"params.rho": -1.0})
    with pytest.raises(InputError, match=r"great_powers\.5\.v"):
        w.updated({"great_powers.5.v": 1.0})


# ------------------------------------------------------------------------------ bad input at the CLI


@pytest.mark.parametrize(
    ("grid_text", "extra", "needle"),
    [
        ('[sweep]\nreps = 2\nperiods = 2\ncolour = "red"\n', [], "sweep.colour"),
        ('[sweep]\nreps = "two"\n', [], "sweep.reps"),
        ("[sweep]\nreps = 2.5\n", [], "sweep.reps"),
        ("[sweep]\nworld = 3\n", [], "sweep.world"),
        ('[axes]\n"params.rho" = []\n', [], "axes.params.rho"),
        ('[axes]\n"params.rho" = [[1.0]]\n', [], "axes.params.rho"),
        ('[axes]\n"params.rhoo" = [1.0]\n', [], "params.rhoo"),
        ('[axes]\n"small_states.n" = ["many"]\n', [], "small_states.n"),
        ('[sweep]\nworld = "missing.toml"\n', [], "missing.toml"),
        ("[sweep]\nreps = 1\nperiods = 1\n", ["--scheduler", "tcp://127.0.0.1:1"], "127.0.0.1:1"),
        ("[sweep]\nreps = 1\nperiods = 1\n", ["--scheduler", "tcp://127.0.0.1"], "no port"),
        ("[sweep]\nreps = 1\nperiods = 1\n", ["--out-is-a-file"], "is a file"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    grid_text: str,
    extra: list[str],
    needle: str,
) -> None:
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    grid_path = tmp_path / "g.toml"
    grid_path.write_text(grid_text)
    out = tmp_path / "o"
    if extra == ["--out-is-a-file"]:
        out.write_text("a file")
        extra = []
    code = main(["simulate", "sweep", "--grid", str(grid_path), "--out", str(out), *extra])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.startswith("sidepay: error:") and needle in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "o" / "manifest.json").exists()
    if "127.0.0.1:1'" in err:
        # refused by the socket check at once, not by Dask, which retries a refused
        # connection until its timeout ("Timed out trying to connect ... after 10 s")
        assert "Connection refused" in err


def test_a_missing_world_file_given_from_python_is_one_line(tmp_path: Path) -> None:
    grid = SweepGrid(world=str(tmp_path / "gone.toml"), reps=1, periods=1)
    with pytest.raises(InputError, match=r"gone\.toml does not exist"):
        run_sweep(grid, tmp_path / "o", workers=1)


# ------------------------------------------------------------------------------ progress


def test_progress_bar_counts_tasks_and_stays_off_when_not_a_terminal(
    grid: SweepGrid,
    grid_file: Path,
    tmp_path: Path,
    pool: ProcessPoolExecutor,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rich.console import Console

    from sidepay.sim.sweep import sweep_progress

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    with sweep_progress(console=console) as (on_plan, on_task):
        summary = run_sweep(grid, tmp_path / "a", pool, on_plan=on_plan, on_task=on_task)
    assert summary.ok
    assert "4/4" in buffer.getvalue() and "0 failed" in buffer.getvalue()
    # resumed: the bar starts at the finished tasks
    buffer.seek(0)
    buffer.truncate()
    with sweep_progress(console=console) as (on_plan, on_task):
        run_sweep(grid, tmp_path / "a", pool, on_plan=on_plan, on_task=on_task)
    assert "4/4" in buffer.getvalue()
    # the CLI under pytest writes to a pipe, not a terminal: no bar, nothing on stderr
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    capsys.readouterr()
    argv = ["simulate", "sweep", "--grid", str(grid_file), "--out", str(tmp_path / "b")]
    assert main([*argv, "--workers", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "4 tasks run" in captured.out


# ------------------------------------------------------------------------------ a real interruption


KILL_GRID = """
[sweep]
periods = 50
reps = 24
seed = 9
reps_per_task = 2

[axes]
"params.rho" = [1.5]
"""


def test_a_killed_sweep_resumes_to_the_same_bytes(
    tmp_path: Path, pool: ProcessPoolExecutor
) -> None:
    """SIGKILL the driver of a CLI sweep mid-run: its pool worker exits too, no part is
    torn, and resuming gives the bytes of an uninterrupted run."""
    psutil = pytest.importorskip("psutil")
    grid_path = tmp_path / "grid.toml"
    grid_path.write_text(KILL_GRID)
    reference = run_sweep(grid_path, tmp_path / "reference", pool)
    assert reference.ok and reference.n_tasks == 12

    out = tmp_path / "killed"
    env = {**os.environ, "DASK_SCHEDULER_ADDRESS": ""}
    cmd = [sys.executable, "-m", "sidepay.cli", "simulate", "sweep", "--grid", str(grid_path)]
    proc = subprocess.Popen(
        [*cmd, "--out", str(out), "--workers", "1", "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    children: list[object] = []
    try:
        deadline = time.monotonic() + 60
        while not sweep_parts(out, "events") and proc.poll() is None:
            assert time.monotonic() < deadline, "the sweep never wrote a part"
            time.sleep(0.005)
        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL, "the sweep ended before it was killed"
        # the orphaned pool worker notices and exits (no leaked process)
        _, alive = psutil.wait_procs(children, timeout=10)
        assert not alive, [p.pid for p in alive]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()  # type: ignore[attr-defined]
    finished = len(sweep_parts(out, "events"))
    assert 1 <= finished < 12

    ran: list[str] = []
    resumed = run_sweep(grid_path, out, pool, on_task=lambda r: ran.append(r["task"]))
    assert resumed.ok and resumed.skipped >= 1 and resumed.ran == len(ran) == 12 - resumed.skipped
    assert not list((out / "panel").glob(".*.tmp")) and not list((out / "events").glob(".*.tmp"))
    assert _part_hashes(out) == _part_hashes(tmp_path / "reference")
    manifest = json.loads((out / "manifest.json").read_text())
    assert {r["status"] for r in manifest["tasks"].values()} == {"done"}
    panel_rows = sum(len(pd.read_parquet(p, columns=["point"])) for p in sweep_parts(out))
    assert sum(r["rows"] for r in manifest["tasks"].values()) == panel_rows
