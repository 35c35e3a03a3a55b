"""Verified local copies of the registered sources: cache, else mirror, else download.

Every file that enters the cache has the registered size and sha256. A download goes to a
temporary file in the cache folder and is moved into place (``os.replace``) only after it
verifies, so a half-downloaded file never enters the cache. A cached file is re-verified when
its size or modification time differs from the last verification (a small stat memo keeps
repeated fetches cheap), so a corrupted or truncated cache file is fetched again.

Where files come from and go to is the :class:`~sidepay.data.context.DataContext` each
function takes as ``context=``: its ``cache_dir``, its ``mirror`` (a folder laid out like
the registry's ``relpath`` values), whether it allows downloads, and its ``base_url``
(replaces every source's public address by ``{base_url}/{relpath}``). With
``context=None`` the context of :func:`sidepay.config.data_context` is used (the
environment is read there, never here).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import threading
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from sidepay.atomic import write_text_atomic
from sidepay.data.context import DataContext, default_context
from sidepay.data.sources import SOURCES, Source, get_source
from sidepay.errors import DataUnavailableError, InputError

__all__ = ["fetch", "flush_memo", "is_cached", "pull", "read_rda", "source_url"]

_CHUNK = 1 << 16
_COPY_CHUNK = 1 << 20
_MEMO_NAME = ".verified.json"
# the stat memo is a cache of verifications per cache folder, not configuration
_memo_lock = threading.Lock()
_memo: dict[str, dict[str, list[Any]]] = {}
_dirty: set[str] = set()


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


def _memo_for(root: Path) -> dict[str, list[Any]]:
    key = str(root)
    if key not in _memo:
        try:
            _memo[key] = json.loads((root / _MEMO_NAME).read_text("utf-8"))
        except (OSError, ValueError):
            _memo[key] = {}
    return _memo[key]


def _remember(root: Path, relpath: str, path: Path, sha: str) -> None:
    st = path.stat()
    with _memo_lock:
        _memo_for(root)[relpath] = [st.st_size, st.st_mtime_ns, sha]
        _dirty.add(str(root))


def flush_memo() -> None:
    """Write the verification memo of every touched cache folder (merged with the disk copy).

    Called after :func:`pull` and at interpreter exit; losing it only costs a re-hash.

    Examples
    --------
    >>> flush_memo()
    """
    with _memo_lock:
        for key in list(_dirty):
            root = Path(key)
            try:
                on_disk = json.loads((root / _MEMO_NAME).read_text("utf-8"))
            except (OSError, ValueError):
                on_disk = {}
            on_disk.update(_memo.get(key, {}))
            _memo[key] = on_disk
            with contextlib.suppress(OSError):
                write_text_atomic(root / _MEMO_NAME, json.dumps(on_disk, sort_keys=True))
            _dirty.discard(key)


atexit.register(flush_memo)


def _verified(root: Path, source: Source) -> bool:
    """Whether ``root/relpath`` exists with the registered size and sha256 (stat memo first)."""
    path = root / source.relpath
    try:
        st = path.stat()
    except OSError:
        return False
    if st.st_size != source.bytes:
        return False
    with _memo_lock:
        seen = _memo_for(root).get(source.relpath)
    if seen == [st.st_size, st.st_mtime_ns, source.sha256]:
        return True
    if _sha256(path) != source.sha256:
        return False
    _remember(root, source.relpath, path, source.sha256)
    return True


def is_cached(
    name: str, *, sources: dict[str, Source] | None = None, context: DataContext | None = None
) -> bool:
    """Whether a verified copy of ``name`` is in the context's cache folder.

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
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-", suffix=suffix)
    os.close(fd)
    try:
        yield Path(tmp)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _install(
    tmp: Path, dest: Path, source: Source, root: Path, origin: str, sha: str | None = None
) -> None:
    size = tmp.stat().st_size
    sha = sha or _sha256(tmp)
    if size != source.bytes or sha != source.sha256:
        raise _Mismatch(
            f"{origin} gave {size} bytes with sha256 {sha[:12]}..., expected {source.bytes} "
            f"bytes with sha256 {source.sha256[:12]}..."
        )
    os.replace(tmp, dest)
    _remember(root, source.relpath, dest, sha)


class _Mismatch(Exception):
    pass


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


def _download(url: str, tmp: Path, *, label: str, progress: Any, timeout: float) -> None:
    """Stream ``url`` into ``tmp``; raise when the transfer ends short of Content-Length.

    ``progress`` is False (no bar), True (a bar of its own) or a running
    ``rich.progress.Progress`` to add a task to.
    """
    req = urllib.request.Request(url, headers={"User-Agent": "sidepay"})
    with urllib.request.urlopen(req, timeout=timeout) as resp, open(tmp, "wb") as out:
        length = resp.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        if hasattr(progress, "add_task"):
            bar_ctx: Any = contextlib.nullcontext(progress)
        elif progress:
            bar_ctx = _new_bar()
        else:
            bar_ctx = contextlib.nullcontext(None)
        with bar_ctx as bar:
            task = bar.add_task(label, total=total) if bar is not None else None
            got = 0
            while True:
                chunk = resp.read(_CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                got += len(chunk)
                if task is not None:
                    bar.update(task, advance=len(chunk))
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
    if not src.is_file():
        return f"mirror {mirror} has no {source.relpath}"
    with _temp_in(dest.parent, suffix=dest.suffix) as tmp:
        h = hashlib.sha256()
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            for chunk in iter(lambda: fin.read(_COPY_CHUNK), b""):
                h.update(chunk)
                fout.write(chunk)
        try:
            _install(tmp, dest, source, root, f"mirror file {src}", sha=h.hexdigest())
        except _Mismatch as exc:
            return str(exc)
    return None


def _from_network(
    source: Source, root: Path, dest: Path, progress: Any, timeout: float, ctx: DataContext
) -> str | None:
    if not ctx.download:
        return "downloads are off in this data context (download=False)"
    url = source_url(source, ctx)
    if url is None:
        return f"{source.name} is mirror-only ({source.note or 'no public address'})"
    # a base address serves every file as the mirror lays it out: archives come unzipped
    from_archive = source.archive_member is not None and not ctx.base_url
    last = "not attempted"
    for _attempt in range(2):  # one retry: transient resets are common on large files
        with _temp_in(dest.parent, suffix=".download") as tmp:
            try:
                _download(url, tmp, label=source.name, progress=progress, timeout=timeout)
                if from_archive:
                    with _temp_in(dest.parent, suffix=dest.suffix) as member:
                        _extract_member(tmp, str(source.archive_member), member)
                        _install(member, dest, source, root, f"{url} ({source.archive_member})")
                else:
                    _install(tmp, dest, source, root, url)
                return None
            except _Mismatch as exc:
                last = str(exc)
            except (urllib.error.URLError, OSError, ValueError) as exc:
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
    timeout: float = 60.0,
    context: DataContext | None = None,
) -> Path:
    """A verified local copy of a registered source.

    Looks in the context's cache folder, then its mirror, then (when the context allows
    downloads) downloads from the public address (the context's ``base_url`` overrides it);
    every copy that enters the cache is checked against the registered size and sha256.

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
        Socket timeout in seconds for a download.
    context : DataContext, optional
        Mirror, cache folder and download policy; default :func:`sidepay.config.data_context`.

    Returns
    -------
    pathlib.Path
        The cached file.

    Raises
    ------
    DataUnavailableError
        Neither cache, mirror nor download gave the registered bytes (one line saying what
        to run).

    Examples
    --------
    >>> fetch("cow_majors").name
    'cow_majors.rda'
    """
    source = get_source(name, sources)
    ctx = default_context(context)
    root = ctx.cache_dir
    dest = root / source.relpath
    if _verified(root, source):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    why_mirror = _from_mirror(source, root, dest, ctx.mirror)
    if why_mirror is None:
        return dest
    why_net = _from_network(source, root, dest, progress, timeout, ctx)
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
) -> tuple[list[str], dict[str, str]]:
    """Fetch several sources; return the names verified and the failures with reasons.

    Unknown names raise :class:`InputError` before anything is fetched.

    Examples
    --------
    >>> done, failed = pull(["cow_majors"])
    >>> done, failed
    (['cow_majors'], {})
    """
    registry = SOURCES if sources is None else sources
    chosen = list(registry) if not names else [get_source(n, registry).name for n in names]
    ctx = default_context(context)
    done: list[str] = []
    failed: dict[str, str] = {}
    bar_ctx: Any = _new_bar() if progress is True else contextlib.nullcontext(None)
    with bar_ctx as bar:
        overall = bar.add_task("sources verified", total=len(chosen)) if bar is not None else None
        for name in chosen:
            try:
                shown = bar if bar is not None else progress
                fetch(name, progress=shown, sources=registry, context=ctx)
                done.append(name)
            except DataUnavailableError as exc:
                failed[name] = str(exc)
            if overall is not None:
                bar.advance(overall)
    flush_memo()
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
