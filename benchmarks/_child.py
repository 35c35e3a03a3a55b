"""Shared by the benchmarks that time each build in a fresh child process.

The script re-runs itself as ``python <script> --child <impl>``; the child prints one JSON
line with at least ``wall``, ``cpu`` (seconds) and ``peak_mb`` (its own ``ru_maxrss``).
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def timed(build: Callable[[], T]) -> tuple[T, dict[str, float]]:
    """Run ``build`` once; its result and the wall, CPU and peak RSS (MB) it cost."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = build()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out, {"wall": wall, "cpu": cpu, "peak_mb": peak_mb}


def run_child(script: str, impl: str) -> dict[str, Any]:
    """Run ``script --child impl`` in a fresh interpreter; the JSON of its last line."""
    res = subprocess.run(
        [sys.executable, script, "--child", impl], capture_output=True, text=True, check=True
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def print_medians(
    results: Mapping[str, Sequence[Mapping[str, Any]]],
) -> dict[str, tuple[float, float]]:
    """Print one row per implementation (median wall, median CPU, max peak RSS).

    Returns the (median wall, median CPU) of each implementation.
    """
    print(f"{'implementation':<14} {'wall median s':>14} {'cpu median s':>13} {'peak RSS MB':>12}")
    med = {}
    for impl, rs in results.items():
        wall = statistics.median(float(r["wall"]) for r in rs)
        cpu = statistics.median(float(r["cpu"]) for r in rs)
        peak = max(float(r["peak_mb"]) for r in rs)
        med[impl] = (wall, cpu)
        print(f"{impl:<14} {wall:>14.3f} {cpu:>13.3f} {peak:>12.0f}")
    return med
