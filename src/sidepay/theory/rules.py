"""The maintenance rules of THEORY 2.5, each written once, as plain scalar functions.

Every function here is one rule or formula of a period of maintenance (the bargaining and
renegotiation rules of THEORY 2.5 step 4 are in :mod:`sidepay.theory.rules_maintenance`). Each is written
with operations that mean the same on a Python float and on a numpy array, so that one
text serves every implementation of the transition:

* the vectorized ``sidepay.theory.dynamics.step`` calls them on arrays of dyads or states;
* the compiled kernel ``sidepay.sim.kernel.run_periods`` compiles them (numba) and calls
  them on floats, one dyad at a time;
* the per-dyad test oracle (``tests/fixtures/sim_oracle.py``) calls them on Python floats.

Four primitives carry what differs between floats and arrays: :func:`larger`
(``np.maximum``), :func:`smaller` (``np.minimum``), :func:`clip01` (``np.clip(a, 0, 1)``)
and :func:`select` (``np.where``). Here they are numpy's; the kernel registers scalar
versions with numpy's tie rules (``larger(a, b)`` is ``b`` when ``a == b``), so the
compiled and vectorized runs agree bit for bit. Branches inside a rule test parameters
only (scalars), never the data.

Parameters come as one bundle ``p`` read by attribute (``p.rho``): a
:class:`~sidepay.theory.params.ModelParams` in numpy, a namedtuple with the same field
names in the kernel. A new dynamics parameter is therefore a new ``ModelParams`` field
and the rule that reads it; no call site changes. No numba, no I/O here.

Examples
--------
>>> import numpy as np
>>> from sidepay.theory.params import ModelParams
>>> p = ModelParams()
>>> lam = concession_weight(np.array([0.0, 1.0]), p.rho, p)
>>> lam.tolist()
[0.2, 1.0]
>>> D = dyad_deficit(lam, 0.5, 0.5, 0.05)
>>> [round(float(x), 3) for x in D], float(clip01(-0.1))
([0.0, 0.2], 0.0)
"""

from __future__ import annotations

import math
from typing import Any, TypeAlias

import numpy as np

from sidepay.theory.params import ModelParams

__all__ = [
    "NEG_INF",
    "allied_extraction",
    "bargaining_weight",
    "base_extraction",
    "clip01",
    "concession_salience",
    "concession_weight",
    "deposition_hazard",
    "distanced",
    "drifted",
    "dyad_deficit",
    "epoch_value",
    "holdup_after",
    "holdup_left",
    "jump_scale",
    "jumped",
    "larger",
    "leader_changes",
    "new_regime_W",
    "next_tenure",
    "protected_threat",
    "protection_cost",
    "regime_changes",
    "select",
    "smaller",
]

#: A float (compiled kernel, oracle) or a numpy array of floats (vectorized step). Typed
#: loosely on purpose: numpy's stubs cannot say "the same operations on either".
Real: TypeAlias = Any
#: A bool or a numpy array of bools.
Flag: TypeAlias = Any
#: No offer: the best offer of a patron that does not want the alliance.
NEG_INF = -math.inf


# ------------------------------------------------------------------------ primitives
def larger(a: Real, b: Real) -> Real:
    """``np.maximum(a, b)`` (the kernel's version returns ``b`` on a tie, as numpy does).

    Examples
    --------
    >>> float(larger(0.1, 0.2))
    0.2
    """
    return np.maximum(a, b)


def smaller(a: Real, b: Real) -> Real:
    """``np.minimum(a, b)``.

    Examples
    --------
    >>> float(smaller(0.1, 0.2))
    0.1
    """
    return np.minimum(a, b)


def clip01(a: Real) -> Real:
    """``np.clip(a, 0, 1)`` (``a`` itself on a tie).

    Examples
    --------
    >>> float(clip01(1.5)), float(clip01(-0.5))
    (1.0, 0.0)
    """
    return np.clip(a, 0.0, 1.0)


def select(cond: Flag, a: Real, b: Real) -> Real:
    """``a`` where ``cond`` holds, else ``b`` (``np.where``).

    Examples
    --------
    >>> float(select(False, 1.0, 2.0))
    2.0
    """
    return np.where(cond, a, b)


# ------------------------------------------------------- 1. divergence drift and epochs
def drifted(d: Real, e: Real, p: ModelParams) -> Real:
    """d + s_d e + mu_d: last period's divergence after its drift, before clipping.

    Examples
    --------
    >>> round(float(drifted(0.5, 1.0, ModelParams(s_d=0.1, mu_d=0.01))), 6)
    0.61
    """
    moved = p.s_d * e + d
    return moved + p.mu_d if p.mu_d != 0.0 else moved  # adding 0.0 would turn -0.0 into 0.0


def epoch_value(v: Real, scale: Real) -> Real:
    """v_g scaled by the system epoch.

    Examples
    --------
    >>> float(epoch_value(0.5, 2.0))
    1.0
    """
    return v * scale


# ------------------------------------------- 2.2 the leader's extraction and its hazard
def concession_salience(h: Real, p: ModelParams) -> Real:
    """rho_eff = rho (1 + stability_effect h): instability shifting the price (step 5).

    Examples
    --------
    >>> round(float(concession_salience(0.5, ModelParams(stability_effect=-0.4))), 6)
    0.8
    """
    return p.rho * (1.0 + p.stability_effect * h) if p.stability_effect != 0.0 else p.rho


def concession_weight(W: Real, rho: Real, p: ModelParams) -> Real:
    """lambda(W) = rho (omega + (1 - omega) W): what a concession costs the coalition.

    Examples
    --------
    >>> float(concession_weight(1.0, 2.0, ModelParams()))
    2.0
    """
    return rho * (p.omega + (1.0 - p.omega) * W)


def protected_threat(sigma: Real, T: Real) -> Real:
    """sigma T: the part of the threat the patron's protection absorbs.

    Examples
    --------
    >>> float(protected_threat(0.5, 0.2))
    0.1
    """
    return sigma * T


def protection_cost(k: Real, ST: Real) -> Real:
    """k sigma T: the patron's cost of protecting the state.

    Examples
    --------
    >>> float(protection_cost(0.5, 0.1))
    0.05
    """
    return k * ST


def dyad_deficit(lam: Real, d: Real, x: Real, ST: Real) -> Real:
    """D = lambda d x - sigma T: what the alliance costs the leader beyond its security.

    Examples
    --------
    >>> round(float(dyad_deficit(1.0, 0.5, 0.5, 0.05)), 6)
    0.2
    """
    return lam * d * x - ST


def base_extraction(T: Real, B: Real) -> Real:
    """E0 = T + B: extraction when the state stands alone.

    Examples
    --------
    >>> round(float(base_extraction(0.1, 0.2)), 6)
    0.3
    """
    return T + B


def allied_extraction(E0: Real, D: Real, pay: Real) -> Real:
    """E1 = E0 + D - a: extraction when allied and paid ``a``.

    Examples
    --------
    >>> round(float(allied_extraction(0.3, 0.1, 0.2)), 6)
    0.2
    """
    return E0 + D - pay


def deposition_hazard(E: Real, Y: Real, p: ModelParams) -> Real:
    """h_L = min(h0 + eta max(E, 0)^2 / (2 kappa Y), h_cap): the leader's hazard.

    Examples
    --------
    >>> round(float(deposition_hazard(1.0, 1.0, ModelParams(h0=0.05, eta=0.5))), 6)
    0.3
    """
    Em = larger(E, 0.0)
    return smaller(p.h0 + p.eta * (Em * Em / (2.0 * p.kappa * Y)), p.h_cap)


# ------------------------------------------------------- 2-3. regime and leader change
def regime_changes(u: Real, h: Real) -> Flag:
    """A regime change, from the period's uniform ``u``: ``u < h``.

    Examples
    --------
    >>> bool(regime_changes(0.01, 0.05))
    True
    """
    return u < h


def leader_changes(u: Real, h: Real, hL: Real) -> Flag:
    """A new leader (with or without a regime change): ``u < h + (1 - h) h_L``.

    The same uniform decides both, so a regime change is always a leader change.

    Examples
    --------
    >>> bool(leader_changes(0.2, 0.05, 0.2)), bool(leader_changes(0.3, 0.05, 0.2))
    (True, False)
    """
    return u < h + (1.0 - h) * hL


def new_regime_W(u: Real, h: Real, levels: Any, cum: Any) -> Real:
    """The new regime's W: the discrete law ``levels`` with normalized cdf ``cum``, drawn
    by inverse cdf from ``u / h`` (uniform given a regime change).

    Examples
    --------
    >>> float(new_regime_W(0.01, 0.04, np.array([0.0, 1.0]), np.array([0.5, 1.0])))
    0.0
    """
    i = np.searchsorted(cum, u / h, side="right")
    return levels[smaller(i, len(levels) - 1)]


def jump_scale(rc: Flag, W: Real, p: ModelParams) -> Real:
    """s.d. of the divergence jump: ``s_r`` at a regime change, else the leader-change
    ``s_l(W) = s_l_small + (s_l_large - s_l_small) W`` (W before the period).

    Examples
    --------
    >>> round(float(jump_scale(False, 0.5, ModelParams())), 6)
    0.03
    """
    return select(rc, p.s_r, p.s_l_small + (p.s_l_large - p.s_l_small) * W)


def jumped(d: Real, sd: Real, e: Real) -> Real:
    """d + s e: divergence after a jump with standard normal ``e``.

    Examples
    --------
    >>> float(jumped(0.5, 0.1, 1.0))
    0.6
    """
    return d + sd * e


def distanced(d: Real, p: ModelParams) -> Real:
    """d + mu_r: a new regime moves away from its predecessor's patron (mu_r >= 0).

    Examples
    --------
    >>> round(float(distanced(0.5, ModelParams(mu_r=0.1))), 6)
    0.6
    """
    return d + p.mu_r if p.mu_r > 0.0 else d


def holdup_after(rc: Flag, hold: Any, p: ModelParams) -> Any:
    """Hold-up periods left this period: ``holdup_periods`` after a regime change.

    Examples
    --------
    >>> int(holdup_after(True, 0, ModelParams(holdup_periods=3)))
    3
    """
    return select(rc, p.holdup_periods, hold)


def holdup_left(hold: Any) -> Any:
    """Hold-up periods left next period.

    Examples
    --------
    >>> int(holdup_left(0)), int(holdup_left(3))
    (0, 2)
    """
    return larger(hold - 1, 0)


def bargaining_weight(hold: Any, p: ModelParams) -> Real:
    """The patron's weight beta, ``min(beta, beta_holdup)`` while it is held up.

    Examples
    --------
    >>> float(bargaining_weight(2, ModelParams(beta=0.9, beta_holdup=0.4)))
    0.4
    """
    low = p.beta if p.beta <= p.beta_holdup else p.beta_holdup  # Python's min()
    return select(hold > 0, low, p.beta)


def next_tenure(renew: Flag, tenure: Real) -> Real:
    """Years the leader has served: 0 for a new leader.

    Examples
    --------
    >>> float(next_tenure(False, 2.0))
    3.0
    """
    return select(renew, 0.0, tenure + 1.0)
