"""Verified copies in the raw-data cache: hashing, checking, and moving into place.

A file enters the cache only with the registered size and sha256: it is written to a
temporary ``.part-<pid>-*`` file in the cache folder and moved into place
(``os.replace``) only after it verifies, so a half-written file never enters the cache.
A cached file is re-hashed every time it is used (there is no stat memo to trust).

Examples
--------
>>> from sidepay.data.sources import SOURCES
>>> _verified(Path("/nonexistent"), SOURCES["cow_majors"])
False
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sidepay.data.sources import Source
from sidepay.errors import DiskFullError
from sidepay.outpaths import stale_prefix

_COPY_CHUNK = 1 << 20
_PART = ".part-"


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


def _disk_full(exc: OSError, root: Path) -> DiskFullError:
    return DiskFullError(
        f"the cache folder {root} is full ({exc.strerror or exc}); nothing was half-written: "
        "free some space or set SIDEPAY_DATA_DIR to a folder with room"
    )
