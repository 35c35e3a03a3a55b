"""Sweep scaling: the same grid on a one-worker and a two-worker Dask LocalCluster.

Both clusters run worker processes (one thread each) and do the same work: the same grid,
split the same way. Workers are warmed up (imports, one tiny sweep per cluster) before
timing. Each repeat runs the whole grid into a fresh folder on each cluster (alternating,
so that machine noise hits both alike), prints the wall times, their medians and the speed-up
(target >= 1.6x on two cores), and checks that both clusters wrote byte-identical parts.
Because a speed-up needs cores that are actually free, it also measures the machine's own
two-process speed-up on a pure CPU loop before and after (2.0x on two idle cores): on a
shared, busy machine read the sweep's speed-up against that figure.

    python benchmarks/bench_sweep.py [--repeats 3] [--points 4] [--reps 32] [--reps-per-task 8] [--periods 75]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import multiprocessing
import os
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core per worker, inherited by workers
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

from distributed import Client, LocalCluster

from sidepay.sim.grid import SweepGrid
from sidepay.sim.sweep import run_sweep, sweep_parts


def _digest(out: Path) -> str:
    h = hashlib.sha256()
    for kind in ("panel", "events"):
        for part in sweep_parts(out, kind):
            h.update(part.name.encode())
            h.update(part.read_bytes())
    return h.hexdigest()


def _burn(n: int) -> float:
    s = 0
    for i in range(n):
        s += i * i
    return float(s)


def machine_speedup(n: int = 4_000_000) -> float:
    """What the machine gives right now: wall time of two CPU-bound jobs run one after the
    other over the same two run at once in two processes (2.0 on two idle cores)."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=ctx) as pool:
        list(pool.map(_burn, [10, 10]))  # start both processes
        t0 = time.perf_counter()
        list(pool.map(_burn, [n]))
        list(pool.map(_burn, [n]))
        serial = time.perf_counter() - t0
        t0 = time.perf_counter()
        list(pool.map(_burn, [n, n]))
        parallel = time.perf_counter() - t0
    return serial / parallel


def _warm_up() -> None:
    from sidepay.sim.engine import simulate
    from sidepay.sim.world import default_world

    simulate(default_world().updated({"small_states.n": 2}), periods=2, reps=1)


def _task_seconds(out: Path) -> tuple[float, float]:
    """Sum over tasks of wall seconds and of CPU seconds (from the manifest)."""
    tasks = json.loads((out / "manifest.json").read_text())["tasks"].values()
    return (
        float(sum(t.get("seconds", 0.0) for t in tasks)),
        float(sum(t.get("cpu_seconds", 0.0) for t in tasks)),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--points", type=int, default=4, help="values of params.rho")
    ap.add_argument("--reps", type=int, default=32)
    ap.add_argument("--periods", type=int, default=75)
    ap.add_argument("--reps-per-task", type=int, default=8)
    args = ap.parse_args()
    logging.getLogger("distributed").setLevel(logging.ERROR)

    rhos = [0.5 + 0.5 * i for i in range(args.points)]
    grid = SweepGrid(
        axes={"params.rho": rhos},
        reps=args.reps,
        periods=args.periods,
        seed=11,
        reps_per_task=args.reps_per_task,
    )
    probe_before = machine_speedup()
    n_tasks = len(list(grid.tasks()))
    print(
        f"grid: {grid.n_points} points x {grid.reps} reps x {grid.periods} periods "
        f"= {n_tasks} tasks of {args.reps_per_task} reps; cores: {os.cpu_count()}"
    )
    times: dict[int, list[float]] = {1: [], 2: []}
    digests: dict[tuple[int, int], str] = {}
    busy: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    clusters = {
        n: LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
        for n in (1, 2)
    }
    clients: dict[int, Client] = {}
    try:
        clients.update({n: Client(c) for n, c in clusters.items()})
        for c in clients.values():  # warm up every worker: imports, compiled kernel
            c.run(_warm_up)
        # and the whole path once per cluster, untimed (driver planning, Parquet writers)
        tiny = SweepGrid(axes={"params.rho": [1.0, 2.0]}, reps=4, periods=3, reps_per_task=1)
        for n, c in clients.items():
            with tempfile.TemporaryDirectory() as tmp:
                assert run_sweep(tiny, tmp, c.get_executor(pure=False), workers=n).ok
        for r in range(args.repeats):
            order = (1, 2) if r % 2 == 0 else (2, 1)
            for n in order:
                with tempfile.TemporaryDirectory() as tmp:
                    t0 = time.perf_counter()
                    summary = run_sweep(grid, tmp, clients[n].get_executor(pure=False), workers=n)
                    times[n].append(time.perf_counter() - t0)
                    assert summary.ok, summary.failed
                    digests[(n, r)] = _digest(Path(tmp))
                    busy[n].append(_task_seconds(Path(tmp)))
                print(
                    f"repeat {r + 1}: {n} worker(s) {times[n][-1]:7.2f} s wall, tasks "
                    f"{busy[n][-1][0]:6.2f} s wall / {busy[n][-1][1]:6.2f} s CPU, "
                    f"load average {os.getloadavg()[0]:.1f}"
                )
    finally:
        for c in clients.values():
            c.close()
        for cl in clusters.values():
            cl.close()
    m1, m2 = statistics.median(times[1]), statistics.median(times[2])
    print(f"median 1 worker : {m1:7.2f} s")
    print(f"median 2 workers: {m2:7.2f} s")
    print(f"speed-up 2 vs 1 : {m1 / m2:5.2f}x (target >= 1.6x)")
    got = {
        n: statistics.median(b[1] / t for b, t in zip(busy[n], times[n], strict=True))
        for n in (1, 2)
    }
    print(
        f"cores obtained (task CPU seconds per wall second): 1 worker {got[1]:.2f}, "
        f"2 workers {got[2]:.2f}"
    )
    print(
        f"the machine's own 2-vs-1 process speed-up on a pure CPU loop, before and after: "
        f"{probe_before:.2f}x, {machine_speedup():.2f}x (2.00x on two idle cores)"
    )
    print(f"identical parts across clusters and repeats: {len(set(digests.values())) == 1}")
    if len(set(digests.values())) > 1:
        for key, value in sorted(digests.items()):
            print(f"  workers={key[0]} repeat={key[1] + 1}: {value[:16]}")


if __name__ == "__main__":
    main()
