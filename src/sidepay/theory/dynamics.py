"""Maintenance dynamics (THEORY 2.5): the one-period transition of a whole system.

Every array is vectorized over (replication, great power, small state): dyad arrays have
shape ``(R, K, N)``, small-state arrays ``(R, N)``, great-power arrays ``(K,)``. A small
state is allied with at most one great power at a time (``ally`` holds its index, ``-1`` for
non-aligned). Pure numpy, no I/O; randomness comes only from the ``rng`` (or the pre-drawn
``shocks``) passed in. ``step`` is the public, documented transition; the simulation
engine runs a compiled loop (``sidepay.sim.kernel``) over the same rules, which are
written once, as scalar functions, in :mod:`sidepay.theory.rules`: ``step`` calls them on
arrays, the kernel compiles them. Both give the same results bit for bit (tested).

One period, in order:

1. divergence drifts, ``d = clip(d + mu_d + s_d e, 0, 1)``; epochs scale ``v_g``
   (``v_scale``);
2. regime change with probability ``h``: ``W`` redrawn from the regime law, divergence
   jumps by ``s_r e`` (``e`` standard normal per great power, drawn only for states with a
   change, see ``Shocks``) plus ``mu_r`` away from the incumbent patron (the divergence to
   the patron it is allied with rises by ``mu_r``), the leader is replaced and the
   patron's bargaining weight falls to ``min(beta, beta_holdup)`` for ``holdup_periods``
   periods (its sunk investments can be held up);
3. leadership change alone with probability ``(1 - h) h_L``, ``h_L = h0 + eta c(E)``
   from the leader's extraction ``E`` (2.2): divergence jumps by ``s_l(W) e``;
4. renegotiation: the incumbent pays ``max(a* + (1 - beta) S, G_rival - psi + D)``
   (2.3-2.4) while that is within its maximum ``v x - k sigma T``, else the alliance
   terminates and the state realigns to the rival with the largest positive offer ``G_r``
   or stays non-aligned. The new patron pays the Bertrand price of
   ``sidepay.theory.rivals.resolve_competition``, ``D_r + max(G_g + psi, G_other)`` when
   L leaves an incumbent that still wants it (``S_g >= 0``: L gives up the incumbent's
   best offer ``G_g`` and pays the switching cost), ``D_r + max(G_other, 0)`` when the
   incumbent walked away or L was non-aligned (no ``psi``); never less than its
   bargaining payment ``a* + (1 - beta) S``, never more than its maximum ``V_r``. A
   payment falls only when the requirement fell, and then only by ``1 - stickiness`` of
   the gap; deals are leader-specific, so after a regime or leader change they are
   renegotiated from scratch. Non-aligned states get formation offers with probability
   ``offer_rate`` and take the best feasible one;
5. stability: the salience of concessions is ``rho (1 + stability_effect h)``
   (``sidepay.theory.rules.concession_salience``), so the sign of ``stability_effect``
   decides whether instability raises or lowers the price.

Examples
--------
>>> import numpy as np
>>> from sidepay.theory.params import ModelParams
>>> rng = np.random.default_rng(0)
>>> s = initial_state(d=np.full((1, 2, 3), 0.3), W=np.full((1, 3), 0.5), x=0.5, sigma=0.5,
...                   T=0.1, v=[1.0, 0.8], k=0.5, B=0.2, Y=1.0, h=0.05)
>>> s2, ev = step(s, ModelParams(), rng, offer_rate=1.0)
>>> ev.ally.shape, int((ev.ally >= 0).sum())
((1, 3), 3)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sidepay.theory import rules, rules_maintenance
from sidepay.theory.dyad_arrays import _best_other, _flat_base, _flat_index, _take
from sidepay.theory.params import ModelParams
from sidepay.theory.regimes import _regime_W

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

__all__ = [
    "DynamicsParams",
    "Shocks",
    "StepEvents",
    "SystemState",
    "draw_shocks",
    "dyad_events",
    "initial_state",
    "step",
]


#: What ``step`` reads its parameters from: the model's parameters. The compiled kernel
#: reads a namedtuple with the same field names (``sidepay.sim.kernel.kernel_params``).
DynamicsParams: TypeAlias = ModelParams


@dataclass(frozen=True)
class SystemState:
    """The system at the start of a period (arrays are never modified in place by ``step``).

    Static primitives: ``x``, ``sigma`` (R, K, N); ``T``, ``B``, ``Y``, ``h`` (R, N);
    ``v``, ``k`` (K,) (``v`` before epoch scaling). Dynamic: ``d`` (R, K, N); ``W``,
    ``ally`` (patron index or -1), ``pay`` (side payment), ``need`` (the payment the
    incumbent had to offer last period), ``spell_start`` (period of formation, -1 if none),
    ``holdup`` (hold-up periods left), ``tenure`` (years the leader has served) (R, N);
    ``t`` the period about to be played.
    """

    x: FloatArray
    sigma: FloatArray
    T: FloatArray
    B: FloatArray
    Y: FloatArray
    h: FloatArray
    v: FloatArray
    k: FloatArray
    d: FloatArray
    W: FloatArray
    ally: IntArray
    pay: FloatArray
    need: FloatArray
    spell_start: IntArray
    holdup: IntArray
    tenure: FloatArray
    t: int = 0
    ST: FloatArray = field(default=None, repr=False)  # type: ignore[arg-type]
    kST: FloatArray = field(default=None, repr=False)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        # static products, computed once and carried along by ``replace``
        if self.ST is None:
            object.__setattr__(self, "ST", rules.protected_threat(self.sigma, self.T[:, None, :]))
        if self.kST is None:
            object.__setattr__(self, "kST", rules.protection_cost(self.k[None, :, None], self.ST))

    @property
    def shape(self) -> tuple[int, int, int]:
        """(R, K, N): replications, great powers, small states."""
        R, K, N = self.d.shape
        return R, K, N


@dataclass(frozen=True)
class Shocks:
    """One period's random draws: standard normals ``e_drift`` (R, K, N), uniforms
    ``u_change`` (regime change, its new W, leader change) and ``u_offer`` (R, N), and the
    standard normals of the divergence jumps.

    Jumps are used only where a regime or leader changes (about a fifth of the states a
    year), so they come either pre-drawn for every dyad, ``e_jump`` (R, K, N) (entries
    of states without a change are ignored), or on demand, ``jump_rngs``: one generator
    per replication, from which ``step`` draws ``K`` normals (great powers in order) for
    each state with a change, states in increasing order. The engine uses the second form
    (the generator of replication ``r`` is its own stream), which saves most of the jump
    draws; both forms give the same results from the same normals.
    """

    e_drift: FloatArray
    e_jump: FloatArray | None
    u_change: FloatArray
    u_offer: FloatArray
    jump_rngs: tuple[np.random.Generator, ...] | None = None

    def jumps(self, rows: IntArray, cols: IntArray, K: int) -> FloatArray:
        """The jump normals (len(rows), K) of the states (rows, cols), listed row-major.

        Examples
        --------
        >>> sh = Shocks(np.zeros((2, 1, 3)), None, np.zeros((2, 3)), np.zeros((2, 3)),
        ...             jump_rngs=(np.random.default_rng(0), np.random.default_rng(1)))
        >>> e = sh.jumps(np.array([0, 1, 1]), np.array([2, 0, 1]), 1)
        >>> e[1:, 0].tolist() == np.random.default_rng(1).standard_normal(2).tolist()
        True
        """
        if self.jump_rngs is None:
            if self.e_jump is None:
                raise ValueError("Shocks needs e_jump or jump_rngs")
            return np.asarray(self.e_jump[rows, :, cols], dtype=np.float64)
        counts = np.bincount(rows, minlength=len(self.jump_rngs))
        per_rep = zip(self.jump_rngs, counts, strict=True)
        parts = [g.standard_normal((int(c), K)) for g, c in per_rep if c]
        return np.concatenate(parts) if parts else np.empty((0, K))


@dataclass(frozen=True)
class StepEvents:
    """What happened in one period, per small state (R, N).

    ``ally_prev``/``ally`` and ``pay_prev``/``pay`` bracket renegotiation; dyad-level
    events (formation, termination, realignment, payment changes) follow from them through
    :func:`dyad_events`. ``leader_hazard`` is the true h_L the leader faced.
    """

    ally_prev: IntArray
    ally: IntArray
    pay_prev: FloatArray
    pay: FloatArray
    regime_change: BoolArray
    leader_change: BoolArray
    leader_hazard: FloatArray

    def dyads(self, K: int) -> dict[str, NDArray[np.generic]]:
        """Dyad-level event arrays of shape (R, K, N); see :func:`dyad_events`."""
        return dyad_events(self.ally_prev, self.ally, self.pay_prev, self.pay, K)


def initial_state(
    d: ArrayLike,
    W: ArrayLike,
    x: ArrayLike,
    sigma: ArrayLike,
    T: ArrayLike,
    v: ArrayLike,
    k: ArrayLike,
    B: ArrayLike,
    Y: ArrayLike,
    h: ArrayLike,
) -> SystemState:
    """A non-aligned system at period 0; scalars broadcast to the shapes of ``d`` (R, K, N).

    Examples
    --------
    >>> s = initial_state(d=np.zeros((2, 1, 4)), W=0.5, x=1, sigma=0, T=0, v=1, k=0,
    ...                   B=0, Y=1, h=0)
    >>> s.shape, s.W.shape, int(s.ally.min())
    ((2, 1, 4), (2, 4), -1)
    """
    d_arr = np.array(d, dtype=np.float64)
    if d_arr.ndim != 3:
        raise ValueError("d must have shape (R, K, N)")
    R, K, N = d_arr.shape

    def per_dyad(a: ArrayLike) -> FloatArray:
        return np.ascontiguousarray(np.broadcast_to(np.asarray(a, np.float64), (R, K, N)))

    def per_state(a: ArrayLike) -> FloatArray:
        return np.ascontiguousarray(np.broadcast_to(np.asarray(a, np.float64), (R, N)))

    def per_power(a: ArrayLike) -> FloatArray:
        return np.ascontiguousarray(np.broadcast_to(np.asarray(a, np.float64), (K,)))

    return SystemState(
        x=per_dyad(x),
        sigma=per_dyad(sigma),
        T=per_state(T),
        B=per_state(B),
        Y=per_state(Y),
        h=per_state(h),
        v=per_power(v),
        k=per_power(k),
        d=d_arr,
        W=per_state(W),
        ally=np.full((R, N), -1, dtype=np.int64),
        pay=np.zeros((R, N)),
        need=np.zeros((R, N)),
        spell_start=np.full((R, N), -1, dtype=np.int64),
        holdup=np.zeros((R, N), dtype=np.int64),
        tenure=np.zeros((R, N)),
        t=0,
    )


def draw_shocks(rng: np.random.Generator, R: int, K: int, N: int) -> Shocks:
    """Draw one period's shocks for the whole system from one generator.

    Examples
    --------
    >>> sh = draw_shocks(np.random.default_rng(1), 2, 3, 4)
    >>> sh.e_drift.shape, sh.u_offer.shape
    ((2, 3, 4), (2, 4))
    """
    return Shocks(
        e_drift=rng.standard_normal((R, K, N)),
        e_jump=rng.standard_normal((R, K, N)),
        u_change=rng.random((R, N)),
        u_offer=rng.random((R, N)),
    )


def dyad_events(
    ally_prev: ArrayLike, ally: ArrayLike, pay_prev: ArrayLike, pay: ArrayLike, K: int
) -> dict[str, NDArray[np.generic]]:
    """Dyad events from alliance and payment before/after renegotiation.

    Works on any leading shape ``(..., N)`` and returns arrays of shape ``(..., K, N)``:
    ``allied`` (in force at some point of the period), ``payment`` (paid this period: the
    last payment in a termination year), ``formation``, ``termination``, ``realignment``
    (terminated and allied with another patron in the same period), ``payment_increase``
    and ``payment_decrease`` (continuing alliances only).

    Examples
    --------
    >>> ev = dyad_events([0, 1], [1, 1], [0.2, 0.3], [0.1, 0.4], K=2)
    >>> ev["realignment"].tolist(), ev["payment_increase"].tolist()
    ([[1, 0], [0, 0]], [[0, 0], [0, 1]])
    """
    a0 = np.asarray(ally_prev)[..., None, :]
    a1 = np.asarray(ally)[..., None, :]
    p0 = np.asarray(pay_prev, dtype=np.float64)[..., None, :]
    p1 = np.asarray(pay, dtype=np.float64)[..., None, :]
    g = np.arange(K).reshape(K, 1)
    was = a0 == g
    now = a1 == g
    keep = was & now
    term = was & ~now
    return {
        "allied": (was | now).astype(np.int8),
        "payment": np.where(now, p1, np.where(was, p0, 0.0)),
        "formation": (now & ~was).astype(np.int8),
        "termination": term.astype(np.int8),
        "realignment": (term & (a1 >= 0)).astype(np.int8),
        "payment_increase": (keep & (p1 > p0)).astype(np.int8),
        "payment_decrease": (keep & (p1 < p0)).astype(np.int8),
    }


def step(
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
    """Play one period of maintenance for every (replication, great power, small state).

    Parameters
    ----------
    state : the system at the start of the period.
    params : model parameters (``ModelParams``).
    rng : numpy Generator for this period's shocks (ignored when ``shocks`` is given).
    v_scale : (K,) epoch multipliers of the great powers' valuations ``v``.
    offer_rate : probability that a non-aligned state receives formation offers.
    w_levels, w_probs : discrete law of W after a regime change; default Beta
        (``regime_w_a``, ``regime_w_b``).
    shocks : pre-drawn shocks (the engine draws them per replication stream).

    Returns
    -------
    (next state, StepEvents)

    Examples
    --------
    >>> from sidepay.theory.params import ModelParams
    >>> s = initial_state(d=np.full((1, 1, 2), [[[0.1, 0.9]]]), W=1.0, x=1.0, sigma=0.0,
    ...                   T=0.0, v=0.5, k=0.0, B=0.2, Y=1.0, h=0.0)
    >>> p = ModelParams(s_d=0.0, h0=0.0, eta=0.0)
    >>> s1, ev = step(s, p, np.random.default_rng(0))
    >>> ev.ally.tolist(), np.round(ev.pay, 3).tolist()
    ([[0, -1]], [[0.1, 0.0]])
    """
    R, K, N = state.shape
    if shocks is None:
        if rng is None:
            raise ValueError("step needs an rng or pre-drawn shocks")
        shocks = draw_shocks(rng, R, K, N)
    p = params
    v_eff = rules.epoch_value(state.v, np.broadcast_to(np.asarray(v_scale, np.float64), (K,)))
    ally0 = state.ally
    allied0 = ally0 >= 0
    idx0 = _flat_index(ally0, R, K, N)

    # 1. divergence drift
    d = rules.drifted(state.d, shocks.e_drift, p)

    # the leader's extraction E (2.2) and hazard h_L at the start of the period
    rho = rules.concession_salience(state.h, p)
    lam = rules.concession_weight(state.W, rho, p)
    E = rules.base_extraction(state.T, state.B)
    if allied0.any():
        D_i = rules.dyad_deficit(
            lam, rules.clip01(_take(d, idx0)), _take(state.x, idx0), _take(state.ST, idx0)
        )
        E = np.where(allied0, rules.allied_extraction(E, D_i, state.pay), E)
    with np.errstate(over="ignore"):  # an astronomically large E: the cap binds
        hL = rules.deposition_hazard(E, state.Y, p)

    # 2-3. regime change, else leader change; one uniform decides both (and the new W).
    # Subsets are handled through integer indices: boolean masks are slow on big arrays.
    u = shocks.u_change
    rc = rules.regime_changes(u, state.h)
    renew = rules.leader_changes(u, state.h, hL)  # a regime change is a leader change
    rc_r, rc_n = np.nonzero(rc)
    W = state.W
    if rc_r.size:
        W = W.copy()
        W[rc_r, rc_n] = _regime_W(u[rc_r, rc_n], state.h[rc_r, rc_n], p, w_levels, w_probs)
        lam = rules.concession_weight(W, rho, p)
    ch_r, ch_n = np.nonzero(renew)  # row-major: the order of on-demand jump draws
    if ch_r.size:
        sd = rules.jump_scale(rc[ch_r, ch_n], state.W[ch_r, ch_n], p)
        d[ch_r, :, ch_n] = rules.jumped(d[ch_r, :, ch_n], sd[:, None], shocks.jumps(ch_r, ch_n, K))
    if rc_r.size:
        moved = allied0[rc_r, rc_n]
        at = (rc_r[moved], ally0[rc_r, rc_n][moved], rc_n[moved])  # away from the patron
        d[at] = rules.distanced(d[at], p)
    d = rules.clip01(d)
    holdup = rules.holdup_after(rc, state.holdup, p)
    tenure = rules.next_tenure(renew, state.tenure)

    # 4. bargaining quantities for every dyad (2.3-2.4; stability enters through rho)
    D = rules.dyad_deficit(lam[:, None, :], d, state.x, state.ST)
    a_star = rules_maintenance.required_payment(D)
    V = rules_maintenance.patron_value(v_eff[None, :, None], state.x, state.kST)
    S = rules_maintenance.patron_surplus(V, a_star)
    G = rules_maintenance.best_offer(V, D, S)  # -inf: a patron that cannot afford the alliance
    rival = _best_other(G)
    beta = rules.bargaining_weight(holdup, p)
    need_all = rules_maintenance.retention_payment(a_star, S, D, rival, beta[:, None, :], p)

    # incumbents: keep (raise, or lower with friction) or terminate
    need = _take(need_all, idx0)
    V_i = _take(V, idx0)
    S_i = _take(S, idx0)
    keep = rules_maintenance.keeps_alliance(allied0, S_i, need, V_i)
    term = allied0 & ~keep
    pay_keep = rules_maintenance.kept_payment(state.pay, need, state.need, renew, V_i, p)

    # realignment of terminated alliances and formation offers to non-aligned states
    score = G
    term_i = np.flatnonzero(term)
    if term_i.size:
        score = G.copy()
        score.reshape(-1)[idx0.reshape(-1)[term_i]] = -np.inf  # not back to the old patron
    if K == 2:
        best = (score[:, 1, :] > score[:, 0, :]).astype(np.int64)
        best_G = np.maximum(score[:, 0, :], score[:, 1, :])
    else:
        best = np.argmax(score, axis=1)
        best_G = np.max(score, axis=1)
    offer = rules_maintenance.offered(shocks.u_offer, offer_rate)
    new_i = np.flatnonzero(rules_maintenance.takes_offer(term, ~allied0, offer, best_G))
    ally = np.where(keep, ally0, -1)
    pay = np.where(keep, pay_keep, 0.0)
    need_next = np.where(keep, need, 0.0)
    spell_start = np.where(keep, state.spell_start, -1)
    if new_i.size:
        best_new = best.reshape(-1)[new_i]
        idxb = _flat_base(R, K, N).reshape(-1)[new_i] + best_new * N
        a_b, V_b, D_b, rival_b = (_take(a, idxb) for a in (a_star, V, D, rival))
        beta_b = beta.reshape(-1)[new_i]
        lure = rules_maintenance.lured(term.reshape(-1)[new_i], S_i.reshape(-1)[new_i])
        G_i = _take(G, idx0).reshape(-1)[new_i]
        pay.reshape(-1)[new_i] = rules_maintenance.entrant_payment(
            a_b, V_b, D_b, rival_b, lure, G_i, beta_b, p
        )
        ally.reshape(-1)[new_i] = best_new
        need_next.reshape(-1)[new_i] = _take(need_all, idxb)
        spell_start.reshape(-1)[new_i] = state.t

    nxt = replace(
        state,
        d=d,
        W=W,
        ally=ally,
        pay=pay,
        need=need_next,
        spell_start=spell_start,
        holdup=rules.holdup_left(holdup),
        tenure=tenure,
        t=state.t + 1,
    )
    events = StepEvents(
        ally_prev=ally0,
        ally=ally,
        pay_prev=state.pay,
        pay=pay,
        regime_change=rc,
        leader_change=renew,
        leader_hazard=hL,
    )
    return nxt, events
