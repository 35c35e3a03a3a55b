"""Output paths checked before any work starts, and a folder swapped into place whole.

Every job that writes checks its output path first (:func:`check_out_dir` for a folder,
:func:`check_out_file` for one file), so a bad path is one line before minutes of work,
not a traceback after them. Errors name the Python parameter (``out=``); the command line
shows its flag.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> check_out_file(d / "panel.parquet", (".parquet", ".csv")).name
'panel.parquet'
>>> check_out_file(d / "panel.xlsx", (".parquet", ".csv"))  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
sidepay.errors.InputError: out= must end in .parquet or .csv; got 'panel.xlsx'
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from sidepay.errors import bad_param

#: marker file that makes a folder recognisable as a previous report (safe to replace)
MARKER = ".sidepay-report"


def _writable_parent(path: Path, param: str) -> None:
    parent = path.parent
    if not parent.is_dir():
        raise bad_param(param, f"{path}: the parent folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise bad_param(param, f"{path}: the parent folder {parent} is not writable")


def check_out_dir(
    out: str | os.PathLike[str], param: str = "out", *, marker: str | None = MARKER
) -> Path:
    """The output folder, refused when replacing it could destroy something else.

    With a ``marker``, an existing folder is accepted only when it is empty or holds the
    marker file (a previous sidepay report); with ``marker=None`` any existing folder is
    written into.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "notes.txt").write_text("mine")
    4
    >>> check_out_dir(d)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: out= ... exists and is not a sidepay report ...
    >>> check_out_dir(d, marker=None) == d.absolute()
    True
    """
    if str(out).strip() == "":
        raise bad_param(param, "is empty; give a folder")
    path = Path(out).expanduser().absolute()
    if path.exists():
        if not path.is_dir():
            raise bad_param(param, f"{path} is a file; give a folder")
        if not os.access(path, os.W_OK):
            raise bad_param(param, f"{path} is not writable")
        if marker is not None and any(path.iterdir()) and not (path / marker).exists():
            raise bad_param(
                param,
                f"{path} exists and is not a sidepay report (no {marker} file); "
                "choose a new or empty folder",
            )
        return path
    _writable_parent(path, param)
    return path


def check_out_file(
    out: str | os.PathLike[str], suffixes: Sequence[str], param: str = "out"
) -> Path:
    """An output file: a known suffix, not a folder, in an existing writable folder.

    Examples
    --------
    >>> check_out_file("", (".png",))  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: out= is empty; give a file ending in .png
    """
    allowed = " or ".join(suffixes)
    if str(out).strip() == "":
        raise bad_param(param, f"is empty; give a file ending in {allowed}")
    path = Path(out).expanduser().absolute()
    if path.suffix.lower() not in suffixes:
        raise bad_param(param, f"must end in {allowed}; got {Path(out).name!r}")
    if path.is_dir():
        raise bad_param(param, f"{path} is a folder; give a file ending in {allowed}")
    if path.exists() and not os.access(path, os.W_OK):
        raise bad_param(param, f"{path} is not writable")
    _writable_parent(path, param)
    return path


@contextlib.contextmanager
def atomic_directory(out: Path) -> Iterator[Path]:
    """Build a folder in a temporary sibling, then swap it in place of ``out``.

    On an exception the temporary folder is removed and ``out`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "rep"
    >>> with atomic_directory(out) as tmp:
    ...     _ = (tmp / "a.txt").write_text("x")
    >>> sorted(p.name for p in out.iterdir())
    ['a.txt']
    """
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
        tmp.chmod(0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
