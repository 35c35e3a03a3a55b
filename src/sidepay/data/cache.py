"""Parquet cache of reader outputs, keyed by the sources' sha256s and a reader version.

A reader wraps its work in :func:`cached_frame`; the first call builds the frame from the
raw files and writes ``<cache_dir>/frames/<key>-<digest>.parquet`` atomically (the
``cache_dir`` of the :class:`~sidepay.data.context.DataContext` given as ``context=``), later calls read
the parquet file. The digest covers the key, the reader version and the registered sha256 of
every source the frame was built from, so a new data release or a changed reader gives a new
file (stale ones are left for ``sidepay data clean``-style removal, never read).

A cached frame is never trusted as it is. Each file carries, in its Parquet key-value
metadata (``sidepay.frame``), its key and digest, the columns and dtypes the reader
produced when the frame was built (what the reader promises for that version and those
sources) and a content hash of the values (``pandas.util.hash_pandas_object`` over every
row, with the column names and dtypes). Every read checks all four; any mismatch (flipped
bytes that still decode, a valid frame of another reader put in its place, values edited
and written back, a file from before these records) rebuilds the frame from the raw files,
which :func:`sidepay.data.acquire.fetch` re-hashes, and says so once with a
:class:`FrameRepairWarning`. A damaged cache costs a rebuild, never a different panel.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sidepay.atomic import atomic_path
from sidepay.data.context import DataContext, default_context
from sidepay.data.sources import Source, get_source
from sidepay.errors import DiskFullError, InputError, SidepayWarning, is_disk_full

__all__ = ["FrameRepairWarning", "cached_frame", "frame_path", "frame_record"]

_KEY = re.compile(r"^[A-Za-z0-9_.-]+$")
#: the Parquet metadata key of a frame's integrity record
_META = b"sidepay.frame"
#: bump when the record's layout changes: files of an older layout are simply not read
_FORMAT = 2


class FrameRepairWarning(SidepayWarning):
    """A cached frame failed its check and was rebuilt from the verified raw files."""


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
    h = hashlib.sha256(f"{key}\0{version}\0frame-format={_FORMAT}".encode())
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
        cached, problem = _read_checked(path, key)
        if cached is not None:
            return cached
        warnings.warn(
            FrameRepairWarning(
                f"cached frame {path.name} {problem}; rebuilt it from the verified raw files"
            ),
            stacklevel=2,
        )
    frame = build()
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"build for {key!r} returned {type(frame).__name__}, not a DataFrame")
    return _write_checked(path, key, frame)


def _content_sha256(frame: pd.DataFrame) -> str:
    """A hash of the values, column names and dtypes (not of the file's bytes)."""
    h = hashlib.sha256()
    for name, dtype in zip(frame.columns, frame.dtypes, strict=True):
        h.update(f"{name}\0{dtype}\0".encode())
        column = frame[name]
        try:
            rows = pd.util.hash_pandas_object(column, index=False)
        except TypeError:  # unhashable cells (lists): hash their text
            rows = pd.util.hash_pandas_object(column.astype(str), index=False)
        h.update(rows.to_numpy().tobytes())
    h.update(f"rows={len(frame)}".encode())
    return h.hexdigest()


def frame_record(key: str, digest: str, frame: pd.DataFrame) -> dict[str, Any]:
    """The integrity record a cached frame carries: identity, promised schema, content hash.

    Examples
    --------
    >>> r = frame_record("demo", "0" * 16, pd.DataFrame({"ccode": [2], "year": [1950]}))
    >>> r["key"], r["columns"], r["dtypes"], len(r["content_sha256"])
    ('demo', ['ccode', 'year'], ['int64', 'int64'], 64)
    """
    return {
        "format": _FORMAT,
        "key": key,
        "digest": digest,
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(d) for d in frame.dtypes],
        "content_sha256": _content_sha256(frame),
    }


def _digest(path: Path) -> str:
    return path.stem.rpartition("-")[2]


def _read_checked(path: Path, key: str) -> tuple[pd.DataFrame | None, str]:
    """The cached frame if it passes every check, else ``None`` and what failed."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # truncated, not Parquet, unreadable: rebuilt by the caller
        return None, f"cannot be read ({type(exc).__name__})"
    raw = (table.schema.metadata or {}).get(_META)
    if raw is None:
        return None, "has no integrity record"
    try:
        record = json.loads(raw)
        frame = table.to_pandas()
    except Exception as exc:
        return None, f"cannot be decoded ({type(exc).__name__})"
    if not isinstance(record, dict):
        return None, "has a damaged integrity record"
    if record.get("key") != key or record.get("digest") != _digest(path):
        return None, f"holds the frame {record.get('key')!r}, not {key!r}"
    if [str(c) for c in frame.columns] != record.get("columns"):
        return None, "does not have the columns its reader promises"
    if [str(d) for d in frame.dtypes] != record.get("dtypes"):
        return None, "does not have the dtypes its reader promises"
    if _content_sha256(frame) != record.get("content_sha256"):
        return None, "does not match its content hash (damaged or edited)"
    return frame, ""


def _write_checked(path: Path, key: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Write ``frame`` with its integrity record; return it as read back (the cached form)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with atomic_path(path, suffix=".parquet") as tmp:
            # the record describes the frame as Parquet gives it back (dtypes round-trip)
            frame.to_parquet(tmp, index=False)
            stored = pd.read_parquet(tmp)
            table = pa.Table.from_pandas(stored, preserve_index=False)
            record = json.dumps(frame_record(key, _digest(path), stored), sort_keys=True)
            meta = {**(table.schema.metadata or {}), _META: record.encode()}
            pq.write_table(table.replace_schema_metadata(meta), tmp)
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFullError(
                f"the cache folder {path.parent} is full ({exc.strerror or exc}) while "
                f"caching the frame {key!r}; nothing was half-written: free some space or "
                "set SIDEPAY_DATA_DIR to a folder with room"
            ) from None
        warnings.warn(
            SidepayWarning(
                f"could not cache the frame {key!r} in {path.parent} "
                f"({exc.strerror or exc}); it is rebuilt on every run"
            ),
            stacklevel=3,
        )
        return frame
    cached, problem = _read_checked(path, key)
    if cached is None:  # a frame whose record cannot describe it: a reader bug, say so
        raise RuntimeError(f"frame {key!r} fails its own check right after writing: {problem}")
    return cached
