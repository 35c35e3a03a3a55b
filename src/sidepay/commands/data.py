"""`sidepay data` commands: pull, list, cite."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Acquire, list and cite the public data sources.", no_args_is_help=True)


@app.command("pull")
def pull_command(
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Registry name to fetch (repeatable); default: all."),
    ] = None,
    mirror: Annotated[
        Path | None,
        typer.Option("--mirror", help="Folder laid out like the shared data mirror."),
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
) -> None:
    """Fetch and verify sources into the local cache (mirror first, then download)."""
    from sidepay.config import data_context
    from sidepay.data.acquire import pull

    context = data_context(mirror=mirror)  # checks the mirror folder
    done, failed = pull(only, progress=progress, context=context)
    typer.echo(f"{len(done)} sources verified in {context.cache_dir}")
    if failed:
        from sidepay.errors import DataUnavailableError

        first = next(iter(failed.values()))
        raise DataUnavailableError(
            f"{len(failed)} of {len(failed) + len(done)} sources could not be obtained "
            f"({', '.join(sorted(failed))}); first reason: {first}"
        )


@app.command("list")
def list_command() -> None:
    """Show every registered source: version, coverage, cached or not."""
    from rich.console import Console
    from rich.table import Table

    from sidepay.config import data_context
    from sidepay.data.acquire import is_cached
    from sidepay.data.sources import SOURCES

    context = data_context()
    table = Table(title=f"sidepay data sources (cache: {context.cache_dir})", show_lines=False)
    for col in ("name", "version", "coverage", "cached", "file"):
        table.add_column(col, overflow="fold")
    for name, src in SOURCES.items():
        if is_cached(name, context=context):
            cached = "yes"
        else:
            cached = "mirror-only" if src.mirror_only else "no"
        table.add_row(name, src.version, src.coverage, cached, src.relpath)
    Console(width=200).print(table)


@app.command("cite")
def cite_command(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Source names or verb names (add_nmc, ...); default: all sources."),
    ] = None,
) -> None:
    """Print BibTeX entries for the given sources or verbs (all sources when none is named)."""
    from sidepay.data.sources import bibtex

    typer.echo(bibtex(names or None), nl=False)


@app.command("panel")
def panel_command(
    out: Annotated[
        Path, typer.Option("--out", help="Output file: .dta (Stata), .rds (R), .csv or .parquet.")
    ],
    years: Annotated[str, typer.Option("--years", help="first:last, inclusive.")] = "1946:2020",
    patrons: Annotated[
        str | None,
        typer.Option("--patrons", help="COW codes/abbreviations, e.g. USA,RUS; default: majors"),
    ] = None,
    alliance: Annotated[
        str,
        typer.Option(
            "--alliance", help="security (ATOP defense or offense; default), defense or any."
        ),
    ] = "security",
    payment: Annotated[
        str,
        typer.Option(
            "--payment",
            help="side_payment measure: aid (default), aid_us, aid_econ, aid_mil, aid_dac, "
            "finance_china or arms_tiv.",
        ),
    ] = "aid",
    asymmetry: Annotated[
        float | None,
        typer.Option(
            "--asymmetry",
            metavar="SHARE",
            help="Keep dyad-years whose client has less than SHARE of the patron's CINC "
            "(the documented choice is 0.25); default: keep all.",
        ),
    ] = None,
    per_capita: Annotated[
        bool,
        typer.Option("--per-capita", help="Add <aid>_pc (USD per person) and <aid>_gdp."),
    ] = False,
) -> None:
    """Build the asymmetric-alliance panel (patron, client, year) and write it atomically."""
    from sidepay.config import data_context
    from sidepay.data.names import add_country_names
    from sidepay.data.pacts import check_definition
    from sidepay.data.panel import build_panel, resolve_patrons
    from sidepay.data.payments import PAYMENTS
    from sidepay.errors import DataUnavailableError, bad_param
    from sidepay.export import check_table_path, write_table
    from sidepay.options import parse_years

    check_table_path(out, param="out")
    span = parse_years(years)
    check_definition(alliance)
    if payment not in PAYMENTS:
        raise bad_param("payment", f"must be one of {', '.join(PAYMENTS)}; got {payment!r}")
    if asymmetry is not None and not 0 < asymmetry <= 1:
        raise bad_param("asymmetry", f"must be a share in (0, 1], e.g. 0.25; got {asymmetry}")
    context = data_context()
    try:
        codes = resolve_patrons(patrons, context=context) if patrons is not None else None
        built = build_panel(
            span,
            codes,
            alliance=alliance,
            payment=payment,
            asymmetric=asymmetry,
            per_capita=per_capita,
            context=context,
        )
        panel = add_country_names(built, context=context)
    except DataUnavailableError as exc:
        # the panel reads some thirty sources: point at the command that fetches them all
        raise DataUnavailableError(
            f"{exc}. The panel needs every source: run `sidepay data pull --mirror DIR` "
            "(or `sidepay data pull` with network access) first"
        ) from None
    write_table(panel, out, param="out")
    typer.echo(f"wrote {out}")
