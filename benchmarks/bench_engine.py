"""Engine speed: dyad-periods simulated per second on one core, vectorized vs per-dyad loop.

Runs, side by side in one process:

* the vectorized engine (``run_history``: all draws and the transition, no data frame)
  on the default world (2 great powers, 150 small states, 75 years) with many replications;
* the full ``simulate`` (adds building the panel and event log);
* the same rules written as a plain per-dyad Python loop (``sidepay.sim.reference``) on a
  small run, and the vectorized engine on that same run; the two must give identical arrays.

Prints medians over repeats and the speed ratio. Target: >= 20 million dyad-periods/s.

Usage::

    python benchmarks/bench_engine.py [--reps 200] [--repeats 5]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from sidepay.sim.engine import run_history, simulate
from sidepay.sim.reference import reference_step
from sidepay.sim.world import default_world


def timed(fn: Callable[[], object], repeats: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``repeats`` calls (after one warm-up call)."""
    fn()
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def report(label: str, dyad_periods: int, wall: list[float], cpu: list[float]) -> float:
    rate = dyad_periods / statistics.median(wall)
    print(
        f"{label:<42} {dyad_periods:>11,d} dyad-periods  median {statistics.median(wall):8.4f} s"
        f"  best {min(wall):8.4f} s  -> {rate / 1e6:7.2f} M/s"
        f" (CPU-time {dyad_periods / statistics.median(cpu) / 1e6:7.2f} M/s)"
    )
    return rate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200, help="replications of the big run")
    ap.add_argument("--repeats", type=int, default=5, help="timed repeats (median reported)")
    ap.add_argument("--naive-reps", type=int, default=2, help="replications of the loop run")
    args = ap.parse_args()

    world = default_world()
    K, N, T = len(world.great_powers), world.small_states.n, 75
    print(f"world: {K} great powers x {N} small states, {T} years; one process, one core")

    big = args.reps * K * N * T
    wall, cpu = timed(lambda: run_history(world, years=T, reps=args.reps, seed=1), args.repeats)
    engine_rate = report(f"engine run_history, {args.reps} reps", big, wall, cpu)
    small_reps = max(1, args.reps // 10)
    wall, cpu = timed(lambda: simulate(world, years=T, reps=small_reps, seed=1), args.repeats)
    report(f"engine simulate (+ panel), {small_reps} reps", small_reps * K * N * T, wall, cpu)

    naive = args.naive_reps * K * N * T
    wall, cpu = timed(
        lambda: run_history(world, years=T, reps=args.naive_reps, seed=1), args.repeats
    )
    vec_small = report(f"engine run_history, {args.naive_reps} reps", naive, wall, cpu)
    wall, cpu = timed(
        lambda: run_history(
            world, years=T, reps=args.naive_reps, seed=1, step_function=reference_step
        ),
        max(1, args.repeats // 2),
    )
    loop_rate = report(f"per-dyad Python loop, {args.naive_reps} reps", naive, wall, cpu)

    a = run_history(world, years=T, reps=args.naive_reps, seed=1)
    b = run_history(world, years=T, reps=args.naive_reps, seed=1, step_function=reference_step)
    same = all(
        np.array_equal(getattr(a, f), getattr(b, f))
        for f in ("d", "W", "ally", "pay", "spell_start", "regime_change", "leader_change")
    )
    print(f"identical results (engine vs loop): {same}")
    print(f"ratio engine/loop, same run ({args.naive_reps} reps): {vec_small / loop_rate:8.1f}x")
    print(f"ratio engine ({args.reps} reps)/loop:           {engine_rate / loop_rate:8.1f}x")
    print(f"target >= 20 M dyad-periods/s: {'met' if engine_rate >= 20e6 else 'NOT met'}")


if __name__ == "__main__":
    main()
