"""Errors that the command line turns into one clear line and exit code 2."""

from __future__ import annotations


class SidepayError(Exception):
    """Base class for errors a user can fix: bad input, missing data, bad configuration.

    The message is a single line that names what is wrong and what is allowed.
    The CLI prints it (no traceback) and exits with code 2.

    Examples
    --------
    >>> str(SidepayError("W must be in (0, 1]; got 1.5"))
    'W must be in (0, 1]; got 1.5'
    """


class InputError(SidepayError, ValueError):
    """A parameter, option or file has a value outside what is allowed."""


class DataUnavailableError(SidepayError, RuntimeError):
    """A dataset is neither cached nor reachable (no network, no mirror)."""
