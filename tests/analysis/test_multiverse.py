"""The multiverse on the known DGP: the curve finds the mechanism when it is on, stays near
the test's size when it is off; the primary specification is the headline; one pyfixest
call per group gives the same numbers as one call per specification; JSON shape."""

from __future__ import annotations

import json
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from sidepay.analysis.hypotheses import run_hypotheses
from sidepay.analysis.multiverse import run_multiverse
from sidepay.analysis.spells import spells_for


def _with_measures(panel: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """The DGP panel with the issue-10 measure columns (alternative noisy measures of the
    same payment, and the alliance definitions), so every choice can be made."""
    rng = np.random.default_rng(seed)
    pay = panel["side_payment"].astype("float64")
    noise = lambda: np.exp(rng.normal(0, 0.3, len(panel)))  # noqa: E731
    return panel.assign(
        aid_us=pay * noise(), aid_dac=pay * noise(), arms_tiv=pay * noise(),
        any_payment=(pay > 0).astype("float64"),
        allied_defense=panel["allied"], allied_any=panel["allied"],
    )  # fmt: skip


@pytest.fixture(scope="module")
def on(dgp: ModuleType) -> pd.DataFrame:
    return _with_measures(dgp.make_panel(seed=3, effect=1.0))


@pytest.fixture(scope="module")
def off(dgp: ModuleType) -> pd.DataFrame:
    return _with_measures(dgp.make_panel(seed=4, effect=0.0))


def test_mechanism_on_the_curve_supports_it(on: pd.DataFrame) -> None:
    mv = run_multiverse(on, world="simulated", only="H2,H4", draws=199, influence=False)
    h2 = mv.by_id()["H2"]
    curve = h2.curves["H2"]
    assert curve is not None and curve.share_supported > 0.5
    assert curve.p_value < 0.05 and curve.share_supported > curve.null_q95
    assert h2.summary()["supported"] > h2.summary()["contrary"]
    assert mv.by_id()["H4"].curves["H4a"].share_supported > 0.5  # type: ignore[union-attr]


def test_mechanism_off_share_stays_near_size(off: pd.DataFrame) -> None:
    mv = run_multiverse(off, world="simulated", only="H2,H3", draws=199, influence=False)
    for h in mv.hypotheses:
        curve = h.curves[h.id]
        assert curve is not None
        # one side of a two-sided 5% test: 2.5% per specification; correlated
        # specifications move together, so the bound is loose but far below "on"
        assert curve.share_supported <= 0.2, (h.id, curve)
        assert curve.null_mean == pytest.approx(0.025, abs=0.02)
        assert curve.p_value > 0.01


def test_primary_specification_is_the_headline(on: pd.DataFrame) -> None:
    head = run_hypotheses(on, only="H2,H7")
    mv = run_multiverse(on, only="H2,H7", primary=head, draws=19, influence=False)
    for h, r in zip(mv.hypotheses, head, strict=True):
        prim = [s for s in h.specifications if s.primary]
        assert len(prim) == 1
        assert prim[0].estimate == pytest.approx(r.estimate, rel=1e-8)
        assert prim[0].p_value == pytest.approx(r.p_value, rel=1e-6)
        assert prim[0].verdict == r.verdict


def test_multiple_estimation_equals_one_call_per_specification(on: pd.DataFrame) -> None:
    a = run_multiverse(on, only="H2", draws=9, influence=False)
    b = run_multiverse(on, only="H2", draws=9, influence=False, multiple_estimation=False)
    pairs = list(zip(a.hypotheses[0].specifications, b.hypotheses[0].specifications, strict=True))
    assert sum(x.estimate is not None for x, _ in pairs) > 60
    for x, y in pairs:
        assert x.choices == y.choices
        if x.estimate is None:
            assert y.estimate is None
            continue
        assert x.estimate == pytest.approx(y.estimate, rel=1e-7, abs=1e-10)
        assert x.std_error == pytest.approx(y.std_error, rel=1e-6)
        assert x.n == y.n


def test_json_shape_and_missing_columns(on: pd.DataFrame) -> None:
    panel = on.drop(columns=["aid_us", "allied_any"])
    mv = run_multiverse(panel, only="H2,H5", draws=19, influence=True)
    doc = json.loads(json.dumps(mv.to_dict(), default=float))
    assert [h["id"] for h in doc["hypotheses"]] == ["H2", "H5"]
    h2 = doc["hypotheses"][0]
    assert set(h2) >= {"id", "primary", "specifications", "summary", "p_holm", "p_bh"}
    spec = h2["specifications"][0]
    assert set(spec) >= {"choices", "estimate", "conf_low", "conf_high", "p_value", "n",
                         "verdict"}  # fmt: skip
    assert set(h2["summary"]) >= {"supported", "contrary", "inconclusive"}
    assert sum(h2["summary"][k] for k in ("supported", "contrary", "inconclusive")) == len(
        h2["specifications"]
    )
    gone = [s for s in h2["specifications"] if s["choices"]["payment"] == "aid_us"]
    assert gone and all(s["reason"] == "column aid_us not in the panel" for s in gone)
    assert all(not s["available"] and s["verdict"] == "inconclusive" for s in gone)
    anyd = [s for s in h2["specifications"] if s["choices"]["alliance"] == "any"]
    assert all(not s["available"] for s in anyd)
    assert any(s["reason"] == "column allied_any not in the panel" for s in anyd)
    assert h2["influence"]["H2"]["n_clusters"] > 50
    assert doc["hypotheses"][0]["p_holm"] >= doc["hypotheses"][0]["p_primary"]


def test_curve_inference_is_seeded(on: pd.DataFrame) -> None:
    a = run_multiverse(on, only="H7", draws=99, seed=5, influence=False)
    b = run_multiverse(on, only="H7", draws=99, seed=5, influence=False)
    assert a.hypotheses[0].curves == b.hypotheses[0].curves


def test_influence_finds_the_planted_client(on: pd.DataFrame) -> None:
    """One client made to carry the slope: leave-one-out names it."""
    from sidepay.analysis.influence import leave_one_cluster_out

    q = on.copy()
    big = q["client"] == 105
    q.loc[big, "W"] = 1.5  # a high-leverage client with enormous payments
    q.loc[big & (q["allied"] == 1), "side_payment"] = np.expm1(25.0)
    inf = leave_one_cluster_out(q, "H2")
    assert inf is not None and inf.most_influential == 105
    assert inf.low <= inf.estimate_without <= inf.high and inf.n_exact >= 1


def test_spells_for_rebuilds_spells_by_definition(on: pd.DataFrame) -> None:
    same = spells_for(on.assign(allied_defense=on["allied"]), "defense")
    for col in ("termination", "formation"):
        # the DGP's own spells agree where both are defined, except where the DGP ends a
        # spell and forms the next in the following year (one run of allied years here)
        a = same[col].astype("float64")
        b = on[col].astype("float64").where(on["allied"] == 1)
        both = a.notna() & b.notna()
        assert both.sum() > 1000
        assert (a[both] == b[both]).mean() > 0.98
    with pytest.raises(KeyError):
        spells_for(on.drop(columns=["allied_any"]), "any")
