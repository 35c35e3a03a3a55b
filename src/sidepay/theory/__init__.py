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
    solve_formation_chunked,
)
from sidepay.theory.leader import (
    extraction_allied,
    extraction_alone,
    extraction_cost,
    leader_hazard,
)
from sidepay.theory.params import ModelParams
from sidepay.theory.rivals import incumbent_payment, max_offer, resolve_competition
from sidepay.theory.statics import comparative_statics, solve_params

__all__ = [
    "BOUGHT_ALLIANCE",
    "NO_ALLIANCE",
    "OUTCOME_NAMES",
    "PURE_TRADE",
    "Formation",
    "ModelParams",
    "coalition_weight",
    "comparative_statics",
    "deficit",
    "extraction_allied",
    "extraction_alone",
    "extraction_cost",
    "incumbent_payment",
    "leader_hazard",
    "max_offer",
    "patron_max_payment",
    "required_side_payment",
    "resolve_competition",
    "solve_formation",
    "solve_formation_chunked",
    "solve_params",
]
