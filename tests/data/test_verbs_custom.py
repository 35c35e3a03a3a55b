"""``add_custom`` keeps the three guarantees; ``sidepay data cite`` takes verb names."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import sidepay.data as data
from sidepay.data import dyads
from sidepay.data.custom import add_custom
from sidepay.data.sources import SOURCES, VERB_SOURCES, bibtex, cite_sources
from sidepay.errors import InputError


@pytest.fixture()
def panel() -> pd.DataFrame:
    return pd.DataFrame(
        {"patron": [2, 2, 365, 2], "client": [20, 200, 20, 20], "year": [1950, 1950, 1950, 1990]}
    )


def test_state_year_data_go_to_patron_and_client(panel: pd.DataFrame) -> None:
    mine = pd.DataFrame({"cc": [2, 20, 365], "yr": [1950, 1950, 1950], "x": [1.0, 2.0, np.nan]})
    out = add_custom(panel, mine, on=("cc", "yr"), coverage=(1950, 1960), fill=0.0)
    assert out.patron_x.tolist()[:2] == [1.0, 1.0]
    # listed with a missing value: stays missing; unlisted inside coverage: fill; outside: NaN
    assert np.isnan(out.patron_x.iloc[2])
    assert out.client_x.tolist()[:3] == [2.0, 0.0, 2.0]
    assert np.isnan(out.client_x.iloc[3]) and np.isnan(out.patron_x.iloc[3])
    assert len(out) == len(panel) and list(out.columns[:3]) == ["patron", "client", "year"]


def test_dyadic_data_directed_and_symmetric(panel: pd.DataFrame) -> None:
    mine = pd.DataFrame({"a": [20], "b": [2], "y": [1950], "v": [5.0]})
    directed = add_custom(panel, mine, on=("a", "b", "y"))
    assert np.isnan(directed.v.iloc[0])  # (2, 20) is not (20, 2)
    sym = add_custom(panel, mine, on=("a", "b", "y"), symmetric=True)
    assert sym.v.iloc[0] == 5.0 and np.isnan(sym.v.iloc[1])
    # undirected dyad-years: either order in the data is found
    und = dyads.dyad_years((1950, 1950), directed=False)
    out = add_custom(und, mine, on=("a", "b", "y"), symmetric=True, fill=0.0)
    assert out.loc[(out.ccode1 == 2) & (out.ccode2 == 20), "v"].item() == 5.0
    assert set(out.v.unique()) == {0.0, 5.0} and len(out) == len(und)


@pytest.mark.parametrize(
    ("data_frame", "kwargs", "needle"),
    [
        (pd.DataFrame({"c": [2, 2], "y": [1950, 1950], "x": [1, 2]}), {}, "more than once"),
        (pd.DataFrame({"c": [2], "y": [1950.5], "x": [1]}), {}, "whole numbers"),
        (pd.DataFrame({"c": [2], "y": [None], "x": [1]}), {}, "missing values"),
        (pd.DataFrame({"c": [2], "y": [1950], "x": [1]}), {"on": ("c", "yy")}, "not in data"),
        (pd.DataFrame({"c": [2], "y": [1950], "x": [1]}), {"coverage": (1960, 1950)}, "after"),
        (pd.DataFrame({"c": [2], "y": [1950], "x": [1]}), {"columns": ["z"]}, "columns="),
    ],
)
def test_bad_custom_data_are_one_line(
    panel: pd.DataFrame, data_frame: pd.DataFrame, kwargs: dict, needle: str
) -> None:
    kwargs = {"on": ("c", "y"), **kwargs}
    with pytest.raises(InputError, match=needle) as err:
        add_custom(panel, data_frame, **kwargs)
    assert "\n" not in str(err.value)


def test_custom_refuses_to_overwrite(panel: pd.DataFrame) -> None:
    mine = pd.DataFrame({"c": [2], "y": [1950], "year": [1]})
    with pytest.raises(InputError, match="already has"):
        add_custom(panel.assign(patron_year=1), mine, on=("c", "y"))


def test_every_verb_cites_registered_sources() -> None:
    verbs = {n for n in data.__all__ if n.startswith("add_")} | {"dyad_years", "state_years"}
    # read the caller's data or the panel's own columns, no registered file
    exempt = {"add_custom", "add_spells", "add_per_capita"}
    panel_steps = {
        "add_alliance_status",
        "add_side_payments",
        "add_client_politics",
        "add_capabilities",
        "add_threat",
    }  # fmt: skip  (the panel's own steps)
    assert verbs - exempt - panel_steps <= set(VERB_SOURCES)
    for verb, names in VERB_SOURCES.items():
        assert names and set(names) <= set(SOURCES), verb
    assert cite_sources(["add_contiguity", "cow_contdir"]) == ["cow_contdir"]
    assert "stinnett2002correlates" in bibtex(["add_contiguity"])
    with pytest.raises(InputError, match="reads no registered source"):
        bibtex(["add_custom"])


def test_cli_cite_accepts_a_verb_name() -> None:
    run = [sys.executable, "-m", "sidepay.cli", "data", "cite"]
    ok = subprocess.run([*run, "add_nmc"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    keys = [k for n in VERB_SOURCES["add_nmc"] for k in SOURCES[n].cite]
    assert ok.stdout.startswith("@") and all(f"{{{k}," in ok.stdout for k in keys)
    assert ok.stdout == bibtex(list(VERB_SOURCES["add_nmc"]))
    bad = subprocess.run([*run, "add_nothing"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "add_nmc" in bad.stderr
