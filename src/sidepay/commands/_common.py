"""Options and the real panel shared by `sidepay estimate`, `sidepay forecast` and `sidepay price`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

#: ``--payment``: the side-payment column of the formation model.
PaymentOption = Annotated[
    str, typer.Option("--payment", help="Side-payment column (any float column).")
]
#: ``--mirror``: a folder laid out like the shared data mirror.
MirrorOption = Annotated[
    Path | None, typer.Option("--mirror", help="Folder laid out like the shared data mirror.")
]
#: ``--json``: print JSON.
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def real_panel(mirror: Path | None = None) -> Any:
    """The real panel, built by :func:`sidepay.data.panel.build_panel` (all patrons, 1946-2020)."""
    from sidepay.config import data_context
    from sidepay.data.panel import build_panel

    return build_panel(context=data_context(mirror=mirror))
