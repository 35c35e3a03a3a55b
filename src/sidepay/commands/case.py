"""`sidepay case` command."""

from __future__ import annotations

from sidepay.errors import SidepayError


def case_command() -> None:
    """Not built yet."""
    raise SidepayError("'sidepay case' is not available yet")
