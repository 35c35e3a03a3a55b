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

import tomllib
from pathlib import Path
from typing import Any

from sidepay.errors import InputError
from sidepay.theory.params import ModelParams


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
            return tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"{what} {p} does not exist; pass a readable .toml file") from None
    except OSError as exc:
        raise InputError(f"cannot read {what} {p}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{what} {p.name} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{what} {p.name} is not valid TOML: not UTF-8 text") from None


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
