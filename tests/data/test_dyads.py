"""Alliance readers and peacesciencer-style verbs: the three merge invariants, for every verb.

Invariants (DESIGN.md, peacesciencer): a verb keeps the source's temporal domain (missing
outside it, never a made-up zero), never duplicates or drops a row, and treats directed and
undirected dyads consistently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadr
import pytest

from sidepay.data import dyads, merge
from sidepay.data.readers import alliances, capabilities, democracy, idealpoints, threat
from sidepay.errors import InputError

# years around the edges of the sources' coverage (ATOP to 2016, COW alliances to 2012,
# NMC to 2022, rivalries to 2010, ideal points and democracy to 2024) and a Cold War year
YEARS = [(1948, 1948), (2009, 2026)]

DYADIC = {
    "add_atop_alliance": (
        ["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul", "atop_n"],
        (alliances.ATOP_START, alliances.ATOP_END),
    ),
    "add_cow_alliance": (
        ["cow_defense", "cow_neutral", "cow_nonagg", "cow_entente"],
        (alliances.COW_START, alliances.COW_END),
    ),
    "add_rivalries": (["rivalry"], None),
}
MONADIC = {
    "add_democracy": ["polity2", "polyarchy"],
    "add_nmc": ["cinc", "milex"],
    "add_cow_majors": ["cowmaj"],
    "add_ideal_points": ["idealpoint"],
}
VERBS = list(DYADIC) + list(MONADIC)


@pytest.fixture(scope="module")
def directed() -> pd.DataFrame:
    return pd.concat([dyads.dyad_years(y) for y in YEARS], ignore_index=True).assign(dummy=1)


@pytest.fixture(scope="module")
def undirected() -> pd.DataFrame:
    d = pd.concat([dyads.dyad_years(y, directed=False) for y in YEARS], ignore_index=True)
    d.attrs["directed"] = False
    return d


@pytest.fixture(scope="module")
def states() -> pd.DataFrame:
    return pd.concat([dyads.state_years(y) for y in YEARS], ignore_index=True)


def _rivalry_end() -> int:
    return int(threat.rivalries()["endyear"].max())


# --- units ---


def test_state_years_unique_and_in_system() -> None:
    sy = dyads.state_years((1816, 2020))
    assert not sy.duplicated(["ccode", "year"]).any()
    # Germany (255) in to 1945, absent 1946-1989, present again from 1990; GDR (265) 1954-1990
    g = set(sy.loc[sy.ccode == 255, "year"])
    assert 1945 in g and 1946 not in g and 1989 not in g and 1990 in g and 2020 in g
    assert set(sy.loc[sy.ccode == 265, "year"]) == set(range(1954, 1991))
    # states at the end of COW coverage (2016) continue through 2020
    assert {2016, 2017, 2020} <= set(sy.loc[sy.ccode == 2, "year"])


def test_dyad_years_counts_and_symmetry() -> None:
    d = dyads.dyad_years((1816, 2020))
    sy = dyads.state_years((1816, 2020))
    n = sy.groupby("year").size()
    # every pair of members, less the 30 pairs (60 directed rows) of states that were
    # both members in a year but never on the same day (issue 13; test_verbs_raw.py)
    assert int((n * (n - 1)).sum()) - len(d) == 60
    assert not d.duplicated(["ccode1", "ccode2", "year"]).any()
    assert (d.ccode1 != d.ccode2).all()
    rev = d.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    assert len(d.merge(rev, on=["ccode1", "ccode2", "year"])) == len(d)
    u = dyads.dyad_years((1816, 2020), directed=False)
    assert len(u) * 2 == len(d) and (u.ccode1 < u.ccode2).all()


def test_bad_years_raise_input_error() -> None:
    with pytest.raises(InputError, match=r"^years= must satisfy 1816 <= FIRST"):
        dyads.state_years((1700, 1800))
    with pytest.raises(InputError):
        dyads.add_atop_alliance(dyads.state_years((1950, 1950)))
    with pytest.raises(InputError, match="expected state-years"):
        dyads.add_nmc(pd.DataFrame({"a": [1]}))


# --- invariant 2: no duplicated, dropped or reordered row, for every verb ---


@pytest.mark.parametrize("verb", VERBS)
def test_verb_keeps_rows(verb: str, directed: pd.DataFrame) -> None:
    out = getattr(dyads, verb)(directed)
    assert len(out) == len(directed)
    pd.testing.assert_frame_equal(out[directed.columns], directed)
    assert out.attrs == directed.attrs


@pytest.mark.parametrize("verb", list(MONADIC))
def test_monadic_verb_keeps_state_rows(verb: str, states: pd.DataFrame) -> None:
    out = getattr(dyads, verb)(states)
    pd.testing.assert_frame_equal(out[states.columns], states)


# --- invariant 1: temporal domain ---


@pytest.mark.parametrize("verb", list(DYADIC))
def test_dyadic_verb_temporal_domain(verb: str, directed: pd.DataFrame) -> None:
    cols, span = DYADIC[verb]
    if span is None:
        span = (dyads.YEAR_MIN, _rivalry_end())
    out = getattr(dyads, verb)(directed)
    inside = out.year.between(*span)
    assert inside.any() and (~inside).any()
    assert out.loc[~inside, cols].isna().all().all(), "values outside the source's years"
    # an event source lists every event in its coverage: absence is 0 there, never missing
    assert out.loc[inside, cols].notna().all().all()
    assert set(np.unique(out.loc[inside, cols[0]])) == {0.0, 1.0}


@pytest.mark.parametrize("verb", list(MONADIC))
def test_monadic_verb_missing_is_not_zero(verb: str, states: pd.DataFrame) -> None:
    cols = MONADIC[verb]
    out = getattr(dyads, verb)(states)
    if verb == "add_cow_majors":
        # every state-year in the system is coded; 0 for minor powers
        assert out["cowmaj"].notna().all() and set(out["cowmaj"]) == {0.0, 1.0}
        return
    src = {
        "add_democracy": democracy.regime_years,
        "add_nmc": capabilities.nmc,
        "add_ideal_points": idealpoints.ideal_points,
    }[verb]()
    listed = out.merge(src[["ccode", "year"]].drop_duplicates(), how="left", indicator=True)
    absent = (listed["_merge"] == "left_only").to_numpy()
    assert absent.any(), "the sample should contain state-years the source does not list"
    assert out.loc[absent, cols].isna().all().all(), "a state-year the source lacks got a value"
    last = int(src["year"].max())
    assert out.loc[out.year > last, cols].isna().all().all()
    # a value that is in the source arrives unchanged
    s = src.drop_duplicates(["ccode", "year"]).set_index(["ccode", "year"])[cols[0]]
    got = out.set_index(["ccode", "year"])[cols[0]]
    common = got.index.intersection(s.index)
    np.testing.assert_allclose(
        got.loc[common].to_numpy(float), pd.to_numeric(s.loc[common]).to_numpy(float)
    )


def test_nmc_not_zero_filled_for_missing_state() -> None:
    # Kosovo (347) enters the COW system in 2008; NMC 7.0 has no row for it before 2008
    out = dyads.add_nmc(pd.DataFrame({"ccode": [347, 2], "year": [2005, 2005]}))
    assert np.isnan(out["cinc"].iloc[0]) and out["cinc"].iloc[1] > 0


# --- invariant 3: directed and undirected dyads ---


@pytest.mark.parametrize("verb", VERBS)
def test_directed_undirected_consistent(
    verb: str, directed: pd.DataFrame, undirected: pd.DataFrame
) -> None:
    d = getattr(dyads, verb)(directed.drop(columns="dummy"))
    u = getattr(dyads, verb)(undirected)
    new = [c for c in u.columns if c not in ("ccode1", "ccode2", "year")]
    rev = d.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    both = u.merge(d, on=["ccode1", "ccode2", "year"], suffixes=("", "_ab")).merge(
        rev, on=["ccode1", "ccode2", "year"], suffixes=("", "_ba")
    )
    assert len(both) == len(u)
    for c in new:
        if not pd.api.types.is_numeric_dtype(both[c]):  # regime type: monadic strings
            pd.testing.assert_series_equal(both[c], both[c + "_ab"], check_names=False)
            continue
        if c in DYADIC.get(verb, ([], None))[0]:
            # undirected value = either direction
            expect = np.fmax(both[c + "_ab"].to_numpy(float), both[c + "_ba"].to_numpy(float))
        elif c.endswith("1") or c.endswith("2"):
            expect = both[c + "_ab"].to_numpy(float)  # monadic: same state, same value
        else:
            expect = both[c + "_ab"].to_numpy(float)  # symmetric dyadic (ideal distance)
            np.testing.assert_array_equal(
                both[c + "_ab"].to_numpy(float), both[c + "_ba"].to_numpy(float)
            )
        np.testing.assert_array_equal(both[c].to_numpy(float), expect)


def test_symmetric_sources_are_symmetric(directed: pd.DataFrame) -> None:
    d = dyads.add_rivalries(dyads.add_cow_alliance(directed))
    rev = d.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    m = d.merge(rev, on=["ccode1", "ccode2", "year"], suffixes=("", "_r"))
    for c in ("cow_defense", "cow_entente", "rivalry"):
        np.testing.assert_array_equal(m[c].to_numpy(float), m[c + "_r"].to_numpy(float))


# --- readers ---


def test_atop_members_exit_coding() -> None:
    m = alliances.atop_members()
    assert (m.yrexit >= m.yrent).all()
    assert (m.loc[m.in_force == 1, "yrexit"] == alliances.ATOP_END).all()
    somalia = m[(m.atopid == 3735) & (m.ccode == 520)].iloc[0]
    assert somalia.exit_date == "1977-11-13" or somalia.exit_date.startswith("1977-11")
    assert somalia.manner == "abrogation"


def test_atop_dyad_years_unique_and_bounded() -> None:
    a = alliances.atop_dyad_years()
    assert not a.duplicated(["ccode1", "ccode2", "year", "atopid"]).any()
    assert a.year.between(alliances.ATOP_START, alliances.ATOP_END).all()
    assert (a.ccode1 != a.ccode2).all()
    # every directed row has its reverse (membership is mutual; obligations may differ)
    keys = ["ccode1", "ccode2", "year", "atopid"]
    rev = a[keys].rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    assert len(a[keys].merge(rev, on=keys)) == len(a)


def test_atop_matches_peacesciencer_within_version_drift(tmp_path: object) -> None:
    """peacesciencer ships ATOP 5.1 directed dyad-years; ours is 4.01 built from members."""
    ours = alliances.atop_dyad_years()
    ours = ours.groupby(["ccode1", "ccode2", "year"])[list(alliances.OBLIGATIONS)].max()
    path = alliances.source_path("peacesciencer/atop_alliance.rda")
    ps = pyreadr.read_r(str(path))["atop_alliance"].astype("int64")
    ps = ps[ps.year <= alliances.ATOP_END].set_index(["ccode1", "ccode2", "year"])
    common = ours.index.intersection(ps.index)
    assert len(common) / len(ps) > 0.99 and len(common) / len(ours) > 0.99
    for ob in alliances.OBLIGATIONS:
        agree = (ours.loc[common, ob].to_numpy() == ps.loc[common, f"atop_{ob}"].to_numpy()).mean()
        assert agree > 0.998, ob


def test_cow_year_zero_rows_repaired() -> None:
    raw = alliances._read_cow_zip("alliance_v4.1_by_dyad_yearly.csv")
    assert (raw.year == 0).sum() > 0  # the trap is in the source
    c = alliances.cow_dyad_years()
    assert (c.year > 0).all()
    assert not c.duplicated(["ccode1", "ccode2", "year", "cow_id"]).any()
    egy_isr = c[(c.ccode1 == 651) & (c.ccode2 == 666) & (c.cow_id == 413)]
    assert set(egy_isr.year) == set(range(1979, 2013))


def test_cow_matches_directed_file_and_peacesciencer() -> None:
    c = alliances.cow_dyad_years()
    ours = set(map(tuple, c[["ccode1", "ccode2", "year", "cow_id"]].to_numpy().tolist()))
    dr = alliances._read_cow_zip("alliance_v4.1_by_directed_yearly.csv")
    theirs = set(map(tuple, dr[["ccode1", "ccode2", "year", "version4id"]].to_numpy().tolist()))
    assert ours == theirs
    ps = pyreadr.read_r(str(alliances.source_path("peacesciencer/cow_alliance.rda")))
    ps = ps["cow_alliance"].astype("int64").set_index(["ccode1", "ccode2", "year"]).sort_index()
    agg = c.groupby(["ccode1", "ccode2", "year"])[list(ps.columns)].max().sort_index()
    pd.testing.assert_frame_equal(agg.astype("int64"), ps)


def test_codes_outside_cow_range_match_nothing() -> None:
    # 1002 is no COW code; (year * 1000 + ccode) keys would alias it with ccode 2 of 1951
    s = dyads.add_nmc(pd.DataFrame({"ccode": [1002, 2, -1], "year": [1950, 1951, 1950]}))
    assert np.isnan(s["cinc"].iloc[0]) and s["cinc"].iloc[1] > 0 and np.isnan(s["cinc"].iloc[2])
    d = pd.DataFrame({"ccode1": [2, 2, 1002], "ccode2": [770, 1002, 770], "year": 1955})
    d.attrs["directed"] = True
    out = dyads.add_atop_alliance(d)
    assert out["atop_defense"].tolist()[0] == 1
    assert out[["atop_defense", "atop_n"]].iloc[1:].isna().all().all()


def test_verbs_on_empty_frames_and_sources() -> None:
    empty = dyads.dyad_years((1950, 1950)).iloc[:0]
    for verb in VERBS:
        out = getattr(dyads, verb)(empty)
        assert len(out) == 0 and set(empty.columns) <= set(out.columns), verb
    # a source with no rows at all gives missing values, not an error
    src = pd.DataFrame({"ccode": pd.Series([], dtype="int64"), "year": [], "x": []})
    got = merge.attach_monadic(dyads.state_years((1950, 1950)), src, {"x": "x"})
    assert got["x"].isna().all()


@pytest.mark.parametrize("verb", list(MONADIC))
def test_monadic_verb_on_dyads_matches_state_values(
    verb: str, directed: pd.DataFrame, states: pd.DataFrame
) -> None:
    """col1/col2 on dyads are the state-year values of ccode1/ccode2, missing included."""
    col = MONADIC[verb][0]
    s = getattr(dyads, verb)(states).set_index(["ccode", "year"])[col]
    d = getattr(dyads, verb)(directed)
    for k in ("1", "2"):
        want = s.reindex(pd.MultiIndex.from_arrays([d[f"ccode{k}"], d["year"]])).to_numpy(float)
        np.testing.assert_array_equal(d[f"{col}{k}"].to_numpy(float), want)
    assert d[f"{col}1"].isna().any() or verb == "add_cow_majors"
