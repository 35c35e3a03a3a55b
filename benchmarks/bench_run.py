"""`sidepay run` from a warm cache: time of each stage, against the bare library calls.

Target: the whole run (``--world both``) under 90 s on a 2-core machine. Each repeat runs,
alternating so that machine noise hits both alike:

A. ``sidepay.run_all`` (what ``sidepay run`` does), with its per-stage timings;
B. the peer: the same library calls by hand with no report (build the panel, test the
   hypotheses on it, simulate the default world, test them there).

It prints the median of each stage, the medians of A and B and their ratio (the cost of
verification, figures, the page and the files), and finally the wall time of the command
itself in a fresh interpreter (``python -m sidepay.cli run``, imports included) against the
90 s budget.

    SIDEPAY_MIRROR=../shared/data python benchmarks/bench_run.py [--repeats 2] [--reps 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sidepay import parse_years, run_all
from sidepay.options import REPORT_REPS

BUDGET_S = 90.0


def bare_library(years: tuple[int, int], seed: int, reps: int) -> float:
    """The peer: the computations of `sidepay run` without data checks or report."""
    from sidepay import build_panel, default_world, run_hypotheses, simulate

    start = time.perf_counter()
    panel = build_panel(years=years)
    run_hypotheses(panel, world="real")
    sim = simulate(default_world(), seed=seed, reps=reps)
    run_hypotheses(sim.panel, world="simulated")
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--reps", type=int, default=REPORT_REPS)
    ap.add_argument("--years", default="1946:2020")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    years = parse_years(args.years)

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    with tempfile.TemporaryDirectory(prefix="sidepay-bench-") as tmp:
        out = Path(tmp) / "report"
        print("warming the cache (one untimed run) ...", flush=True)
        run_all(out, years=years, seed=args.seed, reps=args.reps, quiet=True)

        stages: dict[str, list[float]] = {}
        totals, peers = [], []
        for i in range(args.repeats):
            summary = run_all(out, years=years, seed=args.seed, reps=args.reps, quiet=True)
            for name, seconds in summary.timings.items():
                stages.setdefault(name, []).append(seconds)
            totals.append(summary.timings["total"])
            peers.append(bare_library(years, args.seed, args.reps))
            print(f"repeat {i + 1}: run_all {totals[-1]:.1f} s, bare library {peers[-1]:.1f} s")

        print(f"\nmedian of {args.repeats} repeats, warm cache, reps={args.reps}")
        print(f"{'stage':<30}{'median s':>10}")
        for name, values in stages.items():
            if name != "total":
                print(f"{name:<30}{statistics.median(values):>10.2f}")
        a, b = statistics.median(totals), statistics.median(peers)
        print(f"{'A: run_all (whole run)':<30}{a:>10.2f}")
        print(f"{'B: bare library calls':<30}{b:>10.2f}")
        print(f"ratio A/B (cost of checks + report): {a / b:.2f}")

        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "sidepay.cli", "run", "--out", str(out), "--quiet",
             "--years", args.years, "--seed", str(args.seed), "--reps", str(args.reps)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            raise SystemExit(proc.returncode)
        verdict = "within" if wall < BUDGET_S else "OVER"
        print(
            f"`sidepay run` in a fresh interpreter: {wall:.1f} s "
            f"({wall / BUDGET_S:.2f} of the {BUDGET_S:.0f} s budget: {verdict})"
        )
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
