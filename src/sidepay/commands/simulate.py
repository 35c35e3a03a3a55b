"""`sidepay simulate` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="simulate commands", no_args_is_help=True)


@app.command("run")
def run_command(
    out: str = typer.Option(
        ..., "--out", help="panel file, .parquet/.pq/.csv/.dta/.rds (events go beside it)"
    ),
    world: str | None = typer.Option(None, "--world", help="world TOML (default: built-in)"),
    periods: int = typer.Option(75, "--periods", help="periods to simulate (>= 1)"),
    years: int | None = typer.Option(
        None, "--years", hidden=True, help="deprecated spelling of --periods"
    ),
    reps: int = typer.Option(100, "--reps", help="replications (1..1000000)"),
    seed: int = typer.Option(1, "--seed", help="seed (>= 0); same seed, same bytes"),
    burn_in: int = typer.Option(
        0, "--burn-in", help="periods played before the first year and not recorded (0..10000)"
    ),
    max_memory: str | None = typer.Option(
        None,
        "--max-memory",
        help="refuse a run whose estimated peak memory is above this (e.g. 8G; default: "
        "half the physical memory)",
    ),
) -> int:
    """Simulate a world and write its dyad-year panel and event log atomically; the suffix
    of --out is the format (.parquet/.pq streamed by chunks of replications, .csv, .dta,
    .rds)."""
    from sidepay.sim.engine import write_simulation
    from sidepay.sim.world import World, default_world

    if years is not None:  # --years of earlier releases: years are calendar spans now
        typer.echo("sidepay: note: --years is deprecated here; use --periods", err=True)
        periods = years
    w = default_world() if world is None else World.from_toml(world)
    panel_path, events_path, n_rows, n_events = write_simulation(
        w, out, periods=periods, reps=reps, seed=seed, burn_in=burn_in, max_memory=max_memory
    )
    typer.echo(f"wrote {panel_path} ({n_rows} dyad-years) and {events_path} ({n_events} events)")
    return 0


@app.command("sweep")
def sweep_command(
    grid: str = typer.Option(..., "--grid", help="grid TOML file (see docs/sweeps.md)"),
    out: str = typer.Option(..., "--out", help="output folder; run again to resume"),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        envvar="DASK_SCHEDULER_ADDRESS",
        help="Dask scheduler tcp://HOST:PORT (default: local process pool)",
    ),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="local processes (default: all cores)"
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
) -> int:
    """Run a parameter sweep (grid points x replications), streaming Parquet parts to OUT."""
    import sys

    from sidepay.outpaths import check_out_dir
    from sidepay.sim.sweep import run_sweep, sweep_progress

    check_out_dir(out, "out", marker=None)  # '' or a file is refused before any work
    show = not quiet and sys.stderr.isatty()
    with sweep_progress(enabled=show) as (on_plan, on_task):
        summary = run_sweep(
            grid, out, scheduler or None, workers=workers, on_plan=on_plan, on_task=on_task
        )
    typer.echo(
        f"sweep {summary.out_dir}: {summary.ran} tasks run, {summary.skipped} already done, "
        f"{len(summary.failed)} failed, of {summary.n_tasks} ({summary.seconds:.1f} s)"
    )
    for name, error in summary.failed.items():
        typer.echo(f"failed {name}: {error}", err=True)
    if summary.manifest_error:
        typer.echo(
            f"sidepay: error: the manifest could not be updated: {summary.manifest_error}; "
            "it shows the last state saved (run the sweep again to resume)",
            err=True,
        )
    return 0 if summary.ok else 1
