"""`sidepay run` command."""

from __future__ import annotations

from sidepay.errors import SidepayError


def run_command() -> None:
    """Not built yet."""
    raise SidepayError("'sidepay run' is not available yet")
