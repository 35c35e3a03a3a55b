"""Verified local copies of the registered sources: cache, else mirror, else download.

Every file that enters the cache has the registered size and sha256, and a cached file is
re-hashed every time it is used (for a build, a pull or ``data list``): hashing all 84
sources (31.5 MB) takes about 0.1 s, so there is no stat memo to trust (a memo keyed on
size and mtime let a file whose bytes changed under an unchanged size and mtime pass, as
bit rot or ``cp -p`` leave it). A download goes to a temporary ``.part-<pid>-*`` file in
the cache folder and is moved into place (``os.replace``) only after it verifies, so a
half-downloaded file never enters the cache; ``.part-*`` files left by a killed process
are removed by the next fetch into that folder.

Downloads are bounded (:class:`DownloadBudget`): the body may not exceed the registered
size (reading stops there), each source has an overall deadline and each pull another, a
server that stalls past the socket timeout is not retried and the rest of the pull skips
its host, and a mirror file of the wrong size is refused before a byte is copied. A full
disk is one :class:`~sidepay.errors.DiskFullError` line, with nothing half-written.

Where files come from and go to is the :class:`~sidepay.data.context.DataContext` each
function takes as ``context=``: its ``cache_dir``, its ``mirror`` (a folder laid out like
the registry's ``relpath`` values), whether it allows downloads, and its ``base_url``
(replaces every source's public address by ``{base_url}/{relpath}``). With
``context=None`` the context of :func:`sidepay.config.data_context` is used (the
environment is read there, never here).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sidepay.data.context import DataContext, default_context
from sidepay.data.sources import SOURCES, Source, get_source
from sidepay.errors import (
    DataUnavailableError,
    DiskFullError,
    InputError,
    bad_param,
    is_disk_full,
)
from sidepay.outpaths import remove_stale, stale_prefix

__all__ = ["DownloadBudget", "fetch", "is_cached", "pull", "read_rda", "source_url"]

_CHUNK = 1 << 16
_COPY_CHUNK = 1 << 20
_PART = ".part-"
#: an archive's own size is not registered (only its member's): its body may be this many
#: times the member's size, and at least ``_ARCHIVE_FLOOR`` bytes
_ARCHIVE_FACTOR, _ARCHIVE_FLOOR = 8, 64 << 20


@dataclass
class DownloadBudget:
    """Time limits of the downloads of one pull, shared by its sources.

    Parameters
    ----------
    timeout : float
        Socket timeout in seconds (connect, and each read): a server silent this long has
        stalled; it is not retried, and later sources on the same host are skipped.
    source_seconds : float
        Overall deadline of one source's download, retries included (a server trickling
        bytes never trips the socket timeout; this stops it).
    pull_seconds : float
        Overall deadline of the whole pull; sources not started by then fail at once.

    Examples
    --------
    >>> b = DownloadBudget(timeout=5, source_seconds=60, pull_seconds=600)
    >>> b.remaining() <= 600
    True
    >>> DownloadBudget(timeout=0)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: timeout= must be a number of seconds > 0; got 0
    """

    timeout: float = 30.0
    source_seconds: float = 300.0
    pull_seconds: float = 3600.0
    started: float = field(default_factory=time.monotonic)
    stalled_hosts: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("timeout", "source_seconds", "pull_seconds"):
            value = getattr(self, name)
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if not ok or not 0 < value < float("inf"):
                raise bad_param(name, f"must be a number of seconds > 0; got {value!r}")

    def remaining(self) -> float:
        """Seconds left of the pull's overall deadline."""
        return self.pull_seconds - (time.monotonic() - self.started)


def source_url(source: Source, context: DataContext | None = None) -> str | None:
    """The address a download uses: ``{context.base_url}/relpath`` when set, else ``source.url``.

    Examples
    --------
    >>> ctx = DataContext(cache_dir=Path("/tmp/c"), base_url="http://127.0.0.1:8000/")
    >>> source_url(SOURCES["cow_majors"], ctx)
    'http://127.0.0.1:8000/peacesciencer/cow_majors.rda'
    >>> ctx = DataContext(cache_dir=Path("/tmp/c"))
    >>> source_url(SOURCES["cow_majors"], ctx).startswith("https://raw.githubusercontent.com/")
    True
    """
    ctx = default_context(context)
    if ctx.base_url:
        return f"{ctx.base_url}/{source.relpath}"
    return source.url


# --------------------------------------------------------------------------- verification


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_COPY_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _verified(root: Path, source: Source) -> bool:
    """Whether ``root/relpath`` exists with the registered size and sha256 (hashed now)."""
    path = root / source.relpath
    try:
        if path.stat().st_size != source.bytes:
            return False
        return _sha256(path) == source.sha256
    except OSError:  # missing or unreadable: not a verified copy (it is fetched again)
        return False


def is_cached(
    name: str, *, sources: dict[str, Source] | None = None, context: DataContext | None = None
) -> bool:
    """Whether a verified copy of ``name`` is in the context's cache folder (re-hashed now).

    Examples
    --------
    >>> isinstance(is_cached("cow_majors"), bool)
    True
    """
    return _verified(default_context(context).cache_dir, get_source(name, sources))


@contextlib.contextmanager
def _temp_in(folder: Path, suffix: str = "") -> Iterator[Path]:
    """A temporary path in ``folder`` that is removed unless it was moved away."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=stale_prefix(_PART), suffix=suffix)
    os.close(fd)
    try:
        yield Path(tmp)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _install(tmp: Path, dest: Path, source: Source, origin: str, sha: str | None = None) -> None:
    size = tmp.stat().st_size
    sha = sha or _sha256(tmp)
    if size != source.bytes or sha != source.sha256:
        raise _Mismatch(
            f"{origin} gave {size} bytes with sha256 {sha[:12]}..., expected {source.bytes} "
            f"bytes with sha256 {source.sha256[:12]}..."
        )
    os.replace(tmp, dest)


class _Mismatch(Exception):
    pass


class _Stalled(Exception):
    """The server did not answer within the socket timeout, or the deadline passed."""


def _disk_full(exc: OSError, root: Path) -> DiskFullError:
    return DiskFullError(
        f"the cache folder {root} is full ({exc.strerror or exc}); nothing was half-written: "
        "free some space or set SIDEPAY_DATA_DIR to a folder with room"
    )


# --------------------------------------------------------------------------- transports


def _new_bar() -> Any:
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        transient=False,
    )


def _body_limit(source: Source, from_archive: bool) -> int:
    if from_archive:
        return max(_ARCHIVE_FACTOR * source.bytes, _ARCHIVE_FLOOR)
    return source.bytes


def _download(
    url: str, tmp: Path, *, label: str, progress: Any, timeout: float, limit: int, ends: float
) -> None:
    """Stream ``url`` into ``tmp``: at most ``limit`` bytes, finished by ``ends`` (monotonic).

    Raises ``_Mismatch`` for a body longer than ``limit`` (reading stops there) or ending
    short of Content-Length, ``_Stalled`` past the deadline. ``progress`` is False (no bar),
    True (a bar of its own) or a running ``rich.progress.Progress`` to add a task to.
    """
    req = urllib.request.Request(url, headers={"User-Agent": "sidepay"})
    wait = max(0.001, min(timeout, ends - time.monotonic()))
    with urllib.request.urlopen(req, timeout=wait) as resp:
        length = resp.headers.get("Content-Length")
        total = int(length) if length and length.isascii() and length.isdigit() else None
        if total is not None and total > limit:
            raise _Mismatch(
                f"{url} announced {total} bytes, more than the registered {limit}; not read"
            )
        if hasattr(progress, "add_task"):
            bar_ctx: Any = contextlib.nullcontext(progress)
        elif progress:
            bar_ctx = _new_bar()
        else:
            bar_ctx = contextlib.nullcontext(None)
        with bar_ctx as bar, open(tmp, "wb") as out:
            task = bar.add_task(label, total=total) if bar is not None else None
            got = 0
            while True:
                # read1 returns what has arrived: a trickling server cannot hold one call
                # past the socket timeout, so the deadline below is checked between calls
                chunk = resp.read1(_CHUNK)
                if not chunk:
                    break
                got += len(chunk)
                if got > limit:
                    raise _Mismatch(
                        f"{url} sent more than the registered {limit} bytes; stopped reading"
                    )
                out.write(chunk)
                if task is not None:
                    bar.update(task, advance=len(chunk))
                if time.monotonic() > ends:
                    raise _Stalled(f"{url} did not finish before its deadline ({got} bytes)")
            if task is not None and bar is progress:
                bar.update(task, visible=False)  # keep a shared display tidy
    if total is not None and got != total:
        raise _Mismatch(f"transfer from {url} ended after {got} of {total} bytes")


def _extract_member(archive: Path, member: str, tmp: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf, zf.open(member) as src, open(tmp, "wb") as out:
            shutil.copyfileobj(src, out, _CHUNK)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise _Mismatch(f"archive does not hold {member}: {exc}") from exc


def _from_mirror(source: Source, root: Path, dest: Path, mirror: Path | None) -> str | None:
    """Copy from the mirror into the cache; return a failure reason or None on success."""
    if mirror is None:
        return "no mirror configured"
    src = mirror / source.relpath
    try:
        if not src.is_file():
            return f"mirror {mirror} has no {source.relpath}"
        size = src.stat().st_size
    except OSError as exc:
        return f"mirror file {src} cannot be read ({exc.strerror or exc})"
    if size != source.bytes:  # refused before a byte is copied
        return f"mirror file {src} has {size} bytes, expected {source.bytes}; not copied"
    with _temp_in(dest.parent, suffix=dest.suffix) as tmp:
        h = hashlib.sha256()
        try:
            with open(src, "rb") as fin, open(tmp, "wb") as fout:
                for chunk in iter(lambda: fin.read(_COPY_CHUNK), b""):
                    h.update(chunk)
                    fout.write(chunk)
            _install(tmp, dest, source, f"mirror file {src}", sha=h.hexdigest())
        except _Mismatch as exc:
            return str(exc)
        except OSError as exc:
            if is_disk_full(exc):
                raise _disk_full(exc, root) from None
            return f"mirror file {src} cannot be copied ({exc.strerror or exc})"
    return None


def _timed_out(exc: BaseException) -> bool:
    reason = getattr(exc, "reason", None)
    return isinstance(exc, TimeoutError) or isinstance(reason, TimeoutError)


def _from_network(
    source: Source,
    root: Path,
    dest: Path,
    progress: Any,
    budget: DownloadBudget,
    ctx: DataContext,
) -> str | None:
    if not ctx.download:
        return "downloads are off in this data context (download=False)"
    url = source_url(source, ctx)
    if url is None:
        return f"{source.name} is mirror-only ({source.note or 'no public address'})"
    host = urllib.parse.urlsplit(url).netloc
    if host in budget.stalled_hosts:
        return f"not tried: {budget.stalled_hosts[host]} earlier in this pull"
    # a base address serves every file as the mirror lays it out: archives come unzipped
    if budget.remaining() <= 0:
        return f"not tried: the pull's overall deadline ({budget.pull_seconds:g} s) passed"
    from_archive = source.archive_member is not None and not ctx.base_url
    ends = time.monotonic() + min(budget.source_seconds, budget.remaining())
    last = "not attempted"
    for _attempt in range(2):  # one retry: transient resets are common on large files
        if time.monotonic() >= ends:
            return f"{last}; deadline passed"
        with _temp_in(dest.parent, suffix=".download") as tmp:
            try:
                _download(
                    url, tmp, label=source.name, progress=progress, timeout=budget.timeout,
                    limit=_body_limit(source, from_archive), ends=ends,
                )  # fmt: skip
                if from_archive:
                    with _temp_in(dest.parent, suffix=dest.suffix) as member:
                        _extract_member(tmp, str(source.archive_member), member)
                        _install(member, dest, source, f"{url} ({source.archive_member})")
                else:
                    _install(tmp, dest, source, url)
                return None
            except _Mismatch as exc:
                last = str(exc)
            except _Stalled as exc:
                return str(exc)  # a deadline is not retried
            except (urllib.error.URLError, OSError, ValueError) as exc:
                if isinstance(exc, OSError) and is_disk_full(exc):
                    raise _disk_full(exc, root) from None
                if _timed_out(exc):  # a stalled server: no retry, skip its host from now on
                    budget.stalled_hosts[host] = (
                        f"{host} gave no answer within {budget.timeout:g} s"
                    )
                    return f"download from {url} stalled (no answer within {budget.timeout:g} s)"
                # http.client.IncompleteRead and socket errors are OSError/ValueError kin
                reason = getattr(exc, "reason", None) or exc
                last = f"download from {url} failed: {type(exc).__name__}: {reason}"
            except Exception as exc:  # http.client.HTTPException (IncompleteRead, BadStatusLine)
                last = f"download from {url} failed: {type(exc).__name__}: {exc}"
    return last


# --------------------------------------------------------------------------- public API


def fetch(
    name: str,
    *,
    progress: Any = False,
    sources: dict[str, Source] | None = None,
    timeout: float = 30.0,
    deadline: float = 300.0,
    context: DataContext | None = None,
    budget: DownloadBudget | None = None,
) -> Path:
    """A verified local copy of a registered source.

    Looks in the context's cache folder, then its mirror, then (when the context allows
    downloads) downloads from the public address (the context's ``base_url`` overrides it);
    every copy that enters the cache is checked against the registered size and sha256,
    and a cached copy is re-hashed on every call.

    Parameters
    ----------
    name : str
        Registry name (see ``sidepay data list``).
    progress : bool or rich.progress.Progress
        Show a rich progress bar while downloading: ``True`` for a bar of its own, or a
        running ``Progress`` (e.g. the caller's stage display) to add the download task to.
    sources : dict, optional
        A registry to use instead of :data:`sidepay.data.sources.SOURCES`.
    timeout : float
        Socket timeout in seconds; a server silent this long is not retried.
    deadline : float
        Overall seconds the download of this source may take, retries included.
    context : DataContext, optional
        Mirror, cache folder and download policy; default :func:`sidepay.config.data_context`.
    budget : DownloadBudget, optional
        Shared limits of a pull (replaces ``timeout`` and ``deadline``).

    Returns
    -------
    pathlib.Path
        The cached file.

    Raises
    ------
    DataUnavailableError
        Neither cache, mirror nor download gave the registered bytes (one line saying what
        to run).
    DiskFullError
        The cache folder ran out of space (nothing half-written is left).

    Examples
    --------
    >>> fetch("cow_majors").name
    'cow_majors.rda'
    """
    source = get_source(name, sources)
    ctx = default_context(context)
    budget = budget or DownloadBudget(timeout=timeout, source_seconds=deadline)
    root = ctx.cache_dir
    dest = root / source.relpath
    if _verified(root, source):
        return dest
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if is_disk_full(exc):
            raise _disk_full(exc, root) from None
        raise DataUnavailableError(
            f"cannot create {dest.parent} in the cache folder ({exc.strerror or exc}); "
            "set SIDEPAY_DATA_DIR to a writable folder"
        ) from None
    remove_stale(dest.parent, _PART)  # .part-* files of killed pulls
    why_mirror = _from_mirror(source, root, dest, ctx.mirror)
    if why_mirror is None:
        return dest
    why_net = _from_network(source, root, dest, progress, budget, ctx)
    if why_net is None:
        return dest
    with contextlib.suppress(OSError):  # leave no empty folder behind
        dest.parent.rmdir()
    raise DataUnavailableError(
        f"data source {name!r} ({source.relpath}) is not cached in {root} and could not be "
        f"obtained ({why_mirror}; {why_net}); run `sidepay data pull --only {name} --mirror DIR` "
        "with a folder laid out like the shared data mirror, or retry with network access"
    )


def pull(
    names: list[str] | None = None,
    *,
    progress: Any = False,
    sources: dict[str, Source] | None = None,
    context: DataContext | None = None,
    budget: DownloadBudget | None = None,
) -> tuple[list[str], dict[str, str]]:
    """Fetch several sources; return the names verified and the failures with reasons.

    Unknown names raise :class:`InputError` before anything is fetched. ``budget`` bounds
    the downloads (default :class:`DownloadBudget`: 30 s socket timeout, 300 s per source,
    an hour for the pull). A full disk stops the pull with :class:`DiskFullError`.

    Examples
    --------
    >>> done, failed = pull(["cow_majors"])
    >>> done, failed
    (['cow_majors'], {})
    """
    registry = SOURCES if sources is None else sources
    chosen = list(registry) if not names else [get_source(n, registry).name for n in names]
    ctx = default_context(context)
    budget = budget or DownloadBudget()
    done: list[str] = []
    failed: dict[str, str] = {}
    bar_ctx: Any = _new_bar() if progress is True else contextlib.nullcontext(None)
    with bar_ctx as bar:
        overall = bar.add_task("sources verified", total=len(chosen)) if bar is not None else None
        for name in chosen:
            try:
                shown = bar if bar is not None else progress
                fetch(name, progress=shown, sources=registry, context=ctx, budget=budget)
                done.append(name)
            except DataUnavailableError as exc:
                failed[name] = str(exc)
            if overall is not None:
                bar.advance(overall)
    return done, failed


def read_rda(
    name: str,
    object_name: str | None = None,
    *,
    sources: dict[str, Source] | None = None,
    context: DataContext | None = None,
) -> pd.DataFrame:
    """Read one object of an R data file (``.rda``/``.RData``) source with pyreadr.

    Parameters
    ----------
    name : str
        Registry name of an ``.rda`` source.
    object_name : str, optional
        Object to return; may be omitted when the file holds exactly one object.

    Examples
    --------
    >>> read_rda("cow_majors").columns[:2].tolist()
    ['ccode', 'styear']
    """
    import pyreadr

    source = get_source(name, sources)
    if not source.relpath.lower().endswith((".rda", ".rdata")):
        raise InputError(f"source {name!r} is {source.relpath}, not an R data file (.rda)")
    path = fetch(name, sources=sources, context=context)
    result = pyreadr.read_r(str(path))
    if object_name is None:
        if len(result) != 1:
            raise InputError(
                f"{source.relpath} holds {len(result)} objects; pass object_name, one of {list(result)}"
            )
        return next(iter(result.values()))
    if object_name not in result:
        raise InputError(f"{source.relpath} has no object {object_name!r}; allowed: {list(result)}")
    return result[object_name]
