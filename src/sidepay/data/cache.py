"""Parquet cache of reader outputs, keyed by the sources' sha256s and a reader version.

A reader wraps its work in :func:`cached_frame`; the first call builds the frame from the
raw files and writes ``<cache_dir>/frames/<key>-<digest>.parquet`` atomically (the
``cache_dir`` of the :class:`~sidepay.data.context.DataContext` given as ``context=``), later calls read
the parquet file. The digest covers the key, the reader version and the registered sha256 of
every source the frame was built from, so a new data release or a changed reader gives a new
file (stale ones are left for ``sidepay data clean``-style removal, never read).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sidepay.atomic import atomic_path
from sidepay.data.context import DataContext, default_context
from sidepay.data.sources import Source, get_source
from sidepay.errors import InputError

__all__ = ["cached_frame", "frame_path"]

_KEY = re.compile(r"^[A-Za-z0-9_.-]+$")


def frame_path(
    key: str,
    sources: list[str],
    version: str | int = 1,
    *,
    registry: dict[str, Source] | None = None,
    context: DataContext | None = None,
) -> Path:
    """Where the cached frame for ``key`` built from ``sources`` lives.

    Examples
    --------
    >>> frame_path("cow_states", ["cow_states"]).name.startswith("cow_states-")
    True
    """
    if not _KEY.match(key):
        raise InputError(f"cache key {key!r} must use only letters, digits, '_', '.', '-'")
    h = hashlib.sha256(f"{key}\0{version}".encode())
    for name in sorted(sources):
        h.update(f"\0{name}={get_source(name, registry).sha256}".encode())
    return default_context(context).cache_dir / "frames" / f"{key}-{h.hexdigest()[:16]}.parquet"


def cached_frame(
    key: str,
    build: Callable[[], pd.DataFrame],
    sources: list[str],
    *,
    version: str | int = 1,
    refresh: bool = False,
    registry: dict[str, Source] | None = None,
    context: DataContext | None = None,
) -> pd.DataFrame:
    """Return ``build()``, cached as parquet in the data folder.

    Parameters
    ----------
    key : str
        Name of the frame, e.g. ``"nmc"``.
    build : callable
        Builds the frame from the raw sources (called only on a cache miss).
    sources : list of str
        Registry names the frame is built from; their sha256s key the cache.
    version : str or int
        Reader version; bump it whenever the reader's output changes.
    refresh : bool
        Rebuild even when a cached file exists.
    context : DataContext, optional
        Whose cache folder holds the file; default :func:`sidepay.config.data_context`.

    Examples
    --------
    >>> import pandas as pd
    >>> f = cached_frame("doctest_demo", lambda: pd.DataFrame({"a": [1, 2]}), ["cow_majors"])
    >>> f["a"].tolist()
    [1, 2]
    """
    path = frame_path(key, sources, version, registry=registry, context=context)
    if path.is_file() and not refresh:
        try:
            return pd.read_parquet(path)
        except Exception:  # a truncated or corrupted file: rebuild it below
            pass
    frame = build()
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"build for {key!r} returned {type(frame).__name__}, not a DataFrame")
    with atomic_path(path, suffix=".parquet") as tmp:
        frame.to_parquet(tmp, index=False)
    return pd.read_parquet(path)
