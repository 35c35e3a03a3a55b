"""Adjusted p-values across hypotheses: Holm (family-wise error) and Benjamini-Hochberg (FDR).

The eight hypotheses are tested on one panel; a reader who counts "supported" verdicts
should see how the p-values stand once the number of tests is taken into account.
:func:`holm` controls the family-wise error rate (Holm 1979), :func:`benjamini_hochberg`
the false discovery rate (Benjamini and Hochberg 1995). A missing p-value (no estimate)
stays missing and does not count as a test. Checked against statsmodels'
``multipletests`` in tests/analysis/test_multiplicity.py.

Examples
--------
>>> holm([0.01, 0.04, 0.03])
[0.03, 0.06, 0.06]
>>> [round(p, 3) for p in benjamini_hochberg([0.01, 0.04, 0.03])]
[0.03, 0.04, 0.04]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["benjamini_hochberg", "holm", "intersection_union_p"]


def _clean(p: Sequence[float | None]) -> tuple[np.ndarray, np.ndarray]:
    vals = np.array([np.nan if x is None else float(x) for x in p], float)
    return vals, np.flatnonzero(np.isfinite(vals))


def holm(p: Sequence[float | None]) -> list[float | None]:
    """Holm step-down adjusted p-values (in the input order)."""
    vals, ok = _clean(p)
    out: list[float | None] = [None] * len(vals)
    m = len(ok)
    order = ok[np.argsort(vals[ok], kind="stable")]
    running = 0.0
    for i, idx in enumerate(order):
        running = max(running, min(1.0, (m - i) * vals[idx]))
        out[int(idx)] = float(running)
    return out


def benjamini_hochberg(p: Sequence[float | None]) -> list[float | None]:
    """Benjamini-Hochberg step-up adjusted p-values (in the input order)."""
    vals, ok = _clean(p)
    out: list[float | None] = [None] * len(vals)
    m = len(ok)
    order = ok[np.argsort(vals[ok], kind="stable")]
    running = 1.0
    for i in range(m - 1, -1, -1):
        idx = order[i]
        running = min(running, m * vals[idx] / (i + 1))
        out[int(idx)] = float(min(1.0, running))
    return out


def intersection_union_p(parts: Sequence[float | None]) -> float | None:
    """p-value of "every part holds" (H4, H6): the largest part p-value (Berger 1982).

    Examples
    --------
    >>> intersection_union_p([0.01, 0.2])
    0.2
    >>> intersection_union_p([0.01, None]) is None
    True
    """
    if not parts or any(x is None or not math.isfinite(float(x)) for x in parts):
        return None
    return float(max(float(x) for x in parts if x is not None))
