"""What a simulation returns: the raw period-major arrays and the panel with its events.

Kept apart from the engine (which makes them) and from ``sidepay.sim.output`` (which turns
a :class:`History` into frames), so that neither of those imports the other's module.

Examples
--------
>>> from sidepay.sim import simulate, default_world
>>> res = simulate(default_world().updated({"small_states.n": 2}), periods=2, reps=1)
>>> isinstance(res, SimResult), len(res.panel)
(True, 8)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import pandas as pd

    from sidepay.sim.world import World

__all__ = ["History", "SimResult"]


@dataclass(frozen=True)
class SimResult:
    """A simulated panel (``sidepay.schema`` columns + truth columns) and its event log."""

    panel: pd.DataFrame
    events: pd.DataFrame

    def __repr__(self) -> str:
        return f"SimResult(panel: {len(self.panel)} dyad-years, events: {len(self.events)})"


@dataclass(frozen=True)
class History:
    """Raw arrays of a run, period-major: ``d`` (P, R, K, N); ``W``, ``ally``, ``pay``,
    ``spell_start``, ``regime_change``, ``leader_change``, ``leader_hazard``, ``tenure``
    (P, R, N); static ``x``, ``sigma`` (R, K, N) and ``T``, ``B``, ``Y``, ``h`` (R, N);
    ``v_scale`` (P, K). ``periods`` is P, the number of recorded periods. ``spell_start``
    counts periods from the first burn-in period (-1: none); ``initial`` holds ``ally``,
    ``pay``, ``spell_start`` (R, N) just before the first recorded period."""

    world: World
    periods: int
    rep_start: int
    burn_in: int
    initial: dict[str, NDArray[np.generic]]
    d: NDArray[np.float64]
    W: NDArray[np.float64]
    ally: NDArray[np.int8]
    pay: NDArray[np.float64]
    spell_start: NDArray[np.int32]
    regime_change: NDArray[np.bool_]
    leader_change: NDArray[np.bool_]
    leader_hazard: NDArray[np.float64]
    tenure: NDArray[np.float64]
    static: dict[str, NDArray[np.float64]]
    v_scale: NDArray[np.float64]

    @property
    def reps(self) -> int:
        """Number of replications in this history."""
        return int(self.d.shape[1])

    def __repr__(self) -> str:
        P, R, K, N = self.d.shape
        return (
            f"History({P} periods x {R} reps x {K} great powers x {N} small states, "
            f"reps from {self.rep_start}, burn-in {self.burn_in})"
        )
