"""The simulation engine: loop the maintenance transition over periods and replications.

``simulate(world, years, reps, seed)`` plays the rules of ``sidepay.theory.dynamics.step``
(THEORY 2.5) for every period, replication, great power and small state. The periods run
in the compiled kernel ``sidepay.sim.kernel.run_periods``, one call per replication,
which gives ``step``'s results bit for bit (``run_history(..., step_function=step)`` runs
the numpy ``step`` period by period instead; the tests check the two agree byte for
byte). Replication ``r`` draws everything from its own stream ``SeedSequence([seed, r])``:
its small states, then its drift normals and uniforms for all periods, then, while the
periods are played, the normals of its divergence jumps (only for states with a regime
or leader change, see ``Shocks``). So the
reps ``[a, b)`` run with ``rep_start=a`` give exactly the rows a serial run gives for them:
a sweep may split replications across workers and concatenate the parts byte for byte.

Examples
--------
>>> from sidepay.sim.world import default_world
>>> w = default_world().updated({"small_states.n": 5})
>>> res = simulate(w, years=3, reps=2, seed=7)
>>> len(res.panel), sorted(res.panel["rep"].unique().tolist())
(60, [0, 1])
>>> part = simulate(w, years=3, reps=1, seed=7, rep_start=1).panel
>>> part.reset_index(drop=True).equals(res.panel[res.panel.rep == 1].reset_index(drop=True))
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sidepay.errors import InputError
from sidepay.sim.kernel import param_vector, regime_law, run_periods
from sidepay.sim.world import World
from sidepay.theory.dynamics import Shocks, StepEvents, SystemState, initial_state

__all__ = [
    "History",
    "SimResult",
    "check_run_arguments",
    "rep_generator",
    "run_history",
    "simulate",
]

#: Shocks of one replication block are kept below this many bytes (``step_function`` path).
_BLOCK_BYTES = 64 * 2**20
#: Dyads per block: 16384 float64 = 128 KiB per array, cache-friendly and below numpy's
#: 256 KiB threshold for eliding temporaries (whose check calls the slow ``backtrace``).
_BLOCK_DYADS = 16_384


@dataclass(frozen=True)
class SimResult:
    """A simulated panel (``sidepay.schema`` columns + truth columns) and its event log."""

    panel: pd.DataFrame
    events: pd.DataFrame


@dataclass(frozen=True)
class History:
    """Raw arrays of a run, period-major: ``d`` (T, R, K, N); ``W``, ``ally``, ``pay``,
    ``spell_start``, ``regime_change``, ``leader_change``, ``leader_hazard``, ``tenure``
    (T, R, N); static ``x``, ``sigma`` (R, K, N) and ``T``, ``B``, ``Y``, ``h`` (R, N);
    ``v_scale`` (T, K). ``spell_start`` counts periods from the first burn-in period
    (-1: none); ``initial`` holds ``ally``, ``pay``, ``spell_start`` (R, N) just before
    the first recorded period."""

    world: World
    years: int
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


def rep_generator(seed: int, rep: int) -> np.random.Generator:
    """The random stream of replication ``rep``: depends only on (seed, rep).

    Examples
    --------
    >>> float(rep_generator(1, 3).random()) == float(rep_generator(1, 3).random())
    True
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, rep])))


def check_run_arguments(years: int, reps: int, seed: int, rep_start: int) -> None:
    """Raise InputError (one line) unless years, reps >= 1 and seed, rep_start >= 0.

    Examples
    --------
    >>> check_run_arguments(75, 0, 1, 0)
    Traceback (most recent call last):
    ...
    sidepay.errors.InputError: reps must be an integer >= 1; got 0
    """
    for name, value, lo in (("years", years, 1), ("reps", reps, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < lo:
            raise InputError(f"{name} must be an integer >= {lo}; got {value!r}")
    if isinstance(rep_start, bool) or not isinstance(rep_start, int | np.integer) or rep_start < 0:
        raise InputError(f"rep_start must be an integer >= 0; got {rep_start!r}")
    if years > 10_000:
        raise InputError(f"years must be <= 10000; got {years}")


def run_history(
    world: World,
    years: int = 75,
    reps: int = 100,
    seed: int = 1,
    rep_start: int = 0,
    *,
    burn_in: int = 0,
    step_function: Callable[..., tuple[SystemState, StepEvents]] | None = None,
) -> History:
    """Simulate and return the raw period-major arrays (no data frame).

    ``burn_in`` periods are played before ``world.start_year`` and not recorded, so that the
    recorded years start from a system with alliances, payments and leader tenures already
    in place (without it every state starts non-aligned, with a new leader).
    By default the periods are played by the compiled kernel
    (``sidepay.sim.kernel.run_periods``), bit for bit the rules of
    ``sidepay.theory.dynamics.step``. ``step_function`` instead loops over periods in
    Python calling that function: ``step`` (the numpy transition) or
    ``sidepay.sim.reference.reference_step`` (one dyad at a time), for tests and
    benchmarks; all three give the same arrays.

    Examples
    --------
    >>> from sidepay.sim.world import default_world
    >>> h = run_history(default_world().updated({"small_states.n": 4}), years=5, reps=3)
    >>> h.d.shape, h.ally.dtype.name
    ((5, 3, 2, 4), 'int8')
    """
    check_run_arguments(years, reps, seed, rep_start)
    if isinstance(burn_in, bool) or not isinstance(burn_in, int | np.integer) or burn_in < 0:
        raise InputError(f"burn_in must be an integer >= 0; got {burn_in!r}")
    K, N = len(world.great_powers), world.small_states.n
    if K > 127:
        raise InputError(f"at most 127 great powers are supported; got {K}")
    T = years
    T_all = burn_in + years
    v_scale = world.v_scale(world.start_year - burn_in + np.arange(T_all))
    levels = np.asarray(world.small_states.W_levels, dtype=np.float64)
    probs = np.asarray(world.small_states.W_probs, dtype=np.float64)
    out_d = np.empty((T, reps, K, N))
    out_W = np.empty((T, reps, N))
    out_ally = np.empty((T, reps, N), dtype=np.int8)
    out_pay = np.empty((T, reps, N))
    out_ss = np.empty((T, reps, N), dtype=np.int32)
    out_rc = np.empty((T, reps, N), dtype=np.bool_)
    out_lc = np.empty((T, reps, N), dtype=np.bool_)
    out_hl = np.empty((T, reps, N))
    out_ten = np.empty((T, reps, N))
    static = {
        "x": np.empty((reps, K, N)),
        "sigma": np.empty((reps, K, N)),
        **{name: np.empty((reps, N)) for name in ("T", "B", "Y", "h")},
    }
    init: dict[str, NDArray[np.generic]] = {
        "ally": np.full((reps, N), -1, dtype=np.int8),
        "pay": np.zeros((reps, N)),
        "spell_start": np.full((reps, N), -1, dtype=np.int32),
    }
    per_rep_bytes = T_all * (K * N + 2 * N) * 8
    if step_function is None:  # the kernel: one replication per call (its jump stream)
        block = 1
    else:
        block = max(1, min(reps, _BLOCK_BYTES // max(per_rep_bytes, 1), _BLOCK_DYADS // (K * N)))
    v = np.array([g.v for g in world.great_powers])
    k = np.array([g.k for g in world.great_powers])
    # the state of every replication: drawn below, then played (in place, by the kernel)
    work: dict[str, NDArray[np.generic]] = {
        "d": np.empty((reps, K, N)), "W": np.empty((reps, N)),
        "ally": np.full((reps, N), -1, dtype=np.int64), "pay": np.zeros((reps, N)),
        "need": np.zeros((reps, N)), "spell_start": np.full((reps, N), -1, dtype=np.int64),
        "holdup": np.zeros((reps, N), dtype=np.int64), "tenure": np.zeros((reps, N)),
    }  # fmt: skip
    if step_function is None:
        prm = param_vector(world.params, world.offer_rate)
        w_levels, w_cum = regime_law(levels, probs)
        v_scale = np.ascontiguousarray(v_scale, dtype=np.float64)
    # one set of shock buffers for all blocks (fresh memory costs page faults)
    normals = np.empty((block, T_all, K, N))
    uniforms = np.empty((2, block, T_all, N))
    no_jumps = np.zeros((1, 1, K, N))  # the kernel draws its jump normals itself
    for b0 in range(0, reps, block):
        b1 = min(reps, b0 + block)
        Rb = b1 - b0
        e_drift = normals[:Rb]
        u_change, u_offer = uniforms[0, :Rb], uniforms[1, :Rb]
        # replication r's stream: its system, then its shocks, then (on demand, while the
        # periods are played) the normals of its divergence jumps
        rngs = []
        for j in range(Rb):
            rng = rep_generator(seed, rep_start + b0 + j)
            drawn = world.draw_system(rng)
            for key in static:
                static[key][b0 + j] = drawn[key]
            work["d"][b0 + j] = drawn["d"]
            work["W"][b0 + j] = drawn["W"]
            rng.standard_normal(out=e_drift[j])
            rng.random(out=u_change[j])
            rng.random(out=u_offer[j])
            rngs.append(rng)
        blk = {key: arr[b0:b1] for key, arr in static.items()}
        if step_function is None:
            run_periods(
                *(arr[b0:b1] for arr in work.values()),
                blk["x"], blk["sigma"], blk["T"], blk["B"], blk["Y"], blk["h"], v, k,
                e_drift, no_jumps, u_change, u_offer, v_scale, rngs[0], True,
                prm, int(world.params.holdup_periods), w_levels, w_cum, 0, burn_in, b0,
                out_d, out_W, out_ally, out_pay, out_ss, out_rc, out_lc, out_hl, out_ten,
                init["ally"], init["pay"], init["spell_start"],
            )  # fmt: skip
            continue
        state: SystemState = initial_state(
            d=work["d"][b0:b1], W=work["W"][b0:b1], x=blk["x"], sigma=blk["sigma"],
            T=blk["T"], v=v, k=k, B=blk["B"], Y=blk["Y"], h=blk["h"],
        )  # fmt: skip
        for t in range(T_all):
            if t == burn_in:
                init["ally"][b0:b1] = state.ally
                init["pay"][b0:b1] = state.pay
                init["spell_start"][b0:b1] = state.spell_start
            shocks = Shocks(
                e_drift[:, t], None, u_change[:, t], u_offer[:, t], jump_rngs=tuple(rngs)
            )
            state, ev = step_function(
                state,
                world.params,
                shocks=shocks,
                v_scale=v_scale[t],
                offer_rate=world.offer_rate,
                w_levels=levels,
                w_probs=probs,
            )
            if t < burn_in:
                continue
            r = t - burn_in
            out_d[r, b0:b1] = state.d
            out_W[r, b0:b1] = state.W
            out_ally[r, b0:b1] = state.ally
            out_pay[r, b0:b1] = state.pay
            out_ss[r, b0:b1] = state.spell_start
            out_rc[r, b0:b1] = ev.regime_change
            out_lc[r, b0:b1] = ev.leader_change
            out_hl[r, b0:b1] = ev.leader_hazard
            out_ten[r, b0:b1] = state.tenure
    return History(
        world=world,
        years=T,
        rep_start=rep_start,
        burn_in=burn_in,
        initial=init,
        d=out_d,
        W=out_W,
        ally=out_ally,
        pay=out_pay,
        spell_start=out_ss,
        regime_change=out_rc,
        leader_change=out_lc,
        leader_hazard=out_hl,
        tenure=out_ten,
        static=static,
        v_scale=v_scale[burn_in:],
    )


def simulate(
    world: World,
    years: int = 75,
    reps: int = 100,
    seed: int = 1,
    rep_start: int = 0,
    *,
    burn_in: int = 0,
) -> SimResult:
    """Simulate ``reps`` replications of ``world`` for ``years`` periods.

    Parameters
    ----------
    world : the world (``World.from_toml`` or ``default_world()``).
    years : periods; period ``t`` is the calendar year ``world.start_year + t``.
    reps : replications, numbered ``rep_start .. rep_start + reps - 1``.
    seed : the run's seed; replication ``r`` uses ``SeedSequence([seed, r])``.
    rep_start : first replication index (to run a slice of a larger run).
    burn_in : periods played before ``world.start_year`` and not recorded (spells may then
        start before the first recorded year).

    Returns
    -------
    SimResult with ``.panel`` (directed dyad-years in ``sidepay.schema`` columns plus truth
    columns, rows ordered by rep, patron, client, year) and ``.events`` (rep, year, patron,
    client, event).

    Examples
    --------
    >>> from sidepay.sim.world import default_world
    >>> res = simulate(default_world().updated({"small_states.n": 3}), years=2, reps=1)
    >>> res.panel[["patron", "client", "year"]].iloc[0].tolist()
    [2, 1000, 1946]
    """
    from sidepay.sim.output import events_frame, panel_frame

    history = run_history(
        world, years=years, reps=reps, seed=seed, rep_start=rep_start, burn_in=burn_in
    )
    return SimResult(panel=panel_frame(history), events=events_frame(history))
