"""The engine's counter-based random numbers (sidepay.sim.draws)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from sidepay.sim.draws import GAMMA, counter, fill_shocks, mix64, normal, rep_key, uniform
from sidepay.sim.engine import run_history
from sidepay.sim.world import default_world

MASK = 2**64 - 1


def py_mix64(z: int) -> int:
    """SplitMix64's finaliser on Python ints: the reference for the compiled one."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def test_uniforms_are_splitmix64_bit_for_bit() -> None:
    key = int(rep_key(7, 2))
    for c in (0, 1, 2, 12345, 2**40 + 3):
        word = py_mix64((key + (c + 1) * int(GAMMA)) & MASK)
        assert int(mix64(np.uint64((key + (c + 1) * int(GAMMA)) & MASK))) == word
        assert uniform(np.uint64(key), np.uint64(c)) == (word >> 11) * 2.0**-53
    # SplitMix64's published first outputs for seed 0 (Vigna's splitmix64.c)
    assert py_mix64(int(GAMMA)) == 0xE220A8397B1DCDAF


def test_fill_shocks_is_what_the_scalar_draws_give() -> None:
    keys = np.array([rep_key(1, 0), rep_key(1, 5)])
    R, K, N, t, off, total = 2, 3, 4, 9, 2, 10
    e, j = np.empty((R, K, N)), np.empty((R, K, N))
    u, o = np.empty((R, N)), np.empty((R, N))
    fill_shocks(keys, t, off, total, e, j, u, o)
    for r in range(R):
        for n in range(N):

            def c(slot: int, n: int = n) -> np.uint64:
                return counter(t, off + n, total, K, slot)

            assert u[r, n] == uniform(keys[r], c(K))
            assert o[r, n] == uniform(keys[r], c(K + 1))
            for g in range(K):
                assert e[r, g, n] == normal(keys[r], c(g))
                assert j[r, g, n] == normal(keys[r], c(K + 2 + g))


def test_normals_and_uniforms_have_their_laws() -> None:
    K, N = 2, 100_000
    e, j = np.empty((1, K, N)), np.empty((1, K, N))
    u, o = np.empty((1, N)), np.empty((1, N))
    fill_shocks(np.array([rep_key(3, 0)]), 0, 0, N, e, j, u, o)
    x = np.concatenate([e.ravel(), j.ravel()])
    assert stats.kstest(x, "norm").pvalue > 1e-3
    assert abs(x.mean()) < 0.01 and abs(x.std() - 1) < 0.01
    # the ziggurat's tail (beyond r = 3.654) has its normal mass
    assert abs((np.abs(x) > 3.654).mean() / (2 * stats.norm.sf(3.654)) - 1) < 0.25
    assert stats.kstest(np.concatenate([u.ravel(), o.ravel()]), "uniform").pvalue > 1e-3
    # no correlation between slots, clients or great powers
    for a, b in ((e[0, 0], e[0, 1]), (e[0, 0], j[0, 0]), (u[0], o[0]), (u[0, :-1], u[0, 1:])):
        assert abs(np.corrcoef(a, b)[0, 1]) < 0.015


def test_keys_differ_by_seed_and_replication() -> None:
    keys = {int(rep_key(s, r)) for s in range(20) for r in range(50)}
    assert len(keys) == 1000


def test_a_replication_does_not_depend_on_its_neighbours() -> None:
    """Counter-based draws: replication 4 alone is replication 4 of a longer run."""
    w = default_world().updated({"small_states.n": 7})
    a = run_history(w, periods=15, reps=6, seed=3, burn_in=4)
    b = run_history(w, periods=15, reps=1, seed=3, rep_start=4, burn_in=4)
    for name in ("d", "pay", "ally", "leader_hazard"):
        assert getattr(a, name)[:, 4].tobytes() == getattr(b, name)[:, 0].tobytes()
