"""Propositions P6-P8 of THEORY section 3: the client's domestic politics.

P6 (regime change), P7 (leadership change) and P8 (the survival motive), each computed as
:class:`~sidepay.theory.evidence.PropositionEvidence` on a seeded Monte Carlo sample of the
shocks of THEORY 2.5 or of parameter points. Same seed, same numbers.

Examples
--------
>>> p8(n=2_000).holds
True
"""

from __future__ import annotations

import numpy as np

from sidepay.theory.evidence import (
    TOL,
    PropositionEvidence,
    column,
    sample_points,
    solve_at,
)
from sidepay.theory.formation import (
    FloatArray,
)
from sidepay.theory.leader import (
    extraction_allied,
    extraction_alone,
    leader_hazard,
    leader_shock_scale,
)
from sidepay.theory.params import ModelParams

__all__ = ["p6", "p7", "p8", "shock_outcomes"]


def shock_outcomes(
    params: ModelParams | None = None, n: int = 20_000, seed: int = 6
) -> dict[str, dict[str, np.ndarray]]:
    """Monte Carlo of one period after no change, a leader change and a regime change.

    Draws alliances that form (W from the regime law Beta(regime_w_a, regime_w_b), other
    primitives from ``sample_points`` with ``beta`` from ``params``), then applies, with
    common random numbers: the ordinary drift ``mu_d + s_d e1``; a leader change (drift plus
    ``s_l(W) e2``, same institutions and ``beta``); a regime change (drift plus
    ``mu_r + s_r e2``, W redrawn, ``beta`` falls to ``beta_holdup``). Returns, per scenario,
    ``forms``, ``payment``; and the initial population under ``"start"``.

    Examples
    --------
    >>> out = shock_outcomes(n=500)
    >>> sorted(out)
    ['leader', 'none', 'regime', 'start']
    """
    p = params or ModelParams()
    rng = np.random.default_rng(seed)
    pts = sample_points(n, rng)
    pts["W"] = rng.beta(p.regime_w_a, p.regime_w_b, n).clip(1e-6, 1.0)
    pts["beta"] = np.full(n, p.beta)
    eq0 = solve_at(pts)
    pts = {k: v[eq0.forms] for k, v in pts.items()}
    m = len(pts["d"])
    e1, e2 = rng.standard_normal(m), rng.standard_normal(m)
    W_new = rng.beta(p.regime_w_a, p.regime_w_b, m).clip(1e-6, 1.0)
    drift = pts["d"] + p.mu_d + p.s_d * e1
    s_l = leader_shock_scale(pts["W"], p.s_l_small, p.s_l_large)
    scen = {
        "none": solve_at(pts, d=np.clip(drift, 0, 1)),
        "leader": solve_at(pts, d=np.clip(drift + s_l * e2, 0, 1)),
        "regime": solve_at(
            pts,
            d=np.clip(drift + p.mu_r + p.s_r * e2, 0, 1),
            W=W_new,
            beta=np.full(m, p.beta_holdup),
        ),
    }
    out = {k: {"forms": eq.forms, "payment": eq.payment} for k, eq in scen.items()}
    out["start"] = {**pts, "payment": eq0.payment[eq0.forms]}
    return out


def _rates(
    out: dict[str, dict[str, FloatArray]], mask: np.ndarray | None = None
) -> dict[str, float]:
    res: dict[str, float] = {}
    for k in ("none", "leader", "regime"):
        f = out[k]["forms"] if mask is None else out[k]["forms"][mask]
        pay = out[k]["payment"] if mask is None else out[k]["payment"][mask]
        res[f"termination_{k}"] = float(1.0 - f.mean()) if f.size else float("nan")
        res[f"surviving_payment_{k}"] = float(pay[f].mean()) if f.any() else float("nan")
    return res


def p6(params: ModelParams | None = None, n: int = 20_000, seed: int = 6) -> PropositionEvidence:
    """P6: regime change raises termination, survivors pay more, survival rises with v.

    Monte Carlo with an explicit seed (:func:`shock_outcomes`). The divergence jump has mean
    ``mu_r >= 0`` and W is redrawn, raising the deficit on average; ``beta`` falls to
    ``beta_holdup``, moving the payment toward g's maximum. Survival ``S >= 0`` rises with
    ``v`` pointwise (``dS/dv = x > 0``). Fails if ``mu_r`` entered with a negative sign,
    or if hold-up raised g's bargaining weight.

    Examples
    --------
    >>> ev = p6(n=4_000)
    >>> ev.holds, ev.summary["termination_regime"] > ev.summary["termination_none"]
    (True, True)
    """
    p = params or ModelParams()
    out = shock_outcomes(p, n, seed)
    s = _rates(out)
    # survival after a regime change at scaled patron values, same shocks (common numbers)
    rng = np.random.default_rng([seed, 1])
    st = out["start"]
    m = len(st["d"])
    e1, e2 = rng.standard_normal(m), rng.standard_normal(m)
    W_new = rng.beta(p.regime_w_a, p.regime_w_b, m).clip(1e-6, 1.0)
    d_new = np.clip(st["d"] + p.mu_d + p.s_d * e1 + p.mu_r + p.s_r * e2, 0, 1)
    scale = np.linspace(0.25, 2.0, 8)
    pts = {k: column(v) for k, v in st.items() if k != "payment"}
    eq = solve_at(
        pts, v=pts["v"] * scale[None, :], d=column(d_new), W=column(W_new), beta=p.beta_holdup
    )
    survival = eq.forms.mean(axis=0)
    monotone_v = bool(np.all(np.diff(eq.forms.astype(np.int8), axis=1) >= 0))
    checks = {
        "termination_higher": bool(s["termination_regime"] > s["termination_none"]),
        "survivors_pay_more": s["surviving_payment_regime"] > s["surviving_payment_none"],
        "survival_rises_with_v": bool(monotone_v and survival[-1] > survival[0]),
    }
    return PropositionEvidence(
        id="P6",
        holds=all(checks.values()),
        description="After a regime change termination is more likely than without one, surviving alliances pay more on average, and survival is more likely the larger v_g.",
        seed_claim="A regime change leads to termination or survival at a higher price, depending on how much the alliance matters to the great power.",
        sign="+mu_r (new regimes distance themselves) and beta_holdup <= beta",
        summary={**s, "alliances": float(m)},
        arrays={"v_scale": scale, "survival_after_regime_change": survival},
        checks=checks,
    )


def p7(
    params: ModelParams | None = None, n: int = 20_000, seed: int = 7, small: float = 0.05
) -> PropositionEvidence:
    """P7: a leader change alone barely moves termination, less than a regime change, at any W.

    In both small-W (W < 0.5) and large-W states the termination rate after a leader change
    differs from the no-change rate by at most ``small`` (the seed's claim); over all states
    it rises by less than after a regime change (the model's addition). The comparison is
    pooled, not per W group: a regime change redraws W, so within large-W states it can
    lower termination (a smaller coalition is cheaper) while raising it overall (P6).
    The jump ``s_l(W) e`` has mean 0 and a small scale; deals are renegotiated at the same
    institutions and ``beta``. Fails if the leader-change jump had the regime-change mean
    ``mu_r`` or ``s_l`` grew with W beyond ``s_r``.

    Examples
    --------
    >>> p7(n=4_000).holds
    True
    """
    p = params or ModelParams()
    out = shock_outcomes(p, n, seed)
    W = out["start"]["W"]
    checks: dict[str, bool] = {}
    summary: dict[str, float] = {}
    curves: dict[str, list[float]] = {
        "termination_none": [],
        "termination_leader": [],
        "termination_regime": [],
    }
    for name, mask in (("small_W", W < 0.5), ("large_W", W >= 0.5)):
        r = _rates(out, mask)
        for key, curve in curves.items():
            curve.append(r[key])
        lead = r["termination_leader"] - r["termination_none"]
        reg = r["termination_regime"] - r["termination_none"]
        summary[f"leader_effect_{name}"] = lead
        summary[f"regime_effect_{name}"] = reg
        checks[f"leader_effect_small_{name}"] = bool(abs(lead) <= small)
    pooled = _rates(out)
    lead_all = pooled["termination_leader"] - pooled["termination_none"]
    reg_all = pooled["termination_regime"] - pooled["termination_none"]
    summary["leader_effect"], summary["regime_effect"] = lead_all, reg_all
    checks["leader_below_regime"] = bool(lead_all < reg_all)
    return PropositionEvidence(
        id="P7",
        holds=all(checks.values()),
        description="Leadership change alone has a small short-run effect on termination, smaller than regime change, in both large- and small-W states.",
        seed_claim="A leadership change within the same regime has minimal short-run impact in democracies and non-democracies.",
        sign="mean-zero leader jump s_l(W) e, s_l falling in W",
        summary=summary,
        arrays={
            "W_group_upper": np.array([0.5, 1.0]),
            **{k: np.array(v) for k, v in curves.items()},
        },
        checks=checks,
    )


def p8(
    n: int = 20_000, seed: int = 8, B: float = 0.2, Y: float = 1.0, kappa: float = 1.0
) -> PropositionEvidence:
    """P8: allied leaders who receive payments extract less and so survive longer.

    ``E1 = E0 + D - a <= E0`` for every accepted contract and ``dE1/da = -1``; the hazard
    ``h0 + eta c(E)`` is non-decreasing in ``E``. Strict where the leader gains (``a > D``,
    i.e. ``beta < 1`` or a pure trade with ``D < 0``). Fails if aid entered extraction with
    a plus sign.

    Examples
    --------
    >>> ev = p8(n=1_000)
    >>> ev.holds, ev.summary["mean_hazard_allied"] < ev.summary["mean_hazard_alone"]
    (True, True)
    """
    pts = sample_points(n, np.random.default_rng(seed))
    eq = solve_at(pts)
    f = eq.forms
    E0 = extraction_alone(pts["T"], B)
    E1 = extraction_allied(
        pts["T"],
        B,
        pts["sigma"],
        pts["W"],
        pts["d"],
        pts["x"],
        eq.payment,
        pts["rho"],
        pts["omega"],
    )
    h_alone = leader_hazard(E0, kappa, Y)
    h_allied = leader_hazard(E1, kappa, Y)
    h_more = leader_hazard(E1 - 0.01, kappa, Y)
    paid = f & (eq.payment > 0) & (eq.leader_gain > 1e-9) & (E0 > 0)
    # the leader's hazard as the payment runs from a* to g's maximum, at the first paid point
    j = int(np.argmax(paid))
    V_j = float(eq.patron_surplus[j] + eq.required_payment[j])
    share = np.linspace(0.0, 1.0, 21)
    a_grid = eq.required_payment[j] + share * (V_j - eq.required_payment[j])
    E_grid = extraction_allied(
        pts["T"][j], B, pts["sigma"][j], pts["W"][j], pts["d"][j], pts["x"][j], a_grid,
        pts["rho"][j], pts["omega"][j],
    )  # fmt: skip
    curve = leader_hazard(E_grid, kappa, Y)
    checks = {
        "extract_less": bool(np.all(E1[f] <= E0[f] + TOL)),
        "hazard_lower": bool(np.all(h_allied[f] <= h_alone[f] + TOL)),
        "strict_where_gain": bool(
            np.all(E1[paid] < E0[paid]) and np.all(h_allied[paid] < h_alone[paid])
        ),
        "more_aid_less_hazard": bool(np.all(h_more[f] <= h_allied[f] + TOL))
        and bool(np.all(np.diff(curve) <= TOL)),
    }
    return PropositionEvidence(
        id="P8",
        holds=all(checks.values()) and bool(paid.any()),
        description="Allied leaders who receive payments extract less and so survive longer (h_L falls).",
        seed_claim="Small-state leaders ally with great powers to improve their domestic political survival.",
        sign="-a (aid replaces extraction) in E1",
        summary={
            "mean_extraction_alone": float(E0[paid].mean()),
            "mean_extraction_allied": float(E1[paid].mean()),
            "mean_hazard_alone": float(h_alone[paid].mean()),
            "mean_hazard_allied": float(h_allied[paid].mean()),
        },
        arrays={"payment_share_of_max": share, "hazard_at_payment": curve},
        checks=checks,
    )
