"""Errors that the command line turns into one clear line and exit code 2.

Library errors name the *parameter* a Python caller passed (``years=``); the command line
maps that name to its own flag (``--years``) through :func:`for_cli`, so one message serves
both audiences.
"""

from __future__ import annotations

import errno


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
    """A parameter, option or file has a value outside what is allowed.

    Parameters
    ----------
    message
        One line. When ``param`` is given the message names it as ``param=``.
    param
        The Python parameter at fault (``"years"``); the CLI shows its flag instead.

    Examples
    --------
    >>> e = InputError("years= must be FIRST:LAST; got 'x'", param="years")
    >>> e.param, str(e)
    ('years', "years= must be FIRST:LAST; got 'x'")
    """

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class DataUnavailableError(SidepayError, RuntimeError):
    """A dataset is neither cached nor reachable (no network, no mirror)."""


class SidepayWarning(UserWarning):
    """Something the user should know that did not stop the job (a cache repaired, ...).

    The command line prints it as one ``sidepay: warning: ...`` line on stderr.
    """


class DiskFullError(SidepayError, RuntimeError):
    """A write ran out of space (or hit the file-size limit); nothing half-written was left.

    Examples
    --------
    >>> isinstance(DiskFullError("no space"), SidepayError)
    True
    """


#: errno values that mean "no room to write": no space, quota, file-size limit
_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` is an ``OSError`` saying the disk (or quota, or size limit) is full.

    Examples
    --------
    >>> is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    True
    >>> is_disk_full(OSError(errno.ENOENT, "No such file"))
    False
    """
    return isinstance(exc, OSError) and exc.errno in _NO_ROOM


def bad_param(param: str, problem: str) -> InputError:
    """An :class:`InputError` about ``param``, worded ``"param= problem"``.

    Examples
    --------
    >>> str(bad_param("seed", "must be a non-negative integer; got -1"))
    'seed= must be a non-negative integer; got -1'
    """
    return InputError(f"{param}= {problem}", param=param)


def for_cli(exc: SidepayError, flags: dict[str, str] | None = None) -> str:
    """The error's message with its parameter shown as the command line's flag.

    ``flags`` maps parameter names to flags where they differ from the default
    ``--name-with-dashes``.

    Examples
    --------
    >>> for_cli(bad_param("burn_in", "must be >= 0; got -1"))
    '--burn-in must be >= 0; got -1'
    >>> for_cli(bad_param("data_dir", "is a file"), {"data_dir": "SIDEPAY_DATA_DIR"})
    'SIDEPAY_DATA_DIR is a file'
    >>> for_cli(InputError("plain message"))
    'plain message'
    """
    text = " ".join(str(exc).split())
    param = getattr(exc, "param", None)
    if param:
        flag = (flags or {}).get(param, "--" + param.replace("_", "-"))
        text = text.replace(f"{param}=", flag, 1)
    return text
