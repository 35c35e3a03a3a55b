"""The side payment on the log scale: the one rule every analysis and estimator uses.

A side payment is a flow from patron to client. Aid series report obligations net of
deobligations, so a year in which a patron cancelled more than it obligated has a
negative value (32 dyad-years of US aid in ``build_panel()``). The theory has no negative
side payments: such a year is read as **no new payment** (0) before ``log1p``, in the
hypothesis tests (``sidepay.analysis``), the formation likelihood and the simulated
moments (``sidepay.estimate``) alike. Missing stays missing.

Examples
--------
>>> import numpy as np
>>> log1p_payment(np.array([0.0, np.e - 1, -3.0, -0.5, np.nan])).round(3).tolist()
[0.0, 1.0, 0.0, 0.0, nan]
"""

from __future__ import annotations

from typing import TypeVar, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["RULE_NOTE", "log1p_payment"]

#: What a report says about the rule (it changed H4's second part on the real panel: see
#: CHANGELOG.md and docs/hypotheses.md).
RULE_NOTE = (
    "Side payments on the log scale: a net deobligation (a negative aid value) counts as no "
    "new payment, 0, before log1p, in the hypothesis tests and the structural estimates "
    "alike. Earlier versions gave it a negative log or dropped it; on the real panel the "
    "change moved H4's second part across the 5% line (see the changelog)."
)

Values = TypeVar("Values", pd.Series, NDArray[np.float64])


def log1p_payment(values: Values) -> Values:
    """``log1p`` of a payment, a negative one (net deobligation) read as 0; NaN stays NaN."""
    return cast(Values, np.log1p(np.maximum(values, 0.0)))
