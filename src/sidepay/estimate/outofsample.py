"""Out-of-sample test of the theory: terminations and realignments, model against baselines.

Fit on years up to an origin (default 1989), predict each allied dyad-year of the years after
(to 2016, the end of ATOP 4.01), and score log-loss, Brier score and AUC. With a rolling
origin the window moves every ``horizon`` years and the predictions are pooled.

- **structural**: the fitted formation model. An alliance in force in year t satisfies
  ``S_t + eps_t >= 0``; it ends after t if ``S_{t+1} + eps_{t+1} < 0``. The index next year
  is forecast from the covariates' latest change, ``z_{t+1} = z_t + (z_t - z_{t-1})`` with
  ``z = S / sigma_eps`` (no change where t-1 is unobserved), and the shocks of successive
  years are bivariate normal with correlation ``r`` (the one extra parameter, fitted by ML
  on the training years' terminations):
  ``Pr(end) = [Phi(-z_{t+1}) - Phi2(-z_t, -z_{t+1}; r)] / Phi(z_t)``. A realignment is an
  end times the probability that some other patron's formation condition holds for the
  client that year, ``1 - prod_r (1 - Phi(S_r / sigma_eps))``.
- **duration logit**: logit on peace-years splines of the spell's age (BKT 1998).
- **Cox H4** (divergence, W, common_threat) and **Cox H6** (recent regime change,
  divergence, W), strata by patron as in ``sidepay.analysis.specs``, with a piecewise-
  constant Breslow baseline in bins of spell age (pooled over patrons where a patron has
  fewer than 5 training events).

Examples
--------
>>> auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
0.75
>>> round(float(bivariate_normal_cdf(np.array([0.0]), np.array([0.0]), 0.5)[0]), 4)
0.3333
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from sidepay.analysis.estimators import fit_feglm
from sidepay.analysis.marginal import peace_years_splines
from sidepay.analysis.model_fit import EstimationProblem
from sidepay.analysis.prepare import derive
from sidepay.analysis.specs import HYPOTHESES
from sidepay.analysis.survival import fit_cox
from sidepay.errors import bad_param
from sidepay.estimate.formation import FormationModel

MODELS: Final = ("structural", "duration_logit", "cox_h4", "cox_h6")
TARGETS: Final = ("termination", "realignment")
AGE_BINS: Final = (0, 1, 3, 6, 11, 21, 1000)
_CLIP: Final = 1e-6


# ---------------------------------------------------------------------- scores


def auc(y: np.ndarray, p: np.ndarray) -> float | None:
    """Area under the ROC curve (Mann-Whitney, ties counted half); None without both classes."""
    y = np.asarray(y, bool)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        return None
    ranks = stats.rankdata(p)
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def scores(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """Log-loss (probabilities clipped to [1e-6, 1 - 1e-6]), Brier score, AUC, n, events.

    Examples
    --------
    >>> s = scores(np.array([0, 1]), np.array([0.5, 0.5]))
    >>> round(s["log_loss"], 4), s["brier"], s["auc"]
    (0.6931, 0.25, 0.5)
    """
    y = np.asarray(y, float)
    q = np.clip(np.asarray(p, float), _CLIP, 1 - _CLIP)
    return {
        "log_loss": float(-np.mean(y * np.log(q) + (1 - y) * np.log1p(-q))),
        "brier": float(np.mean((q - y) ** 2)),
        "auc": auc(y, q),
        "n": len(y),
        "events": int(y.sum()),
    }


def bivariate_normal_cdf(h: np.ndarray, k: np.ndarray, r: float) -> np.ndarray:
    """Pr(X <= h, Y <= k) for standard normals with correlation ``r`` (Owen's T, vectorised)."""
    h = np.where(np.abs(h) < 1e-10, 1e-10, np.asarray(h, float))
    k = np.where(np.abs(k) < 1e-10, 1e-10, np.asarray(k, float))
    s = np.sqrt(1.0 - r * r)
    out = (
        0.5 * special.ndtr(h) + 0.5 * special.ndtr(k)
        - special.owens_t(h, (k - r * h) / (h * s)) - special.owens_t(k, (h - r * k) / (k * s))
    )  # fmt: skip
    return np.clip(out - np.where(h * k < 0, 0.5, 0.0), 0.0, 1.0)


# ---------------------------------------------------------------------- structural


def _lag_by_dyad(frame: pd.DataFrame, values: pd.Series) -> pd.Series:
    key = frame["patron"].astype(np.int64) * 10**4 + frame["client"].astype(np.int64)
    tmp = pd.DataFrame({"k": key, "y": frame["year"].astype(np.int64), "v": values})
    tmp = tmp.sort_values(["k", "y"])
    prev = tmp.groupby("k")["v"].shift(1)
    same = tmp.groupby("k")["y"].shift(1) == tmp["y"] - 1
    return prev.where(same).reindex(frame.index)


def end_probability(z_now: np.ndarray, z_next: np.ndarray, r: float) -> np.ndarray:
    """Pr(S_{t+1} + eps' < 0 | S_t + eps >= 0) in units of sigma_eps, shocks correlated ``r``.

    Examples
    --------
    >>> end_probability(np.array([1.0]), np.array([1.0]), 0.0).round(4).tolist()
    [0.1587]
    """
    num = special.ndtr(-z_next) - bivariate_normal_cdf(-z_now, -z_next, r)
    return np.clip(num / np.maximum(special.ndtr(z_now), 1e-300), 0.0, 1.0)


def _structural_z(fit: FormationModel, panel: pd.DataFrame) -> pd.DataFrame:
    idx = fit.index(panel, carry_forward=True)
    s_e = float(fit.params_["sigma_eps"])
    z = (idx["surplus"] / s_e).reindex(panel.index)
    z_prev = _lag_by_dyad(panel, z)
    z_next = z + (z - z_prev).fillna(0.0)
    rival = _rival_forms(panel, idx["p_forms"].reindex(panel.index))
    return pd.DataFrame({"z": z, "z_next": z_next, "rival_forms": rival})


def _rival_forms(panel: pd.DataFrame, p: pd.Series) -> pd.Series:
    """1 - prod over the client's other patrons (same year) of (1 - Pr(forms))."""
    log_not = np.log1p(-p.clip(upper=1 - 1e-12)).fillna(0.0)
    key = [panel["client"], panel["year"]]
    total = log_not.groupby(key).transform("sum")
    return 1.0 - np.exp(total - log_not)


def _fit_r(z: np.ndarray, z_next: np.ndarray, y: np.ndarray) -> float:
    def nll(r: float) -> float:
        q = np.clip(end_probability(z, z_next, r), _CLIP, 1 - _CLIP)
        return float(-np.sum(y * np.log(q) + (1 - y) * np.log1p(-q)))

    res = optimize.minimize_scalar(nll, bounds=(0.0, 0.9999), method="bounded")
    return float(res.x)


# ---------------------------------------------------------------------- baselines


def _breslow(fit: Any, train: pd.DataFrame, event: str, strata: str) -> dict[Any, np.ndarray]:
    """Piecewise-constant Breslow baseline per stratum (and pooled, key None) in age bins."""
    names = list(fit.coef.index)
    eta = train[names].to_numpy(float) @ fit.coef.to_numpy(float)
    w = np.exp(eta - fit.centre_)
    b = np.digitize(train["start"].to_numpy(float), AGE_BINS[1:-1])
    ev = train[event].to_numpy(float)
    nb = len(AGE_BINS) - 1
    out: dict[Any, np.ndarray] = {}
    pooled = np.bincount(b, ev, nb) / np.maximum(np.bincount(b, w, nb), 1e-300)
    out[None] = pooled
    for s, g in train.groupby(strata).groups.items():
        m = train.index.isin(g)
        if ev[m].sum() >= 5:
            out[s] = np.bincount(b[m], ev[m], nb) / np.maximum(np.bincount(b[m], w[m], nb), 1e-300)
    return out


def _cox_predict(
    train: pd.DataFrame, test: pd.DataFrame, event: str, covs: Sequence[str]
) -> np.ndarray:
    sub = train.dropna(subset=[*covs, event, "start", "stop"])
    fit = fit_cox(sub, event, list(covs), strata=["patron"], cluster="client_id")
    names = list(fit.coef.index)
    fit.centre_ = float(np.mean(sub[names].to_numpy(float) @ fit.coef.to_numpy(float)))  # type: ignore[attr-defined]
    base = _breslow(fit, sub, event, "patron")
    X = test[names].to_numpy(float)
    eta = X @ fit.coef.to_numpy(float) - fit.centre_  # type: ignore[attr-defined]
    b = np.digitize(test["start"].to_numpy(float), AGE_BINS[1:-1])
    h0 = np.array([base.get(s, base[None])[bi] for s, bi in zip(test["patron"], b, strict=True)])
    return 1.0 - np.exp(-h0 * np.exp(eta))


def _duration_logit(train: pd.DataFrame, test: pd.DataFrame, event: str) -> np.ndarray:
    tr = pd.concat([train[[event]], peace_years_splines(train["start"])], axis=1)
    fit = fit_feglm(tr, event, list(peace_years_splines(train["start"].iloc[:1]).columns))
    X = peace_years_splines(test["start"])
    eta = float(fit.coef["Intercept"]) + X[list(fit.coef.index[1:])].to_numpy(
        float
    ) @ fit.coef.iloc[1:].to_numpy(float)
    return np.asarray(special.expit(eta))


# ---------------------------------------------------------------------- the test


#: What :meth:`ForecastResult.winners` says where the test years hold no event.
NO_EVENTS = "none: no events in the test years"


@dataclass
class ForecastResult:
    """Scores per target and model, for the single split and the rolling origin.

    ``scores`` is a DataFrame with columns design (``split`` or ``rolling``), target,
    model, log_loss, brier, auc, n, events; ``r`` the fitted shock persistence per origin.
    """

    train_until: int
    test_until: int
    scores: pd.DataFrame
    r: dict[int, float]
    origins: list[int]
    notes: list[str] = field(default_factory=list)

    def winners(self) -> dict[str, str]:
        """Best model by log-loss for each design and target; ``NO_EVENTS`` where the test
        years hold no event (every model that predicts about 0 then scores about 0, and
        no model is better: the comparison is not identified).

        Examples
        --------
        >>> scores = pd.DataFrame({"design": "split", "target": ["t", "t", "r", "r"],
        ...     "model": ["a", "b", "a", "b"], "log_loss": [0.2, 0.1, 1e-6, 0.03],
        ...     "brier": 0.0, "auc": None, "n": 10, "events": [2, 2, 0, 0]})
        >>> ForecastResult(1989, 2016, scores, {}, [1989]).winners()
        {'split/r': 'none: no events in the test years', 'split/t': 'b'}
        """
        best = self.scores.sort_values("log_loss").groupby(["design", "target"]).head(1)
        events = self.scores.groupby(["design", "target"])["events"].max()
        return {
            f"{d}/{t}": str(m) if events[(d, t)] > 0 else NO_EVENTS
            for d, t, m in sorted(best[["design", "target", "model"]].to_numpy().tolist())
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        recs = self.scores.astype(object).where(self.scores.notna(), None).to_dict("records")
        return {
            "train_until": self.train_until, "test_until": self.test_until,
            "origins": self.origins, "r": {str(k): v for k, v in self.r.items()},
            "scores": recs, "winners": self.winners(), "notes": self.notes,
        }  # fmt: skip


def fold_origins(notes: list[str]) -> list[str]:
    """One line per note that repeats across origins, naming the origins it holds for
    (a note said once is kept as it is).

    Examples
    --------
    >>> fold_origins(["origin 1989: no event", "origin 1994: no event", "origin 1994, x: y",
    ...               "a note", "a note"])
    ['origins 1989, 1994: no event', 'origin 1994, x: y', 'a note']
    """
    groups: dict[str, tuple[list[str], str]] = {}
    for note in notes:
        origin, text = "", note
        if note.startswith("origin "):
            origin, _, text = note.removeprefix("origin ").partition(" ")
            origin = origin.rstrip(",:")
        if not origin.isdigit():  # not an origin's note: kept once
            groups.setdefault(note, ([], note))
            continue
        groups.setdefault(text, ([], note))[0].append(origin)
    return [
        first if len(origins) <= 1 else f"origins {', '.join(origins)}: {key}"
        for key, (origins, first) in groups.items()
    ]


def _prepare(panel: pd.DataFrame) -> pd.DataFrame:
    need = ["client_id", "start", "stop", "recent_regime_change"]
    out = derive(panel, need)
    return out


def _one_origin(
    data: pd.DataFrame, origin: int, last: int, model: FormationModel, notes: list[str]
) -> tuple[pd.DataFrame, float]:
    fit = FormationModel(
        model.payment, model.threat, model.alliance, transform=model.transform,
        era_break=model.era_break,
    ).fit(data[data["year"] <= origin])  # fmt: skip
    z = _structural_z(fit, data)
    allied = data[fit.alliance].astype("float64") == 1
    frame = data.assign(**{c: z[c] for c in z.columns})
    risk = frame[
        allied & frame["termination"].notna() & frame["z"].notna() & frame["start"].notna()
    ]
    train = risk[risk["year"] <= origin]
    test = risk[(risk["year"] > origin) & (risk["year"] <= last)]
    y_tr = train["termination"].to_numpy(float)
    r = _fit_r(train["z"].to_numpy(), train["z_next"].to_numpy(), y_tr)
    p_end = end_probability(test["z"].to_numpy(), test["z_next"].to_numpy(), r)
    preds = {
        ("termination", "structural"): p_end,
        ("realignment", "structural"): p_end * test["rival_forms"].fillna(0.0).to_numpy(),
    }
    h4 = [*HYPOTHESES["H4"].regressors, *HYPOTHESES["H4"].controls]
    h6 = [*HYPOTHESES["H6"].regressors, *HYPOTHESES["H6"].controls]
    for target in TARGETS:
        if target == "realignment" and train["realignment"].sum() == 0:
            notes.append(f"origin {origin}: no realignment before it; baselines predict 0")
        for name, fn in (
            ("duration_logit", lambda t: _duration_logit(train, test, t)),
            ("cox_h4", lambda t: _cox_predict(train, test, t, h4)),
            ("cox_h6", lambda t: _cox_predict(train, test, t, h6)),
        ):
            try:
                p = fn(target)
            except EstimationProblem as exc:
                notes.append(f"origin {origin}, {name}, {target}: {exc}; predicts the base rate")
                p = np.full(len(test), float(train[target].mean()))
            preds[(target, name)] = np.asarray(p, float)
    rows = []
    for (target, name), p in preds.items():
        ok = test[target].notna().to_numpy() & np.isfinite(p)
        rows.append(pd.DataFrame({
            "target": target, "model": name, "y": test[target].to_numpy(float)[ok], "p": p[ok],
            "origin": origin, "year": test["year"].to_numpy()[ok],
        }))  # fmt: skip
    return pd.concat(rows, ignore_index=True), r


def forecast(
    panel: pd.DataFrame,
    *,
    train_until: int = 1989,
    test_until: int = 2016,
    rolling: bool = True,
    horizon: int = 5,
    model: FormationModel | None = None,
) -> ForecastResult:
    """Out-of-sample scores of the structural model and the reduced-form baselines.

    Parameters
    ----------
    panel : a panel in the schema with ``termination``, ``realignment`` and ``spell_year``.
    train_until : last training year of the single split (default 1989).
    test_until : last predicted year (default 2016, the end of ATOP 4.01).
    rolling : also a rolling origin every ``horizon`` years from ``train_until``, each window
        predicting the next ``horizon`` years, predictions pooled.
    model : an unfitted :class:`FormationModel` giving the mapping (default: defaults).
    """
    if not 1946 <= train_until < test_until:
        raise bad_param("train_until", f"must lie in 1946..{test_until - 1}; got {train_until}")
    if horizon < 1:
        raise bad_param("horizon", f"must be >= 1; got {horizon}")
    for col in ("termination", "realignment", "spell_year", "regime_change"):
        if col not in panel.columns:
            raise bad_param("panel", f"lacks column {col} the forecast needs")
    lo, hi = int(panel["year"].min()), int(panel["year"].max())
    if not lo < train_until < hi:
        raise bad_param(
            "train_until", f"{train_until} leaves no training or test years in {lo}..{hi}"
        )
    model = model or FormationModel()
    data = _prepare(panel)
    notes: list[str] = []
    preds, r_by = [], {}
    single, r_by[train_until] = _one_origin(data, train_until, test_until, model, notes)
    preds.append(single.assign(design="split"))
    origins = [train_until]
    if rolling:
        for origin in range(train_until, test_until, horizon):
            last = min(origin + horizon, test_until)
            if origin == train_until:  # the split's fit, its first window only
                part = single[single["year"] <= last]
            else:
                part, r_by[origin] = _one_origin(data, origin, last, model, notes)
            preds.append(part.assign(design="rolling"))
            origins.append(origin)
    allp = pd.concat(preds, ignore_index=True)
    rows = []
    for (design, target, name), g in allp.groupby(["design", "target", "model"], sort=False):
        rows.append({"design": design, "target": target, "model": name,
                     **scores(g["y"].to_numpy(), g["p"].to_numpy())})  # fmt: skip
    return ForecastResult(
        train_until,
        test_until,
        pd.DataFrame(rows),
        r_by,
        sorted(set(origins)),
        fold_origins(notes),
    )
