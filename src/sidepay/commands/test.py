"""`sidepay test`: run the hypotheses on the real or a simulated panel; print and write tables."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import typer

from sidepay.atomic import write_text_atomic
from sidepay.errors import InputError

WORLDS = ("real", "simulated")


def _clean(x: Any) -> Any:
    """JSON-safe: NaN and infinities become null."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    return x


def _load_panel(world: str, panel: str | None, mirror: str | None, seed: int, reps: int) -> Any:
    import pandas as pd

    if panel is not None:
        p = Path(panel)
        if not p.is_file():
            raise InputError(f"--panel {panel}: no such file; give a Parquet or CSV panel file")
        return pd.read_parquet(p) if p.suffix != ".csv" else pd.read_csv(p)
    if world == "real":
        from sidepay.data.fetch import configure
        from sidepay.data.panel import build_panel

        if mirror is not None:
            if not Path(mirror).is_dir():
                raise InputError(f"--mirror {mirror}: not a folder; give the data mirror folder")
            configure(mirror=mirror)
        return build_panel()
    from sidepay.sim.engine import simulate
    from sidepay.sim.world import default_world

    return simulate(default_world(), reps=reps, seed=seed).panel


def _write_outputs(out: Path, results: list[Any]) -> None:
    rows = [_clean({k: v for k, v in r.to_dict().items() if k != "tables"}) for r in results]
    write_text_atomic(out / "hypotheses.json", json.dumps(rows, indent=2) + "\n")
    ext = {"html": "html", "latex": "tex", "markdown": "md"}
    for fmt, suffix in ext.items():
        parts = [r.tables.get(fmt, "") for r in results if r.tables.get(fmt)]
        for r in results:
            if r.tables.get(fmt):
                write_text_atomic(out / "tables" / f"{r.hypothesis}.{suffix}", r.tables[fmt] + "\n")
        write_text_atomic(out / f"tables.{suffix}", "\n\n".join(parts) + "\n")


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
        parts = r.details.get("parts") or []
        if parts:  # H4, H6: each part with its own estimate and verdict
            console.print(f"{r.hypothesis} {r.verdict} overall; its parts:", markup=False)
            for q in parts:
                est = "" if q["estimate"] is None else f" {q['estimate']:.3g}"
                pv = "" if q["p_value"] is None else f", p = {q['p_value']:.3g}"
                console.print(
                    f"  {q['hypothesis']} {q['title']}:{est}{pv}, {q['verdict']} ({q['reason']})",
                    markup=False,
                )
        elif r.verdict != "supported":
            console.print(f"{r.hypothesis} {r.verdict}: {r.reason}", markup=False)


def test_command(
    world: str = typer.Option("real", "--world", help="real | simulated"),
    only: str | None = typer.Option(None, "--only", help="hypotheses, e.g. H2,H5 (default: all)"),
    as_json: bool = typer.Option(False, "--json", help="print the results as JSON"),
    out: str | None = typer.Option(
        None, "--out", help="folder for hypotheses.json and HTML/LaTeX/Markdown tables"
    ),
    mirror: str | None = typer.Option(None, "--mirror", help="data mirror folder (real world)"),
    seed: int = typer.Option(1, "--seed", help="seed of the simulated world (>= 0)"),
    reps: int = typer.Option(1, "--reps", help="replications of the simulated world (>= 1)"),
    panel: str | None = typer.Option(
        None, "--panel", help="test a saved panel file (Parquet/CSV) instead of building one"
    ),
) -> int:
    """Test hypotheses H1-H8 on the real or a simulated panel."""
    from sidepay.analysis.hypotheses import parse_only, run_hypotheses

    if world not in WORLDS:
        raise InputError(f"--world {world!r} is not allowed; use one of: {', '.join(WORLDS)}")
    if seed < 0:
        raise InputError(f"--seed must be >= 0; got {seed}")
    if reps < 1:
        raise InputError(f"--reps must be >= 1; got {reps}")
    ids = parse_only(only)  # validate before the (slow) panel is built
    frame = _load_panel(world, panel, mirror, seed, reps)
    results = run_hypotheses(frame, world=world, only=ids)
    if out is not None:
        _write_outputs(Path(out), results)
    if as_json:
        rows = [_clean({k: v for k, v in r.to_dict().items() if k != "tables"}) for r in results]
        typer.echo(json.dumps(rows, indent=2))
    else:
        _print_table(results, world)
    return 0
