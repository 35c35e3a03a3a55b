"""`sidepay forecast`: out-of-sample terminations and realignments, model against baselines."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from sidepay.commands._common import JsonOption, MirrorOption, PaymentOption, real_panel


def forecast_command(
    train_until: Annotated[
        str, typer.Option("--train-until", help="Last training year of the split.")
    ] = "1989",
    test_until: Annotated[str, typer.Option("--test-until", help="Last predicted year.")] = "2016",
    rolling: Annotated[
        bool, typer.Option("--rolling/--no-rolling", help="Also a rolling origin (5-year steps).")
    ] = True,
    payment: PaymentOption = "side_payment",
    mirror: MirrorOption = None,
    as_json: JsonOption = False,
) -> int:
    """Log-loss, Brier score and AUC of the structural model and the reduced-form baselines."""
    from sidepay.options import parse_count, parse_mirror

    lo = parse_count(train_until, "train_until", low=1946)
    hi = parse_count(test_until, "test_until", low=lo + 1)
    mirror_p = parse_mirror(mirror)
    from sidepay.estimate.formation import FormationModel
    from sidepay.estimate.outofsample import forecast

    panel = real_panel(mirror_p)
    result = forecast(
        panel, train_until=lo, test_until=hi, rolling=rolling, model=FormationModel(payment)
    )
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, sort_keys=True))
    else:
        typer.echo(result.scores.round(5).to_string(index=False))
        typer.echo(
            "best by log-loss: " + ", ".join(f"{k}: {v}" for k, v in result.winners().items())
        )
        for note in result.notes:
            typer.echo(f"note: {note}")
    return 0
