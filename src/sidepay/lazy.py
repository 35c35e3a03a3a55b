"""Lazy exports of a package: names imported from their modules on first use.

A package lists ``public name -> module`` once and gets its module ``__getattr__`` and
``__dir__`` from :func:`lazy_exports`, so ``import sidepay`` (or a subpackage) loads none of
the heavy modules (numpy, pandas) until a name is read. Only :mod:`importlib` is used: no
I/O, so :mod:`sidepay.theory` may use it too.

Examples
--------
>>> getattr_, dir_ = lazy_exports("sidepay", {"InputError": "sidepay.errors"})
>>> getattr_("InputError").__name__
'InputError'
>>> "InputError" in dir_()
True
>>> getattr_("nope")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
AttributeError: module 'sidepay' has no attribute 'nope'
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, table: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of ``package`` for the names of ``table``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    table : dict of str to str
        Public name -> module that defines it: absolute (``"sidepay.theory.params"``) or
        relative to ``package`` (``".params"``), as :func:`importlib.import_module` reads it.

    Returns
    -------
    tuple of callable
        ``__getattr__(name)``, which imports the name's module, stores the value in the
        package (later look-ups skip the hook) and returns it, or raises
        ``AttributeError`` for a name not in ``table``; and ``__dir__()``, the sorted
        globals of the package with the names of ``table`` and its ``__all__``.

    Examples
    --------
    >>> getattr_, _ = lazy_exports("sidepay.data", {"DataContext": ".context"})
    >>> getattr_("DataContext").__module__
    'sidepay.data.context'
    """

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)  # later look-ups skip this hook
        return value

    def __dir__() -> list[str]:
        namespace = vars(sys.modules[package])
        return sorted({*namespace, *table, *namespace.get("__all__", ())})

    return __getattr__, __dir__
