"""Benchmark: the formation equilibrium at 10 million random parameter points, one core.

Side by side in one run, interleaved, ``--runs`` times each:

* ``chunked``: :func:`sidepay.theory.formation.solve_formation_chunked` (the fast path);
* ``numpy``: :func:`sidepay.theory.formation.solve_formation` (plain broadcasting numpy, the
  naive vectorized peer, full-size temporaries);
* ``loop``: a plain-Python per-point loop on a ``--loop-sample`` subsample, extrapolated.

Prints medians of points per second, the ratios, and the peak memory each path allocates
(tracemalloc, outputs included) against the size of the inputs. The target is >= 10 million
points per second on one core with peak memory within 3x the inputs.

Run: ``OPENBLAS_NUM_THREADS=1 python benchmarks/bench_formation.py [--points 10000000 --runs 5]``
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from sidepay.theory.formation import solve_formation, solve_formation_chunked  # noqa: E402

NAMES = ("W", "d", "x", "sigma", "T", "v", "k", "beta", "rho", "omega")


def draw_inputs(n: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    lows = (0.01, 0.0, 0.05, 0.0, 0.0, 0.0, 0.0, 0.0, 0.2, 0.0)
    highs = (1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 2.0, 0.9)
    return [rng.uniform(lo, hi, n) for lo, hi in zip(lows, highs, strict=True)]


def loop_solve(args: list[np.ndarray]) -> tuple[list[int], list[float]]:
    """The per-point peer: the closed form in plain Python floats."""
    outcome, payment = [], []
    for W, d, x, sigma, T, v, k, beta, rho, omega in zip(*(a.tolist() for a in args), strict=True):
        D = rho * (omega + (1.0 - omega) * W) * d * x - sigma * T
        a_star = D if D > 0.0 else 0.0
        S = v * x - k * sigma * T - a_star
        if S >= 0.0:
            outcome.append(2 if D > 0.0 else 1)
            payment.append(a_star + (1.0 - beta) * S)
        else:
            outcome.append(0)
            payment.append(0.0)
    return outcome, payment


def timed(f: Callable[[], object]) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def peak_bytes(f: Callable[[], object]) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    result = f()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--chunk", type=int, default=65_536)
    ap.add_argument("--loop-sample", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    opt = ap.parse_args()
    n = opt.points
    args = draw_inputs(n, opt.seed)
    in_bytes = sum(a.nbytes for a in args)
    sub = [a[: opt.loop_sample] for a in args]

    # correctness first: the three paths agree
    fast = solve_formation_chunked(*args, chunk=opt.chunk)
    ref = solve_formation(*args)
    assert np.array_equal(fast.payment, ref.payment) and np.array_equal(fast.outcome, ref.outcome)
    lo_out, lo_pay = loop_solve(sub)
    assert np.array_equal(np.array(lo_out, np.int8), fast.outcome[: opt.loop_sample])
    assert np.allclose(np.array(lo_pay), fast.payment[: opt.loop_sample], rtol=0, atol=1e-12)
    del fast, ref

    rates: dict[str, list[float]] = {"chunked": [], "numpy": [], "loop": []}
    for _ in range(opt.runs):  # interleaved, so load on the machine hits all paths alike
        rates["chunked"].append(n / timed(lambda: solve_formation_chunked(*args, chunk=opt.chunk)))
        rates["numpy"].append(n / timed(lambda: solve_formation(*args)))
        rates["loop"].append(opt.loop_sample / timed(lambda: loop_solve(sub)))
    med = {k: statistics.median(v) for k, v in rates.items()}

    peak_fast = peak_bytes(lambda: solve_formation_chunked(*args, chunk=opt.chunk))
    peak_numpy = peak_bytes(lambda: solve_formation(*args))

    print(f"points: {n:,}  runs: {opt.runs}  chunk: {opt.chunk:,}  one core (BLAS threads = 1)")
    print(f"inputs: {len(args)} float64 arrays = {in_bytes / 2**20:,.0f} MiB")
    print(f"{'path':<10}{'median pts/s':>16}{'min':>14}{'max':>14}{'ratio vs chunked':>20}")
    for k in ("chunked", "numpy", "loop"):
        v = rates[k]
        print(
            f"{k:<10}{med[k]:>16,.0f}{min(v):>14,.0f}{max(v):>14,.0f}{med['chunked'] / med[k]:>19.1f}x"
        )
    print(f"loop extrapolated to {n:,} points: {n / med['loop']:,.0f} s")
    print(
        f"peak memory (tracemalloc, outputs included): chunked {peak_fast / 2**20:,.0f} MiB "
        f"= {peak_fast / in_bytes:.2f}x inputs; numpy {peak_numpy / 2**20:,.0f} MiB "
        f"= {peak_numpy / in_bytes:.2f}x inputs"
    )
    ok_speed, ok_mem = med["chunked"] >= 10e6, peak_fast <= 3 * in_bytes
    print(
        f"target >= 10M points/s: {'met' if ok_speed else 'NOT met'}; "
        f"memory <= 3x inputs: {'met' if ok_mem else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
