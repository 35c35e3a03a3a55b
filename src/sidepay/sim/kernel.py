"""The maintenance rules as one fused, compiled loop (numba): the engine's fast path.

:func:`run_periods` plays the rules of :func:`sidepay.theory.dynamics.step` for a block of
replications over many periods in one pass per small state: each (replication, period,
small state) loads its ``K`` divergences once, computes everything in one pass and writes
the results, where the numpy ``step`` makes about 25 array passes per dyad. It consumes
shocks pre-drawn with the numpy Generator and draws the jump normals on demand from the
replication's Generator, in ``step``'s order (so seeds, streams and output bytes are those
of ``step``), and reproduces ``step`` bit for bit: same operations in the same order, no
fast-math (no reassociation, no fused multiply-add), and numpy's tie rules for ``maximum``
(``b`` when ``a == b``), ``minimum`` and ``clip`` (inputs are never NaN: parameters and
worlds are validated). The tests check identity to ``step`` over random parameters,
states and whole runs, down to the sign of zero.

``fused_step`` wraps the kernel in ``step``'s signature (one period); ``run_history``
calls :func:`run_periods` directly, once per block of replications. ``step`` stays the
public, documented transition of the theory; this module is an implementation of it.

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

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
from numba import njit as _numba_njit
from numpy.typing import ArrayLike, NDArray

from sidepay.theory.dynamics import (
    DynamicsParams,
    Shocks,
    StepEvents,
    SystemState,
    draw_shocks,
    step,
)

__all__ = ["fused_step", "param_vector", "regime_law", "run_periods"]

#: numba's decorator, typed loosely: the compiled functions take arrays of any layout.
njit: Callable[..., Any] = _numba_njit

#: Order of the float parameters in the vector the kernel reads (``param_vector``).
PARAM_ORDER = (
    "rho", "omega", "beta", "psi", "kappa", "h0", "eta", "h_cap", "mu_d", "s_d", "mu_r",
    "s_r", "s_l_small", "s_l_large", "beta_holdup", "stickiness", "stability_effect",
)  # fmt: skip


def param_vector(params: DynamicsParams, offer_rate: float) -> NDArray[np.float64]:
    """The float parameters in ``PARAM_ORDER`` followed by ``offer_rate``.

    Examples
    --------
    >>> from sidepay.theory.params import ModelParams
    >>> v = param_vector(ModelParams(), 0.25)
    >>> len(v) == len(PARAM_ORDER) + 1, float(v[-1])
    (True, 0.25)
    """
    values = [float(getattr(params, name)) for name in PARAM_ORDER]
    return np.array([*values, float(offer_rate)], dtype=np.float64)


def regime_law(
    w_levels: ArrayLike, w_probs: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The discrete law of W after a regime change as (levels, normalized cdf), computed as
    ``step`` computes it.

    Examples
    --------
    >>> lv, cum = regime_law([0.0, 1.0], [1.0, 3.0])
    >>> lv.tolist(), cum.tolist()
    ([0.0, 1.0], [0.25, 1.0])
    """
    cum = np.cumsum(np.asarray(w_probs, dtype=np.float64))
    return np.array(w_levels, dtype=np.float64, order="C"), cum / cum[-1]


@njit(cache=True, nogil=True)
def _max(a: float, b: float) -> float:  # np.maximum without NaNs: b on a tie
    return a if a > b else b


@njit(cache=True, nogil=True)
def _min(a: float, b: float) -> float:  # np.minimum without NaNs: b on a tie
    return a if a < b else b


@njit(cache=True, nogil=True)
def _clip01(a: float) -> float:  # np.clip(a, 0, 1): a itself on a tie
    if a < 0.0:
        return 0.0
    if a > 1.0:
        return 1.0
    return a


@njit(cache=True, nogil=True, error_model="numpy")
def run_periods(
    d, W, ally, pay, need, spell_start, holdup, tenure,  # state, updated in place
    x, sigma, T, B, Y, h, v, k,  # static primitives
    e_drift, e_jump, u_change, u_offer, v_scale,  # shocks (R, P, ...) and epochs (P, K)
    jump_rng, draw_jumps,  # jump normals: from jump_rng (R = 1) if draw_jumps, else e_jump
    prm, holdup_periods, w_levels, w_cum, t0, burn_in, r_off,
    out_d, out_W, out_ally, out_pay, out_ss, out_rc, out_lc, out_hl, out_ten,
    init_ally, init_pay, init_ss,
):  # fmt: skip
    """Play periods ``t0 .. t0 + P - 1`` for replications ``0 .. R - 1`` of a block.

    State arrays (``d`` (R, K, N); the others (R, N)) hold the state before the first
    period and are left holding the state after the last. Period ``p >= burn_in`` is
    recorded at ``out_*[p - burn_in, r_off + r]``; the state before period ``burn_in`` at
    ``init_*[r_off + r]``. ``prm`` is :func:`param_vector`. With ``draw_jumps`` the jump
    normals are drawn on demand from the numpy Generator ``jump_rng`` (numba runs numpy's
    own algorithm on its bit generator: the same numbers, and the generator advances),
    ``K`` per state with a regime or leader change, in the order of ``Shocks.jumps``;
    then ``R`` must be 1 and ``e_jump`` is not read. Otherwise they are read from
    ``e_jump`` (R, P, K, N).
    """
    R, K, N = d.shape
    P = e_drift.shape[1]
    L = w_levels.shape[0]
    rho0, omega, beta_p, psi, kappa = prm[0], prm[1], prm[2], prm[3], prm[4]
    h0, eta, h_cap, mu_d, s_d = prm[5], prm[6], prm[7], prm[8], prm[9]
    mu_r, s_r, s_l_small, s_l_large = prm[10], prm[11], prm[12], prm[13]
    beta_holdup, stickiness, stab, offer_rate = prm[14], prm[15], prm[16], prm[17]
    beta_low = beta_p if beta_p <= beta_holdup else beta_holdup  # Python's min()
    ninf = -np.inf
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
        for p in range(P):
            rec = p - burn_in
            ed, uc, uo = e_drift[r, p], u_change[r, p], u_offer[r, p]
            ej = e_jump[0, 0] if draw_jumps else e_jump[r, p]
            if rec >= 0:
                orc, olc, ohl = out_rc[rec, ro], out_lc[rec, ro], out_hl[rec, ro]
            else:  # burn-in: not recorded
                orc, olc, ohl = scratch_rc, scratch_lc, scratch_hl
            for g in range(K):
                ve[g] = v[g] * v_scale[p, g]
            if p == burn_in:
                for n in range(N):
                    init_ally[ro, n] = ally_r[n]
                    init_pay[ro, n] = pay_r[n]
                    init_ss[ro, n] = ss_r[n]
            for n in range(N):
                g0 = ally_r[n]
                allied = g0 >= 0
                hn = h_r[n]
                Tn = T_r[n]
                W0 = W_r[n]
                pay0 = pay_r[n]
                # 1. divergence drift
                for g in range(K):
                    a = s_d * ed[g, n] + d_r[g, n]
                    if mu_d != 0.0:
                        a += mu_d
                    dd[g] = a
                # the leader's extraction and hazard at the start of the period
                rho = rho0 * (1.0 + stab * hn) if stab != 0.0 else rho0
                lam = rho * (omega + (1.0 - omega) * W0)
                E = Tn + B_r[n]
                if allied:
                    cost = lam * _clip01(dd[g0]) * x_r[g0, n] - sigma_r[g0, n] * Tn
                    E = E + cost - pay0
                Em = _max(E, 0.0)
                hL = _min(h0 + eta * (Em * Em / (2.0 * kappa * Y_r[n])), h_cap)
                # 2-3. regime change, else leader change (one uniform)
                u = uc[n]
                rc = u < hn
                lc = (u < hn + (1.0 - hn) * hL) and not rc
                Wn = W0
                if rc:
                    q = u / hn
                    i = 0
                    while i < L and w_cum[i] <= q:
                        i += 1
                    Wn = w_levels[i if i < L - 1 else L - 1]
                    lam = rho * (omega + (1.0 - omega) * Wn)
                s_l = s_l_small + (s_l_large - s_l_small) * W0
                jump_sd = s_r if rc else (s_l if lc else 0.0)
                hold = holdup_periods if rc else hold_r[n]
                renew = rc or lc
                beta = beta_low if hold > 0 else beta_p
                if renew:
                    for g in range(K):
                        e = jump_rng.standard_normal() if draw_jumps else ej[g, n]
                        a = dd[g] + jump_sd * e
                        if rc and mu_r > 0.0 and g == g0:
                            a += mu_r
                        dd[g] = _clip01(a)
                        d_r[g, n] = dd[g]
                else:
                    for g in range(K):
                        dd[g] = _clip01(dd[g])
                        d_r[g, n] = dd[g]
                if not allied and not uo[n] < offer_rate:
                    # no alliance and no offer: nothing to bargain over this period
                    ally_r[n] = -1
                    pay_r[n] = 0.0
                    need_r[n] = 0.0
                    ss_r[n] = -1
                else:
                    # 4. bargaining quantities for every dyad, and the two best offers G
                    top1 = ninf  # largest G (first such power: i1), then the runner-up
                    top2 = ninf
                    i1 = 0
                    i2 = 0
                    for g in range(K):
                        dg = dd[g]
                        xg = x_r[g, n]
                        ST = sigma_r[g, n] * Tn
                        D = lam * dg * xg - ST
                        a_s = _max(D, 0.0)
                        V = ve[g] * xg - k[g] * ST
                        S = V - a_s
                        G = V - D if S >= 0.0 else ninf
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
                    need_i = _max((1.0 - beta) * Sg[gi] + ag[gi], Dg[gi] + rival_i - psi)
                    keep = allied & (Sg[gi] >= 0.0) & (need_i <= V_i)
                    fall = pay0 - (1.0 - stickiness) * (pay0 - need_i)
                    pay_keep = _max(pay0, need_i) if need_i >= need_r[n] else fall
                    pay_keep = _min(need_i if renew else pay_keep, V_i)
                    term = allied & (not keep)
                    # realignment of terminated alliances (not back to the old patron),
                    # formation offers to the non-aligned: the first power with the best G
                    excl = term & (g0 == i1)
                    best = i2 if excl else i1
                    best_G = top2 if excl else top1
                    new = (term & (best_G > 0.0)) | (
                        (not allied) & (uo[n] < offer_rate) & (best_G > ninf)
                    )
                    rival = top2 if best == i1 else top1
                    D_b = Dg[best]
                    a_b = ag[best]
                    V_b = Vg[best]
                    first = a_b + (1.0 - beta) * (V_b - a_b)
                    # Bertrand price: a viable incumbent's best offer G_g plus psi, too
                    second = rival
                    if term and Sg[gi] >= 0.0:
                        second = _max(rival, (V_i - Dg[gi]) + psi)
                    pay_new = _min(_max(first, second + D_b), V_b)
                    need_new = _max((1.0 - beta) * Sg[best] + a_b, D_b + rival - psi)
                    pay_r[n] = pay_keep if keep else (pay_new if new else 0.0)
                    need_r[n] = need_i if keep else (need_new if new else 0.0)
                    ally_r[n] = g0 if keep else (best if new else -1)
                    ss_r[n] = ss_r[n] if keep else (t0 + p if new else -1)
                W_r[n] = Wn
                hold_r[n] = hold - 1 if hold > 1 else 0
                ten_r[n] = 0.0 if renew else ten_r[n] + 1.0
                orc[n] = rc
                olc[n] = renew
                ohl[n] = hL
            if rec >= 0:  # record the period
                out_d[rec, ro] = d_r
                out_W[rec, ro] = W_r
                out_ally[rec, ro] = ally_r
                out_pay[rec, ro] = pay_r
                out_ss[rec, ro] = ss_r
                out_ten[rec, ro] = ten_r


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

    The kernel knows the discrete regime law only: without ``w_levels``/``w_probs`` (the
    Beta law) this calls ``step`` itself, as it does for jump normals drawn on demand
    (``shocks.jump_rngs``) with more than one replication (the kernel draws from one
    stream per call; the engine calls it once per replication).
    """
    R, K, N = state.shape
    if shocks is None:
        if rng is None:
            raise ValueError("fused_step needs an rng or pre-drawn shocks")
        shocks = draw_shocks(rng, R, K, N)
    if w_levels is None or w_probs is None:
        return step(state, params, shocks=shocks, v_scale=v_scale, offer_rate=offer_rate)
    levels, cum = regime_law(w_levels, w_probs)
    if shocks.jump_rngs is not None and R != 1:  # the kernel draws from one stream per call
        return step(
            state, params, shocks=shocks, v_scale=v_scale, offer_rate=offer_rate,
            w_levels=w_levels, w_probs=w_probs,
        )  # fmt: skip

    def c(a: ArrayLike, dtype: type = np.float64) -> Any:
        return np.array(a, dtype=dtype, order="C")  # a fresh copy: the input stays intact

    draw = shocks.jump_rngs is not None
    if draw:
        jump_rng, jumps = shocks.jump_rngs[0], np.zeros((1, K, N))  # type: ignore[index]
    elif shocks.e_jump is None:
        raise ValueError("Shocks needs e_jump or jump_rngs")
    else:
        jump_rng, jumps = np.random.default_rng(0), c(shocks.e_jump)  # not drawn from

    work: dict[str, Any] = {
        "d": c(state.d), "W": c(state.W), "ally": c(state.ally, np.int64),
        "pay": c(state.pay), "need": c(state.need),
        "spell_start": c(state.spell_start, np.int64), "holdup": c(state.holdup, np.int64),
        "tenure": c(state.tenure),
    }  # fmt: skip
    out: dict[str, Any] = {
        "d": np.empty((1, R, K, N)), "W": np.empty((1, R, N)),
        "ally": np.empty((1, R, N), np.int8), "pay": np.empty((1, R, N)),
        "ss": np.empty((1, R, N), np.int32), "rc": np.empty((1, R, N), np.bool_),
        "lc": np.empty((1, R, N), np.bool_), "hl": np.empty((1, R, N)),
        "ten": np.empty((1, R, N)),
    }  # fmt: skip
    init = (np.empty((R, N), np.int8), np.empty((R, N)), np.empty((R, N), np.int32))
    vs = c(np.broadcast_to(np.asarray(v_scale, np.float64), (1, K)))
    run_periods(
        *work.values(),
        c(state.x), c(state.sigma), c(state.T), c(state.B), c(state.Y), c(state.h),
        c(state.v), c(state.k),
        c(shocks.e_drift)[:, None], jumps[:, None],
        c(shocks.u_change)[:, None], c(shocks.u_offer)[:, None], vs, jump_rng, draw,
        param_vector(params, offer_rate), int(params.holdup_periods), levels, cum,
        int(state.t), 0, 0,
        *out.values(), *init,
    )  # fmt: skip
    nxt = replace(state, **work, t=state.t + 1)
    events = StepEvents(
        ally_prev=state.ally,
        ally=work["ally"],
        pay_prev=state.pay,
        pay=work["pay"],
        regime_change=out["rc"][0],
        leader_change=out["lc"][0],
        leader_hazard=out["hl"][0],
    )
    return nxt, events
