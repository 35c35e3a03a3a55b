"""`sidepay price PATRON CLIENT YEAR`: what the fitted model says an ally costs."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from sidepay.commands._common import JsonOption, MirrorOption, PaymentOption, real_panel

#: what ``--set`` may change (the formation model's covariates, as columns or symbols)
WHAT_IF_NAMES = ("divergence", "d", "W", "threat", "T", "cinc_patron", "cinc_client")


def parse_sets(items: list[str]) -> dict[str, str]:
    """``["W=0.8", "divergence=+0.1"]`` -> ``{"W": "=0.8", "divergence": "+0.1"}``.

    Examples
    --------
    >>> parse_sets(["W=0.8", "divergence=+0.1"])
    {'W': '=0.8', 'divergence': '+0.1'}
    """
    from sidepay.errors import bad_param

    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise bad_param("set", f"must look like NAME=0.8 or NAME=+0.1; got {item!r}")
        value = value.strip()
        out[key.strip()] = value if value[:1] in "+-" else "=" + value
    return out


def price_command(
    patron: Annotated[str, typer.Argument(help="Great power: COW abbreviation or code (USA, 2).")],
    client: Annotated[str, typer.Argument(help="Client: COW abbreviation or code (PAK, 770).")],
    year: Annotated[str, typer.Argument(help="Calendar year.")],
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="What-if: W=0.8 sets, divergence=+0.1 shifts (repeatable)."),
    ] = None,
    payment: PaymentOption = "side_payment",
    mirror: MirrorOption = None,
    as_json: JsonOption = False,
) -> int:
    """Required side payment, patron surplus and Pr(alliance forms), with 95% intervals."""
    from sidepay.errors import InputError, bad_param
    from sidepay.options import parse_mirror

    what_if = parse_sets(sets or [])
    unknown = [k for k in what_if if k not in WHAT_IF_NAMES]
    if unknown:  # before minutes of panel building and fitting
        raise bad_param(
            "set", f"unknown parameter {unknown[0]!r}; allowed: {', '.join(WHAT_IF_NAMES)}"
        )
    mirror_p = parse_mirror(mirror)
    from sidepay.config import data_context
    from sidepay.data.readers.states import cow_states
    from sidepay.estimate.formation import FormationModel
    from sidepay.estimate.price import price_of_ally
    from sidepay.report.cases import resolve_state

    states = cow_states(context=data_context(mirror=mirror_p))
    p_code, _ = resolve_state(patron, states)
    c_code, _ = resolve_state(client, states)
    panel = real_panel(mirror_p)
    fit = FormationModel(payment).fit(panel)
    try:
        result = price_of_ally(fit, panel, p_code, c_code, year, what_if=dict(what_if))
    except InputError as exc:
        if exc.param != "what_if":
            raise
        raise InputError(str(exc).replace("what_if=", "set=", 1), param="set") from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, sort_keys=True))
    else:
        typer.echo(str(result))
    return 0
