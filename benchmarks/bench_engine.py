"""Engine speed: dyad-periods simulated per second on one core, side by side.

Runs, in one process and interleaved (so that a loaded machine slows every peer alike):

* the engine as ``simulate`` runs it (``run_history``: the transition through the compiled
  kernel ``sidepay.sim.kernel.run_periods``, drawing inline, no data frame) on the default world
  (2 great powers, 150 small states, 75 years) with many replications;
* the same run through the numpy transition ``sidepay.theory.dynamics.step``
  (``run_history(..., step_function=step)``, fed the kernel's own draws);
* the full ``simulate`` (adds building the panel and event log);
* the same rules as a plain per-dyad Python loop (the test oracle
  ``tests/fixtures/sim_oracle.py``) on a small run, with the kernel and numpy engines on that same run;
* the previous engine's scheme: every shock drawn up front with numpy's Generator and read
  by the same kernel (``run_predrawn``; the engine before issue 12 drew its jump normals
  on demand from the Generator, within 4% of this), and each draw scheme alone.

All results must be byte-identical (checked and printed). Wall and CPU time
(``time.process_time``) medians are reported; on a shared machine read the CPU-time rates.
The JIT warm-up (first call: compile, or load from numba's cache) is excluded from the
timings and reported on its own. Target (issue 12): >= 40 million dyad-periods/s.

Usage::

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_engine.py [--reps 200] [--repeats 7]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import importlib.util
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sidepay.sim.draws import fill_shocks, rep_key
from sidepay.sim.engine import History, run_history, simulate
from sidepay.sim.kernel import (
    NO_STREAM,
    Draws,
    KernelState,
    Record,
    Span,
    Statics,
    WorldLaw,
    kernel_params,
    run_periods,
)
from sidepay.sim.run_args import rep_generator
from sidepay.sim.world import World, default_world
from sidepay.theory.dynamics import step
from sidepay.theory.regimes import regime_law

_spec = importlib.util.spec_from_file_location(
    "sim_oracle", Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sim_oracle.py"
)
assert _spec and _spec.loader
_oracle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_oracle)
reference_step = _oracle.reference_step

FIELDS = ("d", "W", "ally", "pay", "spell_start", "regime_change", "leader_change",
          "leader_hazard", "tenure")  # fmt: skip


def once(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def interleaved(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, np.ndarray]:
    """(repeats, 2) wall/CPU seconds per function, the functions taking turns."""
    out: dict[str, list[tuple[float, float]]] = {k: [] for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            out[name].append(once(fn))
    return {k: np.array(v) for k, v in out.items()}


def report(label: str, dyad_periods: int, t: np.ndarray) -> float:
    """Print medians and rates; return the CPU-time rate."""
    wall, cpu = float(np.median(t[:, 0])), float(np.median(t[:, 1]))
    print(
        f"{label:<44} {dyad_periods:>10,d} d-p  wall {wall:7.3f} s ({dyad_periods / wall / 1e6:6.2f}"
        f" M/s)  CPU {cpu:7.3f} s ({dyad_periods / cpu / 1e6:6.2f} M/s)"
    )
    return dyad_periods / cpu


def identical(a: History, b: History) -> bool:
    """Byte-identical arrays (signed zeros included)."""
    return all(getattr(a, f).tobytes() == getattr(b, f).tobytes() for f in FIELDS) and all(
        a.initial[k].tobytes() == b.initial[k].tobytes() for k in a.initial
    )


def shock_draws(world: World, reps: int, periods: int) -> None:
    """The previous engine's up-front numpy draws (systems, drift normals, uniforms), in
    its order, without its jump normals (drawn on demand inside its kernel)."""
    K, N = len(world.great_powers), world.small_states.n
    normal = np.empty((periods, K, N))
    unif = np.empty((periods, N))
    for r in range(reps):
        rng = rep_generator(1, r)
        world.draw_system(rng)
        rng.standard_normal(out=normal)
        for _ in range(2):
            rng.random(out=unif)


def counter_draws(world: World, reps: int, periods: int) -> None:
    """The engine's draws alone (systems, then every counter-based draw of every dyad,
    jump normals of all dyads included: more than the kernel draws), into arrays."""
    K, N = len(world.great_powers), world.small_states.n
    e, j = np.empty((1, K, N)), np.empty((1, K, N))
    u, o = np.empty((1, N)), np.empty((1, N))
    for r in range(reps):
        world.draw_system(rep_generator(1, r))
        keys = np.array([rep_key(1, r)])
        for t in range(periods):
            fill_shocks(keys, t, 0, N, e, j, u, o)


def run_predrawn(world: World, reps: int, periods: int, seed: int) -> None:
    """The previous draw scheme, for comparison: all jump normals pre-drawn (one per dyad
    and period, 2 K N + 2 N draws a period) and read by the same kernel, in blocks of
    replications of at most 4 MiB of shocks. Same rules, other random numbers."""
    K, N, P = len(world.great_powers), world.small_states.n, periods
    block = max(1, min(reps, 4 * 2**20 // (P * (2 * K * N + 2 * N) * 8)))
    v = np.array([g.v for g in world.great_powers])
    k = np.array([g.k for g in world.great_powers])
    v_scale = np.ascontiguousarray(world.v_scale(world.start_year + np.arange(P)))
    prm = kernel_params(world.params)
    levels, cum = regime_law(world.small_states.W_levels, world.small_states.W_probs)
    law = WorldLaw(float(world.offer_rate), levels, cum)
    rec = Record(
        np.empty((P, reps, K, N)), np.empty((P, reps, N)), np.empty((P, reps, N), np.int8),
        np.empty((P, reps, N)), np.empty((P, reps, N), np.int32),
        np.empty((P, reps, N), np.bool_), np.empty((P, reps, N), np.bool_),
        np.empty((P, reps, N)), np.empty((P, reps, N)),
        np.empty((reps, N), np.int8), np.empty((reps, N)), np.empty((reps, N), np.int32),
    )  # fmt: skip
    normals = np.empty((2, block, P, K, N))
    uniforms = np.empty((2, block, P, N))
    for b0 in range(0, reps, block):
        Rb = min(reps, b0 + block) - b0
        sys_ = [world.draw_system(rep_generator(seed, b0 + j)) for j in range(Rb)]
        for j in range(Rb):
            rng = rep_generator(seed + 1, b0 + j)
            rng.standard_normal(out=normals[0, j])
            rng.standard_normal(out=normals[1, j])
            rng.random(out=uniforms[0, j])
            rng.random(out=uniforms[1, j])
        st = {key: np.stack([s[key] for s in sys_]) for key in sys_[0]}
        state = KernelState(
            st["d"], st["W"], np.full((Rb, N), -1, np.int64), np.zeros((Rb, N)),
            np.zeros((Rb, N)), np.full((Rb, N), -1, np.int64), np.zeros((Rb, N), np.int64),
            np.zeros((Rb, N)),
        )  # fmt: skip
        statics = Statics(st["x"], st["sigma"], st["T"], st["B"], st["Y"], st["h"], v, k)
        draws = Draws(normals[0, :Rb], normals[1, :Rb], uniforms[0, :Rb], uniforms[1, :Rb],
                      v_scale)  # fmt: skip
        run_periods(state, statics, draws, NO_STREAM, prm, law, Span(0, 0, b0), rec)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--reps", type=int, default=200, help="replications of the big run")
    ap.add_argument("--repeats", type=int, default=7, help="timed repeats (median reported)")
    ap.add_argument("--naive-reps", type=int, default=2, help="replications of the loop run")
    args = ap.parse_args()

    world = default_world()
    K, N, T = len(world.great_powers), world.small_states.n, 75
    print(f"world: {K} great powers x {N} small states, {T} periods; one process, one core")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    wall, cpu = once(lambda: run_history(world, periods=T, reps=1, seed=1))
    stats = run_periods.stats
    print(
        f"JIT warm-up (excluded): first call {wall:.2f} s wall, {cpu:.2f} s CPU "
        f"({'loaded from cache' if stats.cache_hits else 'compiled'}; "
        f"{len(run_periods.signatures)} signature)"
    )

    big = args.reps * K * N * T
    t = interleaved(
        {
            "kernel": lambda: run_history(world, periods=T, reps=args.reps, seed=1),
            "previous": lambda: run_predrawn(world, args.reps, T, seed=1),
            "numpy": lambda: run_history(
                world, periods=T, reps=args.reps, seed=1, step_function=step
            ),
            "old draws": lambda: shock_draws(world, args.reps, T),
            "new draws": lambda: counter_draws(world, args.reps, T),
        },
        args.repeats,
    )
    kernel_rate = report(f"engine: kernel, inline counter draws, {args.reps} reps", big,
                         t["kernel"])  # fmt: skip
    prev_rate = report(f"previous: numpy draws up front + kernel, {args.reps} reps", big,
                       t["previous"])  # fmt: skip
    numpy_rate = report(f"numpy step engine (same draws), {args.reps} reps", big, t["numpy"])
    old_draws = report(f"previous engine's numpy draws alone, {args.reps} reps", big,
                       t["old draws"])  # fmt: skip
    new_draws = report(f"counter draws alone (all slots), {args.reps} reps", big,
                       t["new draws"])  # fmt: skip
    same_big = identical(
        run_history(world, periods=T, reps=args.reps, seed=1),
        run_history(world, periods=T, reps=args.reps, seed=1, step_function=step),
    )

    small_reps = max(1, args.reps // 10)
    t_sim = interleaved(
        {"sim": lambda: simulate(world, periods=T, reps=small_reps, seed=1)},
        max(1, args.repeats // 2),
    )
    report(f"engine simulate (+ panel), {small_reps} reps", small_reps * K * N * T, t_sim["sim"])

    naive = args.naive_reps * K * N * T
    nr = args.naive_reps
    t_small = interleaved(
        {
            "kernel": lambda: run_history(world, periods=T, reps=nr, seed=1),
            "numpy": lambda: run_history(world, periods=T, reps=nr, seed=1, step_function=step),
        },
        args.repeats,
    )
    k_small = report(f"engine (kernel) run_history, {nr} reps", naive, t_small["kernel"])
    n_small = report(f"numpy step engine run_history, {nr} reps", naive, t_small["numpy"])
    t_loop = interleaved(
        {
            "loop": lambda: run_history(
                world, periods=T, reps=nr, seed=1, step_function=reference_step
            )
        },
        max(1, args.repeats // 3),
    )
    loop_rate = report(f"per-dyad Python loop, {nr} reps", naive, t_loop["loop"])
    same_small = identical(
        run_history(world, periods=T, reps=nr, seed=1),
        run_history(world, periods=T, reps=nr, seed=1, step_function=reference_step),
    )

    print()
    print(f"byte-identical kernel vs numpy step ({args.reps} reps): {same_big}")
    print(f"byte-identical kernel vs per-dyad loop ({nr} reps):   {same_small}")
    print(f"ratio engine/previous engine ({args.reps} reps, CPU):  {kernel_rate / prev_rate:7.2f}x")
    print(f"ratio counter/numpy draws alone (CPU):          {new_draws / old_draws:7.2f}x")
    print(f"ratio kernel/numpy engine ({args.reps} reps, CPU):   {kernel_rate / numpy_rate:7.2f}x")
    print(f"ratio kernel/numpy engine ({nr} reps, CPU):     {k_small / n_small:7.2f}x")
    print(f"ratio kernel/loop ({nr} reps, CPU):             {k_small / loop_rate:7.1f}x")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    verdict = "met" if kernel_rate >= 40e6 else "NOT met"
    print(f"target >= 40 M dyad-periods/s (CPU time, {args.reps} reps): {verdict}"
          f" ({kernel_rate / 1e6:.1f} M/s)")  # fmt: skip


if __name__ == "__main__":
    main()
