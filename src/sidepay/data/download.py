"""Bounded downloads of registered sources: HTTP, time budget, part files.

Downloads are bounded (:class:`DownloadBudget`): the body may not exceed the registered
size (reading stops there), each source has an overall deadline and each pull another, and
a server that stalls past the socket timeout is not retried and the rest of the pull skips
its host. A download goes to a temporary ``.part-<pid>-*`` file in the cache folder and is
verified before it is moved into place (:mod:`sidepay.data.verify`).
"""

from __future__ import annotations

import contextlib
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sidepay.data.context import DataContext, default_context
from sidepay.data.sources import Source
from sidepay.data.verify import _disk_full, _install, _Mismatch, _temp_in
from sidepay.errors import bad_param, is_disk_full

__all__ = ["DownloadBudget", "source_url"]

_CHUNK = 1 << 16
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
    >>> from sidepay.data.sources import SOURCES
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


class _Stalled(Exception):
    """The server did not answer within the socket timeout, or the deadline passed."""


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
