"""Reproducibility stamps: when an output was generated, and by which command.

``SOURCE_DATE_EPOCH`` (seconds since 1970, the reproducible-builds convention) fixes the
generation time, so that two runs with the same seed write the same bytes. It is checked
by :func:`check_source_date_epoch` before any heavy import (numpy parses it too).

Examples
--------
>>> import os
>>> os.environ["SOURCE_DATE_EPOCH"] = "0"
>>> generation_time()
'1970-01-01 00:00 UTC'
>>> del os.environ["SOURCE_DATE_EPOCH"]
"""

from __future__ import annotations

import os
import re
import sys
from datetime import UTC, datetime

from sidepay.errors import InputError


def check_source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as whole seconds, ``None`` when unset.

    Examples
    --------
    >>> import os
    >>> os.environ["SOURCE_DATE_EPOCH"] = "soon"
    >>> check_source_date_epoch()  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: SOURCE_DATE_EPOCH must be whole seconds since 1970; got 'soon'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    if not re.fullmatch(r"[0-9]{1,12}", epoch):
        raise InputError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970; got {epoch!r}")
    return int(epoch)


def generation_time() -> str:
    """When the output was generated, in UTC to the minute (``SOURCE_DATE_EPOCH`` fixes it)."""
    epoch = check_source_date_epoch()
    when = datetime.now(UTC) if epoch is None else datetime.fromtimestamp(epoch, UTC)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def command_line() -> str:
    """The command that produced the output, as typed.

    Examples
    --------
    >>> isinstance(command_line(), str)
    True
    """
    return " ".join(sys.argv)
