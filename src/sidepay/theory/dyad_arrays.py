"""Indexing helpers for the (replication, great power, small state) arrays of ``step``.

Flat indices of each small state's dyad with its ally, reads at those indices, and for
every dyad the best value among the other great powers. Pure numpy, no I/O.

Examples
--------
>>> import numpy as np
>>> G = np.array([[[1.0, 5.0], [3.0, 2.0], [2.0, 4.0]]])
>>> _best_other(G)[0].tolist()
[[3.0, 4.0], [2.0, 5.0], [3.0, 5.0]]
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

__all__: list[str] = []


@lru_cache(maxsize=32)
def _flat_base(R: int, K: int, N: int) -> IntArray:
    """Flat offsets r K N + n of a (R, K, N) array's great-power-0 entries, shape (R, N)."""
    base = np.arange(R, dtype=np.int64)[:, None] * (K * N) + np.arange(N, dtype=np.int64)
    base.setflags(write=False)
    return base


def _flat_index(ally: IntArray, R: int, K: int, N: int) -> IntArray:
    """Flat indices of the dyads (r, ally[r, n], n) (ally clipped at 0)."""
    return _flat_base(R, K, N) + np.maximum(ally, 0) * N


def _take(a: FloatArray, flat: IntArray) -> FloatArray:
    """a[r, g, n] at precomputed flat indices (``a`` C-contiguous)."""
    return np.take(a.reshape(-1), flat)


def _best_other(G: FloatArray) -> FloatArray:
    """For each dyad, the largest ``G`` among the *other* great powers (-inf if none)."""
    K = G.shape[1]
    if K == 1:
        return np.full_like(G, -np.inf)
    if K == 2:
        return np.ascontiguousarray(G[:, ::-1, :])
    top = np.argmax(G, axis=1)[:, None, :]
    g1 = np.take_along_axis(G, top, axis=1)
    G2 = G.copy()
    np.put_along_axis(G2, top, -np.inf, axis=1)
    g2 = G2.max(axis=1, keepdims=True)
    return np.where(np.arange(K)[None, :, None] == top, g2, g1)
