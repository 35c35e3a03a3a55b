"""Guards on data built to trigger them, checked against R's warnings on the same data;
multiplicity against statsmodels; Kaplan-Meier against lifelines and R's survfit; the
AME's delta-method SE against statsmodels; PPML with fixed effects against R's glm."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sidepay.analysis.estimators import fit_feglm
from sidepay.analysis.kaplan_meier import kaplan_meier
from sidepay.analysis.marginal import logit_ame_with_se
from sidepay.analysis.model_fit import EstimationProblem
from sidepay.analysis.multi_estimation import fit_many
from sidepay.analysis.multiplicity import benjamini_hochberg, holm
from sidepay.analysis.survival import fit_cox

R = shutil.which("Rscript")
needs_r = pytest.mark.skipif(R is None, reason="Rscript is not installed")


def _r(script: str, tmp_path: Path, data: pd.DataFrame) -> subprocess.CompletedProcess[str]:
    data.to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "s.R").write_text(script)
    return subprocess.run([R, str(tmp_path / "s.R"), str(tmp_path / "d.csv")],  # type: ignore[list-item]
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def _cox_no_event_where_threat(seed: int = 0) -> pd.DataFrame:
    """Spells where common_threat > 0 in a third of the rows but never at an event."""
    rng = np.random.default_rng(seed)
    n = 600
    d = pd.DataFrame({"start": 0.0, "stop": rng.integers(1, 20, n).astype(float),
                      "x": rng.normal(size=n), "g": rng.integers(0, 40, n)})  # fmt: skip
    d["event"] = (rng.random(n) < 0.4).astype(int)
    d["common_threat"] = np.where(
        d["event"] == 1, 0.0, rng.gamma(1.0, 1.0, n) * (rng.random(n) < 0.5)
    )
    return d


@needs_r
def test_cox_guard_matches_r_warning(tmp_path: Path) -> None:
    d = _cox_no_event_where_threat()
    fit = fit_cox(d, "event", ["x"], ["common_threat"], cluster="g")
    assert "common_threat" in fit.not_identified
    term = {t.name: t for t in fit.terms()}["common_threat"]
    assert not term.identified and term.to_dict()["identified"] is False
    assert {t.name: t for t in fit.terms()}["x"].identified
    with pytest.raises(EstimationProblem, match="not identified"):
        fit_cox(d, "event", ["common_threat"], ["x"])
    out = _r("suppressPackageStartupMessages(library(survival))\n"
             "d <- read.csv(commandArgs(TRUE)[1])\n"
             "m <- coxph(Surv(start, stop, event) ~ x + common_threat, data = d)\n", tmp_path, d)  # fmt: skip
    # coxph's start-stop fitter (agreg) says either that the loglik converged before the
    # coefficient ("may be infinite") or that it ran out of iterations chasing it
    assert ("coefficient may be infinite" in out.stderr
            or "did not converge" in out.stderr), out.stderr  # fmt: skip
    assert "common_threat" in out.stderr or "agreg" in out.stderr


@needs_r
def test_logit_separation_guard_matches_r_warning(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    n = 400
    d = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})
    d["y"] = (d["x"] > 0.3).astype(int)  # x separates y perfectly
    with pytest.raises(EstimationProblem, match="perfect separation"):
        fit_feglm(d, "y", ["x"], ["z"])
    out = _r("d <- read.csv(commandArgs(TRUE)[1])\n"
             "m <- glm(y ~ x + z, family = binomial, data = d)\n", tmp_path, d)  # fmt: skip
    assert "fitted probabilities numerically 0 or 1 occurred" in out.stderr, out.stderr


def test_table_prints_unidentified_without_stars() -> None:
    from sidepay.analysis.result import ModelSummary
    from sidepay.report.tables import RegressionColumn, render_markdown

    fit = fit_cox(_cox_no_event_where_threat(), "event", ["x"], ["common_threat"], cluster="g")
    m = ModelSummary("cox", fit.formula, fit.vcov_type, "", fit.terms(), fit.n_obs)
    text = render_markdown([RegressionColumn.from_model("H4", m)])
    row = next(line for line in text.splitlines() if line.startswith("| common_threat"))
    assert "†" in row and "*" not in row
    assert "hazard ratios" in text


def test_multiplicity_matches_statsmodels() -> None:
    from statsmodels.stats.multitest import multipletests

    p = [0.001, 0.049, 0.2, 0.03, None, 0.8, 0.0004, 0.04]
    ok = [x for x in p if x is not None]
    for ours, method in ((holm(p), "holm"), (benjamini_hochberg(p), "fdr_bh")):
        theirs = multipletests(ok, method=method)[1]
        got = [x for x in ours if x is not None]
        np.testing.assert_allclose(got, theirs, rtol=1e-12)
        assert ours[4] is None


def _spells(seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 300
    entry = np.where(rng.random(n) < 0.3, rng.integers(1, 10, n), 0).astype(float)
    exit = entry + rng.integers(1, 30, n)
    return pd.DataFrame({"entry": entry, "exit": exit, "event": (rng.random(n) < 0.6).astype(int)})


def test_kaplan_meier_matches_lifelines() -> None:
    from lifelines import KaplanMeierFitter

    s = _spells()
    km = kaplan_meier(s["entry"].to_numpy(), s["exit"].to_numpy(), s["event"].to_numpy())
    kmf = KaplanMeierFitter().fit(s["exit"], s["event"], entry=s["entry"])
    theirs = kmf.survival_function_.iloc[:, 0]
    np.testing.assert_allclose(km.survival, theirs.reindex(km.time).to_numpy(), rtol=1e-10)


@needs_r
def test_kaplan_meier_matches_r_survfit(tmp_path: Path) -> None:
    s = _spells()
    km = kaplan_meier(s["entry"].to_numpy(), s["exit"].to_numpy(), s["event"].to_numpy())
    out = _r("suppressPackageStartupMessages(library(survival))\n"
             "d <- read.csv(commandArgs(TRUE)[1])\n"
             "f <- survfit(Surv(entry, exit, event) ~ 1, data = d)\n"
             "k <- f$n.event > 0\n"
             "write.csv(data.frame(t = f$time[k], s = f$surv[k], lo = f$lower[k], hi = f$upper[k]),"
             " stdout(), row.names = FALSE)\n", tmp_path, s)  # fmt: skip
    r = pd.read_csv(pd.io.common.StringIO(out.stdout))
    np.testing.assert_allclose(km.time, r["t"], rtol=1e-12)
    np.testing.assert_allclose(km.survival, r["s"], rtol=1e-8)
    ok = np.isfinite(km.conf_low) & r["lo"].notna().to_numpy()
    np.testing.assert_allclose(km.conf_low[ok], r["lo"][ok], rtol=1e-5)


def test_ame_delta_method_matches_statsmodels() -> None:
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    n = 3000
    d = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})
    d["y"] = (rng.random(n) < 1 / (1 + np.exp(-(-0.5 + 0.8 * d["x"] - 0.4 * d["z"])))).astype(int)
    fit = fit_feglm(d, "y", ["x"], ["z"])
    ame, se = logit_ame_with_se(fit, d, "x")
    sm_fit = sm.Logit(d["y"], sm.add_constant(d[["x", "z"]])).fit(disp=0)
    frame = sm_fit.get_margeff(at="overall").summary_frame()
    assert ame == pytest.approx(frame.loc["x", "dy/dx"], rel=1e-6)
    assert se == pytest.approx(frame.loc["x", "Std. Err."], rel=1e-4)


@needs_r
def test_ppml_with_fixed_effects_matches_r_glm(tmp_path: Path) -> None:
    """The multiverse's PPML (fepois through fit_many) against R's glm(quasipoisson) with
    the fixed effects as dummies: coefficients, and CRV1 by client computed in base R."""
    rng = np.random.default_rng(4)
    n = 1500
    d = pd.DataFrame({"W": rng.uniform(0, 1, n), "c": rng.normal(size=n),
                      "patron": rng.integers(0, 4, n), "year": rng.integers(0, 12, n),
                      "client_id": rng.integers(0, 60, n)})  # fmt: skip
    mu = np.exp(0.5 + 1.2 * d["W"] - 0.3 * d["c"] + 0.2 * d["patron"])
    d["y"] = rng.poisson(mu) * (rng.random(n) < 0.6)  # many zeros
    fits = fit_many(d, "y", ["W"], ["c"], [("patron", "year")], cluster="client_id",
                    family="poisson")  # fmt: skip
    fit = fits[(("patron", "year"), "all")]
    assert not isinstance(fit, EstimationProblem)
    out = _r("d <- read.csv(commandArgs(TRUE)[1])\n"
             "m <- glm(y ~ W + c + factor(patron) + factor(year), family = quasipoisson, data = d,"
             " control = glm.control(epsilon = 1e-14, maxit = 100))\n"
             "X <- model.matrix(m); mu <- fitted(m); e <- d$y - mu\n"
             "bread <- solve(crossprod(X * sqrt(mu)))\n"
             "cl <- d$client_id; G <- length(unique(cl))\n"
             "meat <- Reduce(`+`, lapply(split(seq_len(nrow(X)), cl), function(i) {"
             " u <- crossprod(X[i, , drop = FALSE], e[i]); u %*% t(u) }))\n"
             "V <- (G / (G - 1)) * bread %*% meat %*% bread\n"
             "cat(coef(m)['W'], coef(m)['c'], sqrt(diag(V))[c('W', 'c')])\n", tmp_path, d)  # fmt: skip
    b_w, b_c, se_w, se_c = map(float, out.stdout.split())
    assert fit.term("W").estimate == pytest.approx(b_w, rel=1e-6)
    assert fit.term("c").estimate == pytest.approx(b_c, rel=1e-6)
    assert fit.term("W").std_error == pytest.approx(se_w, rel=1e-4)
    assert fit.term("c").std_error == pytest.approx(se_c, rel=1e-4)
