"""The formation stage by maximum likelihood: :class:`FormationModel` (lifelines-shaped API).

``FormationModel(...).fit(panel)`` maximises the likelihood of :mod:`.likelihood` with
scipy's BFGS and the analytic score, then computes the observed information (central
differences of the score), the sandwich covariance clustered by client, and on request
profile-likelihood intervals. Fitted attributes end in ``_``. Estimation that does not
converge raises :class:`EstimationError` (one line), never a silent number.

Examples
--------
>>> panel = formation_test_panel(n_clients=150, years=(1980, 1999), seed=3)
>>> truth = {"v[USA 1946-1989]": 0.6, "v[USA 1990-]": 0.3, "rho": 0.8, "omega": 0.3,
...     "tau": 0.5, "k": 0.4, "beta": 0.6, "sigma_eps": 0.5, "sigma_eta": 0.3}
>>> sim = simulate_formation(panel, truth, seed=4)
>>> fit = FormationModel().fit(sim)
>>> fit.converged_, fit.n_clusters_
(True, 150)
>>> bool(abs(fit.params_["rho"] - 0.8) < 4 * fit.se_["rho"])
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from sidepay.errors import SidepayError, bad_param
from sidepay.estimate import likelihood as lk
from sidepay.estimate.mapping import (
    ERA_BREAK,
    TRANSFORMS,
    FormationDesign,
    Transform,
    formation_design,
)
from sidepay.estimate.simulate import formation_test_panel, simulate_formation
from sidepay.jsonsafe import finite_or_none

#: structural parameters reported on their natural scale (the two scales exp'd)
REPORTED = ("rho", "omega", "tau", "k", "beta", "sigma_eps", "sigma_eta")
_LOG_SCALES = {"sigma_eps": "log_sigma_eps", "sigma_eta": "log_sigma_eta"}


__all__ = [
    "REPORTED",
    "EstimationError",
    "FormationModel",
    "formation_test_panel",
    "quantities",
    "simulate_formation",
]


class EstimationError(SidepayError, RuntimeError):
    """The estimator did not reach a maximum (or the design cannot identify the model)."""


class FormationModel:
    """Random-utility formation game with a Tobit payment equation, fitted by ML.

    Parameters
    ----------
    payment : panel column of the side payment (any float column: ``side_payment``,
        ``aid_econ``, ``aid_mil``, ...).
    threat : column measuring the threat count behind ``T`` (``threat`` or ``common_threat``).
    alliance : 0/1 column of the alliance in force.
    transform : ``"log1p"`` (default: real payments are heavy-tailed) or ``"level"``.
    era_break : first year of the second era of ``v`` (1990).
    maxiter, gtol : BFGS limits; ``gtol`` bounds the largest |score| per observation.

    Attributes (after ``fit``)
    --------------------------
    params_, se_ : pandas Series over ``v[patron era]`` and :data:`REPORTED`.
    cov_ : cluster-robust covariance (DataFrame, natural scale); ``cov_model_`` model-based.
    theta_ : the estimation vector (scales on the log scale); ``loglik_``, ``converged_``,
        ``n_obs_``, ``n_paid_``, ``n_clusters_``, ``groups_``, ``notes_``.
    """

    def __init__(
        self,
        payment: str = "side_payment",
        threat: str = "threat",
        alliance: str = "allied",
        *,
        transform: Transform = "log1p",
        era_break: int = ERA_BREAK,
        maxiter: int = 2000,
        gtol: float = 1e-5,
    ) -> None:
        if transform not in TRANSFORMS:
            raise bad_param(
                "transform", f"must be one of {', '.join(TRANSFORMS)}; got {transform!r}"
            )
        self.payment, self.threat, self.alliance = payment, threat, alliance
        self.transform: Transform = transform
        self.era_break, self.maxiter, self.gtol = int(era_break), int(maxiter), float(gtol)
        self.converged_ = False

    # ------------------------------------------------------------------ fitting
    def design(
        self,
        panel: pd.DataFrame,
        years: tuple[int, int] | None = None,
        *,
        carry_forward: bool = False,
    ) -> FormationDesign:
        """The design of ``panel`` under this model's mapping (groups fixed once fitted)."""
        groups = getattr(self, "groups_", None)
        return formation_design(
            panel, payment=self.payment, threat=self.threat, alliance=self.alliance,
            transform=self.transform, years=years, era_break=self.era_break, groups=groups,
            carry_forward=carry_forward, outcomes=groups is None,
        )  # fmt: skip

    def _start(self, des: FormationDesign) -> np.ndarray:
        G = len(des.groups)
        share = np.bincount(des.group, des.allied, G) / np.bincount(des.group, minlength=G)
        lam = 0.5 * (0.5 + 0.5 * des.W) * des.d
        a_sum = np.bincount(des.group, np.maximum(0.0, lam - 0.5 * des.sigma * des.T), G)
        a_bar = a_sum.astype(np.float64) / np.bincount(des.group, minlength=G)
        pay = des.payment[des.paid]
        s_h = float(np.std(pay)) if pay.size > 1 and np.std(pay) > 0 else 1.0
        v = stats.norm.ppf(np.clip(share, 0.01, 0.99)) + a_bar
        return np.r_[v, 0.5, 0.5, 0.5, 0.5, 0.5, 0.0, np.log(s_h)]

    def _maximise(
        self, des: FormationDesign, start: np.ndarray, fixed: dict[int, float] | None = None
    ) -> tuple[np.ndarray, float, bool, str]:
        """Maximise over the free coordinates (``fixed``: index -> value); BFGS, exact score."""
        fixed = fixed or {}
        free = np.array([j for j in range(len(start)) if j not in fixed], dtype=int)
        theta = start.astype(np.float64).copy()
        for j, val in fixed.items():
            theta[j] = val
        n = des.n

        def f(x: np.ndarray) -> tuple[float, np.ndarray]:
            th = theta.copy()
            th[free] = x
            ll, g = lk.loglik(th, des)
            if not np.isfinite(ll):
                return 1e300, np.zeros(len(free))
            return -ll / n, -g[free] / n

        res = optimize.minimize(
            f, theta[free], jac=True, method="BFGS",
            options={"maxiter": self.maxiter, "gtol": self.gtol},
        )  # fmt: skip
        theta[free] = res.x
        ll, g = lk.loglik(theta, des)
        # BFGS's line search can stall on the kink of max(0, D) short of the optimum: polish
        # with Newton steps on the numerical Hessian of the exact score, halving on a fall
        for _ in range(min(30, self.maxiter)):
            if not np.isfinite(ll) or np.max(np.abs(g[free])) / n < self.gtol:
                break
            H = lk.numerical_hessian(theta, des)[np.ix_(free, free)]
            try:
                step = -np.linalg.solve(H, g[free])
            except np.linalg.LinAlgError:
                break
            if float(step @ g[free]) <= 0:  # not an ascent direction: H not negative definite
                step = g[free] / n
            for _half in range(40):
                trial = theta.copy()
                trial[free] += step
                ll_t, g_t = lk.loglik(trial, des)
                if np.isfinite(ll_t) and ll_t >= ll - 1e-10 * abs(ll):
                    break
                step = step / 2
            else:
                break
            theta, ll, g = trial, ll_t, g_t
        ok = bool(np.isfinite(ll) and np.max(np.abs(g[free])) / n < 10 * self.gtol)
        return theta, ll, ok, str(res.message)

    def fit(self, panel: pd.DataFrame, *, years: tuple[int, int] | None = None) -> FormationModel:
        """Fit by maximum likelihood; returns ``self``.

        Patron x era groups in which the alliance is always or never in force are dropped
        before fitting (their ``v`` would run to infinity), and named in ``notes_``.

        Raises
        ------
        EstimationError
            The maximiser did not converge, or the information matrix is singular.
        """
        for attr in ("groups_",):
            self.__dict__.pop(attr, None)
        des = self.design(panel, years)
        if des.n == 0:
            raise bad_param("panel", "has no dyad-year with every covariate of the formation model")
        G0 = len(des.groups)
        share = np.bincount(des.group, des.allied, G0) / np.bincount(des.group, minlength=G0)
        keep = [g for i, g in enumerate(des.groups) if 0.0 < share[i] < 1.0]
        self.notes_ = [
            f"{g}: the alliance is {'never' if share[i] == 0 else 'always'} in force; "
            "its v is not identified and its rows are dropped"
            for i, g in enumerate(des.groups)
            if g not in keep
        ]
        if not keep:
            raise EstimationError("no patron x era group with both allied and non-allied years")
        if des.paid.sum() < 10:
            raise EstimationError(
                f"only {int(des.paid.sum())} allied dyad-years with an observed {self.payment}; "
                "the payment equation needs more"
            )
        self.groups_ = tuple(keep)
        des = self.design(panel, years)
        self.design_ = des
        theta, ll, ok, msg = self._maximise(des, self._start(des))
        if not ok:
            raise EstimationError(f"formation likelihood did not converge ({msg})")
        self.theta_, self.loglik_ = theta, ll
        H = lk.numerical_hessian(theta, des)
        _, scores = lk.row_terms(theta, des)
        try:
            V, V0, n_clusters = lk.clustered_sandwich(H, scores, des.cluster)
        except np.linalg.LinAlgError:
            raise EstimationError(
                "formation likelihood: singular information matrix (a parameter is not "
                "identified in this panel)"
            ) from None
        if not (np.all(np.isfinite(V)) and np.all(np.diag(V) > 0) and np.all(np.diag(V0) > 0)):
            raise EstimationError(
                "formation likelihood: the information matrix is not negative definite at the "
                "optimum (a flat direction: a parameter is not identified in this panel)"
            )
        self.cov_theta_, self.cov_theta_model_ = V, V0
        self.n_obs_, self.n_paid_, self.n_clusters_ = des.n, int(des.paid.sum()), n_clusters
        self.converged_ = True
        self._profiles: dict[str, tuple[float, float]] = {}
        return self

    # ------------------------------------------------------------------ results
    def _check_fitted(self) -> None:
        if not self.converged_:
            raise bad_param("fit", "the model is not fitted; call .fit(panel) first")

    @property
    def theta_names_(self) -> list[str]:
        """Names of the estimation vector (scales on the log scale)."""
        return lk.names(self.groups_)

    def _natural(self) -> tuple[pd.Series, np.ndarray]:
        """Reported parameters and the Jacobian of the map from ``theta_``."""
        G = len(self.groups_)
        est = self.theta_.copy()
        J = np.eye(len(est))
        for j in (G + 5, G + 6):
            est[j] = np.exp(self.theta_[j])
            J[j, j] = est[j]
        idx = [f"v[{g}]" for g in self.groups_] + list(REPORTED)
        return pd.Series(est, index=idx), J

    @property
    def params_(self) -> pd.Series:
        """Estimates on the natural scale (``v[...]``, rho, omega, tau, k, beta, sigmas)."""
        self._check_fitted()
        return self._natural()[0]

    def _cov(self, model_based: bool = False) -> pd.DataFrame:
        est, J = self._natural()
        V = self.cov_theta_model_ if model_based else self.cov_theta_
        return pd.DataFrame(J @ V @ J.T, index=est.index, columns=est.index)

    @property
    def cov_(self) -> pd.DataFrame:
        """Cluster-robust (by client) covariance of :attr:`params_` (delta method for scales)."""
        self._check_fitted()
        return self._cov()

    @property
    def cov_model_(self) -> pd.DataFrame:
        """Model-based covariance (inverse observed information) of :attr:`params_`."""
        self._check_fitted()
        return self._cov(model_based=True)

    @property
    def se_(self) -> pd.Series:
        """Cluster-robust standard errors of :attr:`params_`."""
        cov = self.cov_
        return pd.Series(np.sqrt(np.diag(cov.to_numpy())), index=cov.index)

    @property
    def summary(self) -> pd.DataFrame:
        """estimate, se, conf_low, conf_high (Wald, 95%), z, p; profile columns when computed."""
        est, se = self.params_, self.se_
        z = est / se
        out = pd.DataFrame({
            "estimate": est, "se": se, "conf_low": est - 1.959964 * se,
            "conf_high": est + 1.959964 * se, "z": z, "p": 2 * stats.norm.sf(np.abs(z)),
        })  # fmt: skip
        if self._profiles:
            out["profile_low"] = [
                self._profiles.get(str(n), (np.nan, np.nan))[0] for n in out.index
            ]
            out["profile_high"] = [
                self._profiles.get(str(n), (np.nan, np.nan))[1] for n in out.index
            ]
        return out

    def profile_interval(
        self, name: str, level: float = 0.95, *, robust: bool = True
    ) -> tuple[float, float]:
        """Profile-likelihood interval of one parameter (``rho``, ``omega``, ``beta``, ``v[...]``).

        The likelihood-ratio statistic ``2 (l_max - l_profile(c))`` is compared with the
        chi-square(1) quantile. With ``robust=True`` (default) it is first multiplied by
        ``V_model / V_robust`` of the parameter (the one-parameter curvature adjustment of
        Chandler and Bate 2007): the panel's years are not independent draws, so the
        unadjusted interval would be too narrow. ``"one_minus_omega"`` (the W slope
        ``1 - omega``) is the mirror image of omega's interval. A bound not reached within
        the search (a flat profile) is ``inf``/``-inf``.
        """
        self._check_fitted()
        if name == "one_minus_omega":
            lo, hi = self.profile_interval("omega", level, robust=robust)
            return 1.0 - hi, 1.0 - lo
        all_names = list(self.params_.index)
        if name not in all_names:
            raise bad_param(
                "name", f"must be one of {', '.join(all_names)}, one_minus_omega; got {name!r}"
            )
        j = all_names.index(name)
        log_scale = name in _LOG_SCALES
        des = self.design_
        crit = float(stats.chi2.ppf(level, 1))
        adj = 1.0
        if robust:
            adj = float(self.cov_theta_model_[j, j] / self.cov_theta_[j, j])
        se = float(np.sqrt(self.cov_theta_[j, j]))
        centre = float(self.theta_[j])
        cache: dict[float, np.ndarray] = {}

        def excess(c: float) -> float:
            warm = min(cache, key=lambda x: abs(x - c)) if cache else None
            start = cache[warm] if warm is not None else self.theta_
            theta, ll, _ok, _ = self._maximise(des, start, {j: c})
            cache[c] = theta
            return adj * 2.0 * (self.loglik_ - ll) - crit

        bounds = []
        for sign in (-1.0, 1.0):
            step, inner, bound = se, centre, sign * np.inf
            for _ in range(8):
                outer = centre + sign * step
                if excess(outer) > 0:
                    bound = optimize.brentq(excess, inner, outer, xtol=1e-4 * se)
                    break
                inner, step = outer, step * 2.0
            bounds.append(float(bound))
        lo, hi = bounds
        if log_scale:
            lo, hi = float(np.exp(lo)), float(np.exp(hi))
        self._profiles[name] = (lo, hi)
        return lo, hi

    @property
    def out_of_range_(self) -> list[str]:
        """Estimates outside the theory's ranges (rho > 0, 0 <= omega < 1, tau >= 0, k >= 0,
        0 <= beta <= 1): the data's verdict on the restrictions, which the fit does not impose."""
        est = self.params_
        checks = {
            "rho": est["rho"] > 0, "omega": 0 <= est["omega"] < 1, "tau": est["tau"] >= 0,
            "k": est["k"] >= 0, "beta": 0 <= est["beta"] <= 1,
        }  # fmt: skip
        return [f"{n}={est[n]:.3g}" for n, ok in checks.items() if not ok]

    # ------------------------------------------------------------------ prediction
    def index(self, panel: pd.DataFrame, *, carry_forward: bool = False) -> pd.DataFrame:
        """Model quantities of every usable dyad-year of ``panel`` at the estimates.

        Columns: ``deficit`` D, ``required_payment`` a*, ``surplus`` S, ``p_forms``
        Phi(S / sigma_eps), ``expected_payment`` a* + (1 - beta) S (model units), indexed
        like ``panel``. Rows of groups the model was not fitted on are absent, unless
        ``carry_forward`` gives them the patron's latest fitted era.
        """
        self._check_fitted()
        des = self.design(panel, carry_forward=carry_forward)
        q = quantities(self.theta_, des)
        return pd.DataFrame(q, index=des.rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (no NaN or infinity: ``null``)."""
        self._check_fitted()
        summ = self.summary
        return {
            "model": "formation (random-utility probit + Tobit payment)",
            "payment": self.payment, "threat": self.threat, "alliance": self.alliance,
            "transform": self.transform, "era_break": self.era_break,
            "loglik": finite_or_none(self.loglik_), "n_obs": self.n_obs_, "n_paid": self.n_paid_,
            "n_clusters": self.n_clusters_, "converged": self.converged_,
            "vcov": "sandwich clustered by client (CR1)", "notes": list(self.notes_),
            "outside_theory_range": self.out_of_range_,
            "params": {
                str(n): {str(c): finite_or_none(float(v)) for c, v in row.items()}
                for n, row in summ.iterrows()
            },
        }  # fmt: skip

    def __repr__(self) -> str:
        if not self.converged_:
            return f"<FormationModel payment={self.payment!r} (not fitted)>"
        est = self.params_
        key = ", ".join(f"{n}={est[n]:.3g}({self.se_[n]:.2g})" for n in ("rho", "omega", "beta"))
        return (
            f"<FormationModel payment={self.payment!r} n={self.n_obs_} clusters="
            f"{self.n_clusters_} loglik={self.loglik_:.1f}: {key}>"
        )

    def _repr_html_(self) -> str:
        head = repr(self).replace("<", "&lt;").replace(">", "&gt;")
        if not self.converged_:
            return f"<p>{head}</p>"
        return f"<p>{head}</p>" + self.summary.round(4).to_html()


def quantities(theta: np.ndarray, des: FormationDesign) -> dict[str, np.ndarray]:
    """D, a*, S, Pr(forms) and the expected payment a* + (1 - beta) S at ``theta``."""
    from sidepay.theory.formation import solve_formation

    G = len(des.groups)
    rho, omega, tau, k, beta, lse, _lsh = theta[G:]
    eq = solve_formation(
        des.W, des.d, 1.0, des.sigma, tau * des.T, theta[:G][des.group], k, beta, rho, omega
    )
    S = eq.patron_surplus
    return {
        "deficit": eq.deficit,
        "required_payment": eq.required_payment,
        "surplus": S,
        "p_forms": stats.norm.cdf(S / np.exp(lse)),
        "expected_payment": eq.required_payment + (1.0 - beta) * S,
    }
