"""The price of an ally: the fitted model's required payment, surplus and formation odds.

:func:`price_of_ally` evaluates the fitted formation model at one dyad-year, at its
observed covariates or under what-ifs (``{"W": 0.8}`` sets, ``{"divergence": "+0.1"}``
shifts), with delta-method intervals from the estimates' clustered covariance.
:func:`predicted_required_payment` gives a* for every dyad-year of a panel.

Examples
--------
>>> from sidepay.estimate.formation import FormationModel, formation_test_panel, simulate_formation
>>> panel = formation_test_panel(n_clients=80, years=(1985, 1994), seed=1)
>>> truth = {"v[USA 1946-1989]": 0.6, "v[USA 1990-]": 0.3, "rho": 0.8, "omega": 0.3,
...     "tau": 0.5, "k": 0.4, "beta": 0.6, "sigma_eps": 0.5, "sigma_eta": 0.3}
>>> fit = FormationModel().fit(simulate_formation(panel, truth, seed=2))
>>> p = price_of_ally(fit, panel, 2, 101, 1990, what_if={"W": 1.0})
>>> p.values["W"], 0.0 <= p.p_forms.estimate <= 1.0
(1.0, True)
>>> price_of_ally(fit, panel, 2, 101, 1990, what_if={"X": 1.0})  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
sidepay.errors.InputError: what_if= unknown parameter 'X'; ...
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sidepay.errors import bad_param
from sidepay.estimate.formation import FormationModel, quantities
from sidepay.estimate.mapping import PATRON_ABBREVIATIONS, untransform_payment
from sidepay.jsonsafe import finite_or_none


@dataclass(frozen=True)
class Interval:
    """An estimate with its delta-method interval."""

    estimate: float
    conf_low: float
    conf_high: float


@dataclass(frozen=True)
class AllyPrice:
    """What the fitted model says an ally costs in one dyad-year.

    ``required_payment`` is a* = max(0, D) and ``expected_payment`` a* + (1 - beta) S, in
    the model's payment units (the transformed column); the ``*_level`` fields are on the
    column's own scale (``expm1`` under ``log1p``). ``surplus`` is S; ``p_forms`` is
    Pr(S + eps >= 0). ``values`` are the covariates used, after the what-ifs.
    """

    patron: int
    client: int
    year: int
    payment: str
    transform: str
    values: dict[str, float]
    what_if: dict[str, str]
    required_payment: Interval
    required_payment_level: Interval
    surplus: Interval
    p_forms: Interval
    expected_payment: Interval
    observed_allied: float | None
    observed_payment: float | None
    method: str = "delta method, cluster-robust covariance"
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (NaN and infinity as ``None``)."""

        out: dict[str, Any] = finite_or_none(asdict(self))
        return out

    def __str__(self) -> str:
        def line(label: str, iv: Interval) -> str:
            return f"  {label:<28} {iv.estimate:10.4g}  [{iv.conf_low:.4g}, {iv.conf_high:.4g}]"

        head = f"price of ally {self.patron}->{self.client} in {self.year}"
        if self.what_if:
            head += " with " + ", ".join(f"{k}{v}" for k, v in self.what_if.items())
        cov = ", ".join(f"{k}={v:.4g}" for k, v in self.values.items())
        return "\n".join([
            head, f"  covariates: {cov}",
            line("required payment a*", self.required_payment),
            line(f"  as {self.payment} ({'level' if self.transform == 'log1p' else 'same'})",
                 self.required_payment_level),
            line("patron surplus S", self.surplus),
            line("Pr(alliance forms)", self.p_forms),
            line("expected payment a*+(1-b)S", self.expected_payment),
            f"  intervals: 95%, {self.method}",
        ])  # fmt: skip


def _code(token: int | str, param: str) -> int:
    text = str(token).strip()
    if text.isdigit():
        return int(text)
    by_abb = {v: k for k, v in PATRON_ABBREVIATIONS.items()}
    if text.upper() in by_abb:
        return by_abb[text.upper()]
    raise bad_param(param, f"must be a COW code (2, 770) or a patron abbreviation; got {token!r}")


def _parse_change(key: str, value: str | float, current: float) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    try:
        if text.startswith("="):
            return float(text[1:])
        if text[:1] in "+-":
            return current + float(text)
        return float(text)
    except ValueError:
        raise bad_param(
            "what_if", f"{key} must be a number (=0.8 sets, +0.1 or -0.1 shifts); got {value!r}"
        ) from None


def _row(panel: pd.DataFrame, patron: int, client: int, year: int) -> pd.DataFrame:
    hit = panel[(panel["patron"] == patron) & (panel["client"] == client) & (panel["year"] == year)]
    if hit.empty:
        pair = panel[(panel["patron"] == patron) & (panel["client"] == client)]
        if pair.empty:
            raise bad_param("client", f"no dyad {patron}->{client} in the panel")
        lo, hi = int(pair["year"].min()), int(pair["year"].max())
        raise bad_param("year", f"{year} is outside the panel for {patron}->{client} ({lo}..{hi})")
    return hit.iloc[[0]].copy()


def price_of_ally(
    fit: FormationModel,
    panel: pd.DataFrame,
    patron: int | str,
    client: int | str,
    year: int | str,
    *,
    what_if: dict[str, str | float] | None = None,
    level: float = 0.95,
) -> AllyPrice:
    """Required side payment, surplus and formation probability of one dyad-year.

    Parameters
    ----------
    fit
        A fitted :class:`FormationModel`.
    panel
        A table in the panel schema holding the dyad-year.
    patron, client
        COW codes (``2``, ``"770"``; patron abbreviations such as ``"USA"``).
    year
        Calendar year.
    what_if
        Covariate changes: a number or ``"0.8"`` / ``"=0.8"`` sets, ``"+0.1"`` /
        ``"-0.1"`` shifts. Keys: ``divergence`` (or ``d``), ``W``, the threat column (or
        ``T``), ``cinc_patron``, ``cinc_client``.

    Notes
    -----
    Intervals are by the delta method (numerical derivatives of each quantity in the
    parameters, the clustered covariance): a* has a kink at D = 0 where it is not smooth.
    """
    fit._check_fitted()
    p, c = _code(patron, "patron"), _code(client, "client")
    try:
        y = int(str(year).strip())
    except ValueError:
        raise bad_param("year", f"must be a calendar year; got {year!r}") from None
    row = _row(panel, p, c, y)
    aliases = {"d": "divergence", "T": fit.threat}
    allowed = ["divergence", "W", fit.threat, "cinc_patron", "cinc_client"]
    changes: dict[str, str] = {}
    for key, val in (what_if or {}).items():
        col = aliases.get(key, key)
        if col not in allowed:
            raise bad_param(
                "what_if", f"unknown parameter {key!r}; allowed: {', '.join([*allowed, 'd', 'T'])}"
            )
        current = float(row[col].astype("float64").iloc[0])
        new = _parse_change(key, val, current)
        if col == "W" and not 0.0 <= new <= 1.0:
            raise bad_param("what_if", f"W must lie in [0, 1]; got {new:g}")
        if col in ("divergence", fit.threat, "cinc_patron", "cinc_client") and new < 0:
            raise bad_param("what_if", f"{key} must be >= 0; got {new:g}")
        row[col] = new
        changes[key] = val if isinstance(val, str) and val[:1] in "+-=" else f"={new:g}"
    des = fit.design(row)
    if des.n == 0:
        lacking = [col for col in allowed if pd.isna(row[col].iloc[0])]
        why = f"{', '.join(lacking)} missing" if lacking else "its patron x era was not fitted"
        raise bad_param("year", f"{p}->{c} in {y} cannot be priced: {why}")
    theta, V = fit.theta_, fit.cov_theta_
    crit = float(stats.norm.ppf(0.5 + level / 2))

    def at(th: np.ndarray) -> np.ndarray:
        q = quantities(th, des)
        return np.array([q["required_payment"][0], q["surplus"][0], q["p_forms"][0],
                         q["expected_payment"][0]])  # fmt: skip

    base = at(theta)
    J = np.empty((4, len(theta)))
    for j in range(len(theta)):
        h = 1e-6 * max(1.0, abs(float(theta[j])))
        up, dn = theta.copy(), theta.copy()
        up[j] += h
        dn[j] -= h
        J[:, j] = (at(up) - at(dn)) / (2 * h)
    se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", J, V, J), 0.0))
    lo, hi = base - crit * se, base + crit * se
    iv = [Interval(float(b), float(a), float(z)) for b, a, z in zip(base, lo, hi, strict=True)]
    req = Interval(iv[0].estimate, max(0.0, iv[0].conf_low), iv[0].conf_high)
    pf = Interval(iv[2].estimate, max(0.0, iv[2].conf_low), min(1.0, iv[2].conf_high))
    level_iv = Interval(
        *(
            float(untransform_payment(x, fit.transform))
            for x in (req.estimate, req.conf_low, req.conf_high)
        )
    )
    obs_allied = row[fit.alliance].astype("float64").iloc[0] if fit.alliance in row else np.nan
    obs_pay = row[fit.payment].astype("float64").iloc[0] if fit.payment in row else np.nan
    values = {col: float(row[col].astype("float64").iloc[0]) for col in allowed}
    return AllyPrice(
        patron=p, client=c, year=y, payment=fit.payment, transform=fit.transform,
        values=values, what_if=changes, required_payment=req, required_payment_level=level_iv,
        surplus=iv[1], p_forms=pf, expected_payment=iv[3],
        observed_allied=None if pd.isna(obs_allied) else float(obs_allied),
        observed_payment=None if pd.isna(obs_pay) else float(obs_pay),
    )  # fmt: skip


def predicted_required_payment(
    fit: FormationModel, panel: pd.DataFrame, *, level: bool = False
) -> pd.Series:
    """The model's required payment a* = max(0, D) for every dyad-year.

    Indexed like ``panel``; missing where a covariate is missing or the row's patron x era
    was not fitted. In model units (the transformed payment column) by default; with
    ``level=True`` on the payment column's own scale (``expm1`` under ``log1p``), the scale
    the report's case timelines draw the observed payments on.

    Examples
    --------
    >>> from sidepay.estimate.simulate import formation_test_panel, simulate_formation
    >>> truth = {"v[USA 1990-]": 0.3, "rho": 0.8, "omega": 0.3, "tau": 0.5, "k": 0.4,
    ...          "beta": 0.6, "sigma_eps": 0.5, "sigma_eta": 0.3}
    >>> p = simulate_formation(formation_test_panel(60, (1990, 1993), seed=0), truth, seed=1)
    >>> fit = FormationModel().fit(p)
    >>> a, b = predicted_required_payment(fit, p), predicted_required_payment(fit, p, level=True)
    >>> a.index.equals(p.index), bool(np.allclose(np.expm1(a), b))
    (True, True)
    """
    q = fit.index(panel)["required_payment"].reindex(panel.index)
    if level:
        q = pd.Series(untransform_payment(q.to_numpy(), fit.transform), index=q.index)
    return q.rename("predicted_required_payment")
