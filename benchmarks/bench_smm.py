"""Time the maintenance SMM: serial vs a 2-process pool vs a 2-worker Dask LocalCluster,
simulated moments from the simulator's arrays vs from the panel frame, and one fit with
freed memory retained (``sidepay.heap``) vs returned to the kernel (glibc's default).

    SIDEPAY_MIRROR=/work/shared/data python3 benchmarks/bench_smm.py [--repeat 3] [--reps 20]

Every fit is the same computation (common random numbers, same seed): the three
executors return the same bytes, which the script checks. Workers are warmed first (the
numba kernel compiles once per process), so the timings compare steady-state work.
Medians over ``--repeat`` runs are printed side by side with their ratio to serial.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor

from sidepay.estimate.moments import MomentSpec, moment_stats
from sidepay.estimate.sim_moments import history_stats
from sidepay.estimate.smm import fit_maintenance, simulate_stats
from sidepay.sim.engine import run_history
from sidepay.sim.output import panel_frame
from sidepay.sim.world import default_world


def _warm(executor: Executor, n: int) -> None:
    w = default_world().updated({"small_states.n": 5})
    spec = MomentSpec((2, 365))
    futures = [
        executor.submit(simulate_stats, w, {}, spec, periods=5, reps=1, seed=i) for i in range(n)
    ]
    for f in futures:
        f.result()


_HEAP_FIT = """
import resource, sys, time
import sidepay.sim.engine as engine
from sidepay.estimate.recovery import RECOVERY_POINTS, recovery_replications
from sidepay.sim.world import default_world
if sys.argv[1] == "returned":  # the peer: glibc's defaults, freed blocks go back to the kernel
    engine.retain_freed_memory = lambda: False
w = default_world().updated({"small_states.n": 150})
recovery_replications(w, RECOVERY_POINTS["default"], reps=1, sim_reps=5, first_rep=50)
t, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
recovery_replications(w, RECOVERY_POINTS["default"], reps=2, sim_reps=5)
r1 = resource.getrusage(resource.RUSAGE_SELF)
print(time.perf_counter() - t, r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime,
      r1.ru_minflt - r0.ru_minflt)
"""


def _heap(repeat: int) -> None:
    """Two recovery-size fits in a fresh process, retained vs returned, interleaved."""
    rows: dict[str, list[list[float]]] = {"retained": [], "returned": []}
    for _ in range(repeat):
        for mode in rows:
            out = subprocess.run(
                [sys.executable, "-c", _HEAP_FIT, mode], capture_output=True, text=True,
                check=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
            ).stdout  # fmt: skip
            rows[mode].append([float(x) for x in out.split()[-4:]])
    med = {m: [statistics.median(c) for c in zip(*v, strict=True)] for m, v in rows.items()}
    for mode, (wall, user, system, faults) in med.items():
        print(f"heap {mode:8s}: 2 fits {wall:5.2f} s wall, {user:5.2f} s user, "
              f"{system:5.2f} s system, {faults:9.0f} page faults (medians of {repeat})")  # fmt: skip
    print(f"heap: retained / returned wall {med['retained'][0] / med['returned'][0]:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--reps", type=int, default=20, help="simulated worlds per SMM point")
    args = ap.parse_args()
    _heap(args.repeat)
    from sidepay.data.panel import build_panel

    panel = build_panel()
    world = default_world()

    # 1. simulated moments: from the arrays vs through the panel frame
    h = run_history(world, 75, args.reps, 1)
    spec = MomentSpec((2, 365))
    arr, frame = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        history_stats(h, spec)
        arr.append(time.perf_counter() - t)
        t = time.perf_counter()
        moment_stats(panel_frame(h), spec)
        frame.append(time.perf_counter() - t)
    t = time.perf_counter()
    run_history(world, 75, args.reps, 1)
    sim = time.perf_counter() - t
    a, f = statistics.median(arr), statistics.median(frame)
    print(f"one parameter point ({args.reps} worlds): simulate {sim:.3f} s; "
          f"moments from arrays {a:.3f} s, from the panel frame {f:.3f} s ({f / a:.1f}x)")  # fmt: skip

    # 2. the fit on the real panel: serial, process pool (2), Dask LocalCluster (2 workers)
    kw = dict(seed=1, reps=args.reps)
    times: dict[str, list[float]] = {"serial": [], "pool2": [], "dask2": []}
    results = {}
    for _ in range(args.repeat):
        t = time.perf_counter()
        results["serial"] = fit_maintenance(panel, **kw)
        times["serial"].append(time.perf_counter() - t)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=ctx) as pool:
        _warm(pool, 4)
        for _ in range(args.repeat):
            t = time.perf_counter()
            results["pool2"] = fit_maintenance(panel, executor=pool, **kw)
            times["pool2"].append(time.perf_counter() - t)
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            ex = client.get_executor(pure=False)
            _warm(ex, 4)
            for _ in range(args.repeat):
                t = time.perf_counter()
                results["dask2"] = fit_maintenance(panel, executor=ex, **kw)
                times["dask2"].append(time.perf_counter() - t)
    base = statistics.median(times["serial"])
    for name, ts in times.items():
        med = statistics.median(ts)
        same = (
            results[name].params_.to_numpy().tobytes()
            == results["serial"].params_.to_numpy().tobytes()
        )
        print(f"{name:7s} median {med:7.1f} s  speed-up {base / med:4.2f}x  "
              f"({results[name].n_evals_} points, same bytes as serial: {same})")  # fmt: skip


if __name__ == "__main__":
    main()
