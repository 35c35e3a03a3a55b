"""The evidence a proposition returns, and the seeded samples of parameter points it uses.

The sampling box (``sample_points``) is the whole parameter space of THEORY 2.1 with the
unbounded parameters truncated: ``T, k, omega`` in [0, 1) and [0, 0.9], ``v`` in [0, 2],
``rho`` in [0.2, 2].

Examples
--------
>>> TOL
1e-12
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from sidepay.theory.formation import (
    FloatArray,
    Formation,
    solve_formation,
)

__all__ = ["TOL", "PropositionEvidence", "column", "grid_points", "sample_points", "solve_at"]

#: tolerance of the propositions' weak inequalities
TOL: Final = 1e-12


@dataclass(frozen=True)
class PropositionEvidence:
    """The evidence for one proposition on one seeded sample.

    Attributes
    ----------
    id : "P1" ... "P8".
    holds : every check of the proposition passes on this sample.
    description : the proposition, in words.
    seed_claim : the claim of the dissertation abstract it encodes.
    sign : the sign in the model that, flipped, would make it fail.
    summary : headline numbers (floats), e.g. rates and means.
    arrays : curves for a figure (1-d arrays of equal length per figure).
    checks : name -> bool of each individual check.

    Examples
    --------
    >>> from sidepay.theory.propositions import p3
    >>> ev = p3(n=500)
    >>> ev.id, ev.holds, sorted(ev.checks)
    ('P3', True, ['strictly_falling_where_paid', 'weakly_falling'])
    """

    id: str
    holds: bool
    description: str
    seed_claim: str
    sign: str
    summary: dict[str, float] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    checks: dict[str, bool] = field(default_factory=dict)

    def as_dict(self, arrays: bool = False) -> dict[str, Any]:
        """Plain JSON-ready dict (arrays as lists only if ``arrays``).

        Examples
        --------
        >>> from sidepay.theory.propositions import p3
        >>> sorted(p3(n=500).as_dict())
        ['checks', 'description', 'holds', 'id', 'seed_claim', 'sign', 'summary']
        """
        out: dict[str, Any] = {
            "id": self.id,
            "holds": bool(self.holds),
            "description": self.description,
            "seed_claim": self.seed_claim,
            "sign": self.sign,
            "checks": {k: bool(v) for k, v in self.checks.items()},
            "summary": {k: float(v) for k, v in self.summary.items()},
        }
        if arrays:
            out["arrays"] = {k: np.asarray(v).tolist() for k, v in self.arrays.items()}
        return out


def sample_points(n: int, rng: np.random.Generator) -> dict[str, FloatArray]:
    """Draw ``n`` formation parameter points uniformly from the sampling box.

    Examples
    --------
    >>> pts = sample_points(3, np.random.default_rng(0))
    >>> sorted(pts)
    ['T', 'W', 'beta', 'd', 'k', 'omega', 'rho', 'sigma', 'v', 'x']
    """
    u = rng.uniform
    return {
        "W": u(0.01, 1.0, n),
        "d": u(0.0, 1.0, n),
        "x": u(0.05, 1.0, n),
        "sigma": u(0.0, 1.0, n),
        "T": u(0.0, 1.0, n),
        "v": u(0.0, 2.0, n),
        "k": u(0.0, 1.0, n),
        "rho": u(0.2, 2.0, n),
        "omega": u(0.0, 0.9, n),
        "beta": u(0.0, 1.0, n),
    }


def solve_at(pts: dict[str, FloatArray], **over: FloatArray | float) -> Formation:
    q = {**pts, **over}
    return solve_formation(
        q["W"], q["d"], q["x"], q["sigma"], q["T"], q["v"], q["k"], q["beta"], q["rho"], q["omega"]
    )


def column(a: FloatArray) -> FloatArray:
    return np.asarray(a)[:, None]


def grid_points(pts: dict[str, FloatArray]) -> dict[str, FloatArray]:
    return {k: column(v) for k, v in pts.items()}
