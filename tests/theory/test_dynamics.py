"""The maintenance transition (THEORY 2.5): one step, vectorized, against its rules."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import sim_oracle  # tests/fixtures/sim_oracle.py, registered by tests/conftest.py
from hypothesis import given, settings
from hypothesis import strategies as st

from sidepay.sim.kernel import fused_step
from sidepay.theory.dynamics import (
    Shocks,
    SystemState,
    draw_shocks,
    dyad_events,
    initial_state,
    step,
)
from sidepay.theory.formation import solve_formation
from sidepay.theory.params import ModelParams
from sidepay.theory.rivals import REALIGNS, resolve_competition

reference_step = sim_oracle.reference_step

STATE_FIELDS = ("d", "W", "ally", "pay", "need", "spell_start", "holdup", "tenure")
EVENT_FIELDS = ("ally_prev", "ally", "pay_prev", "pay", "regime_change", "leader_change",
                "leader_hazard")  # fmt: skip


def assert_same_bits(a: object, b: object, names: tuple[str, ...]) -> None:
    """Identical dtypes, shapes and bytes (so -0.0 differs from 0.0)."""
    for name in names:
        x, y = np.asarray(getattr(a, name)), np.asarray(getattr(b, name))
        assert (x.dtype, x.shape) == (y.dtype, y.shape), name
        assert x.tobytes() == y.tobytes(), name


QUIET = dict(s_d=0.0, h0=0.0, eta=0.0, s_r=0.0, mu_r=0.0, s_l_small=0.0, s_l_large=0.0)


def random_state(rng: np.random.Generator, R: int, K: int, N: int) -> SystemState:
    s = initial_state(
        d=rng.uniform(0, 1, (R, K, N)),
        W=rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], (R, N)),
        x=rng.uniform(0.2, 1.0, (R, K, N)),
        sigma=rng.uniform(0, 1, (R, K, N)),
        T=rng.exponential(0.1, (R, N)),
        v=rng.uniform(0.1, 0.6, K),
        k=rng.uniform(0.1, 1.0, K),
        B=0.2,
        Y=rng.lognormal(0, 1, (R, N)),
        h=rng.uniform(0.0, 0.3, (R, N)),
    )
    # a mixed history: some states allied, with payments and pending hold-ups
    ally = rng.integers(-1, K, (R, N))
    pay = np.where(ally >= 0, rng.uniform(0, 0.3, (R, N)), 0.0)
    return replace(
        s,
        **{
            "ally": ally,
            "pay": pay,
            "need": np.where(ally >= 0, rng.uniform(0, 0.3, (R, N)), 0.0),
            "spell_start": np.where(ally >= 0, 0, -1),
            "holdup": rng.integers(0, 3, (R, N)),
            "t": 3,
        },
    )


@pytest.mark.parametrize(
    ("K", "changes"),
    [
        (2, {}),
        (1, {"beta": 0.7}),
        (3, {"stability_effect": 0.8, "mu_d": 0.01, "psi": 0.0}),
        (2, {"stability_effect": -0.5, "beta": 0.5, "stickiness": 0.0, "h0": 0.3}),
        (4, {"mu_r": 0.0, "beta_holdup": 1.0, "stickiness": 1.0}),
    ],
)
def test_vectorized_step_equals_the_per_dyad_rules(K: int, changes: dict[str, float]) -> None:
    rng = np.random.default_rng(K * 100 + len(changes))
    params = ModelParams().replace(**changes)
    state = random_state(rng, R=6, K=K, N=25)
    for t in range(4):
        sh = draw_shocks(rng, 6, K, 25)
        kw = dict(shocks=sh, v_scale=rng.uniform(0.5, 1.5, K), offer_rate=0.6)
        if t % 2:
            kw.update(w_levels=[0.0, 0.5, 1.0], w_probs=[0.2, 0.3, 0.5])
        a, ea = step(state, params, **kw)  # type: ignore[arg-type]
        b, eb = reference_step(state, params, **kw)  # type: ignore[arg-type]
        for name in ("d", "W", "ally", "pay", "need", "spell_start", "holdup", "tenure"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
        for name in ("regime_change", "leader_change", "leader_hazard"):
            np.testing.assert_array_equal(getattr(ea, name), getattr(eb, name), err_msg=name)
        state = a


def test_step_does_not_modify_its_input() -> None:
    rng = np.random.default_rng(3)
    state = random_state(rng, 3, 2, 10)
    before = {f: np.copy(getattr(state, f)) for f in ("d", "W", "ally", "pay", "need")}
    step(state, ModelParams(), rng)
    for f, arr in before.items():
        np.testing.assert_array_equal(getattr(state, f), arr)


def test_formation_matches_the_one_shot_game() -> None:
    """With one patron, no shocks and certain offers, formation is solve_formation."""
    rng = np.random.default_rng(4)
    R, N = 4, 200
    W = rng.choice([0.25, 0.5, 1.0], (R, N))
    d = rng.uniform(0, 1, (R, 1, N))
    s = initial_state(d=d, W=W, x=0.5, sigma=0.4, T=0.2, v=0.4, k=0.5, B=0.2, Y=1.0, h=0.0)
    p = ModelParams(beta=0.6, **QUIET)
    s1, ev = step(s, p, rng, offer_rate=1.0)
    eq = solve_formation(W=W, d=d[:, 0], x=0.5, sigma=0.4, T=0.2, v=0.4, k=0.5, beta=0.6)
    np.testing.assert_array_equal(ev.ally >= 0, eq.forms)
    np.testing.assert_allclose(s1.pay, eq.payment, rtol=0, atol=1e-12)
    assert 0 < eq.forms.mean() < 1  # the test covers both outcomes


def test_rising_divergence_raises_the_payment_or_ends_the_alliance() -> None:
    """P4 at the level of one step: never a lower payment with the alliance intact."""
    rng = np.random.default_rng(5)
    R, N = 3, 300
    s = initial_state(
        d=rng.uniform(0.0, 0.6, (R, 1, N)),
        W=rng.choice([0.25, 0.75], (R, N)),
        x=0.6,
        sigma=0.3,
        T=0.1,
        v=0.35,
        k=0.3,
        B=0.2,
        Y=1.0,
        h=0.0,
    )
    p = ModelParams(**{**QUIET, "mu_d": 0.02, "holdup_periods": 0})
    s, _ = step(s, p, rng, offer_rate=1.0)
    started = (s.ally >= 0).sum()
    ended = increased = 0
    for _ in range(30):
        s2, ev = step(s, p, rng, offer_rate=0.0)
        stay = (ev.ally_prev >= 0) & (ev.ally >= 0)
        assert not (s2.pay[stay] < ev.pay_prev[stay]).any()
        increased += int((s2.pay[stay] > ev.pay_prev[stay]).sum())
        ended += int(((ev.ally_prev >= 0) & (ev.ally < 0)).sum())
        s = s2
    assert started > 100 and ended > 10 and increased > 100


def test_payments_fall_only_with_friction() -> None:
    rng = np.random.default_rng(6)
    s = initial_state(d=np.full((1, 1, 50), 0.8), W=1.0, x=0.5, sigma=0.0, T=0.0, v=1.0,
                      k=0.0, B=0.2, Y=1.0, h=0.0)  # fmt: skip
    p = ModelParams(**{**QUIET, "mu_d": -0.2, "stickiness": 0.75})
    s1, _ = step(s, ModelParams(**QUIET), rng, offer_rate=1.0)
    s2, _ = step(s1, p, rng)
    need = 1.0 * 0.6 * 0.5  # lambda(1) d x after the fall of d
    expected = s1.pay - 0.25 * (s1.pay - need)
    np.testing.assert_allclose(s2.pay, expected)
    assert (s2.pay < s1.pay).all() and (s2.pay > need).all()


def test_a_rival_outbidding_the_incumbent_takes_the_client() -> None:
    """P5: a rival offer G_r - psi that the incumbent cannot match means realignment."""
    s = initial_state(d=np.array([[[0.3], [0.0]]]), W=1.0, x=0.5, sigma=0.5, T=0.2,
                      v=[0.5, 0.3], k=0.1, B=0.2, Y=1.0, h=0.0)  # fmt: skip
    s = replace(s, ally=np.zeros((1, 1), dtype=np.int64), pay=np.full((1, 1), 0.1),
                need=np.full((1, 1), 0.1), spell_start=np.zeros((1, 1), dtype=np.int64))  # fmt: skip
    # incumbent: D_0 = 0.15 - 0.1 = 0.05, max payment V_0 = 0.25 - 0.01 = 0.24;
    # rival: G_1 = V_1 - D_1 = (0.15 - 0.01) + 0.1 = 0.24 > 0
    rng = np.random.default_rng(0)
    _, ev = step(s, ModelParams(**QUIET, psi=0.0), rng, offer_rate=0.0)
    assert ev.ally.tolist() == [[1]]  # matching needs D_0 + G_1 = 0.29 > 0.24
    dy = ev.dyads(2)
    assert dy["termination"][0, :, 0].tolist() == [1, 0]
    assert dy["realignment"][0, :, 0].tolist() == [1, 0]
    assert dy["formation"][0, :, 0].tolist() == [0, 1]
    # with a switching cost the incumbent can match: it keeps the client and pays more
    s1, ev = step(s, ModelParams(**QUIET, psi=0.1), rng, offer_rate=0.0)
    assert ev.ally.tolist() == [[0]]
    np.testing.assert_allclose(s1.pay, [[0.05 + 0.24 - 0.1]])
    # an incumbent that cannot pay the deficit loses the client to the rival as well
    _, ev = step(replace(s, d=np.array([[[0.9], [0.0]]])), ModelParams(**QUIET, psi=0.5), rng)
    assert ev.ally.tolist() == [[1]]


def test_the_new_patron_pays_the_switching_cost_to_lure_a_client_from_a_viable_incumbent() -> None:
    """The realignment price is resolve_competition's: D_r + max(G_g + psi, G_other).

    Two patrons, D = 0.06 for both, G_0 = 0.24 (incumbent), G_1 = 0.44, psi = 0.05. The
    incumbent cannot match (0.06 + 0.44 - 0.05 = 0.45 > V_0 = 0.30) but still wants L, so
    patron 1 must leave L at least G_0 + psi: it pays 0.06 + 0.29 = 0.35 (L nets 0.24 after
    psi), not 0.30 (L would net 0.19 < 0.24 and rather stay). A third, poorer patron's
    offer G_2 = 0.34 > G_0 + psi sets the price instead; an incumbent that walked away
    (S_0 < 0) is not worth psi.
    """
    psi = 0.05
    params = ModelParams(**QUIET, psi=psi, beta=1.0, holdup_periods=0)
    # lambda = 1 (W = 1, rho = 1), no threat: D_g = d_g x = 0.12 * 0.5, V_g = v_g x
    s = initial_state(d=np.full((1, 2, 1), 0.12), W=1.0, x=0.5, sigma=0.0, T=0.0,
                      v=[0.6, 1.0], k=0.0, B=0.2, Y=1.0, h=0.0)  # fmt: skip
    s = replace(s, ally=np.zeros((1, 1), dtype=np.int64), pay=np.full((1, 1), 0.1),
                need=np.full((1, 1), 0.1), spell_start=np.zeros((1, 1), dtype=np.int64))  # fmt: skip
    expected = resolve_competition(D_g=0.06, V_g=0.30, G_rivals=[[0.44]], psi=psi,
                                   D_rivals=[[0.06]])  # fmt: skip
    assert int(expected.status[0]) == REALIGNS
    kw = dict(shocks=draw_shocks(np.random.default_rng(0), 1, 2, 1), offer_rate=0.0,
              w_levels=[1.0], w_probs=[1.0])  # fmt: skip
    outcomes = [f(s, params, **kw) for f in (step, fused_step, reference_step)]  # type: ignore[arg-type]
    for s1, ev in outcomes:
        assert ev.ally.tolist() == [[1]]
        np.testing.assert_allclose(s1.pay, [[0.35]], rtol=0, atol=1e-12)
        np.testing.assert_allclose(s1.pay[0], expected.payment, rtol=0, atol=1e-12)
        # L nets exactly the incumbent's best offer: it does not lose by switching
        np.testing.assert_allclose(s1.pay[0, 0] - 0.06 - psi, 0.24, atol=1e-12)
    assert_same_bits(outcomes[0][0], outcomes[1][0], STATE_FIELDS)

    # a third patron whose own best offer beats G_0 + psi sets the price
    s3 = initial_state(d=np.full((1, 3, 1), 0.12), W=1.0, x=0.5, sigma=0.0, T=0.0,
                       v=[0.6, 1.0, 0.8], k=0.0, B=0.2, Y=1.0, h=0.0)  # fmt: skip
    s3 = replace(s3, ally=s.ally, pay=s.pay, need=s.need, spell_start=s.spell_start)
    kw3 = {**kw, "shocks": draw_shocks(np.random.default_rng(0), 1, 3, 1)}
    expected3 = resolve_competition(D_g=0.06, V_g=0.30, G_rivals=[[0.44, 0.34]], psi=psi,
                                    D_rivals=[[0.06, 0.06]])  # fmt: skip
    for f in (step, fused_step, reference_step):
        s1, ev = f(s3, params, **kw3)  # type: ignore[arg-type]
        assert ev.ally.tolist() == [[1]]
        np.testing.assert_allclose(s1.pay[0], expected3.payment, rtol=0, atol=1e-12)
        np.testing.assert_allclose(s1.pay, [[0.40]], rtol=0, atol=1e-12)

    # an incumbent that walked away (V_0 = 0.05 < D_0) frees L: no psi in the price
    s_free = replace(s, v=np.array([0.1, 1.0]))
    free = resolve_competition(D_g=0.06, V_g=0.05, G_rivals=[[0.44]], psi=psi,
                               D_rivals=[[0.06]])  # fmt: skip
    for f in (step, fused_step, reference_step):
        s1, ev = f(s_free, params, **kw)  # type: ignore[arg-type]
        assert ev.ally.tolist() == [[1]]
        np.testing.assert_allclose(s1.pay[0], free.payment, rtol=0, atol=1e-12)
        np.testing.assert_allclose(s1.pay, [[0.06]], rtol=0, atol=1e-12)


def test_regime_change_redraws_W_replaces_the_leader_and_holds_up_the_patron() -> None:
    rng = np.random.default_rng(7)
    R, N = 2, 400
    s = initial_state(d=np.full((R, 1, N), 0.3), W=0.5, x=0.5, sigma=0.5, T=0.1, v=0.5,
                      k=0.3, B=0.2, Y=1.0, h=0.5)  # fmt: skip
    p = ModelParams(**{**QUIET, "holdup_periods": 2, "beta": 1.0, "beta_holdup": 0.2})
    s1, ev = step(s, p, rng, w_levels=[0.0, 1.0], w_probs=[0.3, 0.7], offer_rate=1.0)
    rc = ev.regime_change
    assert 0.4 < rc.mean() < 0.6
    assert set(np.unique(s1.W[rc]).tolist()) == {0.0, 1.0}
    assert (s1.W[~rc] == 0.5).all()
    assert (s1.tenure[rc] == 0).all() and (s1.tenure[~rc] == 1).all()
    assert (s1.holdup[rc] == 1).all() and (s1.holdup[~rc] == 0).all()
    # hold-up: the new regime captures 80% of the surplus, so it is paid more than a*
    formed = ev.ally >= 0
    a_star = np.maximum(0.0, (0.2 + 0.8 * s1.W) * 0.3 * 0.5 - 0.05)
    assert (s1.pay[formed & rc] > a_star[formed & rc] + 1e-9).all()
    np.testing.assert_allclose(s1.pay[formed & ~rc], a_star[formed & ~rc])


def test_leader_hazard_falls_with_payments() -> None:
    """P8 inside one step: a paid ally extracts less, so its leader's hazard is lower."""
    rng = np.random.default_rng(8)
    s = initial_state(d=np.full((1, 1, 100), 0.5), W=0.5, x=0.5, sigma=0.2, T=0.5, v=1.0,
                      k=0.1, B=0.5, Y=0.5, h=0.0)  # fmt: skip
    p = ModelParams(**{**QUIET, "beta": 0.5, "h0": 0.05, "eta": 0.5})
    s1, _ = step(s, p, rng, offer_rate=0.5)
    _, ev1 = step(s1, p, rng, offer_rate=0.0)
    allied = ev1.ally_prev >= 0
    assert 0 < allied.sum() < 100
    assert ev1.leader_hazard[allied].max() < ev1.leader_hazard[~allied].min()


def test_dyad_events_on_a_history() -> None:
    ally = np.array([[-1, 0], [0, 0], [1, -1]])  # (T=3, N=2)
    pay = np.array([[0.0, 0.2], [0.1, 0.3], [0.2, 0.0]])
    prev_a = np.vstack([[-1, -1], ally[:-1]])
    prev_p = np.vstack([[0.0, 0.0], pay[:-1]])
    ev = dyad_events(prev_a, ally, prev_p, pay, K=2)
    assert ev["formation"][:, 0].tolist() == [[0, 1], [1, 0], [0, 0]]
    assert ev["termination"][:, 0].tolist() == [[0, 0], [0, 0], [1, 1]]
    assert ev["realignment"][:, 0].tolist() == [[0, 0], [0, 0], [1, 0]]
    assert ev["payment_increase"][:, 0].tolist() == [[0, 0], [0, 1], [0, 0]]
    assert ev["payment"][2, 0].tolist() == [0.1, 0.3]  # the last payment of the spell
    assert ev["allied"][2].tolist() == [[1, 1], [1, 0]]


def test_step_needs_randomness() -> None:
    s = initial_state(d=np.zeros((1, 1, 1)), W=1, x=1, sigma=0, T=0, v=1, k=0, B=0, Y=1, h=0)
    with pytest.raises(ValueError, match="rng"):
        step(s, ModelParams())


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    K=st.integers(1, 3),
    beta=st.floats(0.0, 1.0),
    beta_holdup=st.floats(0.0, 1.0),
    psi=st.floats(0.0, 0.3),
    stickiness=st.floats(0.0, 1.0),
    stability_effect=st.floats(-1.0, 1.0),
    mu_d=st.floats(-0.05, 0.05),
    offer_rate=st.floats(0.0, 1.0),
)
def test_any_parameters_keep_the_invariants_and_match_the_rules(
    seed: int,
    K: int,
    beta: float,
    beta_holdup: float,
    psi: float,
    stickiness: float,
    stability_effect: float,
    mu_d: float,
    offer_rate: float,
) -> None:
    rng = np.random.default_rng(seed)
    params = ModelParams(
        beta=beta,
        beta_holdup=beta_holdup,
        psi=psi,
        stickiness=stickiness,
        stability_effect=stability_effect,
        mu_d=mu_d,
        h0=0.1,
    )
    state = random_state(rng, R=2, K=K, N=8)
    for _ in range(3):
        sh = draw_shocks(rng, 2, K, 8)
        a, ev = step(state, params, shocks=sh, offer_rate=offer_rate)
        b, _ = reference_step(state, params, shocks=sh, offer_rate=offer_rate)
        for name in ("d", "W", "ally", "pay", "need"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
        assert ((a.d >= 0) & (a.d <= 1)).all()
        assert ((a.ally >= -1) & (a.ally < K)).all()
        assert (a.pay >= 0).all() and (a.pay[a.ally < 0] == 0).all()
        assert ((ev.leader_hazard >= 0) & (ev.leader_hazard <= params.h_cap)).all()
        # an alliance in force never costs its patron more than the alliance is worth
        allied = a.ally >= 0
        V = a.v[None, :, None] * a.x - a.kST  # v_scale = 1
        V_i = np.take_along_axis(V, np.maximum(a.ally, 0)[:, None, :], axis=1)[:, 0, :]
        assert (a.pay[allied] <= V_i[allied] + 1e-12).all()
        state = a


# ------------------------------------------------------------------ the compiled kernel
@pytest.mark.parametrize(
    ("K", "changes"),
    [
        (2, {}),
        (1, {"beta": 0.7}),
        (3, {"stability_effect": 0.8, "mu_d": 0.01, "psi": 0.0}),
        (2, {"stability_effect": -0.5, "beta": 0.5, "stickiness": 0.0, "h0": 0.3}),
        (4, {"mu_r": 0.0, "beta_holdup": 1.0, "stickiness": 1.0}),
        (3, {"beta": 1.0, "holdup_periods": 0, "s_d": 0.0, "omega": 0.0}),
    ],
)
def test_fused_kernel_is_step_bit_for_bit(K: int, changes: dict[str, float]) -> None:
    rng = np.random.default_rng(K * 1000 + len(changes))
    params = ModelParams().replace(**changes)
    state = random_state(rng, R=5, K=K, N=40)
    levels = [[0.0, 0.5, 1.0], [0.25]][K % 2]
    probs = [[0.2, 0.3, 0.5], [2.0]][K % 2]
    for _ in range(6):
        kw = dict(
            shocks=draw_shocks(rng, 5, K, 40),
            v_scale=rng.uniform(0.0, 1.5, K),
            offer_rate=float(rng.uniform(0.2, 1.0)),
            w_levels=levels,
            w_probs=probs,
        )
        a, ea = step(state, params, **kw)  # type: ignore[arg-type]
        b, eb = fused_step(state, params, **kw)  # type: ignore[arg-type]
        assert_same_bits(a, b, STATE_FIELDS)
        assert_same_bits(ea, eb, EVENT_FIELDS)
        assert a.t == b.t == state.t + 1
        state = a
    assert (state.ally >= 0).any() and (state.ally < 0).any()


def test_fused_step_keeps_its_input_and_falls_back_to_step_for_the_beta_law() -> None:
    rng = np.random.default_rng(12)
    state = random_state(rng, 3, 2, 20)
    before = {f: np.copy(getattr(state, f)) for f in STATE_FIELDS}
    sh = draw_shocks(rng, 3, 2, 20)
    fused_step(state, ModelParams(), shocks=sh, w_levels=[0.0, 1.0], w_probs=[1, 1])
    for f, arr in before.items():
        np.testing.assert_array_equal(getattr(state, f), arr, err_msg=f)
    # without a discrete regime law (Beta W) the kernel is not used: same result as step
    b, eb = fused_step(state, ModelParams(h0=0.1), shocks=sh)
    c, ec = step(state, ModelParams(h0=0.1), shocks=sh)
    assert_same_bits(b, c, STATE_FIELDS)
    assert_same_bits(eb, ec, EVENT_FIELDS)
    with pytest.raises(ValueError, match="rng"):
        fused_step(state, ModelParams())


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    K=st.integers(1, 4),
    beta=st.sampled_from([0.0, 0.3, 0.9, 1.0]),
    beta_holdup=st.floats(0.0, 1.0),
    psi=st.floats(0.0, 0.3),
    stickiness=st.floats(0.0, 1.0),
    stability_effect=st.sampled_from([0.0, -1.0, 0.5, 1.0]),
    mu_d=st.floats(-0.05, 0.05),
    mu_r=st.sampled_from([0.0, 0.2]),
    holdup_periods=st.integers(0, 3),
    offer_rate=st.floats(0.0, 1.0),
)
def test_fused_kernel_matches_step_for_any_parameters(
    seed: int,
    K: int,
    beta: float,
    beta_holdup: float,
    psi: float,
    stickiness: float,
    stability_effect: float,
    mu_d: float,
    mu_r: float,
    holdup_periods: int,
    offer_rate: float,
) -> None:
    rng = np.random.default_rng(seed)
    params = ModelParams(
        beta=beta,
        beta_holdup=beta_holdup,
        psi=psi,
        stickiness=stickiness,
        stability_effect=stability_effect,
        mu_d=mu_d,
        mu_r=mu_r,
        holdup_periods=holdup_periods,
        h0=0.1,
        s_r=0.3,
    )
    state = random_state(rng, R=2, K=K, N=10)
    n_levels = int(rng.integers(1, 5))
    law = dict(w_levels=np.sort(rng.uniform(0, 1, n_levels)), w_probs=rng.uniform(0.1, 1, n_levels))
    for _ in range(4):
        sh = draw_shocks(rng, 2, K, 10)
        kw = dict(shocks=sh, offer_rate=offer_rate, v_scale=rng.uniform(0, 2, K), **law)
        a, ea = step(state, params, **kw)  # type: ignore[arg-type]
        b, eb = fused_step(state, params, **kw)  # type: ignore[arg-type]
        assert_same_bits(a, b, STATE_FIELDS)
        assert_same_bits(ea, eb, EVENT_FIELDS)
        state = a


def test_jump_normals_drawn_on_demand_equal_the_same_normals_pre_drawn() -> None:
    """Shocks.jump_rngs: K normals per state with a change, states row-major, per stream."""
    rng = np.random.default_rng(21)
    R, K, N = 3, 2, 30
    state = random_state(rng, R, K, N)
    params = ModelParams(h0=0.2, mu_r=0.1)
    law = dict(w_levels=[0.0, 0.5, 1.0], w_probs=[1.0, 1.0, 2.0], offer_rate=0.5)
    sh = draw_shocks(rng, R, K, N)
    seeds = (5, 6, 7)

    def on_demand(rows: range) -> Shocks:
        return replace(
            sh, e_jump=None, jump_rngs=tuple(np.random.default_rng(seeds[r]) for r in rows)
        )

    a, ea = step(state, params, shocks=on_demand(range(R)), **law)  # type: ignore[arg-type]
    changed = ea.leader_change  # regime or leader change
    assert 0 < changed.sum() < changed.size
    # the same normals laid out per dyad; NaN elsewhere, which must never be read
    e = np.full((R, K, N), np.nan)
    for r in range(R):
        cols = np.flatnonzero(changed[r])
        e[r][:, cols] = np.random.default_rng(seeds[r]).standard_normal((cols.size, K)).T
    b, eb = step(state, params, shocks=replace(sh, e_jump=e), **law)  # type: ignore[arg-type]
    c, _ = reference_step(state, params, shocks=on_demand(range(R)), **law)  # type: ignore[arg-type]
    assert_same_bits(a, b, STATE_FIELDS)
    assert_same_bits(ea, eb, EVENT_FIELDS)
    for name in STATE_FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(c, name), err_msg=name)
    # fused_step hands streamed jumps to step (the kernel computes its own draws from
    # counters, sidepay.sim.draws) and reads pre-drawn e_jump itself: both agree
    for r in range(R):
        one = replace(
            state,
            **{f: getattr(state, f)[r : r + 1] for f in (*STATE_FIELDS, "x", "sigma", "T",
                                                          "B", "Y", "h", "ST", "kST")},
        )  # fmt: skip
        sh1 = replace(sh, **{f: getattr(sh, f)[r : r + 1] for f in ("e_drift", "u_change",
                                                                     "u_offer")})  # fmt: skip
        lazy1 = replace(sh1, e_jump=None, jump_rngs=(np.random.default_rng(seeds[r]),))
        k1, _ = fused_step(one, params, shocks=lazy1, **law)  # type: ignore[arg-type]
        k2, _ = fused_step(one, params, shocks=replace(sh1, e_jump=e[r : r + 1]), **law)  # type: ignore[arg-type]
        for name in STATE_FIELDS:
            assert getattr(k1, name).tobytes() == getattr(a, name)[r : r + 1].tobytes(), name
            assert getattr(k2, name).tobytes() == getattr(a, name)[r : r + 1].tobytes(), name
    with pytest.raises(ValueError, match="e_jump or jump_rngs"):
        step(state, params, shocks=replace(sh, e_jump=None), **law)  # type: ignore[arg-type]


# ------------------------------------------------------------------ the rules, once
def test_the_rules_are_the_closed_forms_of_the_theory() -> None:
    """theory.rules (what step, the kernel and the oracle run) against the closed forms of
    theory.leader, theory.formation and theory.rivals, number for number."""
    from sidepay.theory import rules, rules_maintenance
    from sidepay.theory.formation import coalition_weight, deficit
    from sidepay.theory.leader import leader_hazard, leader_shock_scale, stability_salience
    from sidepay.theory.rivals import incumbent_payment, max_offer

    rng = np.random.default_rng(5)
    n = 500
    W, h, d, x, sigma = (rng.uniform(0, 1, n) for _ in range(5))
    T, E, Y = rng.exponential(0.2, n), rng.normal(0.2, 0.5, n), rng.lognormal(0, 1, n)
    p = ModelParams(rho=1.3, omega=0.3, stability_effect=-0.6, kappa=0.8, h0=0.1, eta=0.7)
    rho = rules.concession_salience(h, p)
    np.testing.assert_array_equal(rho, stability_salience(p.rho, h, p.stability_effect))
    lam = rules.concession_weight(W, rho, p)
    np.testing.assert_allclose(lam, coalition_weight(W, rho, p.omega), rtol=1e-15)
    ST = rules.protected_threat(sigma, T)
    D = rules.dyad_deficit(lam, d, x, ST)
    np.testing.assert_allclose(D, deficit(W, d, x, sigma, T, rho, p.omega), atol=1e-15)
    hazard = rules.deposition_hazard(E, Y, p)
    np.testing.assert_array_equal(hazard, leader_hazard(E, p.kappa, Y, p.h0, p.eta, p.h_cap))
    s_l = rules.jump_scale(np.zeros(n, bool), W, p)
    np.testing.assert_array_equal(s_l, leader_shock_scale(W, p.s_l_small, p.s_l_large))
    V = rules_maintenance.patron_value(0.8, x, rules.protection_cost(0.5, ST))
    G = rules_maintenance.best_offer(
        V, D, rules_maintenance.patron_surplus(V, rules_maintenance.required_payment(D))
    )
    G_closed = max_offer(0.8, x, 0.5, sigma, T, W, d, rho, p.omega)
    ok = np.isfinite(G)  # -inf: the patron does not want the alliance at a*
    assert 0 < ok.sum() < n
    np.testing.assert_allclose(G[ok], G_closed[ok], atol=1e-14)
    rival = rng.normal(0, 0.3, n)
    a_star = rules_maintenance.required_payment(D)
    need = rules_maintenance.retention_payment(a_star, V - a_star, D, rival, 1.0, p)
    np.testing.assert_array_equal(need, incumbent_payment(a_star, D, rival, p.psi))


def test_the_kernel_reads_every_model_parameter_by_name() -> None:
    """A new ModelParams field reaches the compiled rules without any other edit."""
    from sidepay.sim.kernel import kernel_params

    p = ModelParams(rho=1.7, holdup_periods=2)
    kp = kernel_params(p)
    assert kp._fields == tuple(ModelParams.model_fields)
    assert all(getattr(kp, name) == getattr(p, name) for name in kp._fields)
