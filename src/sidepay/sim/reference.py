"""A plain per-dyad Python loop of the maintenance rules (the engine's reference).

``reference_step`` plays exactly the rules of :func:`sidepay.theory.dynamics.step`, one
small state and one great power at a time, with Python floats. It is slow on purpose: the
tests check that the vectorized ``step`` and the compiled kernel (``sidepay.sim.kernel``)
give the same numbers, and ``benchmarks/bench_engine.py`` measures how much faster they
are. Pass it to
``run_history(..., step_function=reference_step)`` to run a whole world with it.

Examples
--------
>>> import numpy as np
>>> from sidepay.theory.dynamics import initial_state, draw_shocks, step
>>> from sidepay.theory.params import ModelParams
>>> s = initial_state(d=np.full((2, 2, 3), 0.3), W=0.5, x=0.5, sigma=0.5, T=0.1,
...                   v=[0.3, 0.2], k=0.5, B=0.2, Y=1.0, h=0.05)
>>> sh = draw_shocks(np.random.default_rng(0), 2, 2, 3)
>>> a, _ = step(s, ModelParams(), shocks=sh, offer_rate=0.5)
>>> b, _ = reference_step(s, ModelParams(), shocks=sh, offer_rate=0.5)
>>> bool((a.ally == b.ally).all() and (a.pay == b.pay).all() and (a.d == b.d).all())
True
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betaincinv

from sidepay.theory.dynamics import DynamicsParams, Shocks, StepEvents, SystemState, draw_shocks

__all__ = ["reference_step"]


def _new_W(
    q: float, p: DynamicsParams, levels: list[float] | None, probs: list[float] | None
) -> float:
    if levels is None or probs is None:
        return float(betaincinv(p.regime_w_a, p.regime_w_b, q))
    cum = np.cumsum(probs)
    cum = cum / cum[-1]
    for j, c in enumerate(cum):
        if q < c:
            return float(levels[j])
    return float(levels[-1])


def reference_step(
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
    """The rules of ``dynamics.step``, one dyad at a time (same arguments, same results)."""
    p = params
    R, K, N = state.shape
    if shocks is None:
        if rng is None:
            raise ValueError("reference_step needs an rng or pre-drawn shocks")
        shocks = draw_shocks(rng, R, K, N)
    vs = np.broadcast_to(np.asarray(v_scale, dtype=np.float64), (K,))
    v_eff = [float(state.v[g] * vs[g]) for g in range(K)]
    levels = None if w_levels is None else [float(w) for w in np.asarray(w_levels)]
    probs = None if w_probs is None else [float(q) for q in np.asarray(w_probs)]
    d_out = np.empty_like(state.d)
    out: dict[str, NDArray[Any]] = {
        name: np.empty((R, N), dtype=dtype)
        for name, dtype in (
            ("W", np.float64), ("ally", np.int64), ("pay", np.float64), ("need", np.float64),
            ("spell_start", np.int64), ("holdup", np.int64), ("tenure", np.float64),
            ("rc", np.bool_), ("lc", np.bool_), ("hL", np.float64),
        )
    }  # fmt: skip
    for r in range(R):
        for n in range(N):
            g0 = int(state.ally[r, n])
            allied = g0 >= 0
            h = float(state.h[r, n])
            W0 = float(state.W[r, n])
            T = float(state.T[r, n])
            pay0 = float(state.pay[r, n])
            d = [
                (p.s_d * float(shocks.e_drift[r, g, n]) + float(state.d[r, g, n])) + p.mu_d
                if p.mu_d != 0.0
                else p.s_d * float(shocks.e_drift[r, g, n]) + float(state.d[r, g, n])
                for g in range(K)
            ]
            rho = p.rho * (1.0 + p.stability_effect * h) if p.stability_effect else p.rho
            lam = rho * (p.omega + (1.0 - p.omega) * W0)
            E = T + float(state.B[r, n])
            if allied:
                d_i = min(max(d[g0], 0.0), 1.0)
                cost = lam * d_i * float(state.x[r, g0, n]) - float(state.ST[r, g0, n])
                E = E + cost - pay0
            e = max(E, 0.0)
            hL = min(p.h0 + p.eta * (e * e / (2.0 * p.kappa * float(state.Y[r, n]))), p.h_cap)
            u = float(shocks.u_change[r, n])
            rc = u < h
            lc = (u < h + (1.0 - h) * hL) and not rc
            W = _new_W(u / h, p, levels, probs) if rc else W0
            if rc:
                lam = rho * (p.omega + (1.0 - p.omega) * W)
            jump_sd = p.s_r if rc else (
                p.s_l_small + (p.s_l_large - p.s_l_small) * W0 if lc else 0.0
            )  # fmt: skip
            renew = rc or lc
            if renew:  # jump normals: K per state with a change (Shocks.jumps)
                if shocks.jump_rngs is not None:
                    z = [float(v) for v in shocks.jump_rngs[r].standard_normal(K)]
                else:
                    z = [float(shocks.e_jump[r, g, n]) for g in range(K)]  # type: ignore[index]
            for g in range(K):
                if renew:
                    d[g] = d[g] + jump_sd * z[g]
                if rc and allied and g == g0 and p.mu_r > 0.0:
                    d[g] = d[g] + p.mu_r
                d[g] = min(max(d[g], 0.0), 1.0)
            holdup = p.holdup_periods if rc else int(state.holdup[r, n])
            beta = min(p.beta, p.beta_holdup) if holdup > 0 else p.beta
            D, a_star, V, S, G, need_all = [], [], [], [], [], []
            for g in range(K):
                Dg = lam * d[g] * float(state.x[r, g, n]) - float(state.ST[r, g, n])
                ag = max(Dg, 0.0)
                Vg = v_eff[g] * float(state.x[r, g, n]) - float(state.kST[r, g, n])
                Sg = Vg - ag
                D.append(Dg)
                a_star.append(ag)
                V.append(Vg)
                S.append(Sg)
                G.append(Vg - Dg if Sg >= 0.0 else -math.inf)
            rival = [max([G[o] for o in range(K) if o != g], default=-math.inf) for g in range(K)]
            for g in range(K):
                need_all.append(max((1.0 - beta) * S[g] + a_star[g], D[g] + rival[g] - p.psi))
            keep = False
            pay_keep = need = 0.0
            if allied:
                need = need_all[g0]
                keep = S[g0] >= 0.0 and need <= V[g0]
                if renew:
                    pay_keep = need
                elif need >= float(state.need[r, n]):
                    pay_keep = max(pay0, need)
                else:
                    pay_keep = pay0 - (1.0 - p.stickiness) * (pay0 - need)
                pay_keep = min(pay_keep, V[g0])
            term = allied and not keep
            score = [(-math.inf if (term and g == g0) else G[g]) for g in range(K)]
            best = max(range(K), key=lambda g: (score[g], -g))
            best_G = score[best]
            realign = term and best_G > 0.0
            form = (not allied) and float(shocks.u_offer[r, n]) < offer_rate and best_G > -math.inf
            if keep:
                ally, pay, need_next, start = g0, pay_keep, need, int(state.spell_start[r, n])
            elif realign or form:
                first = a_star[best] + (1.0 - beta) * (V[best] - a_star[best])
                # the Bertrand price: beat the best other offer and, leaving an incumbent
                # that still wants L (S_g >= 0), its best offer G_g plus the switching cost
                second = rival[best]
                if term and S[g0] >= 0.0:
                    second = max(second, G[g0] + p.psi)
                pay = min(max(first, second + D[best]), V[best])
                ally, need_next, start = best, need_all[best], state.t
            else:
                ally, pay, need_next, start = -1, 0.0, 0.0, -1
            d_out[r, :, n] = d
            for name, value in (
                ("W", W), ("ally", ally), ("pay", pay), ("need", need_next),
                ("spell_start", start), ("holdup", max(holdup - 1, 0)),
                ("tenure", 0.0 if renew else float(state.tenure[r, n]) + 1.0),
                ("rc", rc), ("lc", renew), ("hL", hL),
            ):  # fmt: skip
                out[name][r, n] = value
    nxt = replace(
        state,
        d=d_out,
        W=out["W"],
        ally=out["ally"],
        pay=out["pay"],
        need=out["need"],
        spell_start=out["spell_start"],
        holdup=out["holdup"],
        tenure=out["tenure"],
        t=state.t + 1,
    )
    return nxt, StepEvents(
        ally_prev=state.ally,
        ally=out["ally"],
        pay_prev=state.pay,
        pay=out["pay"],
        regime_change=out["rc"],
        leader_change=out["lc"],
        leader_hazard=out["hL"],
    )
