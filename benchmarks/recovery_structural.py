"""Recovery of the maintenance stage by SMM: bias, RMSE and 95% coverage (issue 12, 3).

For every point of ``sidepay.estimate.recovery.RECOVERY_POINTS`` (the default world and
three others), simulate ``--reps`` worlds at the true values, fit ``fit_maintenance`` to
each and tabulate bias, RMSE, mean standard error, s.d. of the estimates and the
coverage of the 95% intervals. Rows are appended to ``OUT/recovery_rows.csv`` as they
come (a long run can be read while it runs, and ``--first-rep`` resumes it); the summary
goes to ``OUT/recovery_summary.csv`` and ``OUT/recovery_summary.md``.

    python3 benchmarks/recovery_structural.py --reps 100 --out /tmp/recovery
    python3 benchmarks/recovery_structural.py --reps 5 --points default --n 60   # quick
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd

from sidepay.estimate.recovery import RECOVERY_POINTS, recovery_replications, summarize_recovery
from sidepay.sim.world import default_world


def _markdown(summary: pd.DataFrame, args: argparse.Namespace) -> str:
    lines = [
        "# Recovery of the maintenance stage (SMM)",
        "",
        f"`python3 benchmarks/recovery_structural.py --reps {args.reps} --points "
        f"{args.points} --sim-reps {args.sim_reps} --n {args.n} --weighting {args.weighting} --sim-noise {args.sim_noise}`",
        "",
        "| point | param | truth | n | failed | bias | RMSE | mean s.e. | s.d. est. | coverage 95% |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in summary.itertuples():
        lines.append(
            f"| {r.point} | {r.param} | {r.truth:.4g} | {r.n} | {r.failed} | {r.bias:.3g} | "
            f"{r.rmse:.3g} | {r.mean_se:.3g} | {r.sd_estimate:.3g} | {r.coverage:.1%} |"
        )
    return "\n".join(lines) + "\n"


def _ordered(rows: pd.DataFrame, points: str) -> pd.DataFrame:
    """Rows in point order, then replication (workers finish in any order)."""
    order = {name: i for i, name in enumerate(points.split(","))}
    key = rows["point"].map(order)
    return rows.assign(_k=key).sort_values(["_k", "rep"], kind="stable").drop(columns="_k")


def _replication(world: object, args: argparse.Namespace, r: int, name: str) -> pd.DataFrame:
    return recovery_replications(
        world, RECOVERY_POINTS[name], reps=1, sim_reps=args.sim_reps, bootstrap=args.bootstrap,
        first_rep=r, point=name, weighting=args.weighting, sim_noise=args.sim_noise,
    )  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=100, help="replications per point")
    ap.add_argument("--points", default=",".join(RECOVERY_POINTS), help="comma-separated")
    ap.add_argument("--sim-reps", type=int, default=5, help="simulated worlds per SMM point")
    ap.add_argument("--n", type=int, default=150, help="small states per world")
    ap.add_argument("--bootstrap", type=int, default=200)
    ap.add_argument("--weighting", default="diagonal", choices=("optimal", "diagonal"))
    ap.add_argument("--sim-noise", type=int, default=20, help="seeds measuring simulation noise")
    ap.add_argument("--workers", type=int, default=1, help="processes (replications in parallel)")
    ap.add_argument("--first-rep", type=int, default=0)
    ap.add_argument("--out", default="recovery_out")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows_path = out / "recovery_rows.csv"
    world = default_world().updated({"small_states.n": args.n})
    t0 = time.perf_counter()

    def append(rows: pd.DataFrame) -> None:
        rows.to_csv(rows_path, mode="a", header=not rows_path.exists(), index=False)
        summary = summarize_recovery(_ordered(pd.read_csv(rows_path), args.points))
        summary.to_csv(out / "recovery_summary.csv", index=False)
        (out / "recovery_summary.md").write_text(_markdown(summary, args))
        print(f"{rows['point'].iloc[0]} rep {int(rows['rep'].iloc[0])}: "
              f"{time.perf_counter() - t0:.0f} s", flush=True)  # fmt: skip

    # replication-major: every point gains replications at the same pace
    jobs = [
        (r, name)
        for r in range(args.first_rep, args.first_rep + args.reps)
        for name in args.points.split(",")
    ]

    if args.workers <= 1:
        for job in jobs:
            append(_replication(world, args, *job))
    else:  # each replication is its own seeded computation: same rows in any order
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(args.workers, mp_context=ctx) as pool:
            futures = [pool.submit(_replication, world, args, *job) for job in jobs]
            for f in as_completed(futures):
                append(f.result())
    print(_markdown(summarize_recovery(_ordered(pd.read_csv(rows_path), args.points)), args))


if __name__ == "__main__":
    main()
