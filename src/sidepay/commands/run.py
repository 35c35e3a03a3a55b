"""`sidepay run`: the whole study in one command (see ``sidepay.study.run_all``)."""

from __future__ import annotations

from typing import Annotated, Any

import typer


def run_command(
    # str, not Path: typer turns '' into Path('.'), the current folder, which a report swap
    # would replace; as typed, '' is refused by RunOptions
    out: Annotated[
        str, typer.Option("--out", help="Report folder (replaced if it holds a previous report).")
    ] = "sidepay-report",
    mirror: Annotated[
        str | None,
        typer.Option("--mirror", help="Folder laid out like the shared data mirror (offline)."),
    ] = None,
    years: Annotated[
        str, typer.Option("--years", help="Real-data years FIRST:LAST, inclusive.")
    ] = "1946:2020",
    # whole numbers arrive as typed and are parsed by sidepay.options (ASCII digits only:
    # click's int() would take '1_000', ' 7 ' or Arabic-Indic digits)
    seed: Annotated[
        str, typer.Option("--seed", metavar="INTEGER", help="Seed of the simulated world.")
    ] = "1",
    world: Annotated[
        str,
        typer.Option("--world", help="real, simulated (offline) or both."),
    ] = "both",
    reps: Annotated[
        str | None,
        typer.Option(
            "--reps", metavar="INTEGER", help="Replications of the simulated world (default 20)."
        ),
    ] = None,
    periods: Annotated[
        str | None,
        typer.Option(
            "--periods",
            metavar="INTEGER",
            help="Periods of each simulated history (default: the world's).",
        ),
    ] = None,
    estimate: Annotated[
        str,
        typer.Option(
            "--estimate",
            help="Structural estimates on the real panel: none; formation (default: formation "
            "stage, case prices, forecast scores, about a minute); both (adds the maintenance "
            "stage by simulated moments, minutes).",
        ),
    ] = "formation",
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress display.")] = False,
) -> None:
    """Check or pull the data, build the panel, test every hypothesis on real and
    simulated data, estimate the model (--estimate), and write the report (index.html,
    results.json, estimation.json, tables, provenance)."""
    from rich.console import Console
    from rich.table import Table

    from sidepay.options import REPORT_REPS, RunOptions
    from sidepay.study import run_all

    # the options object takes the strings as typed and checks and normalises them
    as_typed: dict[str, Any] = {
        "out": out, "mirror": mirror, "years": years, "seed": seed, "world": world,
        "reps": REPORT_REPS if reps is None else reps, "periods": periods, "quiet": quiet,
        "estimate": estimate,
    }  # fmt: skip
    opts = RunOptions(**as_typed)
    summary = run_all(opts)
    console = Console(soft_wrap=True)
    verdicts = summary.verdicts()
    worlds = sorted({w for v in verdicts.values() for w in v}, key=lambda w: w != "real")
    table = Table(title="Verdicts", title_justify="left")
    table.add_column("hypothesis")
    for w in worlds:
        table.add_column(w)
    colour = {"supported": "green", "contrary": "red", "inconclusive": "yellow"}
    for h, by in verdicts.items():
        cells = [f"[{colour.get(by.get(w, ''), 'white')}]{by.get(w, '-')}[/]" for w in worlds]
        table.add_row(h, *cells)
    if verdicts:
        console.print(table)
    if opts.world != "real":
        console.print(f"Simulated world: {opts.reps} replications, seed {opts.seed}.")
    if "estimation.json" in summary.files:
        console.print(f"Structural estimates ({opts.estimate}): {summary.out / 'estimation.json'}")
    console.print(
        f"Report written to {summary.out / 'index.html'} "
        f"({summary.timings.get('total', 0.0):.1f} s)"
    )
