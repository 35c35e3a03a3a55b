"""JSON-safe values: the one rule for every JSON the project writes (NaN and infinities are
not JSON; numpy scalars and arrays become Python numbers and lists)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["finite_or_none"]


def finite_or_none(value: Any) -> Any:
    """Replace NaN and infinities (not valid JSON) by ``None``, recursively.

    Examples
    --------
    >>> finite_or_none({"a": float("nan"), "b": [1.0, float("inf")]})
    {'a': None, 'b': [1.0, None]}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_or_none(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 1) == 0:
        return finite_or_none(value.item())  # numpy scalar
    if hasattr(value, "tolist"):
        return finite_or_none(value.tolist())
    return value
