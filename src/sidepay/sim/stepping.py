"""Playing a block of replications period by period with a transition in ``step``'s signature.

The engine (:func:`sidepay.sim.engine.run_history`) runs its periods in the compiled
kernel by default; given ``step_function=`` (the numpy ``sidepay.theory.dynamics.step`` or
any function with its signature) it plays each block here instead, fed each period the
kernel's own random numbers, so that both paths record the same arrays.

Examples
--------
>>> from sidepay.sim.engine import run_history
>>> from sidepay.sim.world import default_world
>>> from sidepay.theory.dynamics import step
>>> world = default_world()
>>> a = run_history(world, periods=3, reps=1, seed=1)
>>> b = run_history(world, periods=3, reps=1, seed=1, step_function=step)
>>> bool((a.d == b.d).all())
True
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from sidepay.sim.draws import fill_shocks
from sidepay.sim.kernel import KernelState, Record
from sidepay.sim.world import World
from sidepay.theory.dynamics import Shocks, StepEvents, SystemState, initial_state

__all__: list[str] = []


def _play_steps(
    step_function: Callable[..., tuple[SystemState, StepEvents]],
    world: World,
    work: KernelState,
    blk: dict[str, NDArray[np.float64]],
    v: NDArray[np.float64],
    k: NDArray[np.float64],
    keys: NDArray[np.uint64],
    v_scale: NDArray[np.float64],
    law: tuple[NDArray[np.float64], NDArray[np.float64]],
    burn_in: int,
    rows: tuple[int, int],
    rec: Record,
) -> None:
    """Play a block of replications period by period with ``step_function``, fed each
    period the kernel's own draws (:func:`sidepay.sim.draws.fill_shocks`)."""
    b0, b1 = rows
    Rb, K, N = b1 - b0, len(v), work.d.shape[2]
    e_drift, e_jump = np.empty((Rb, K, N)), np.empty((Rb, K, N))
    u_change, u_offer = np.empty((Rb, N)), np.empty((Rb, N))
    state: SystemState = initial_state(
        d=work.d[b0:b1], W=work.W[b0:b1], x=blk["x"], sigma=blk["sigma"],
        T=blk["T"], v=v, k=k, B=blk["B"], Y=blk["Y"], h=blk["h"],
    )  # fmt: skip
    for t in range(v_scale.shape[0]):
        if t == burn_in:
            rec.init_ally[b0:b1] = state.ally
            rec.init_pay[b0:b1] = state.pay
            rec.init_spell_start[b0:b1] = state.spell_start
        fill_shocks(keys, t, 0, N, e_drift, e_jump, u_change, u_offer)
        step_shocks = Shocks(e_drift, e_jump, u_change, u_offer)  # read, never written
        state, ev = step_function(
            state,
            world.params,
            shocks=step_shocks,
            v_scale=v_scale[t],
            offer_rate=world.offer_rate,
            w_levels=law[0],
            w_probs=law[1],
        )
        if t < burn_in:
            continue
        r = t - burn_in
        rec.d[r, b0:b1] = state.d
        rec.W[r, b0:b1] = state.W
        rec.ally[r, b0:b1] = state.ally
        rec.pay[r, b0:b1] = state.pay
        rec.spell_start[r, b0:b1] = state.spell_start
        rec.regime_change[r, b0:b1] = ev.regime_change
        rec.leader_change[r, b0:b1] = ev.leader_change
        rec.leader_hazard[r, b0:b1] = ev.leader_hazard
        rec.tenure[r, b0:b1] = state.tenure
