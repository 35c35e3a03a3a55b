"""Atomic file writes: a reader never sees a half-written output, cache or report file.

Everything sidepay writes goes through :func:`atomic_path`: the content is written to a
temporary file in the target's folder and moved into place with ``os.replace`` only when
writing succeeded; on any error the temporary file is removed and the target is untouched.
Files get the permissions of a normally created file (``0o666`` less the umask), not the
``0o600`` of :func:`tempfile.mkstemp`.

Examples
--------
>>> import tempfile
>>> target = Path(tempfile.mkdtemp()) / "out.txt"
>>> write_text_atomic(target, "hello")
>>> target.read_text()
'hello'
>>> try:
...     with atomic_path(target) as tmp:
...         _ = tmp.write_text("half")
...         raise RuntimeError("disk full")
... except RuntimeError:
...     pass
>>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
('hello', ['out.txt'])
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@functools.cache
def _umask() -> int:
    # reading the umask means setting it; do it once per process (not per write, which
    # would race with other threads creating files)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | Path, *, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place if the block succeeds.

    ``suffix`` is the temporary file's ending (give the target's own suffix when the
    writer picks the format from it, as matplotlib's ``savefig`` does). The parent folder
    is created if needed.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "a" / "b.bin"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_bytes(b"ok")
    >>> target.read_bytes(), oct(target.stat().st_mode & 0o777) != oct(0o600)
    (b'ok', True)
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        yield tmp
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.bin"
    >>> write_bytes_atomic(p, b"\\x00\\x01"); p.read_bytes()
    b'\\x00\\x01'
    """
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.txt"
    >>> write_text_atomic(p, "a\\nb"); p.read_text()
    'a\\nb'
    """
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
