"""The maintenance rules as one fused, compiled loop (numba): the engine's fast path.

:func:`run_periods` plays the rules of :func:`sidepay.theory.dynamics.step` for a block of
replications over many periods in one pass per small state: each (replication, period,
small state) loads its ``K`` divergences once, computes everything in one pass and writes
the results, where the numpy ``step`` makes about 25 array passes per dyad. The rules
themselves are not written here: the loop calls the scalar rules of
:mod:`sidepay.theory.rules` and :mod:`sidepay.theory.rules_maintenance`, which this module compiles (and ``step`` calls on arrays).
The engine's runs draw every random number inline, from its counter (period, client,
slot: :mod:`sidepay.sim.draws`), with no arrays of shocks; given the same numbers (the
engine feeds ``step`` those of :func:`sidepay.sim.draws.fill_shocks`), it reproduces
``step`` bit for bit: same operations in the same
order, no fast-math (no reassociation, no fused multiply-add), and numpy's tie rules for
``maximum`` (``b`` when ``a == b``), ``minimum`` and ``clip`` (inputs are never NaN:
parameters and worlds are validated). The tests check identity to ``step`` over random
parameters, states and whole runs, down to the sign of zero.

The kernel takes named bundles (namedtuples, which numba compiles): :class:`KernelState`
(updated in place), :class:`Statics`, :class:`Draws` and :class:`Stream`, the parameters
(:func:`kernel_params`: every ``ModelParams`` field, by name), :class:`WorldLaw`,
:class:`Span` and :class:`Record` (the output arrays).

``fused_step`` wraps the kernel in ``step``'s signature (one period); ``run_history``
calls :func:`run_periods` directly, once per replication.

Examples
--------
>>> import numpy as np
>>> from sidepay.theory.dynamics import draw_shocks, initial_state, step
>>> from sidepay.theory.params import ModelParams
>>> s = initial_state(d=np.full((2, 2, 3), 0.3), W=0.5, x=0.5, sigma=0.5, T=0.1,
...                   v=[0.3, 0.2], k=0.5, B=0.2, Y=1.0, h=0.05)
>>> sh = draw_shocks(np.random.default_rng(0), 2, 2, 3)
>>> kw = dict(shocks=sh, offer_rate=0.5, w_levels=[0.0, 1.0], w_probs=[0.5, 0.5])
>>> a, _ = step(s, ModelParams(), **kw)
>>> b, _ = fused_step(s, ModelParams(), **kw)
>>> bool((a.ally == b.ally).all() and (a.pay == b.pay).all() and (a.d == b.d).all())
True
"""

from __future__ import annotations

import hashlib
import inspect
from collections import namedtuple
from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np
from numba import njit as _numba_njit
from numba.extending import overload, register_jitable
from numpy.typing import ArrayLike, NDArray

from sidepay.sim import draws as _draws
from sidepay.sim.draws import counter, normal, uniform
from sidepay.theory import rules, rules_maintenance
from sidepay.theory.dynamics import (
    DynamicsParams,
    Shocks,
    StepEvents,
    SystemState,
    draw_shocks,
    step,
)
from sidepay.theory.params import ModelParams
from sidepay.theory.regimes import regime_law

__all__ = [
    "NO_STREAM",
    "Draws",
    "KernelState",
    "Record",
    "Span",
    "Statics",
    "Stream",
    "WorldLaw",
    "fused_step",
    "kernel_params",
    "run_periods",
]

Array = NDArray[Any]


class KernelState(NamedTuple):
    """The dynamic state, updated in place: ``d`` (R, K, N); the others (R, N)."""

    d: Array
    W: Array
    ally: Array
    pay: Array
    need: Array
    spell_start: Array
    holdup: Array
    tenure: Array


class Statics(NamedTuple):
    """Static primitives: ``x``, ``sigma`` (R, K, N); ``T``, ``B``, ``Y``, ``h`` (R, N);
    ``v``, ``k`` (K,)."""

    x: Array
    sigma: Array
    T: Array
    B: Array
    Y: Array
    h: Array
    v: Array
    k: Array


class Draws(NamedTuple):
    """Pre-drawn shocks (R, P, ...) of the block (read only without a :class:`Stream`'s
    keys; else any arrays of the right number of dimensions) and the epochs ``v_scale``
    (P, K), whose length is the number of periods played."""

    e_drift: Array
    e_jump: Array
    u_change: Array
    u_offer: Array
    v_scale: Array


class WorldLaw(NamedTuple):
    """The world's laws: chance of formation offers, discrete W law after regime change."""

    offer_rate: float
    w_levels: Array
    w_cum: Array


class Stream(NamedTuple):
    """Where the draws come from: ``keys`` (R,) uint64, one per replication of the block,
    for counter-based draws inline (:mod:`sidepay.sim.draws`), the block's clients being
    ``n_off ..`` of the world's ``n_total``; with no keys (length 0) the kernel reads the
    pre-drawn ``Draws`` instead."""

    keys: Array
    n_off: int
    n_total: int


#: No keys: read the pre-drawn shocks.
NO_STREAM = Stream(np.zeros(0, np.uint64), 0, 0)
_NO_KEY = np.uint64(0)


class Span(NamedTuple):
    """First period's number ``t0``, unrecorded periods ``burn_in``, first replication
    row ``r_off`` of the block in the record."""

    t0: int
    burn_in: int
    r_off: int


class Record(NamedTuple):
    """Output arrays: period-major (T, R_total, ...) and the state before the record."""

    d: Array
    W: Array
    ally: Array
    pay: Array
    spell_start: Array
    regime_change: Array
    leader_change: Array
    leader_hazard: Array
    tenure: Array
    init_ally: Array
    init_pay: Array
    init_spell_start: Array


#: Every field of ModelParams, by name: the bundle the compiled rules read as ``p``.
_PARAM_FIELDS: tuple[str, ...] = tuple(ModelParams.model_fields)
KernelParams: Any = namedtuple("KernelParams", _PARAM_FIELDS)  # type: ignore[misc]


def kernel_params(params: DynamicsParams) -> Any:
    """The parameters as the kernel reads them: a namedtuple of every ``ModelParams`` field.

    Examples
    --------
    >>> p = kernel_params(ModelParams(rho=2.0))
    >>> p.rho, p.holdup_periods
    (2.0, 3)
    """
    return KernelParams(*(getattr(params, name) for name in _PARAM_FIELDS))


# ---------------------------------------------------------------- compiling the rules
# numpy's tie rules on floats (inputs are never NaN): maximum and minimum return their
# second argument on a tie, clip its input; select is a branch. (numba compares the
# typing and implementation signatures: no annotations here.)
@overload(rules.larger)
def _larger(a, b):
    return lambda a, b: a if a > b else b


@overload(rules.smaller)
def _smaller(a, b):
    return lambda a, b: a if a < b else b


@overload(rules.clip01)
def _clip01(a):
    return lambda a: 0.0 if a < 0.0 else (1.0 if a > 1.0 else a)


@overload(rules.select)
def _select(cond, a, b):
    return lambda cond, a, b: a if cond else b


_PRIMITIVES = {"larger", "smaller", "clip01", "select"}
#: Every module of scalar rules the kernel compiles (and whose source names the cache).
_RULE_MODULES = (rules, rules_maintenance)
for _module in _RULE_MODULES:
    for _name in _module.__all__:
        _rule = getattr(_module, _name)
        if callable(_rule) and _name not in _PRIMITIVES:
            register_jitable(_rule)

# numba's on-disk cache checks this file only, not the rules it compiles in: the rules'
# source digest names the cache entry, so that a changed rule is compiled afresh
_RULES_DIGEST = hashlib.sha256(
    ("".join(inspect.getsource(m) for m in _RULE_MODULES) + inspect.getsource(_draws)).encode()
).hexdigest()[:12]


def _run_periods(
    state: KernelState,
    statics: Statics,
    draws: Draws,
    stream: Stream,
    p: Any,
    law: WorldLaw,
    span: Span,
    record: Record,
) -> None:
    """Play periods ``t0 .. t0 + P - 1`` for replications ``0 .. R - 1`` of a block.

    ``state`` (``d`` (R, K, N); the others (R, N)) holds the state before the first
    period and is left holding the state after the last. Period ``q >= burn_in`` is
    recorded at ``record.*[q - burn_in, r_off + r]``; the state before period ``burn_in``
    at ``record.init_*[r_off + r]``. ``p`` is :func:`kernel_params`. With the keys of
    ``stream`` every random number is computed inline from its counter
    (:mod:`sidepay.sim.draws`: period ``t0 + q``, client ``stream.n_off + n``), the
    jump normals only for states with a regime or leader change and the offer uniform
    only for non-aligned states; without keys they are read from ``draws`` (R, P, ...).
    Every formula is a rule of :mod:`sidepay.theory.rules`; this loop only says which
    dyad, in which order.
    """
    d, W, ally, pay, need, spell_start, holdup, tenure = state
    x, sigma, T, B, Y, h, v, k = statics
    e_drift, e_jump, u_change, u_offer, v_scale = draws
    keys, n_off, n_total = stream
    offer_rate, w_levels, w_cum = law
    t0, burn_in, r_off = span
    R, K, N = d.shape
    P = v_scale.shape[0]
    inline = keys.shape[0] > 0  # draw by counter (sidepay.sim.draws), else read draws
    dd = np.empty(K)
    Dg = np.empty(K)
    ag = np.empty(K)
    Vg = np.empty(K)
    Sg = np.empty(K)
    ve = np.empty(K)
    scratch_rc = np.empty(N, np.bool_)
    scratch_lc = np.empty(N, np.bool_)
    scratch_hl = np.empty(N)
    for r in range(R):
        ro = r_off + r
        # per-replication views: cheaper indexing in the hot loop
        d_r, W_r, ally_r, pay_r, need_r = d[r], W[r], ally[r], pay[r], need[r]
        ss_r, hold_r, ten_r = spell_start[r], holdup[r], tenure[r]
        x_r, sigma_r, T_r, B_r, Y_r, h_r = x[r], sigma[r], T[r], B[r], Y[r], h[r]
        for q in range(P):
            rec = q - burn_in
            if inline:
                key = keys[r]
                ed, ej, uc, uo = e_drift[0, 0], e_jump[0, 0], u_change[0, 0], u_offer[0, 0]
            else:
                key = _NO_KEY
                ed, ej, uc, uo = e_drift[r, q], e_jump[r, q], u_change[r, q], u_offer[r, q]
            tq = t0 + q
            if rec >= 0:
                orc = record.regime_change[rec, ro]
                olc = record.leader_change[rec, ro]
                ohl = record.leader_hazard[rec, ro]
            else:  # burn-in: not recorded
                orc, olc, ohl = scratch_rc, scratch_lc, scratch_hl
            for g in range(K):
                ve[g] = rules.epoch_value(v[g], v_scale[q, g])
            if q == burn_in:
                for n in range(N):
                    record.init_ally[ro, n] = ally_r[n]
                    record.init_pay[ro, n] = pay_r[n]
                    record.init_spell_start[ro, n] = ss_r[n]
            for n in range(N):
                g0 = ally_r[n]
                allied = g0 >= 0
                hn = h_r[n]
                Tn = T_r[n]
                W0 = W_r[n]
                pay0 = pay_r[n]
                # 1. divergence drift
                ng = n_off + n
                for g in range(K):
                    e = normal(key, counter(tq, ng, n_total, K, g)) if inline else ed[g, n]
                    dd[g] = rules.drifted(d_r[g, n], e, p)
                # the leader's extraction and hazard at the start of the period
                rho = rules.concession_salience(hn, p)
                lam = rules.concession_weight(W0, rho, p)
                E = rules.base_extraction(Tn, B_r[n])
                if allied:
                    ST0 = rules.protected_threat(sigma_r[g0, n], Tn)
                    D0 = rules.dyad_deficit(lam, rules.clip01(dd[g0]), x_r[g0, n], ST0)
                    E = rules.allied_extraction(E, D0, pay0)
                hL = rules.deposition_hazard(E, Y_r[n], p)
                # 2-3. regime change, else leader change (one uniform)
                u = uniform(key, counter(tq, ng, n_total, K, K)) if inline else uc[n]
                rc = rules.regime_changes(u, hn)
                renew = rules.leader_changes(u, hn, hL)
                Wn = W0
                if rc:
                    Wn = rules.new_regime_W(u, hn, w_levels, w_cum)
                    lam = rules.concession_weight(Wn, rho, p)
                hold = rules.holdup_after(rc, hold_r[n], p)
                beta = rules.bargaining_weight(hold, p)
                if renew:
                    sd = rules.jump_scale(rc, W0, p)
                    for g in range(K):
                        c = counter(tq, ng, n_total, K, K + 2 + g)
                        e = normal(key, c) if inline else ej[g, n]
                        a = rules.jumped(dd[g], sd, e)
                        if rc and g == g0:
                            a = rules.distanced(a, p)
                        dd[g] = rules.clip01(a)
                        d_r[g, n] = dd[g]
                else:
                    for g in range(K):
                        dd[g] = rules.clip01(dd[g])
                        d_r[g, n] = dd[g]
                # only a non-aligned state uses its offer uniform (an allied one is not drawn)
                offer = False
                if not allied:
                    uo_n = uniform(key, counter(tq, ng, n_total, K, K + 1)) if inline else uo[n]
                    offer = rules_maintenance.offered(uo_n, offer_rate)
                if not allied and not offer:
                    # no alliance and no offer: nothing to bargain over this period
                    ally_r[n] = -1
                    pay_r[n] = 0.0
                    need_r[n] = 0.0
                    ss_r[n] = -1
                else:
                    # 4. bargaining quantities for every dyad, and the two best offers G
                    top1 = rules.NEG_INF  # largest G (first such power: i1), then runner-up
                    top2 = rules.NEG_INF
                    i1 = 0
                    i2 = 0
                    for g in range(K):
                        ST = rules.protected_threat(sigma_r[g, n], Tn)
                        D = rules.dyad_deficit(lam, dd[g], x_r[g, n], ST)
                        a_s = rules_maintenance.required_payment(D)
                        V = rules_maintenance.patron_value(
                            ve[g], x_r[g, n], rules.protection_cost(k[g], ST)
                        )
                        S = rules_maintenance.patron_surplus(V, a_s)
                        G = rules_maintenance.best_offer(V, D, S)
                        Dg[g] = D
                        ag[g] = a_s
                        Vg[g] = V
                        Sg[g] = S
                        if G > top1:
                            top2, i2 = top1, i1
                            top1, i1 = G, g
                        elif G > top2:
                            top2, i2 = G, g
                    # incumbents keep (raise, or lower with friction) or terminate;
                    # every candidate is computed and selected (fewer mispredicted branches)
                    gi = g0 if allied else 0
                    V_i = Vg[gi]
                    rival_i = top2 if gi == i1 else top1
                    need_i = rules_maintenance.retention_payment(
                        ag[gi], Sg[gi], Dg[gi], rival_i, beta, p
                    )
                    keep = rules_maintenance.keeps_alliance(allied, Sg[gi], need_i, V_i)
                    pay_keep = rules_maintenance.kept_payment(
                        pay0, need_i, need_r[n], renew, V_i, p
                    )
                    term = allied and not keep
                    # realignment of terminated alliances (not back to the old patron),
                    # formation offers to the non-aligned: the first power with the best G
                    excl = term and g0 == i1
                    best = i2 if excl else i1
                    best_G = top2 if excl else top1
                    new = rules_maintenance.takes_offer(term, not allied, offer, best_G)
                    rival = top2 if best == i1 else top1
                    G_i = rules_maintenance.best_offer(V_i, Dg[gi], Sg[gi])
                    lure = rules_maintenance.lured(term, Sg[gi])
                    pay_new = rules_maintenance.entrant_payment(
                        ag[best], Vg[best], Dg[best], rival, lure, G_i, beta, p
                    )
                    need_new = rules_maintenance.retention_payment(
                        ag[best], Sg[best], Dg[best], rival, beta, p
                    )
                    pay_r[n] = pay_keep if keep else (pay_new if new else 0.0)
                    need_r[n] = need_i if keep else (need_new if new else 0.0)
                    ally_r[n] = g0 if keep else (best if new else -1)
                    ss_r[n] = ss_r[n] if keep else (t0 + q if new else -1)
                W_r[n] = Wn
                hold_r[n] = rules.holdup_left(hold)
                ten_r[n] = rules.next_tenure(renew, ten_r[n])
                orc[n] = rc
                olc[n] = renew
                ohl[n] = hL
            if rec >= 0:  # record the period
                record.d[rec, ro] = d_r
                record.W[rec, ro] = W_r
                record.ally[rec, ro] = ally_r
                record.pay[rec, ro] = pay_r
                record.spell_start[rec, ro] = ss_r
                record.tenure[rec, ro] = ten_r


_run_periods.__qualname__ = f"run_periods_{_RULES_DIGEST}"
#: The compiled kernel (see :func:`_run_periods` for its arguments).
run_periods: Any = _numba_njit(cache=True, nogil=True, error_model="numpy")(_run_periods)


def fused_step(
    state: SystemState,
    params: DynamicsParams,
    rng: np.random.Generator | None = None,
    *,
    v_scale: ArrayLike = 1.0,
    offer_rate: float = 1.0,
    w_levels: ArrayLike | None = None,
    w_probs: ArrayLike | None = None,
    shocks: Shocks | None = None,
) -> tuple[SystemState, StepEvents]:
    """``step`` (same arguments, same results bit for bit) through the compiled kernel.

    The kernel reads pre-drawn shocks here (``shocks.e_jump`` for every dyad) and knows
    the discrete regime law only: without ``w_levels``/``w_probs`` (the Beta law), or
    with jump normals streamed on demand (``shocks.jump_rngs``), this calls ``step``
    itself. (The engine calls the kernel with counter-based draws instead,
    :mod:`sidepay.sim.draws`; ``run_history(..., step_function=fused_step)`` feeds it
    those same numbers through ``Shocks``.)
    """
    R, K, N = state.shape
    if shocks is None:
        if rng is None:
            raise ValueError("fused_step needs an rng or pre-drawn shocks")
        shocks = draw_shocks(rng, R, K, N)
    if w_levels is None or w_probs is None:
        return step(state, params, shocks=shocks, v_scale=v_scale, offer_rate=offer_rate)
    if shocks.jump_rngs is not None:  # streamed on demand: numpy's business, not the kernel's
        return step(
            state, params, shocks=shocks, v_scale=v_scale, offer_rate=offer_rate,
            w_levels=w_levels, w_probs=w_probs,
        )  # fmt: skip
    if shocks.e_jump is None:
        raise ValueError("Shocks needs e_jump or jump_rngs")
    levels, cum = regime_law(w_levels, w_probs)

    def c(a: ArrayLike, dtype: type = np.float64) -> Any:
        return np.array(a, dtype=dtype, order="C")  # a fresh copy: the input stays intact

    work = KernelState(
        c(state.d), c(state.W), c(state.ally, np.int64), c(state.pay), c(state.need),
        c(state.spell_start, np.int64), c(state.holdup, np.int64), c(state.tenure),
    )  # fmt: skip
    rec = Record(
        np.empty((1, R, K, N)), np.empty((1, R, N)), np.empty((1, R, N), np.int8),
        np.empty((1, R, N)), np.empty((1, R, N), np.int32), np.empty((1, R, N), np.bool_),
        np.empty((1, R, N), np.bool_), np.empty((1, R, N)), np.empty((1, R, N)),
        np.empty((R, N), np.int8), np.empty((R, N)), np.empty((R, N), np.int32),
    )  # fmt: skip
    statics = Statics(
        c(state.x), c(state.sigma), c(state.T), c(state.B), c(state.Y), c(state.h),
        c(state.v), c(state.k),
    )  # fmt: skip
    draws = Draws(
        c(shocks.e_drift)[:, None], c(shocks.e_jump)[:, None], c(shocks.u_change)[:, None],
        c(shocks.u_offer)[:, None], c(np.broadcast_to(np.asarray(v_scale, np.float64), (1, K))),
    )  # fmt: skip
    law = WorldLaw(float(offer_rate), levels, cum)
    run_periods(
        work, statics, draws, NO_STREAM, kernel_params(params), law,
        Span(int(state.t), 0, 0), rec,
    )  # fmt: skip
    nxt = replace(state, **work._asdict(), t=state.t + 1)
    events = StepEvents(
        ally_prev=state.ally,
        ally=work.ally,
        pay_prev=state.pay,
        pay=work.pay,
        regime_change=rec.regime_change[0],
        leader_change=rec.leader_change[0],
        leader_hazard=rec.leader_hazard[0],
    )
    return nxt, events
