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


#: a temporary name whose owner cannot be read from it is stale after this many seconds;
#: one whose owner process is alive is stale only after ``_STALE_SECONDS`` (a reused pid)
_ORPHAN_SECONDS, _STALE_SECONDS = 600.0, 86400.0


def stale_prefix(prefix: str) -> str:
    """``prefix`` followed by this process's id: the name of a temporary this process owns.

    :func:`remove_stale` reads the id back to tell a live writer's file from a dead one's.

    Examples
    --------
    >>> import os
    >>> stale_prefix(".part-") == f".part-{os.getpid()}-"
    True
    """
    return f"{prefix}{os.getpid()}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid > 0
    return True


def remove_stale(folder: str | os.PathLike[str], prefix: str) -> list[Path]:
    """Remove the temporaries named ``prefix<pid>-*`` in ``folder`` whose writer is gone.

    A temporary is stale when its process no longer runs (killed, crashed, powered off),
    when it is older than a day, or, for a name without a process id (earlier releases),
    older than ten minutes. Files and folders alike; errors are ignored (another cleaner
    got there first). Returns what was removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / ".part-999999999-x").write_text("left by a killed pull")
    >>> _ = (d / (stale_prefix(".part-") + "y")).write_text("ours, in progress")
    >>> [p.name for p in remove_stale(d, ".part-")], len(list(d.iterdir()))
    (['.part-999999999-x'], 1)
    """
    import time

    root = Path(folder)
    try:
        entries = [e for e in os.scandir(root) if e.name.startswith(prefix)]
    except OSError:
        return []
    removed: list[Path] = []
    now = time.time()
    for entry in entries:
        owner, _, _rest = entry.name[len(prefix) :].partition("-")
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if owner.isascii() and owner.isdigit():
            stale = age > _STALE_SECONDS or not _alive(int(owner))
        else:
            stale = age > _ORPHAN_SECONDS
        if not stale:
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()
        removed.append(path)
    return removed


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``).

    Returns False where the system or file system has no such call (the caller falls back
    to two renames); raises ``OSError`` for any other failure.
    """
    import ctypes
    import errno

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _recover(out: Path, old_prefix: str) -> None:
    """Put back a previous report that a process killed mid-swap left in an old folder."""
    if out.exists():
        return
    try:  # names, not glob patterns: a folder may be called "rep[1]"
        olds = sorted(e.name for e in os.scandir(out.parent) if e.name.startswith(old_prefix))
    except OSError:
        return
    for name in olds:
        owner = name[len(old_prefix) :].partition("-")[0]
        kept = out.parent / name / out.name
        if owner.isascii() and owner.isdigit() and not _alive(int(owner)) and kept.is_dir():
            os.replace(kept, out)
            return


@contextlib.contextmanager
def atomic_directory(out: Path) -> Iterator[Path]:
    """Build a folder in a temporary sibling, then swap it in place of ``out``.

    On an exception the temporary folder is removed and ``out`` is left as it was. The
    swap is one atomic exchange of the two folders (``renameat2(RENAME_EXCHANGE)`` on
    Linux), so at every instant ``out`` holds the old report or the new one, never
    neither; where the system lacks it, two renames through a ``.NAME.old-<pid>-*``
    folder, and a process killed between them is repaired by the next run (the old
    report is moved back). Temporaries left by killed runs (``.NAME.tmp-<pid>-*``,
    ``.NAME.old-<pid>-*`` of processes that no longer run) are removed at the next run.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "rep"
    >>> with atomic_directory(out) as tmp:
    ...     _ = (tmp / "a.txt").write_text("x")
    >>> with atomic_directory(out) as tmp:
    ...     _ = (tmp / "b.txt").write_text("y")
    >>> sorted(p.name for p in out.iterdir()), sorted(p.name for p in out.parent.iterdir())
    (['b.txt'], ['rep'])
    """
    parent = out.parent
    tmp_prefix, old_prefix = f".{out.name}.tmp-", f".{out.name}.old-"
    _recover(out, old_prefix)
    remove_stale(parent, tmp_prefix)
    remove_stale(parent, old_prefix)
    tmp = Path(tempfile.mkdtemp(prefix=stale_prefix(tmp_prefix), dir=parent))
    try:
        yield tmp
        tmp.chmod(0o755)
        if not out.exists():
            os.replace(tmp, out)
        elif _exchange(tmp, out):  # tmp now holds the previous report
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            old = Path(tempfile.mkdtemp(prefix=stale_prefix(old_prefix), dir=parent))
            os.replace(out, old / out.name)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
