"""Estimators, verdict rule, regression tables and the recovery study."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from sidepay.analysis.estimators import fit_feglm, fit_feols
from sidepay.analysis.marginal import peace_years_splines
from sidepay.analysis.model_fit import EstimationProblem
from sidepay.analysis.recovery import recovery_study
from sidepay.analysis.survival import fit_cox
from sidepay.analysis.verdict import combine_verdicts, verdict
from sidepay.errors import InputError
from sidepay.report.summary import recovery_markdown


@pytest.mark.parametrize(
    ("est", "p", "sign", "expected"),
    [
        (0.5, 0.01, 1, "supported"),
        (-0.5, 0.01, -1, "supported"),
        (-0.5, 0.01, 1, "contrary"),
        (0.5, 0.049, -1, "contrary"),
        (0.5, 0.05, 1, "inconclusive"),
        (0.5, float("nan"), 1, "inconclusive"),
        (None, 0.01, 1, "inconclusive"),
    ],
)
def test_verdict_rule(est, p, sign, expected) -> None:  # type: ignore[no-untyped-def]
    assert verdict(est, p, sign) == expected


def test_combine_verdicts() -> None:
    assert combine_verdicts(["supported", "supported"]) == "supported"
    assert combine_verdicts(["inconclusive", "contrary"]) == "contrary"
    assert combine_verdicts([]) == "inconclusive"
    with pytest.raises(ValueError):
        verdict(1.0, 0.01, 0)


def test_peace_years_splines_are_natural_cubic() -> None:
    t = np.linspace(0, 30, 301)
    b = peace_years_splines(t, knots=(1, 4, 7, 12))
    assert list(b.columns) == ["_py0", "_py1", "_py2"]
    np.testing.assert_allclose(b["_py0"], t)
    # zero left of the first knot, linear right of the last knot, continuous everywhere
    assert (b.loc[t <= 1, ["_py1", "_py2"]] == 0).all().all()
    right = b.loc[t >= 12, "_py1"].to_numpy()
    np.testing.assert_allclose(np.diff(right, 2), 0, atol=1e-9)
    assert np.abs(np.diff(b["_py1"].to_numpy())).max() < 0.2
    with pytest.raises(ValueError):
        peace_years_splines(t, knots=(1, 2))


def test_feols_recovers_slope_and_cluster_count() -> None:
    rng = np.random.default_rng(0)
    n = 3000
    df = pd.DataFrame(
        {"x": rng.normal(size=n), "g": rng.integers(0, 60, n), "f": rng.integers(0, 5, n)}
    )
    df["y"] = 1.5 * df["x"] + 0.3 * df["f"] + rng.normal(size=n)
    fit = fit_feols(df, "y", ["x"], fe=["f"], cluster="g")
    t = fit.term("x")
    assert t.conf_low < 1.5 < t.conf_high
    assert fit.n_clusters == 60 and fit.n_obs == n and fit.df_t == 59


def test_poisson_and_problems() -> None:
    rng = np.random.default_rng(1)
    n = 2000
    df = pd.DataFrame({"x": rng.normal(size=n)})
    df["c"] = rng.poisson(np.exp(0.5 + 0.4 * df["x"]))
    fit = fit_feglm(df, "c", ["x"], family="poisson")
    assert abs(fit.term("x").estimate - 0.4) < 0.06
    with pytest.raises(EstimationProblem, match="no rows"):
        fit_feols(df.assign(y=np.nan), "y", ["x"])
    with pytest.raises(EstimationProblem, match="values other than 0 and 1"):
        fit_feglm(df, "c", ["x"], family="logit")
    with pytest.raises(EstimationProblem, match="never positive"):
        fit_feglm(df.assign(c=0), "c", ["x"], family="poisson")


def test_cox_problems() -> None:
    df = pd.DataFrame(
        {"start": 0.0, "stop": [1.0, 2, 3, 4], "e": [1, 0, 1, 0], "x": [1.0, 2, 3, 4]}
    )
    with pytest.raises(EstimationProblem, match="intervals must be positive"):
        fit_cox(df.assign(stop=0.0), "e", ["x"])
    with pytest.raises(EstimationProblem, match="no events"):
        fit_cox(df.assign(e=0), "e", ["x"])
    with pytest.raises(EstimationProblem, match="collinear"):
        fit_cox(df.assign(z=2 * df["x"]), "e", ["x"], ["z"])
    # a constant control carries no information: dropped with a note, same estimate
    rng = np.random.default_rng(3)
    x = rng.normal(size=200)
    sv = pd.DataFrame({"start": 0.0, "stop": rng.exponential(1 / np.exp(0.5 * x)), "e": 1, "x": x})
    const = fit_cox(sv.assign(c=1.0), "e", ["x"], ["c"])
    assert list(const.coef.index) == ["x"]
    assert const.coef["x"] == fit_cox(sv, "e", ["x"]).coef["x"]
    assert const.notes == ["c does not vary in the sample: absorbed by the baseline hazard"]
    # events only at the largest x: the partial likelihood has no maximum
    sep = pd.DataFrame({"start": 0.0, "stop": np.arange(1.0, 41), "x": np.arange(40.0)})
    sep["e"] = (sep["x"] % 2 == 0).astype(int)
    sep["stop"] = 41.0 - sep["x"]  # higher x fails earlier, every time
    with pytest.raises(EstimationProblem, match=r"separation|converge"):
        fit_cox(sep.assign(e=1), "e", ["x"])


def test_recovery_study_power_and_false_positives(dgp: ModuleType) -> None:
    on = lambda i: dgp.make_panel(seed=100 + i, n_clients=60, years=25, effect=1.0)  # noqa: E731
    off = lambda i: dgp.make_panel(seed=200 + i, n_clients=60, years=25, effect=0.0)  # noqa: E731
    seen: list[int] = []
    t = recovery_study(on, "H2,H4", reps=4, make_null_panel=off, progress=seen.append)
    assert list(t["hypothesis"]) == ["H2", "H4"]
    assert (t["reps"] == 4).all()
    assert (t["power"] == 1.0).all()
    assert (t["false_positive_rate"] <= 0.25).all()
    assert seen == [1, 2, 3, 4, 1, 2, 3, 4]
    md = recovery_markdown(t)
    assert md.splitlines()[2].startswith("| H2 | 4 | 100% |")
    with pytest.raises(InputError, match="reps must be >= 1"):
        recovery_study(on, "H2", reps=0)
    with pytest.raises(InputError, match="no mechanism-off world for H4"):
        recovery_study(on, "H2,H4", reps=1, make_null_panel={"H2": off})
