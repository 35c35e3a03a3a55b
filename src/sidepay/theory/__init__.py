"""sidepay.theory: the formal trade-off model (pure numpy, no I/O).

Names are imported on first use (module ``__getattr__``): ``import sidepay.theory`` loads
no numpy, scipy or pydantic until a name is read. The maintenance rules, each written once,
are the scalar functions of :mod:`sidepay.theory.rules`.

Examples
--------
>>> import sidepay.theory as theory
>>> eq = theory.solve_formation(W=0.25, d=0.6, x=0.5, sigma=0.5, T=0.1, v=1.0, k=0.5)
>>> theory.OUTCOME_NAMES[int(eq.outcome)]
'bought alliance'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sidepay.lazy import lazy_exports

if TYPE_CHECKING:
    from sidepay.theory.dynamics import (
        Shocks,
        StepEvents,
        SystemState,
        draw_shocks,
        dyad_events,
        initial_state,
        step,
    )
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

#: public name -> the module that defines it
_HOME = {
    **dict.fromkeys(
        (
            "BOUGHT_ALLIANCE", "NO_ALLIANCE", "OUTCOME_NAMES", "PURE_TRADE", "Formation",
            "coalition_weight", "deficit", "patron_max_payment", "required_side_payment",
            "solve_formation", "solve_formation_chunked",
        ),
        "formation",
    ),
    **dict.fromkeys(
        ("extraction_allied", "extraction_alone", "extraction_cost", "leader_hazard"), "leader"
    ),
    "ModelParams": "params",
    **dict.fromkeys(("incumbent_payment", "max_offer", "resolve_competition"), "rivals"),
    **dict.fromkeys(("comparative_statics", "solve_params"), "statics"),
    **dict.fromkeys(
        (
            "Shocks", "StepEvents", "SystemState", "draw_shocks", "dyad_events",
            "initial_state", "step",
        ),
        "dynamics",
    ),
}  # fmt: skip

__all__ = [
    "BOUGHT_ALLIANCE",
    "NO_ALLIANCE",
    "OUTCOME_NAMES",
    "PURE_TRADE",
    "Formation",
    "ModelParams",
    "Shocks",
    "StepEvents",
    "SystemState",
    "coalition_weight",
    "comparative_statics",
    "deficit",
    "draw_shocks",
    "dyad_events",
    "extraction_allied",
    "extraction_alone",
    "extraction_cost",
    "incumbent_payment",
    "initial_state",
    "leader_hazard",
    "max_offer",
    "patron_max_payment",
    "required_side_payment",
    "resolve_competition",
    "solve_formation",
    "solve_formation_chunked",
    "solve_params",
    "step",
]


__getattr__, __dir__ = lazy_exports(__name__, {n: f".{m}" for n, m in _HOME.items()})
