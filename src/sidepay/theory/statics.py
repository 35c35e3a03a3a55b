"""Comparative statics of the formation equilibrium against any one parameter.

``solve_params`` solves the formation game at a ``ModelParams`` point (optionally with some
parameters replaced by arrays); ``comparative_statics`` varies one parameter over a grid
with all others at their values in ``params``.

The regime hazard ``h`` enters the price through ``stability_effect``
(:func:`sidepay.theory.leader.stability_salience`), so it can be varied too.

Examples
--------
>>> cs = comparative_statics("W", 0.05, 1.0, 5)
>>> [round(float(a), 3) for a in cs["required_payment"]]
[0.022, 0.079, 0.136, 0.193, 0.25]
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

from sidepay.errors import InputError
from sidepay.theory.formation import solve_formation
from sidepay.theory.leader import (
    extraction_allied,
    extraction_alone,
    leader_hazard,
    stability_salience,
)
from sidepay.theory.params import ModelParams

__all__ = ["STATICS_OUTPUTS", "VARIABLE_PARAMETERS", "comparative_statics", "solve_params"]

#: parameters the one-period equilibrium depends on (dynamics-only ones are excluded)
VARIABLE_PARAMETERS: Final = (
    "W", "d", "x", "sigma", "T", "v", "k", "rho", "omega", "beta",
    "B", "Y", "kappa", "h0", "eta", "h_cap", "h", "stability_effect",
)  # fmt: skip

STATICS_OUTPUTS: Final = (
    "outcome",
    "forms",
    "deficit",
    "required_payment",
    "patron_surplus",
    "payment",
    "patron_payoff",
    "leader_gain",
    "extraction_alone",
    "extraction_allied",
    "hazard_alone",
    "hazard_allied",
)

_MAX_POINTS: Final = 10_000_000


def solve_params(params: ModelParams | None = None, **arrays: Any) -> dict[str, np.ndarray]:
    """The formation equilibrium and the leader's extraction and hazard at a parameter point.

    Keyword arrays replace the named parameters (broadcasting); they are not validated
    here, so validate scalars through ``ModelParams`` first.

    Examples
    --------
    >>> out = solve_params(ModelParams())
    >>> int(out["outcome"]), round(float(out["payment"]), 4)
    (2, 0.07)
    >>> bool(out["hazard_allied"] <= out["hazard_alone"])
    True
    """
    p = {**(params or ModelParams()).model_dump(), **arrays}
    rho = stability_salience(p["rho"], p["h"], p["stability_effect"])
    eq = solve_formation(
        p["W"], p["d"], p["x"], p["sigma"], p["T"], p["v"], p["k"], p["beta"], rho, p["omega"]
    )
    E0 = extraction_alone(p["T"], p["B"])
    E1 = extraction_allied(
        p["T"], p["B"], p["sigma"], p["W"], p["d"], p["x"], eq.payment, rho, p["omega"]
    )
    E_chosen = np.where(eq.forms, E1, E0)
    haz = dict(kappa=p["kappa"], Y=p["Y"], h0=p["h0"], eta=p["eta"], h_cap=p["h_cap"])
    out = {
        "outcome": eq.outcome,
        "forms": eq.forms,
        "deficit": eq.deficit,
        "required_payment": eq.required_payment,
        "patron_surplus": eq.patron_surplus,
        "payment": eq.payment,
        "patron_payoff": eq.patron_payoff,
        "leader_gain": eq.leader_gain,
        "extraction_alone": E0,
        "extraction_allied": E_chosen,
        "hazard_alone": leader_hazard(E0, **haz),
        "hazard_allied": leader_hazard(E_chosen, **haz),
    }
    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()))
    return {k: np.broadcast_to(v, shape).copy() for k, v in out.items()}


def comparative_statics(
    vary: str,
    lo: float,
    hi: float,
    points: int = 200,
    params: ModelParams | None = None,
) -> dict[str, np.ndarray]:
    """Vary one parameter from ``lo`` to ``hi`` on ``points`` grid points, others fixed.

    Returns a dict with the grid under the key ``vary`` and one array per name in
    ``STATICS_OUTPUTS`` (``extraction_allied`` / ``hazard_allied`` are the leader's
    extraction and hazard in equilibrium: allied where the alliance forms, alone
    otherwise).

    Raises
    ------
    InputError
        ``vary`` is not a one-period parameter, ``lo``/``hi`` lie outside its range or are
        not ordered, or ``points`` is not in [2, 10^7].

    Examples
    --------
    >>> cs = comparative_statics("T", 0.0, 1.0, 3)
    >>> [int(o) for o in cs["outcome"]]
    [2, 1, 1]
    >>> comparative_statics("mu_r", 0, 1, 3)
    Traceback (most recent call last):
    ...
    sidepay.errors.InputError: cannot vary 'mu_r' in comparative statics: allowed are W, d, x, sigma, T, v, k, rho, omega, beta, B, Y, kappa, h0, eta, h_cap, h, stability_effect
    """
    if vary not in VARIABLE_PARAMETERS:
        raise InputError(
            f"cannot vary {vary!r} in comparative statics: allowed are "
            + ", ".join(VARIABLE_PARAMETERS)
        )
    if isinstance(points, bool) or not isinstance(points, int | np.integer):
        raise InputError(f"points must be an integer in [2, {_MAX_POINTS}]; got {points!r}")
    if not 2 <= int(points) <= _MAX_POINTS:
        raise InputError(f"points must be in [2, {_MAX_POINTS}]; got {points}")
    base = params or ModelParams()
    base.replace(**{vary: lo})  # validates the range of each end (one-line InputError)
    base.replace(**{vary: hi})
    if not float(lo) < float(hi):
        raise InputError(f"--from must be < --to for {vary!r}; got {lo} and {hi}")
    grid = np.linspace(float(lo), float(hi), int(points))
    out = solve_params(base, **{vary: grid})
    return {vary: grid, **out}
