"""`sidepay test`: run the hypotheses on the real or a simulated panel; print and write tables."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from sidepay.options import REPORT_REPS


def _print_table(results: list[Any], world: str) -> None:
    from rich.console import Console
    from rich.table import Table

    style = {"supported": "green", "contrary": "red", "inconclusive": "yellow"}
    t = Table(title=f"Hypotheses on the {world} panel")
    for col in (
        "id",
        "hypothesis",
        "estimator",
        "estimate",
        "95% CI",
        "p",
        "N",
        "events",
        "verdict",
    ):
        t.add_column(col)

    def f(x: float | None) -> str:
        return "" if x is None else f"{x:.3g}"

    for r in results:
        ci = "" if r.conf_low is None else f"[{r.conf_low:.3g}, {r.conf_high:.3g}]"
        p = "" if r.p_value is None else ("<0.001" if r.p_value < 0.001 else f"{r.p_value:.3f}")
        t.add_row(
            r.hypothesis, r.title, r.estimator, f(r.estimate), ci, p, str(r.n_obs),
            "" if r.n_events is None else str(r.n_events),
            f"[{style[r.verdict]}]{r.verdict}[/]",
        )  # fmt: skip
    # a pipe or file gets full-width rows rather than truncated cells
    console = Console(width=None if sys.stdout.isatty() else 160)
    console.print(t)
    for r in results:
        if r.parts:  # H4, H6: each part with its own estimate and verdict
            console.print(f"{r.hypothesis} {r.verdict} overall; its parts:", markup=False)
            for q in r.parts:
                est = "" if q.estimate is None else f" {q.estimate:.3g}"
                pv = "" if q.p_value is None else f", p = {q.p_value:.3g}"
                console.print(
                    f"  {q.hypothesis} {q.title}:{est}{pv}, {q.verdict} ({q.reason})",
                    markup=False,
                )
        elif r.verdict != "supported":
            console.print(f"{r.hypothesis} {r.verdict}: {r.reason}", markup=False)


def _print_multiverse(mv: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Multiverse on the {mv.world} panel: {mv.n_specifications()} "
              f"specifications in {mv.seconds:.1f} s")  # fmt: skip
    for col in ("id", "primary", "p", "Holm p", "BH p", "supported", "contrary",
                "inconclusive", "unavailable", "curve: share supported (null p)"):  # fmt: skip
        t.add_column(col)

    def f(x: float | None) -> str:
        return "" if x is None else ("<0.001" if x < 0.001 else f"{x:.3f}")

    for h in mv.hypotheses:
        s = h.summary()
        curves = "; ".join(
            f"{k} {c.share_supported:.2f} ({f(c.p_value)})" for k, c in h.curves.items() if c
        )
        prim = h.primary.verdict if h.primary is not None else ""
        t.add_row(h.id, prim, f(h.p_primary), f(h.p_holm), f(h.p_bh), str(s["supported"]),
                  str(s["contrary"]), str(s["inconclusive"]), str(s["unavailable"]), curves)  # fmt: skip
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(t)
    for h in mv.hypotheses:
        flips = h.flips()
        if flips:
            each = ", ".join(f"{x['part']} {x['choice']}={x['value']} -> {x['verdict']}"
                             for x in flips[:8])  # fmt: skip
            console.print(f"{h.id}: single choices that change the verdict: {each}", markup=False)


def test_command(
    world: str = typer.Option("real", "--world", help="real | simulated"),
    only: str | None = typer.Option(None, "--only", help="hypotheses, e.g. H2,H5 (default: all)"),
    as_json: bool = typer.Option(False, "--json", help="print the results as JSON"),
    out: str | None = typer.Option(
        None, "--out", help="folder for hypotheses.json and HTML/LaTeX/Markdown tables"
    ),
    mirror: str | None = typer.Option(None, "--mirror", help="data mirror folder (real world)"),
    seed: int = typer.Option(1, "--seed", help="seed of the simulated world (>= 0)"),
    reps: int = typer.Option(
        REPORT_REPS, "--reps", help=f"replications of the simulated world (default {REPORT_REPS})"
    ),
    panel: str | None = typer.Option(
        None, "--panel", help="test a saved panel file (Parquet/CSV) instead of building one"
    ),
    multiverse: bool = typer.Option(
        False, "--multiverse", help="also run every hypothesis over its declared multiverse"
    ),
) -> int:
    """Test hypotheses H1-H8 on the real or a simulated panel."""
    from sidepay.options import TestOptions
    from sidepay.study import run_tests

    # the options object takes the strings as typed and checks and normalises them
    opts = TestOptions(
        world=world, only=only, panel=panel, mirror=mirror, seed=seed, reps=reps, out=out  # type: ignore[arg-type]
    )  # fmt: skip
    if opts.world == "simulated" and opts.panel is None:
        typer.echo(f"Simulated world: {opts.reps} replications, seed {opts.seed}.", err=True)
    if multiverse:
        mv = run_tests(opts, multiverse=True)
        if as_json:
            from sidepay.report.html import finite_or_none

            typer.echo(json.dumps(finite_or_none(mv.to_dict()), indent=2))
        else:
            _print_multiverse(mv)
        return 0
    results = run_tests(opts)
    if as_json:
        from sidepay.report.outputs import hypothesis_rows

        typer.echo(json.dumps(hypothesis_rows(results), indent=2))
    else:
        _print_table(results, world)
    return 0
