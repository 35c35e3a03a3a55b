"""The law of a new regime's W (THEORY 2.5 step 2): discrete levels, or a Beta law.

After a regime change the new regime's W is drawn either from a discrete law (levels and
their probabilities, :func:`regime_law`) or, without one, from the Beta law of the
parameters ``regime_w_a`` and ``regime_w_b``. Pure numpy and scipy, no I/O.

Examples
--------
>>> lv, cum = regime_law([0.2, 0.6, 1.0], [1.0, 1.0, 2.0])
>>> lv.tolist(), cum.tolist()
([0.2, 0.6, 1.0], [0.25, 0.5, 1.0])
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betaincinv

from sidepay.theory import rules
from sidepay.theory.params import ModelParams

FloatArray = NDArray[np.float64]

__all__ = ["regime_law"]


def regime_law(
    w_levels: ArrayLike, w_probs: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The discrete law of W after a regime change as (levels, normalized cdf).

    Examples
    --------
    >>> lv, cum = regime_law([0.0, 1.0], [1.0, 3.0])
    >>> lv.tolist(), cum.tolist()
    ([0.0, 1.0], [0.25, 1.0])
    """
    cum = np.cumsum(np.asarray(w_probs, dtype=np.float64))
    return np.array(w_levels, dtype=np.float64, order="C"), cum / cum[-1]


def _regime_W(
    u: FloatArray,
    h: FloatArray,
    params: ModelParams,
    w_levels: ArrayLike | None,
    w_probs: ArrayLike | None,
) -> FloatArray:
    """The new regime's W at states with a regime change: the discrete law
    (:func:`sidepay.theory.rules.new_regime_W`), or without one the Beta law
    (``regime_w_a``, ``regime_w_b``), by inverse cdf from ``u / h``."""
    if w_levels is None or w_probs is None:
        q = u / h
        return np.asarray(betaincinv(params.regime_w_a, params.regime_w_b, q), dtype=np.float64)
    levels, cum = regime_law(w_levels, w_probs)
    return np.asarray(rules.new_regime_W(u, h, levels, cum), dtype=np.float64)
