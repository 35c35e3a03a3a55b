"""Helpers the readers share: integer key columns and spells expanded to years."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["expand_years", "int_keys"]


def int_keys(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """A copy of ``frame`` without rows missing any of ``cols``, those columns as int64.

    Examples
    --------
    >>> f = pd.DataFrame({"ccode": [2.0, None], "year": [1950.0, 1951.0]})
    >>> int_keys(f, ["ccode", "year"]).dtypes.tolist()
    [dtype('int64'), dtype('int64')]
    """
    out = frame.dropna(subset=cols).copy()
    for c in cols:
        out[c] = out[c].astype("int64")
    return out


def expand_years(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row index and year for every year in ``[lo, hi]`` of each row (empty when hi < lo).

    Examples
    --------
    >>> idx, years = expand_years(np.array([1990, 2000]), np.array([1991, 1999]))
    >>> idx.tolist(), years.tolist()
    ([0, 0], [1990, 1991])
    """
    lo = np.asarray(lo, dtype="int64")
    n = (np.asarray(hi, dtype="int64") - lo + 1).clip(min=0)
    idx = np.repeat(np.arange(len(lo)), n)
    years = np.repeat(lo - np.cumsum(n) + n, n) + np.arange(int(n.sum()))
    return idx, years
