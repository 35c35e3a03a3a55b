"""The price of an ally: what-ifs, intervals, bad input, the per-dyad-year column, the CLI."""

from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd
import pytest

from sidepay.cli import main
from sidepay.errors import InputError
from sidepay.estimate.formation import FormationModel, formation_test_panel, simulate_formation
from sidepay.estimate.price import predicted_required_payment, price_of_ally
from sidepay.theory.formation import required_side_payment

TRUTH = {
    "v[USA 1946-1989]": 0.6, "v[USA 1990-]": 0.3, "rho": 0.8, "omega": 0.3, "tau": 0.5,
    "k": 0.4, "beta": 0.6, "sigma_eps": 0.5, "sigma_eta": 0.3,
}  # fmt: skip


@functools.cache
def fitted() -> tuple[FormationModel, pd.DataFrame]:
    panel = simulate_formation(formation_test_panel(120, (1985, 1994), seed=1), TRUTH, seed=2)
    return FormationModel().fit(panel), panel


def test_required_payment_is_the_theory_at_the_estimates() -> None:
    fit, panel = fitted()
    row = panel[(panel.client == 105) & (panel.year == 1990)].iloc[0]
    est = fit.params_
    T = est["tau"] * row["threat"]
    sigma = row["cinc_patron"] / (row["cinc_patron"] + row["cinc_client"])
    expect = float(
        required_side_payment(row["W"], row["divergence"], 1.0, sigma, T, est["rho"], est["omega"])
    )
    p = price_of_ally(fit, panel, "USA", 105, 1990)
    assert p.required_payment.estimate == pytest.approx(expect)
    assert p.required_payment.conf_low <= expect <= p.required_payment.conf_high
    assert 0 <= p.p_forms.conf_low <= p.p_forms.estimate <= p.p_forms.conf_high <= 1
    json.dumps(p.to_dict(), allow_nan=False)


def test_what_ifs_set_and_shift() -> None:
    fit, panel = fitted()
    base = price_of_ally(fit, panel, 2, 105, 1990)
    more_w = price_of_ally(fit, panel, 2, 105, 1990, what_if={"W": 1.0})
    shifted = price_of_ally(fit, panel, 2, "105", 1990, what_if={"divergence": "+0.2"})
    assert more_w.values["W"] == 1.0
    assert shifted.values["divergence"] == pytest.approx(base.values["divergence"] + 0.2)
    # P2 and the divergence channel, at the estimates (rho > 0, omega < 1)
    if base.required_payment.estimate > 0:
        assert more_w.required_payment.estimate >= base.required_payment.estimate
        assert shifted.required_payment.estimate > base.required_payment.estimate


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"what_if": {"X": 1.0}}, "unknown parameter 'X'"),
        ({"what_if": {"W": 1.5}}, "W must lie"),
        ({"what_if": {"W": "high"}}, "must be a number"),
        ({"year": 2030}, "outside the panel"),
        ({"client": 999}, "no dyad"),
    ],
)
def test_bad_input_is_one_clear_error(kwargs: dict, match: str) -> None:
    fit, panel = fitted()
    args = {"patron": 2, "client": 105, "year": 1990, **kwargs}
    with pytest.raises(InputError, match=match):
        price_of_ally(fit, panel, args.pop("patron"), args.pop("client"), args.pop("year"), **args)


def test_predicted_required_payment_column() -> None:
    fit, panel = fitted()
    col = predicted_required_payment(fit, panel)
    assert col.name == "predicted_required_payment" and col.index.equals(panel.index)
    assert col.notna().all() and (col >= 0).all()
    gap = panel.drop(columns="W").assign(W=np.where(panel.index % 2 == 0, np.nan, panel["W"]))
    assert predicted_required_payment(fit, gap).isna().sum() == (panel.index % 2 == 0).sum()


def test_cli_unknown_set_parameter_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["price", "USA", "PAK", "1985", "--set", "X=0.8"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--set unknown parameter 'X'" in err
    assert main(["price", "USA", "PAK", "1985", "--set", "W"]) == 2
