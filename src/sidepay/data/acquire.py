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
from pathlib import Path
from typing import Any

import pandas as pd

from sidepay.data.context import DataContext, default_context
from sidepay.data.download import DownloadBudget, _from_network, _new_bar
from sidepay.data.sources import SOURCES, Source, get_source
from sidepay.data.verify import (
    _COPY_CHUNK,
    _PART,
    _disk_full,
    _install,
    _Mismatch,
    _temp_in,
    _verified,
)
from sidepay.errors import DataUnavailableError, InputError, is_disk_full
from sidepay.outpaths import remove_stale

__all__ = ["DownloadBudget", "fetch", "is_cached", "pull", "read_rda"]


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
