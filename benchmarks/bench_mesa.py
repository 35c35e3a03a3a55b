"""sidepay's vectorized dynamics against the same rules written as a Mesa model.

Same world (initial state, parameters, epochs, offer rate), same rules
(``sidepay.theory.dynamics.step`` against ``benchmarks/mesa_model.py``), run side by side in
one process on one core (times are CPU seconds of this process, so other jobs on a
shared machine do not distort them; BLAS threads are pinned to 1). Prints dyad-periods per second of both, the speed ratio (target
>= 100x), and whether both produce the same event rates per dyad-period (formation,
termination, realignment, payment increase and decrease, regime change, leader change)
within sampling error: two-proportion z-tests, and the same tests with standard errors
clustered by small state (events of one state through time are not independent).

    python benchmarks/bench_mesa.py [--states 150] [--periods 75] [--mesa-reps 6]
                                    [--reps 200] [--repeats 5]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from scipy.stats import norm

from sidepay.sim.engine import run_history, simulate
from sidepay.sim.world import World, default_world
from sidepay.theory.dynamics import draw_shocks, dyad_events, initial_state, step

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mesa_model import EVENTS, AllianceModel

STATE_EVENTS = ("regime_change", "leader_change")


def bench_world(N: int) -> World:
    """The default world (two great powers, bipolar then unipolar epochs) with N states."""
    return default_world().updated({"small_states.n": N})


def run_sidepay(world: World, reps: int, periods: int, seed: int) -> dict[str, np.ndarray]:
    """The engine's dynamics (``run_history``); per-(replication, state) event counts."""
    h = run_history(world, periods=periods, reps=reps, seed=seed)
    K = len(world.great_powers)
    ally = h.ally.astype(np.int64)
    prev = np.concatenate([np.full_like(ally[:1], -1), ally[:-1]])
    pay_prev = np.concatenate([np.zeros_like(h.pay[:1]), h.pay[:-1]])
    dy = dyad_events(prev, ally, pay_prev, h.pay, K)  # (T, R, K, N)
    counts = {e: dy[e].sum(axis=(0, 2)) for e in EVENTS[:5]}
    counts["regime_change"] = h.regime_change.sum(axis=0)
    counts["leader_change"] = h.leader_change.sum(axis=0)
    return counts


def run_mesa(world: World, reps: int, periods: int, seed: int) -> dict[str, np.ndarray]:
    """One Mesa model per replication, its small states drawn from the same world law."""
    N = world.small_states.n
    v = [g.v for g in world.great_powers]
    k = [g.k for g in world.great_powers]
    v_scale = world.v_scale(world.start_year + np.arange(periods)).tolist()
    counts = {e: np.zeros((reps, N), dtype=np.int64) for e in EVENTS}
    for r in range(reps):
        rng = np.random.default_rng([seed, r])
        s = world.draw_system(rng)
        state = initial_state(
            d=s["d"][None], W=s["W"][None], x=s["x"][None], sigma=s["sigma"][None],
            T=s["T"][None], v=v, k=k, B=s["B"][None], Y=s["Y"][None], h=s["h"][None],
        )  # fmt: skip
        model = AllianceModel(
            state,
            world.params,
            0,
            v_scale=v_scale,
            offer_rate=world.offer_rate,
            w_levels=world.small_states.W_levels,
            w_probs=world.small_states.W_probs,
            seed=int(rng.integers(2**63)),
        )
        for _ in range(periods):
            model.step()
        for n, agent in enumerate(model.agents):  # agents iterate in creation order
            for e in EVENTS:
                counts[e][r, n] = agent.counts[e]
    return counts


def draw_for_draw(world: World, periods: int, seed: int) -> tuple[int, float]:
    """Feed both implementations the same shocks; count alliance disagreements and the
    largest payment difference over every state-period of one replication."""
    rng = np.random.default_rng([seed, 99])
    s = world.draw_system(rng)
    K, N = len(world.great_powers), world.small_states.n
    state = initial_state(
        d=s["d"][None], W=s["W"][None], x=s["x"][None], sigma=s["sigma"][None],
        T=s["T"][None], v=[g.v for g in world.great_powers], k=[g.k for g in world.great_powers],
        B=s["B"][None], Y=s["Y"][None], h=s["h"][None],
    )  # fmt: skip
    shocks = [draw_shocks(rng, 1, K, N) for _ in range(periods)]
    v_scale = world.v_scale(world.start_year + np.arange(periods)).tolist()
    levels, probs = world.small_states.W_levels, world.small_states.W_probs
    model = AllianceModel(
        state, world.params, 0, v_scale=v_scale, offer_rate=world.offer_rate,
        w_levels=levels, w_probs=probs, shocks=shocks,
    )  # fmt: skip
    agents = sorted(model.agents, key=lambda a: a.index)
    vec = state
    mismatches, max_pay_diff = 0, 0.0
    for t in range(periods):
        vec, _ = step(
            vec, world.params, shocks=shocks[t], v_scale=v_scale[t],
            offer_rate=world.offer_rate, w_levels=np.asarray(levels), w_probs=np.asarray(probs),
        )  # fmt: skip
        model.step()
        ally = np.array([a.ally for a in agents])
        pay = np.array([a.pay for a in agents])
        mismatches += int((ally != vec.ally[0]).sum())
        max_pay_diff = max(max_pay_diff, float(np.abs(pay - vec.pay[0]).max()))
    return mismatches, max_pay_diff


def rate_tests(
    a: dict[str, np.ndarray], b: dict[str, np.ndarray], K: int, periods: int
) -> list[tuple[str, float, float, float, float]]:
    """(event, rate a, rate b, p two-proportion, p clustered by state) per event."""
    out = []
    for e in EVENTS:
        per = periods * (1 if e in STATE_EVENTS else K)  # trials per (rep, state)
        ca, cb = a[e].ravel().astype(float), b[e].ravel().astype(float)
        na, nb = ca.size * per, cb.size * per
        pa, pb = ca.sum() / na, cb.sum() / nb
        pool = (ca.sum() + cb.sum()) / (na + nb)
        se = math.sqrt(max(pool * (1 - pool), 1e-300) * (1 / na + 1 / nb))
        p_naive = 2 * norm.sf(abs(pa - pb) / se) if se > 0 else 1.0
        ra, rb = ca / per, cb / per
        se_c = math.sqrt(ra.var(ddof=1) / ra.size + rb.var(ddof=1) / rb.size)
        p_clu = 2 * norm.sf(abs(pa - pb) / se_c) if se_c > 0 else 1.0
        out.append((e, pa, pb, float(p_naive), float(p_clu)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--states", type=int, default=150)
    ap.add_argument("--periods", type=int, default=75)
    ap.add_argument("--mesa-reps", type=int, default=6)
    ap.add_argument("--reps", type=int, default=200, help="vectorized reps for the rate test")
    ap.add_argument("--repeats", type=int, default=5, help="timing repeats of the vectorized run")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    N, T, Rm = args.states, args.periods, args.mesa_reps

    world = bench_world(N)
    K = len(world.great_powers)

    # timing on the identical workload: Rm replications of the same world, one core
    t_hist, t_sim = [], []
    for i in range(args.repeats):
        t0 = time.process_time()
        run_history(world, periods=T, reps=Rm, seed=100 + i)
        t_hist.append(time.process_time() - t0)
        t0 = time.process_time()
        simulate(world, periods=T, reps=Rm, seed=100 + i)
        t_sim.append(time.process_time() - t0)
    t0 = time.process_time()
    mesa_counts = run_mesa(world, Rm, T, seed=args.seed)
    t_mesa = time.process_time() - t0

    # the engine at scale, and the event rates of many replications for the rate tests
    t0 = time.process_time()
    vec_counts = run_sidepay(world, args.reps, T, seed=7)
    t_big = time.process_time() - t0

    work = Rm * K * N * T
    hist_rate = work / statistics.median(t_hist)
    sim_rate = work / statistics.median(t_sim)
    mesa_rate = work / t_mesa
    big_rate = args.reps * K * N * T / t_big
    print(f"world: {K} great powers x {N} states x {T} periods; Mesa {mesa_version()}")
    print(f"workload: {Rm} replications = {work:,} dyad-periods, run by both")
    print(
        f"sidepay dynamics (run_history): median {statistics.median(t_hist) * 1e3:8.1f} ms "
        f"of {args.repeats} -> {hist_rate / 1e6:8.3f} M dyad-periods/s"
    )
    print(
        f"sidepay simulate (with panel) : median {statistics.median(t_sim) * 1e3:8.1f} ms "
        f"of {args.repeats} -> {sim_rate / 1e6:8.3f} M dyad-periods/s"
    )
    print(
        f"Mesa (agent by agent)         : {t_mesa * 1e3:8.1f} ms -> {mesa_rate / 1e6:8.4f} M dyad-periods/s"
    )
    print(f"speed ratio, same workload, dynamics    : {hist_rate / mesa_rate:7.0f}x")
    print(f"speed ratio, same workload, with panel  : {sim_rate / mesa_rate:7.0f}x")
    print(
        f"sidepay dynamics + event counting at scale ({args.reps} reps, "
        f"{args.reps * K * N * T:,} dyad-periods): "
        f"{big_rate / 1e6:.2f} M dyad-periods/s; ratio to Mesa {big_rate / mesa_rate:.0f}x "
        "(target >= 100x; Mesa runs one model per replication, its rate does not grow with reps)"
    )
    mism, pay_diff = draw_for_draw(world, T, args.seed)
    print(
        f"draw for draw (same shocks, 1 replication, {N * T:,} state-periods): "
        f"{mism} alliance mismatches, largest payment difference {pay_diff:.1e}"
    )
    print()
    print(f"event rates per dyad-period (regime/leader change: per state-period); Mesa {Rm} reps,")
    print(
        f"sidepay {args.reps} reps; p-values of two-proportion z-tests, naive and clustered by state"
    )
    print(f"{'event':18s} {'Mesa':>10s} {'sidepay':>10s} {'p naive':>9s} {'p cluster':>10s}")
    tests = rate_tests(mesa_counts, vec_counts, K, T)
    for e, pa, pb, pn, pc in tests:
        print(f"{e:18s} {pa:10.5f} {pb:10.5f} {pn:9.3f} {pc:10.3f}")
    alpha = 0.01 / len(tests)
    same = all(pc > alpha for *_, pc in tests)
    print(f"same event rates (every clustered p > {alpha:.4f}, Bonferroni 1%): {same}")


def mesa_version() -> str:
    import mesa

    return str(mesa.__version__)


if __name__ == "__main__":
    main()
