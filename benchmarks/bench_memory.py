"""Peak memory of simulations against the estimates that refuse runs before they start.

Each case runs in a fresh interpreter (``benchmarks/_child.py``); its peak RSS
(``ru_maxrss``) is printed beside the estimate of ``sidepay.sim.memory`` (which the engine
checks against ``max_memory`` before allocating anything), and the ratio measured /
estimated. The peer of the chunked ``simulate`` is the unchunked build of the same panel
(one ``run_history`` and one ``panel_frame``, as ``simulate`` did before issue 14), side by
side in the same run. Cases:

* ``simulate``: the default world (2 great powers, 150 small states, 75 periods) with 20,
  100 and 500 replications (``sidepay run --reps``), and 10,000 small states x 1
  replication (the largest single replication measured here);
* ``write``: ``write_simulation`` (``sidepay simulate run``, Parquet, streamed by chunks
  of replications) of 100 and 1,000 replications, and of 20,000 small states (one
  replication a chunk);
* the documented maximum world (100,000 small states): only its estimate, and whether the
  default limit (half of this machine's memory) admits it; measuring it needs ~12 GB.

Usage::

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_memory.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _child import run_child, timed

K = 2


def child(spec: str) -> None:
    """Run one case (``kind:N:periods:reps``) and print its JSON line."""
    from sidepay.sim import run_args
    from sidepay.sim.engine import run_history, simulate, write_simulation
    from sidepay.sim.output import events_frame, panel_frame
    from sidepay.sim.world import default_world

    kind, n, periods, reps = spec.split(":")
    N, P, R = int(n), int(periods), int(reps)
    world = default_world().updated({"small_states.n": N})
    simulate(default_world().updated({"small_states.n": 2}), periods=2, reps=1)  # warm up
    if kind == "simulate":
        _, cost = timed(lambda: simulate(world, periods=P, reps=R, seed=1))
    elif kind == "unchunked":
        run_args.check_run_arguments(P, R, 1)

        def build() -> object:
            h = run_history(world, periods=P, reps=R, seed=1)
            return panel_frame(h), events_frame(h)

        _, cost = timed(build)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            _, cost = timed(
                lambda: write_simulation(world, Path(tmp) / "s.parquet", periods=P, reps=R)
            )
    print(json.dumps(cost))


def estimate(kind: str, N: int, P: int, R: int) -> float:
    """The engine's estimate for the case, in MB."""
    from sidepay.sim.engine import check_simulation
    from sidepay.sim.memory import chunked_simulate_bytes, simulate_bytes, write_bytes
    from sidepay.sim.world import default_world

    world = default_world().updated({"small_states.n": N})
    if kind == "write":
        chunk = max(1, 500_000 // (K * N * P))
        return write_bytes(K, N, P, min(chunk, R)) / 2**20
    chunk = check_simulation(world, P, R, max_memory=2**50)
    need = chunked_simulate_bytes(K, N, P, R, chunk)
    if kind == "unchunked":
        need = simulate_bytes(K, N, P, R)
    return need / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--child")
    ap.add_argument("--quick", action="store_true", help="the small cases only")
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    cases = [
        ("simulate", 150, 75, 20), ("unchunked", 150, 75, 20),
        ("simulate", 150, 75, 100), ("unchunked", 150, 75, 100),
        ("write", 150, 75, 100),
    ]  # fmt: skip
    if not args.quick:
        cases += [
            ("simulate", 150, 75, 500), ("unchunked", 150, 75, 500),
            ("simulate", 10_000, 75, 1), ("write", 150, 75, 1000), ("write", 20_000, 75, 2),
        ]  # fmt: skip
    print(f"{'case':<32} {'rows':>11} {'peak RSS MB':>12} {'estimate MB':>12} {'ratio':>6}"
          f" {'wall s':>7}")  # fmt: skip
    for kind, N, P, R in cases:
        r = run_child(__file__, f"{kind}:{N}:{P}:{R}")
        est = estimate(kind, N, P, R)
        rows = K * N * P * R
        label = f"{kind} N={N:,} P={P} reps={R}"
        print(f"{label:<32} {rows:>11,} {r['peak_mb']:>12.0f} {est:>12.0f} "
              f"{r['peak_mb'] / est:>6.2f} {r['wall']:>7.2f}")  # fmt: skip
    from sidepay.sim.memory import default_limit, format_bytes, simulate_bytes, write_bytes

    for what, need in (
        ("simulate, 100,000 states x 1 rep", simulate_bytes(K, 100_000, 75, 1)),
        ("simulate run, 100,000 states", write_bytes(K, 100_000, 75, 1)),
    ):
        verdict = "admitted" if need <= default_limit() else "refused"
        print(f"{what}: estimate {format_bytes(need)}; default limit "
              f"{format_bytes(default_limit())}: {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
