"""Benchmark: memory and time of the hypotheses on a large simulated panel.

Simulates ``--reps`` replications of the default world (75 years each; 100 replications
are 2.25 million dyad-years), then runs all hypotheses once, timed, and each hypothesis on
its own with its peak resident memory above the resident memory before it (Linux: freed
heap is returned with malloc_trim and the high-water mark reset through
/proc/self/clear_refs between hypotheses; the reset also resets what ``getrusage`` and
``/usr/bin/time`` report, so the whole-run peak is printed before it).

    python benchmarks/bench_hypotheses_scale.py --reps 100
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import resource
import sys
import time
from pathlib import Path


def _status_mb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return -1


def _release_freed() -> None:
    """Hand freed heap pages back to the OS (glibc), so the next base RSS is honest."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)

    from sidepay.analysis.hypotheses import HYPOTHESES, run_hypotheses
    from sidepay.sim.engine import simulate
    from sidepay.sim.world import default_world

    t0 = time.perf_counter()
    panel = simulate(default_world(), periods=75, reps=a.reps, seed=a.seed).panel
    sim_s = time.perf_counter() - t0
    sim_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = panel.memory_usage(deep=True).sum() / 2**20
    print(f"panel: {len(panel):,} rows, {size:.0f} MB; simulated in {sim_s:.1f} s")
    print(f"peak RSS after simulate: {sim_peak:.0f} MB")

    t0 = time.perf_counter()
    res = run_hypotheses(panel, world="simulated")
    total = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"all {len(res)} hypotheses: {total:.1f} s; peak RSS of the process {peak:.0f} MB")
    print(", ".join(f"{r.hypothesis} {r.verdict}" for r in res))

    if not _reset_peak():
        print("(no /proc/self/clear_refs: per-hypothesis peaks not measured)")
        return 0
    print(f"\n{'hyp':4} {'seconds':>8} {'peak above base MB':>19}")
    for h in HYPOTHESES:
        gc.collect()
        _release_freed()
        _reset_peak()
        base = _status_mb("VmRSS")
        t0 = time.perf_counter()
        run_hypotheses(panel, world="simulated", only=h)
        print(f"{h:4} {time.perf_counter() - t0:>8.1f} {_status_mb('VmHWM') - base:>19}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
