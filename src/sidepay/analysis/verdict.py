"""The documented rule that turns an estimate into a verdict.

* **supported**: the estimate has the predicted sign and p < ``alpha`` (default 0.05);
* **contrary**: the estimate has the opposite sign and p < ``alpha``;
* **inconclusive**: otherwise, or when the model could not be estimated (the reason says
  why: a missing column, no events, perfect separation, a singular design ...).

A hypothesis with secondary tests (for example H4's payment equation next to its hazard
model) combines them with :func:`combine_verdicts`: supported only if every part is
supported, contrary if any part is contrary, inconclusive otherwise.

Examples
--------
>>> verdict(0.4, 0.01, expected_sign=1)
'supported'
>>> verdict(-0.4, 0.01, expected_sign=1)
'contrary'
>>> verdict(0.4, 0.2, expected_sign=1)
'inconclusive'
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from sidepay.analysis.result import Verdict

ALPHA = 0.05


def verdict(
    estimate: float | None, p_value: float | None, expected_sign: int, alpha: float = ALPHA
) -> Verdict:
    """Supported, contrary or inconclusive by the rule in the module docstring.

    Examples
    --------
    >>> verdict(None, None, expected_sign=-1)
    'inconclusive'
    """
    if expected_sign not in (-1, 1):
        raise ValueError(f"expected_sign must be -1 or 1; got {expected_sign}")
    if estimate is None or p_value is None:
        return "inconclusive"
    if not (math.isfinite(estimate) and math.isfinite(p_value)):
        return "inconclusive"
    if p_value >= alpha or estimate == 0:
        return "inconclusive"
    return "supported" if (estimate > 0) == (expected_sign > 0) else "contrary"


def combine_verdicts(parts: Iterable[Verdict]) -> Verdict:
    """Combine the verdicts of a hypothesis's parts (all supported / any contrary).

    Examples
    --------
    >>> combine_verdicts(["supported", "inconclusive"])
    'inconclusive'
    >>> combine_verdicts(["supported", "contrary"])
    'contrary'
    """
    parts = list(parts)
    if not parts:
        return "inconclusive"
    if any(p == "contrary" for p in parts):
        return "contrary"
    if all(p == "supported" for p in parts):
        return "supported"
    return "inconclusive"
