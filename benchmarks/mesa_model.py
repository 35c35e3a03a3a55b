"""The maintenance dynamics (THEORY 2.5) written as a Mesa 3 agent-based model.

This is the peer that ``bench_mesa.py`` times against sidepay's vectorized transition
(``sidepay.theory.dynamics.step``). The rules are the same, line for line: every small
state is a Mesa ``Agent`` that, once per period, draws its own shocks from the model's
generator and calls the theory's closed forms on scalars (``coalition_weight``,
``deficit``, ``patron_max_payment``, ``leader_hazard``; ``G = V - D`` as in
``rivals.max_offer``) for each great
power, then renegotiates, terminates, realigns or forms exactly as ``step`` does. One
Mesa model is one replication. What differs is only how the work is scheduled (agent by
agent, in Python, as Mesa runs models) and the random streams (so the two agree in
distribution, not draw for draw; fed the same pre-drawn ``Shocks`` they agree draw for
draw). Like the engine, an agent draws divergence-jump normals only in a period with a
regime or leader change.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

import mesa
import numpy as np
from scipy.special import betaincinv

from sidepay.theory.dynamics import Shocks, SystemState
from sidepay.theory.formation import coalition_weight, deficit, patron_max_payment
from sidepay.theory.leader import leader_hazard

EVENTS = (
    "formation",
    "termination",
    "realignment",
    "payment_increase",
    "payment_decrease",
    "regime_change",
    "leader_change",
)


class SmallState(mesa.Agent):
    """A small state with its relations to the K great powers (one replication)."""

    def __init__(self, model: AllianceModel, state: SystemState, r: int, n: int) -> None:
        super().__init__(model)
        K = state.shape[1]
        self.x = [float(state.x[r, g, n]) for g in range(K)]
        self.sigma = [float(state.sigma[r, g, n]) for g in range(K)]
        self.d = [float(state.d[r, g, n]) for g in range(K)]
        self.T = float(state.T[r, n])
        self.B = float(state.B[r, n])
        self.Y = float(state.Y[r, n])
        self.h = float(state.h[r, n])
        self.W = float(state.W[r, n])
        self.ally = int(state.ally[r, n])
        self.pay = float(state.pay[r, n])
        self.need = float(state.need[r, n])
        self.holdup = int(state.holdup[r, n])
        self.tenure = float(state.tenure[r, n])
        self.counts = dict.fromkeys(EVENTS, 0)
        self.index = n

    def step(self) -> None:
        m: AllianceModel = self.model
        p = m.params
        K = m.K
        if m.shocks is None:  # the agent's own draws, from the model's generator
            rng = m.rng
            e_drift = [float(rng.standard_normal()) for _ in range(K)]
            u = float(rng.random())
            u_offer = float(rng.random())
        else:  # pre-drawn shocks (period, then [0, g, n]): a draw-for-draw check
            sh = m.shocks[m.period]
            n = self.index
            e_drift = [float(sh.e_drift[0, g, n]) for g in range(K)]
            u = float(sh.u_change[0, n])
            u_offer = float(sh.u_offer[0, n])
        v_eff = [m.v[g] * m.v_scale[g] for g in range(K)]

        # 1. divergence drift
        d = [self.d[g] + (p.mu_d + p.s_d * e_drift[g]) for g in range(K)]

        # leader's extraction and hazard at the start of the period; instability shifts the
        # salience of concessions (leader.stability_salience, THEORY 2.5 step 5)
        rho = p.rho * (1.0 + p.stability_effect * self.h) if p.stability_effect else p.rho
        E = self.T + self.B
        ally0 = self.ally
        if ally0 >= 0:
            g = ally0
            lam0 = float(coalition_weight(self.W, rho, p.omega))
            cost0 = lam0 * min(max(d[g], 0.0), 1.0) * self.x[g] - self.sigma[g] * self.T
            E = E + cost0 - self.pay
        hL = float(leader_hazard(E, kappa=p.kappa, Y=self.Y, h0=p.h0, eta=p.eta, h_cap=p.h_cap))

        # 2-3. regime change, else leader change
        rc = u < self.h
        lc = (not rc) and u < self.h + (1.0 - self.h) * hL
        W_old = self.W
        W = W_old
        if rc:
            q = u / self.h  # the same uniform picks the new regime's W (inverse cdf)
            if m.w_cum is None:
                W = float(betaincinv(p.regime_w_a, p.regime_w_b, q))
            else:
                j = min(bisect.bisect_right(m.w_cum, q), len(m.w_cum) - 1)
                W = m.w_levels[j]
        s_l = p.s_l_small + (p.s_l_large - p.s_l_small) * W_old
        jump_sd = p.s_r if rc else (s_l if lc else 0.0)
        if rc or lc:  # jump normals only where a regime or leader changes, as the engine
            if m.shocks is None:
                e_jump = [float(m.rng.standard_normal()) for _ in range(K)]
            else:
                e_jump = [
                    float(v)
                    for v in m.shocks[m.period].jumps(np.array([0]), np.array([self.index]), K)[0]
                ]
            for g in range(K):
                d[g] += jump_sd * e_jump[g]
        for g in range(K):
            if p.mu_r > 0.0 and rc and g == ally0:
                d[g] += p.mu_r
            d[g] = min(max(d[g], 0.0), 1.0)
        holdup = p.holdup_periods if rc else self.holdup
        tenure = 0.0 if (rc or lc) else self.tenure + 1.0

        # 4. bargaining quantities per great power, from the theory's closed forms
        D, a_star, V, S, G = [], [], [], [], []
        for g in range(K):
            Dg = float(deficit(W, d[g], self.x[g], self.sigma[g], self.T, rho, p.omega))
            Vg = float(patron_max_payment(v_eff[g], self.x[g], m.k[g], self.sigma[g], self.T))
            D.append(Dg)
            a_star.append(max(Dg, 0.0))
            V.append(Vg)
            S.append(Vg - max(Dg, 0.0))
            # G_g = V_g - D_g, the rival's best offer (rivals.max_offer, with the same D)
            G.append(Vg - Dg if Vg - max(Dg, 0.0) >= 0.0 else -math.inf)
        rival = [max((G[j] for j in range(K) if j != g), default=-math.inf) for g in range(K)]
        beta = min(p.beta, p.beta_holdup) if holdup > 0 else p.beta
        target = [max(a_star[g] + (1.0 - beta) * S[g], rival[g] - p.psi + D[g]) for g in range(K)]

        # incumbent keeps (raising, or lowering with friction) or terminates
        keep = term = False
        pay_keep = need = 0.0
        if ally0 >= 0:
            g = ally0
            need = target[g]
            keep = S[g] >= 0.0 and need <= V[g]
            term = not keep
            if rc or lc:
                pay_keep = need
            elif need >= self.need:
                pay_keep = max(self.pay, need)
            else:
                pay_keep = self.pay - (1.0 - p.stickiness) * (self.pay - need)
            pay_keep = min(pay_keep, V[g])

        # realignment of a terminated alliance, formation for a non-aligned state
        score = [(-math.inf if (term and g == ally0) else G[g]) for g in range(K)]
        best = max(range(K), key=lambda g: (score[g], -g))  # first maximum, like argmax
        best_G = score[best]
        realign = term and best_G > 0.0
        form = ally0 < 0 and u_offer < m.offer_rate and math.isfinite(best_G)
        new = realign or form

        pay_prev = self.pay
        if keep:
            ally, pay = ally0, pay_keep
        elif new:
            # the Bertrand price (rivals.resolve_competition): leaving an incumbent that
            # still wants it, L must get the incumbent's best offer G_g plus psi
            second = rival[best]
            if term and S[ally0] >= 0.0:
                second = max(second, G[ally0] + p.psi)
            new_pay = min(max(a_star[best] + (1.0 - beta) * S[best], second + D[best]), V[best])
            ally, pay, need = best, new_pay, target[best]
        else:
            ally, pay, need = -1, 0.0, 0.0

        self.d, self.W, self.ally, self.pay, self.need = d, W, ally, pay, need
        self.holdup, self.tenure = max(holdup - 1, 0), tenure
        self.record(ally0, ally, pay_prev, pay, rc, rc or lc)

    def record(self, ally0: int, ally: int, pay0: float, pay: float, rc: bool, lc: bool) -> None:
        """Count the period's events as ``dynamics.dyad_events`` defines them."""
        if ally == ally0 >= 0:
            self.counts["payment_increase"] += int(pay > pay0)
            self.counts["payment_decrease"] += int(pay < pay0)
        if ally != ally0:
            if ally >= 0:
                self.counts["formation"] += 1
            if ally0 >= 0:
                self.counts["termination"] += 1
                if ally >= 0:
                    self.counts["realignment"] += 1
        self.counts["regime_change"] += int(rc)
        self.counts["leader_change"] += int(lc)


class AllianceModel(mesa.Model):
    """One replication of the world: N small-state agents, K great powers (attributes)."""

    def __init__(
        self,
        state: SystemState,
        params: Any,
        r: int,
        *,
        v_scale: list[list[float]] | None = None,
        offer_rate: float = 1.0,
        w_levels: list[float] | None = None,
        w_probs: list[float] | None = None,
        shocks: list[Shocks] | None = None,
        seed: int = 0,
    ) -> None:
        super().__init__(rng=np.random.default_rng(seed))
        self.shocks = shocks
        _, K, N = state.shape
        self.K = K
        self.params = params
        self.v = [float(v) for v in state.v]
        self.k = [float(k) for k in state.k]
        self.v_schedule = v_scale
        self.v_scale = [1.0] * K
        self.offer_rate = offer_rate
        self.w_levels = [float(w) for w in w_levels] if w_levels is not None else []
        self.w_cum: list[float] | None = None
        if w_levels is not None and w_probs is not None:
            total = float(sum(w_probs))
            self.w_cum = [float(c) / total for c in np.cumsum(w_probs)]
        self.period = 0
        for n in range(N):
            SmallState(self, state, r, n)

    def step(self) -> None:
        """One period: every small state moves once, in random order (Mesa's idiom)."""
        if self.v_schedule is not None:
            self.v_scale = self.v_schedule[self.period]
        self.agents.shuffle_do("step")
        self.period += 1
