"""sidepay.theory: the formal trade-off model (pure numpy, no I/O)."""

from sidepay.theory.formation import (
    BOUGHT_ALLIANCE,
    NO_ALLIANCE,
    OUTCOME_NAMES,
    PURE_TRADE,
    Formation,
    coalition_weight,
    deficit,
    patron_max_payment,
    required_side_payment,
    solve_formation,
)
from sidepay.theory.params import ModelParams

__all__ = [
    "BOUGHT_ALLIANCE",
    "NO_ALLIANCE",
    "OUTCOME_NAMES",
    "PURE_TRADE",
    "Formation",
    "ModelParams",
    "coalition_weight",
    "deficit",
    "patron_max_payment",
    "required_side_payment",
    "solve_formation",
]
