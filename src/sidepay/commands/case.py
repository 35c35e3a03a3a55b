"""`sidepay case PATRON CLIENT`: draw one patron-client timeline to a PNG or SVG file."""

from __future__ import annotations

from typing import Annotated

import typer


def case_command(
    patron: Annotated[str, typer.Argument(help="Great power: COW abbreviation or code (USA, 2).")],
    client: Annotated[str, typer.Argument(help="Client: COW abbreviation or code (PAK, 770).")],
    # str, not Path: typer turns '' into Path('.'); as typed, '' is refused by CaseOptions
    out: Annotated[
        str | None, typer.Option("--out", help="Output file, .png or .svg (default case-P-C.png).")
    ] = None,
    years: Annotated[
        str, typer.Option("--years", help="Years FIRST:LAST, inclusive.")
    ] = "1946:2020",
    mirror: Annotated[
        str | None,
        typer.Option("--mirror", help="Folder laid out like the shared data mirror (offline)."),
    ] = None,
) -> None:
    """Draw the side payments, divergence, alliance and domestic changes of one pair."""
    from sidepay.case import draw_case

    path = draw_case(patron, client, out=out, years=years, mirror=mirror)
    typer.echo(f"Case written to {path}")
