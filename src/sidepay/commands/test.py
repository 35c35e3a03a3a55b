"""`sidepay test` command."""

from __future__ import annotations

from sidepay.errors import SidepayError


def test_command() -> None:
    """Not built yet."""
    raise SidepayError("'sidepay test' is not available yet")
