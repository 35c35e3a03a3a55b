"""Byte-determinism of pyfixest fits: fixed effects demeaned in the formula's order.

The patch below uses a private helper of pyfixest 0.60 (pyproject bounds pyfixest below
its next minor for this reason) and raises a clear error when that name is gone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd

PATCH_GONE = (
    "pyfixest.estimation.formula.model_matrix._encode_fixed_effects is gone: this pyfixest "
    "is not the one sidepay's determinism patch was written for; install pyfixest>=0.60,<0.61"
)


@contextmanager
def fixed_effects_in_formula_order() -> Iterator[None]:
    """Make pyfixest demean fixed effects in the order the formula names them.

    pyfixest 0.60 collects the fixed effects of ``y ~ x | a + b`` in a ``set`` of strings,
    whose order follows Python's per-process string hashing (PYTHONHASHSEED). With two or
    more fixed effects the alternating projections then run in a different order in each
    process and stop at a slightly different point, so the same data gave estimates that
    differed in the 10th digit and standard errors in the 6th (not thread scheduling:
    NUMBA_NUM_THREADS=1 did not help, PYTHONHASHSEED=0 did). This swaps in an ordered
    copy of that one helper for the duration of the call.
    """
    # fail loudly, not silently nondeterministic, if pyfixest moved what this patches
    # (pyproject bounds pyfixest below its next minor for this reason)
    try:
        import pyfixest.estimation.formula.model_matrix as mm
    except ImportError:
        raise RuntimeError(PATCH_GONE) from None
    original = getattr(mm, "_encode_fixed_effects", None)
    if original is None:
        raise RuntimeError(PATCH_GONE)

    def ordered(fixed_effects: str, data: pd.DataFrame) -> str:
        fes = list(dict.fromkeys(re.split(r"\s*\+\s*", fixed_effects)))
        if any("^" in fe for fe in fes):  # interactions: pyfixest's own encoding
            return str(original(fixed_effects, data))
        encoded = (f"__fixed_effect__({fe})" for fe in fes)
        return f"{' + '.join(encoded)} - 1"

    mm._encode_fixed_effects = ordered
    try:
        yield
    finally:
        mm._encode_fixed_effects = original
