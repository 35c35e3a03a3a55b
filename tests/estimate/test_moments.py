"""Moments of the maintenance stage: one definition for real panels and simulator arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sidepay.errors import InputError
from sidepay.estimate.moments import (
    MOMENTS,
    MomentSpec,
    moment_spec,
    moment_stats,
    panel_moments,
)
from sidepay.estimate.sim_moments import history_stats
from sidepay.sim.engine import run_history
from sidepay.sim.output import panel_frame
from sidepay.sim.world import default_world


@pytest.fixture(scope="module")
def history():
    return run_history(default_world().updated({"small_states.n": 40}), 40, 3, 7)


@pytest.fixture(scope="module")
def real_panel():
    from sidepay.data.panel import build_panel

    return build_panel()


def test_arrays_and_panel_frame_give_the_same_statistics(history):
    spec = MomentSpec(patrons=(2, 365), coverage={"W": (1950, 1975), "payment": (1948, 1985)})
    a = history_stats(history, spec)
    b = moment_stats(panel_frame(history), spec)
    assert a.dd_cuts == b.dd_cuts and a.pay_scale == b.pay_scale
    np.testing.assert_allclose(a.sums, b.sums, rtol=1e-12, atol=1e-15)
    assert a.sums[:, 0].sum() > 0  # allied dyad-years exist: the comparison is not empty


def test_one_patron_only(history):
    both = history_stats(history).moments()
    us = history_stats(history, MomentSpec(patrons=(2,))).moments()
    frame = moment_stats(panel_frame(history), MomentSpec(patrons=(2,))).moments()
    np.testing.assert_allclose(us.to_numpy(), frame.to_numpy(), rtol=1e-12, equal_nan=True)
    assert not np.allclose(both.to_numpy(), us.to_numpy(), equal_nan=True)


def test_moments_are_unit_free(history):
    panel = panel_frame(history)
    m = panel_moments(panel)
    scaled = panel.assign(side_payment=panel["side_payment"] * 1234.5,
                          divergence=panel["divergence"] * 6.27)  # fmt: skip
    m2 = panel_moments(scaled, divergence_unit=6.27)
    np.testing.assert_allclose(m.to_numpy(), m2.to_numpy(), rtol=1e-9, atol=1e-14)


def test_hand_computed_moments():
    # one dyad allied 1950-1953 that ends in 1953 with a regime change; payment 1, 2, 4, 4
    p = pd.DataFrame({
        "patron": 2, "client": 20, "year": [1950, 1951, 1952, 1953],
        "allied": [1, 1, 1, 1], "termination": [0, 0, 0, 1], "realignment": [0, 0, 0, 1],
        "divergence": [0.1, 0.2, 0.4, 0.5], "regime_change": [0, 0, 1, 1],
        "leader_change": [0, 0, 1, 1], "W": [0.1, 0.5, 0.9, 0.9],
        "side_payment": [1.0, 2.0, 4.0, 4.0]})  # fmt: skip
    m = panel_moments(p, patrons=(2,))
    assert m["haz_regime"] == 0.5 and m["realign_share"] == 1.0
    assert m["allied_cold_war"] == 1.0 and np.isnan(m["allied_after"])
    # median positive payment 3: y = log1p(a / 3); the regime change of 1952 raised it
    assert m["pay_change_regime"] == pytest.approx(np.log1p(4 / 3) - np.log1p(2 / 3))
    assert m["pay_up"] == pytest.approx(np.log1p(2 / 3) - np.log1p(1 / 3))
    assert m["dd_regime"] == pytest.approx((0.2 + 0.1) / 2)  # 1952 and 1953
    assert m["dd_mean"] == pytest.approx(0.1)


def test_bootstrap_is_reproducible(history):
    s = history_stats(history)
    a = s.bootstrap(50, np.random.default_rng(3))
    b = s.bootstrap(50, np.random.default_rng(3))
    assert a.tobytes() == b.tobytes() and a.shape == (50, len(MOMENTS))
    assert np.nanmax(np.nanstd(a, axis=0)) > 0


def test_real_panel_moments(real_panel):
    spec = moment_spec(real_panel, patrons=(2, 365), divergence_unit="range")
    assert 5.5 < spec.divergence_unit < 7.0  # the ideal-point range (docs: 6.27)
    assert spec.years("allied")[1] <= 2018  # ATOP's end
    s = moment_stats(real_panel, spec)
    m = s.moments()
    assert m.notna().all()
    for name in ("haz_dd_low", "haz_dd_high", "haz_regime", "allied_cold_war", "realign_share"):
        assert 0.0 <= m[name] <= 1.0
    assert m["pay_up"] > 0 > m["pay_down"]
    assert s.clusters > 100
    # another payment measure is a parameter
    m_arms = moment_stats(real_panel, spec, payment="arms_tiv").moments()
    assert m_arms.notna().all()


def test_bad_input_names_the_parameter(history):
    panel = panel_frame(history)
    with pytest.raises(InputError, match="payment="):
        panel_moments(panel, payment="no_such_column")
    with pytest.raises(InputError, match="patrons="):
        panel_moments(panel, patrons=(999,))
    with pytest.raises(InputError, match="divergence_unit="):
        panel_moments(panel, divergence_unit="bogus")


def test_negative_payments_are_no_new_payment(history):
    """A net deobligation (negative aid) is read as 0 before log1p (sidepay.payment_scale),
    as in the formation likelihood and the hypothesis tests. Fails if it were dropped,
    kept negative or gave NaN."""
    panel = panel_frame(history)
    paid = panel.index[panel["side_payment"] > 0][:3]
    negative = panel.copy()
    negative.loc[paid, "side_payment"] = -5.0
    zero = panel.copy()
    zero.loc[paid, "side_payment"] = 0.0
    np.testing.assert_array_equal(
        panel_moments(negative).to_numpy(), panel_moments(zero).to_numpy()
    )
    assert not np.array_equal(
        panel_moments(negative).to_numpy(), panel_moments(panel).to_numpy(), equal_nan=True
    )
