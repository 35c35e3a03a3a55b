"""The estimators agree with R (lm, glm, survival::coxph) to 1e-6 relative.

The same data (a panel from the known DGP in tests/fixtures/analysis_dgp.py, with the
hypotheses' derived variables) are written to CSV in tmp_path; R fits the same models via
``Rscript`` and writes coefficients and standard errors, which are compared to
sidepay.analysis.estimators (pyfixest and lifelines underneath).
"""

from __future__ import annotations

import shutil
import subprocess
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from sidepay.analysis.estimators import fit_feglm, fit_feols
from sidepay.analysis.marginal import peace_years_splines
from sidepay.analysis.prepare import derive
from sidepay.analysis.survival import fit_cox

pytestmark = pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not installed")

RTOL = 1e-6


R_SCRIPT = r"""
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
out <- list()
put <- function(model, term, est, se) {
  out[[length(out) + 1]] <<- data.frame(model = model, term = term, estimate = est, se = se)
}
# OLS, classical SEs
m <- lm(log_side_payment ~ W + divergence + common_threat, data = d)
s <- summary(m)$coefficients
put("ols_iid", rownames(s), s[, 1], s[, 2])
# OLS with patron dummies, CRV1 by client computed in base R (Stata/fixest small-sample factor)
m <- lm(log_side_payment ~ W + divergence + common_threat + factor(patron), data = d)
X <- model.matrix(m); e <- residuals(m); n <- nrow(X); k <- ncol(X)
bread <- solve(crossprod(X))
cl <- d$client_id
meat <- Reduce(`+`, lapply(split(seq_len(n), cl), function(i) {
  u <- crossprod(X[i, , drop = FALSE], e[i]); u %*% t(u) }))
G <- length(unique(cl))
V <- (G / (G - 1)) * ((n - 1) / (n - k)) * bread %*% meat %*% bread
put("ols_crv1", colnames(X), coef(m), sqrt(diag(V)))
# OLS with patron and year dummies (two-way fixed effects), CRV1 by client as above
m <- lm(log_side_payment ~ W + divergence + common_threat + factor(patron) + factor(year),
        data = d)
X <- model.matrix(m); e <- residuals(m); n <- nrow(X); k <- m$rank
bread <- solve(crossprod(X))
meat <- Reduce(`+`, lapply(split(seq_len(n), cl), function(i) {
  u <- crossprod(X[i, , drop = FALSE], e[i]); u %*% t(u) }))
V <- (G / (G - 1)) * ((n - 1) / (n - k)) * bread %*% meat %*% bread
put("ols_crv1_twoway", colnames(X), coef(m), sqrt(diag(V)))
# logit, classical SEs
g <- glm(termination ~ divergence + recent_regime_change + W + py0 + py1, family = binomial,
         data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
s <- summary(g)$coefficients
put("logit", rownames(s), s[, 1], s[, 2])
# logit with patron dummies
g <- glm(termination ~ divergence + W + factor(patron), family = binomial, data = d,
         control = glm.control(epsilon = 1e-14, maxit = 100))
s <- summary(g)$coefficients
put("logit_fe", rownames(s), s[, 1], s[, 2])
# Cox, start-stop, Efron ties, unstratified and stratified by patron
c1 <- coxph(Surv(start, stop, end_termination) ~ divergence + W + common_threat, data = d,
            ties = "efron", control = coxph.control(eps = 1e-12, iter.max = 100))
s <- summary(c1)$coefficients
put("cox", rownames(s), s[, 1], s[, 3])
c2 <- coxph(Surv(start, stop, end_termination) ~ divergence + W + strata(patron), data = d,
            ties = "efron", control = coxph.control(eps = 1e-12, iter.max = 100))
s <- summary(c2)$coefficients
put("cox_strata", rownames(s), s[, 1], s[, 3])
c3 <- coxph(Surv(start, stop, end_termination) ~ divergence + W + strata(patron), data = d,
            ties = "efron", cluster = client_id,
            control = coxph.control(eps = 1e-12, iter.max = 100))
s <- summary(c3)$coefficients
put("cox_cluster", rownames(s), s[, 1], s[, "robust se"])
res <- do.call(rbind, out)
write.csv(res, args[2], row.names = FALSE)
"""


@pytest.fixture(scope="module")
def parity(
    tmp_path_factory: pytest.TempPathFactory, dgp: ModuleType
) -> tuple[pd.DataFrame, pd.DataFrame]:
    panel = dgp.make_panel(seed=5, n_clients=80, years=30)
    cols = ["log_side_payment", "recent_regime_change", "start", "stop", "end_termination"]
    d = derive(panel, [*cols, "client_id"])
    d = d[d["allied"] == 1]
    d = d[["patron", "year", "client_id", "W", "divergence", "common_threat", "termination",
           *cols]]  # fmt: skip
    d = d.dropna().astype(float).reset_index(drop=True)
    d = pd.concat([d, peace_years_splines(d["start"], prefix="py")], axis=1)
    tmp = tmp_path_factory.mktemp("rparity")
    (tmp / "fit.R").write_text(R_SCRIPT)
    d.to_csv(tmp / "data.csv", index=False, float_format="%.17g")
    subprocess.run(
        ["Rscript", str(tmp / "fit.R"), str(tmp / "data.csv"), str(tmp / "r.csv")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return d, pd.read_csv(tmp / "r.csv")


def _r(r: pd.DataFrame, model: str) -> pd.DataFrame:
    out = r[r["model"] == model].set_index("term")
    out.index = out.index.str.replace("(Intercept)", "Intercept", regex=False)
    return out


def _compare(fit, r: pd.DataFrame, terms: list[str]) -> None:  # type: ignore[no-untyped-def]
    se = fit.std_error
    for t in terms:
        np.testing.assert_allclose(fit.coef[t], r.loc[t, "estimate"], rtol=RTOL, err_msg=t)
        np.testing.assert_allclose(se[t], r.loc[t, "se"], rtol=RTOL, err_msg=t)


def test_ols_classical_matches_lm(parity: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    d, r = parity
    fit = fit_feols(d, "log_side_payment", ["W"], ["divergence", "common_threat"])
    _compare(fit, _r(r, "ols_iid"), ["Intercept", "W", "divergence", "common_threat"])


def test_ols_clustered_matches_base_r_crv1(parity: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    d, r = parity
    fit = fit_feols(
        d, "log_side_payment", ["W"], ["divergence", "common_threat"], fe=["patron"],
        cluster="client_id",
    )  # fmt: skip
    _compare(fit, _r(r, "ols_crv1"), ["W", "divergence", "common_threat"])


def test_two_way_fixed_effects_match_base_r_crv1(
    parity: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    # two-way FE: alternating projections, run to FIXEF_TOL (1e-12), in formula order
    d, r = parity
    fit = fit_feols(
        d, "log_side_payment", ["W"], ["divergence", "common_threat"], fe=["patron", "year"],
        cluster="client_id",
    )  # fmt: skip
    _compare(fit, _r(r, "ols_crv1_twoway"), ["W", "divergence", "common_threat"])


def test_logit_matches_glm(parity: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    d, r = parity
    fit = fit_feglm(d, "termination", ["divergence"], ["recent_regime_change", "W", "py0", "py1"])
    _compare(fit, _r(r, "logit"), ["Intercept", "divergence", "recent_regime_change", "W", "py1"])


def test_fixed_effects_logit_matches_glm_with_dummies(
    parity: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    d, r = parity
    fit = fit_feglm(d, "termination", ["divergence"], ["W"], fe=["patron"])
    _compare(fit, _r(r, "logit_fe"), ["divergence", "W"])


def test_cox_matches_coxph_efron(parity: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    d, r = parity
    fit = fit_cox(d, "end_termination", ["divergence"], ["W", "common_threat"])
    _compare(fit, _r(r, "cox"), ["divergence", "W", "common_threat"])
    fit_s = fit_cox(d, "end_termination", ["divergence"], ["W"], strata=["patron"])
    _compare(fit_s, _r(r, "cox_strata"), ["divergence", "W"])


def test_clustered_cox_matches_coxph_robust(parity: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    d, r = parity
    fit = fit_cox(
        d, "end_termination", ["divergence"], ["W"], strata=["patron"], cluster="client_id"
    )
    assert fit.vcov_type == "robust by client_id" and fit.n_clusters == d["client_id"].nunique()
    _compare(fit, _r(r, "cox_cluster"), ["divergence", "W"])
