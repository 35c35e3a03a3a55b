"""peacesciencer's three guarantees, for every verb of issue 13, on every unit.

1. no duplicated, dropped or reordered rows; 2. missing outside the source's coverage
(and 0 only for complete event lists inside it); 3. directed symmetry: a symmetric value
is the same for (a, b) and (b, a), a side's value swaps with the sides.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from sidepay.data import conflict, dyads, geography, names, trade
from sidepay.errors import InputError

Verb = Callable[..., pd.DataFrame]

#: verb -> (columns, coverage, symmetric columns, (side-1, side-2) column pairs, complete)
VERBS: dict[str, tuple[list[str], tuple[int, int], list[str], list[tuple[str, str]], list[str]]] = {
    "add_contiguity": (["conttype"], geography.CONTIGUITY_YEARS, ["conttype"], [], ["conttype"]),
    "add_minimum_distance": (["mindist"], geography.MINDIST_YEARS, ["mindist"], [], []),
    "add_capital_distance": (["capdist"], (1816, 2024), ["capdist"], [], []),
    "add_gml_mids": (
        ["gmlmidonset", "gmlmidongoing", "dispnum", "hostlev1", "hostlev2", "fatality"],
        conflict.GML_YEARS,
        ["gmlmidonset", "gmlmidongoing", "dispnum", "hostlev", "fatality", "recip"],
        [("sidea1", "sidea2"), ("hostlev1", "hostlev2"), ("init1", "init2")],
        ["gmlmidonset", "gmlmidongoing"],
    ),
    "add_cow_wars": (
        ["cowinteronset", "cowinterongoing", "warnum"],
        conflict.WAR_YEARS,
        ["cowinteronset", "cowinterongoing", "warnum"],
        [("sidea1", "sidea2"), ("batdeath1", "batdeath2"), ("outcome1", "outcome2")],
        ["cowinteronset", "cowinterongoing"],
    ),
}
MODULES = {"add_cow_trade": trade, "add_country_names": names}


def _verb(name: str) -> Verb:
    for mod in (geography, conflict, trade, names):
        if hasattr(mod, name):
            return getattr(mod, name)  # type: ignore[no-any-return]
    raise AssertionError(name)


@pytest.fixture(scope="module")
def directed() -> pd.DataFrame:
    # edges of every coverage: 1885/1886 (CShapes), 2007/2008 (wars), 2010/2011 (GML),
    # 2014/2015 (trade), 2016/2017 (contiguity), 2019/2020 (CShapes)
    parts = [dyads.dyad_years((y, y)) for y in (1885, 1886, 1950, 2008, 2011, 2015, 2017, 2020)]
    d = pd.concat(parts, ignore_index=True)
    d.attrs["directed"] = True
    return d


def _mirror_index(d: pd.DataFrame) -> np.ndarray:
    """For each row (a, b, y), the row of (b, a, y)."""
    key = pd.MultiIndex.from_arrays([d.ccode1, d.ccode2, d.year])
    rev = pd.MultiIndex.from_arrays([d.ccode2, d.ccode1, d.year])
    pos = key.get_indexer(rev)
    assert (pos >= 0).all()
    return pos


@pytest.mark.parametrize("name", list(VERBS))
def test_rows_kept_missing_outside_and_directed_symmetry(name: str, directed: pd.DataFrame) -> None:
    cols, (lo, hi), sym, sides, complete = VERBS[name]
    out = _verb(name)(directed)
    # 1. the same rows, in order, none duplicated
    assert len(out) == len(directed)
    assert (out[["ccode1", "ccode2", "year"]].to_numpy() == directed.to_numpy()).all()
    assert not out.duplicated(["ccode1", "ccode2", "year"]).any()
    # 2. missing outside the coverage; inside, complete event lists are 0/1, never missing
    outside = (out.year < lo) | (out.year > hi)
    for c in cols:
        assert out.loc[outside, c].isna().all(), c
    for c in complete:
        assert out.loc[~outside, c].notna().all(), c
        assert set(out.loc[~outside, c].unique()) <= {0.0, 1.0, 2.0, 3.0, 4.0, 5.0}
    # 3. directed symmetry
    pos = _mirror_index(out)
    for c in sym:
        a, b = out[c].to_numpy(dtype=float), out[c].to_numpy(dtype=float)[pos]
        assert np.array_equal(a, b, equal_nan=True), c
    for c1, c2 in sides:
        a, b = out[c1].to_numpy(dtype=float), out[c2].to_numpy(dtype=float)[pos]
        assert np.array_equal(a, b, equal_nan=True), (c1, c2)


@pytest.mark.parametrize("name", list(VERBS))
def test_undirected_and_panel_agree_with_directed(name: str, directed: pd.DataFrame) -> None:
    cols = VERBS[name][0]
    full = _verb(name)(directed)
    und = directed[directed.ccode1 < directed.ccode2].reset_index(drop=True)
    und.attrs["directed"] = False
    got = _verb(name)(und)
    want = full[full.ccode1 < full.ccode2].reset_index(drop=True)
    for c in cols:
        assert np.array_equal(got[c].to_numpy(float), want[c].to_numpy(float), equal_nan=True), c
    # the panel (patron, client, year) is a directed dyad-year frame with other names
    panel = directed.rename(columns={"ccode1": "patron", "ccode2": "client"}).head(5000)
    on_panel = _verb(name)(panel)
    for c in cols:
        assert np.array_equal(
            on_panel[c].to_numpy(float), full[c].head(5000).to_numpy(float), equal_nan=True
        )
    assert list(on_panel.columns[:3]) == ["patron", "client", "year"]


@pytest.mark.parametrize("name", [*VERBS, *MODULES])
def test_a_verb_never_overwrites_a_column(name: str) -> None:
    d = pd.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1950]})
    once = _verb(name)(d)
    with pytest.raises(InputError, match="already has columns"):
        _verb(name)(once)


@pytest.mark.parametrize("name", list(VERBS))
def test_dyadic_verbs_refuse_state_years(name: str) -> None:
    with pytest.raises(InputError, match="state-years"):
        _verb(name)(pd.DataFrame({"ccode": [2], "year": [1950]}))


def test_monadic_verbs_on_every_unit(directed: pd.DataFrame) -> None:
    states = dyads.state_years((2014, 2015))
    t = trade.add_cow_trade(states)
    assert len(t) == len(states) and t.loc[t.year == 2015, "imports"].isna().all()
    d = trade.add_cow_trade(directed)
    pos = _mirror_index(d)
    assert np.array_equal(d.imports1.to_numpy(), d.imports2.to_numpy()[pos], equal_nan=True)
    n = names.add_country_names(directed)
    assert (n.abb1.to_numpy() == n.abb2.to_numpy()[pos]).all()
    p = names.add_country_names(directed.rename(columns={"ccode1": "patron", "ccode2": "client"}))
    assert {"patron_name", "patron_abb", "client_name", "client_abb"} <= set(p.columns)
    assert p.patron_name.notna().all()
