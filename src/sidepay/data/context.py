"""The data context: where the data come from and where they are kept, as one object.

Every function of :mod:`sidepay.data` that touches a file takes ``context=``: a
:class:`DataContext` naming the mirror folder, the cache folder, whether downloads are
allowed and (for tests and institutional mirrors) a download base address. Nothing under
``sidepay.data`` reads the environment or keeps configuration in a module global; when a
caller passes ``context=None`` the context comes from :func:`sidepay.config.data_context`,
the one place where ``SIDEPAY_MIRROR``, ``SIDEPAY_DATA_DIR`` and ``SIDEPAY_BASE_URL`` are
read. A context is frozen and hashable, so in-process caches are keyed on it.

Examples
--------
>>> import tempfile
>>> ctx = DataContext(cache_dir=Path(tempfile.gettempdir()) / "sidepay-doc-cache")
>>> ctx.mirror is None, ctx.download
(True, True)
>>> ctx == DataContext(cache_dir=ctx.cache_dir), hash(ctx) == hash(DataContext(ctx.cache_dir))
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sidepay.errors import bad_param

__all__ = ["DataContext", "default_context"]


@dataclass(frozen=True)
class DataContext:
    """Mirror, cache folder and download policy for everything the data layer reads.

    Parameters
    ----------
    cache_dir : pathlib.Path
        Folder of verified copies and the parquet frames (created when first written).
    mirror : pathlib.Path, optional
        A folder laid out like the shared data mirror (the registry's ``relpath`` values),
        tried before any download. Checked here: it must be an existing folder.
    download : bool
        Whether a file neither cached nor in the mirror may be downloaded.
    base_url : str, optional
        Replaces every source's public address by ``{base_url}/{relpath}`` (a local test
        server, an institutional mirror); archive sources are then served unzipped.

    Raises
    ------
    InputError
        ``mirror=`` is not a folder.

    Examples
    --------
    >>> DataContext(cache_dir=Path("/tmp/c"), mirror=Path("/no/such/mirror"))
    ... # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: mirror= /no/such/mirror is not a folder; ...
    """

    cache_dir: Path
    mirror: Path | None = None
    download: bool = True
    base_url: str | None = None

    def __post_init__(self) -> None:
        # accept str and ~ paths; frozen, so normalise through object.__setattr__
        object.__setattr__(self, "cache_dir", Path(self.cache_dir).expanduser())
        if self.mirror is not None:
            mirror = Path(self.mirror).expanduser()
            if not mirror.is_dir():
                raise bad_param(
                    "mirror",
                    f"{mirror} is not a folder; give a folder laid out like the shared data mirror",
                )
            object.__setattr__(self, "mirror", mirror)
        if self.base_url is not None:
            object.__setattr__(self, "base_url", self.base_url.rstrip("/") or None)


def default_context(context: DataContext | None) -> DataContext:
    """``context``, or when ``None`` the one :func:`sidepay.config.data_context` builds.

    That call is where the environment is read (``SIDEPAY_MIRROR``, ``SIDEPAY_DATA_DIR``,
    ``SIDEPAY_BASE_URL``); the data layer itself never reads it.

    Examples
    --------
    >>> ctx = DataContext(cache_dir=Path("/tmp/c"))
    >>> default_context(ctx) is ctx
    True
    >>> isinstance(default_context(None), DataContext)
    True
    """
    if context is not None:
        return context
    from sidepay.config import data_context

    return data_context()
