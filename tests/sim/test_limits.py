"""Bounded runs (issue 14): memory known in advance, sizes bounded, full disks, non-finite
worlds, output formats by suffix, sweep part names and one driver per sweep folder."""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sidepay.cli import main
from sidepay.errors import InputError
from sidepay.sim import sweep_store as store
from sidepay.sim.engine import check_simulation, run_history, simulate, write_simulation
from sidepay.sim.grid import SweepGrid, SweepTask
from sidepay.sim.memory import check_memory, parse_memory, simulate_bytes
from sidepay.sim.sweep_run import _sweep_lock, run_sweep
from sidepay.sim.world import default_world


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("sidepay: error: "), err
    assert "Traceback" not in err[0]
    return err[0]


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A real small file system (root can mount one); skipped where mounting is denied."""
    where.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                         capture_output=True)  # fmt: skip
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


# ------------------------------------------------------------------ memory and sizes
def test_memory_sizes_parse() -> None:
    assert parse_memory("8G") == 8 * 2**30 and parse_memory("1.5g") == 3 * 2**29
    assert parse_memory("512MiB") == 512 * 2**20 and parse_memory(10) == 10
    for bad in ("", "lots", "-1G", "0", "1²G", True, 0):
        with pytest.raises(InputError, match="max_memory="):
            parse_memory(bad)


def test_a_run_over_the_limit_is_refused_before_any_work() -> None:
    w = default_world().updated({"small_states.n": 100_000})
    need = simulate_bytes(2, 100_000, 75, 1)
    assert need > 2 * 2**30  # one replication of the largest world: about 12 GB
    with pytest.raises(InputError, match=r"max_memory= is 2\.0 GiB, below the .* GiB"):
        simulate(w, periods=75, reps=1, max_memory="2G")
    with pytest.raises(InputError, match="max_memory="):
        run_history(w, periods=10_000, reps=10, max_memory="2G")
    assert check_memory(need, need, "x") == need  # at the limit: allowed


def test_simulate_in_chunks_gives_the_bytes_of_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from sidepay.sim import engine

    w = default_world().updated({"small_states.n": 6})
    whole = simulate(w, periods=8, reps=5, seed=2)
    monkeypatch.setattr(engine, "_FRAME_CHUNK_ROWS", 2 * 6 * 8 * 2)  # two reps a chunk
    assert check_simulation(w, 8, 5) == 2
    parts = simulate(w, periods=8, reps=5, seed=2)
    pd.testing.assert_frame_equal(parts.panel, whole.panel)
    pd.testing.assert_frame_equal(parts.events, whole.events)


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--reps", "100000000"], "--reps must be a whole number in 1..1000000"),
        (["--burn-in", "1000000000"], "--burn-in must be a whole number in 0..10000"),
        (["--periods", "10001"], "--periods must be a whole number in 1..10000"),
        (["--max-memory", "1M"], "--max-memory is 1.0 MiB, below the"),
        (["--max-memory", "lots"], "--max-memory must be a size such as 8G"),
    ],
)
def test_cli_bounds_give_one_line_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], flag: str
) -> None:
    out = tmp_path / "sim.parquet"
    assert main(["simulate", "run", "--out", str(out), *argv]) == 2
    assert flag in one_error_line(capsys)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["run", "test"])
def test_run_and_test_refuse_huge_simulations_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    out = tmp_path / "report"
    argv = [command, "--world", "simulated", "--reps", "1000000", "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()  # `test` first names its world
    assert "Traceback" not in "\n".join(err) and err[-1].startswith("sidepay: error: ")
    line = err[-1]
    assert "--reps is too large: simulate(periods=75, reps=1000000)" in line and "TiB" in line
    assert not out.exists()


def test_grid_sizes_are_bounded() -> None:
    with pytest.raises(InputError, match=r"sweep.reps must be an integer in 1..1,000,000"):
        SweepGrid(reps=10**11)
    with pytest.raises(InputError, match=r"sweep.periods must be an integer in 1..10,000"):
        SweepGrid(periods=10_001)
    big: dict[str, list[object]] = {
        "params.rho": list(range(1, 100_001)),
        "params.psi": [0.1] * 100_000,
    }
    with pytest.raises(InputError, match="10,000,000,000 points"):
        SweepGrid(axes=big)


def test_a_sweep_too_big_for_one_replication_is_refused_before_writing(tmp_path: Path) -> None:
    g = SweepGrid(fixed={"small_states.n": 100_000}, reps=2, periods=10_000)
    with pytest.raises(InputError, match="max_memory="):
        run_sweep(g, tmp_path / "sw", ThreadPoolExecutor(1))
    assert not (tmp_path / "sw").exists()


# ------------------------------------------------------------------ wrong successes
def test_a_world_that_overflows_float64_is_refused(tmp_path: Path) -> None:
    w = default_world().updated({"small_states.threat_per_rival": 1e308})
    with pytest.raises(InputError, match=r"world= gives non-finite small-state values \(T"):
        simulate(w, periods=3, reps=1)
    with pytest.raises(InputError, match="world="):
        write_simulation(w, tmp_path / "s.parquet", periods=3, reps=1)
    assert list(tmp_path.iterdir()) == []


def test_output_format_follows_the_suffix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = default_world().updated({"small_states.n": 4})
    p, e, n, _ = write_simulation(w, tmp_path / "sim.csv", periods=3, reps=2)
    assert p.read_bytes()[:7] == b"patron," and e.name == "sim.events.csv"
    assert len(pd.read_csv(p)) == n == 2 * 2 * 4 * 3
    q, _, _, _ = write_simulation(w, tmp_path / "sim.parquet", periods=3, reps=2)
    assert q.read_bytes()[:4] == b"PAR1"
    assert main(["simulate", "run", "--out", str(tmp_path / "sim.txt"), "--reps", "1"]) == 2
    assert "must end in .parquet or .pq or .csv" in one_error_line(capsys)
    assert not (tmp_path / "sim.txt").exists()


def test_read_sweep_parses_any_point_number_and_sorts_numerically(tmp_path: Path) -> None:
    meta = {"fingerprint": "f", "task": "t"}
    for point in (100_000, 99_999, 2, 1_234_567):
        task = SweepTask(point, 0, 1)
        frame = pd.DataFrame({"point": np.array([point], dtype="int64"), "x": [float(point)]})
        store.write_part(frame, store.part_path(tmp_path, "panel", task), meta)
    keys = [store.part_key(p) for p in store.sweep_parts(tmp_path)]
    assert [k[0] for k in keys if k] == [2, 99_999, 100_000, 1_234_567]
    got = store.read_sweep(tmp_path, points=[100_000, 1_234_567])
    assert got["point"].tolist() == [100_000, 1_234_567]


# ------------------------------------------------------------------ one driver per folder
def test_a_second_sweep_into_a_busy_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "sw"
    out.mkdir()
    g = SweepGrid(axes={"params.rho": [0.5, 1.0]}, fixed={"small_states.n": 5}, reps=2,
                  periods=3)  # fmt: skip
    with _sweep_lock(out), pytest.raises(InputError, match="is in use by another sweep"):
        run_sweep(g, out, ThreadPoolExecutor(1))
    assert not (out / "manifest.json").exists()
    s = run_sweep(g, out, ThreadPoolExecutor(1))  # the lock was released
    assert s.ok and s.ran == s.n_tasks


# ------------------------------------------------------------------ full disks
def test_simulate_run_on_a_full_disk_gives_one_line_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with tmpfs(tmp_path / "disk", "1m") as disk:
        for name in ("sim.parquet", "sim.csv"):
            code = main(["simulate", "run", "--out", str(disk / name), "--reps", "40"])
            assert code in (1, 2)
            assert "No space left on device" in one_error_line(capsys)
            assert list(disk.iterdir()) == []


def test_sweep_on_a_full_disk_keeps_its_manifest_and_lists_failed_tasks(tmp_path: Path) -> None:
    g = SweepGrid(axes={"params.rho": [0.5, 1.0, 1.5, 2.0]}, fixed={"small_states.n": 20},
                  reps=4, periods=15, reps_per_task=2)  # fmt: skip
    with tmpfs(tmp_path / "disk", "2m") as disk:
        out = disk / "sw"
        filled: list[bool] = []

        def fill_the_disk(record: dict[str, object]) -> None:
            if not filled:  # after the first task: no byte left
                with open(disk / "filler", "wb") as f, contextlib.suppress(OSError):
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
                filled.append(True)

        s = run_sweep(g, out, ThreadPoolExecutor(1), on_task=fill_the_disk)
        assert not s.ok and s.failed and s.ran >= 1
        assert all("No space left on device" in e for e in s.failed.values())
        assert "No space left on device" in s.manifest_error
        manifest = json.loads((out / "manifest.json").read_text())  # consistent: valid JSON
        assert set(manifest["tasks"]) == {t.name for t in g.tasks(2)}
        leftovers = [p for p in (out / "panel").iterdir() if p.name.startswith(".")]
        assert leftovers == []  # no half-written part
        (disk / "filler").unlink()
        again = run_sweep(g, out, ThreadPoolExecutor(1))  # space again: resumes
        assert again.ok and again.skipped == s.ran
