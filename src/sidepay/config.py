"""Reading the TOML files users write (model parameters, worlds, sweep grids).

File reading lives here, outside ``theory/`` (which does no I/O): ``load_params`` reads a
parameter file and hands the parsed mapping to :meth:`ModelParams.from_toml_mapping`.
Every problem with the file (missing, unreadable, not UTF-8, not TOML) becomes one
:class:`sidepay.errors.InputError` line.

Examples
--------
>>> import os, tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     f = os.path.join(tmp, "p.toml")
...     _ = open(f, "w").write("W = 0.8\\n")
...     load_params(f).W
0.8
>>> try:
...     read_toml("/nonexistent/w.toml", "world file")
... except InputError as e:
...     print(e)
world file /nonexistent/w.toml does not exist; pass a readable .toml file
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sidepay.errors import InputError
from sidepay.theory.params import ModelParams

if TYPE_CHECKING:
    from sidepay.data.context import DataContext


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """Parse a TOML file; ``what`` names it in error messages ("world file", ...).

    Examples
    --------
    >>> try:
    ...     read_toml("/", "grid file")
    ... except InputError as e:
    ...     print(str(e).split(":")[0])
    cannot read grid file /
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            parsed = tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"{what} {p} does not exist; pass a readable .toml file") from None
    except OSError as exc:
        raise InputError(f"cannot read {what} {p}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{what} {p.name} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{what} {p.name} is not valid TOML: not UTF-8 text") from None
    _check_integers(parsed, f"{what} {p.name}")
    return parsed


#: whole numbers in a TOML file must fit a signed 64-bit integer (what numpy stores)
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def _check_integers(value: object, where: str, key: str = "") -> None:
    """Refuse whole numbers outside 64 bits, naming the key (a file is read once, here).

    Examples
    --------
    >>> _check_integers({"world": {"seed": 2**70}}, "world file w.toml")
    ... # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: world file w.toml: world.seed = 1180591620717411303424 ...
    """
    if isinstance(value, dict):
        for k, v in value.items():
            _check_integers(v, where, f"{key}.{k}" if key else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_integers(v, where, f"{key}[{i}]")
    elif isinstance(value, int) and not isinstance(value, bool):
        if not INT_MIN <= value <= INT_MAX:
            shown = (
                str(value)
                if len(str(value)) <= 40
                else f"{str(value)[:20]}... ({len(str(value))} digits)"
            )
            raise InputError(
                f"{where}: {key} = {shown} is out of range; whole numbers must lie in "
                f"{INT_MIN}..{INT_MAX}"
            )


def load_params(path: str | Path) -> ModelParams:
    """Read model parameters from a TOML file (top-level keys or one ``[model]`` table).

    Examples
    --------
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = os.path.join(tmp, "p.toml")
    ...     _ = open(f, "w").write("W = 0.8\\n[ignored_never]\\n")
    ...     try:
    ...         load_params(f)
    ...     except InputError as e:
    ...         print(str(e).split(":")[0])
    unknown parameter 'ignored_never' in p.toml
    """
    return ModelParams.from_toml_mapping(read_toml(path, "parameter file"), Path(path).name)


def check_cache_dir(path: str | os.PathLike[str], where: str = "cache_dir") -> Path:
    """The cache folder, refused when it cannot be a writable folder.

    It may not exist yet (it is created on first write), but then the nearest existing
    folder above it must be writable. ``where`` is ``"cache_dir"`` for a Python caller
    (the message names ``cache_dir=``, the CLI shows ``SIDEPAY_DATA_DIR``) or
    ``"SIDEPAY_DATA_DIR"`` when the value came from the environment.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> check_cache_dir(d / "new" / "cache") == d / "new" / "cache"
    True
    >>> _ = (d / "f").write_text("x")
    >>> check_cache_dir(d / "f")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: cache_dir= .../f is a file; give a writable folder
    """
    p = Path(path).expanduser()
    env = where != "cache_dir"

    def refuse(problem: str) -> InputError:
        if env:
            return InputError(f"{where}={p} {problem}; set it to a writable folder, or unset it")
        return InputError(f"cache_dir= {p} {problem}; give a writable folder", param="cache_dir")

    probe = p
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        shown = "is a file" if probe == p else f"cannot be created ({probe} is a file)"
        raise refuse(shown)
    if not os.access(probe, os.W_OK | os.X_OK):
        shown = "is not writable" if probe == p else f"cannot be created ({probe} is not writable)"
        raise refuse(shown)
    return p


def data_context(
    mirror: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    download: bool = True,
    base_url: str | None = None,
) -> DataContext:
    """The data context, with every field not given read from the environment.

    This is the one place the data layer's environment variables are read: ``mirror``
    defaults to ``SIDEPAY_MIRROR``, ``cache_dir`` to ``SIDEPAY_DATA_DIR`` and then the
    per-user cache folder (``pooch.os_cache("sidepay")``), ``base_url`` to
    ``SIDEPAY_BASE_URL``. An empty variable counts as unset. Every data function given
    ``context=None`` calls this.

    Raises
    ------
    InputError
        The mirror (given, or from ``SIDEPAY_MIRROR``) is not a folder.

    Examples
    --------
    >>> import tempfile
    >>> ctx = data_context(cache_dir=tempfile.gettempdir())
    >>> ctx.cache_dir == Path(tempfile.gettempdir())
    True
    """
    from sidepay.data.context import DataContext

    env_mirror = None if mirror is not None else os.environ.get("SIDEPAY_MIRROR") or None
    from_env = cache_dir is None and bool(os.environ.get("SIDEPAY_DATA_DIR"))
    if from_env and not os.environ["SIDEPAY_DATA_DIR"].strip():
        raise InputError(
            "SIDEPAY_DATA_DIR is blank (only spaces); set it to a writable folder, or unset it"
        )
    if cache_dir is None:
        cache_dir = os.environ.get("SIDEPAY_DATA_DIR") or None
    elif not str(cache_dir).strip():
        raise InputError("cache_dir= is empty; give a folder", param="cache_dir")
    if cache_dir is None:
        import pooch

        cache_dir = pooch.os_cache("sidepay")
    check_cache_dir(cache_dir, "SIDEPAY_DATA_DIR" if from_env else "cache_dir")
    if base_url is None:
        base_url = os.environ.get("SIDEPAY_BASE_URL") or None
    chosen = mirror if mirror is not None else env_mirror
    try:
        return DataContext(
            cache_dir=Path(cache_dir),
            mirror=None if chosen is None else Path(chosen),
            download=download,
            base_url=base_url,
        )
    except InputError as exc:
        if env_mirror is None or exc.param != "mirror":
            raise
        raise InputError(
            f"SIDEPAY_MIRROR={env_mirror} is not a folder; set it to a folder laid out like "
            "the shared data mirror, or unset it"
        ) from None
