"""Side-payment readers against the real files: totals, codes, coverage and history."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sidepay.data import codes
from sidepay.data.acquire import fetch
from sidepay.data.readers import aid, arms, troops
from sidepay.errors import InputError

CENT_IN_MILLIONS = 0.01 / 1e6


@pytest.fixture(scope="module")
def gb() -> pd.DataFrame:
    return aid.greenbook().set_index(["ccode", "year"])


@pytest.fixture(scope="module")
def tiv() -> pd.DataFrame:
    return arms.sipri_tiv()


def _series(frame: pd.DataFrame, supplier: int, ccode: int) -> pd.Series:
    rows = frame[(frame["supplier"] == supplier) & (frame["ccode"] == ccode)]
    return rows.set_index("year")["arms_tiv"]


# --------------------------------------------------------------------------- Greenbook


@pytest.mark.slow  # reads the 3.8 MB workbook with openpyxl (~8-15 s)
def test_greenbook_assigned_plus_unassigned_equals_file_total_to_the_cent() -> None:
    # read the workbook independently of the reader and its cache
    raw = pd.read_excel(
        fetch("greenbook"),
        engine="openpyxl",  # the reader uses calamine: a second parser checks it too
        skiprows=6,
        usecols=["Assistance Category", "Obligations (Constant Dollars)"],
    )
    file_total = raw.groupby("Assistance Category")["Obligations (Constant Dollars)"].sum()
    assigned = aid.greenbook()
    unassigned = aid.greenbook_unassigned()
    for column, category in (("aid_econ", "Economic"), ("aid_mil", "Military")):
        got = math.fsum(assigned[column]) + math.fsum(unassigned[column])
        expected = int(file_total[category]) / 1e6
        assert abs(got - expected) < CENT_IN_MILLIONS / 2, (category, got, expected)
    # every unassigned dollar has a reason
    assert set(unassigned["status"]) <= {"region", "territory", "not_in_system"}
    assert unassigned["country"].str.contains("not specified").any()
    assert {"World (not specified)", "West Bank/Gaza", "China (Hong Kong)"} <= set(
        unassigned["country"]
    )


def test_greenbook_shape_keys_and_zero_rule(gb: pd.DataFrame) -> None:
    frame = gb.reset_index()
    assert not frame.duplicated(["ccode", "year"]).any()
    assert frame["year"].between(1946, 2020).all()
    assert 2 not in set(frame["ccode"])  # no aid from the US to itself
    assert codes.in_system(frame["ccode"], frame["year"]).all()
    # zeros are only inferred, and inferred rows are exactly zero
    inferred = frame[~frame["aid_recorded"]]
    assert (inferred[["aid_econ", "aid_mil"]] == 0).all().all()
    assert len(inferred) > 1000
    # without fill the reader returns only what the source lists
    listed = aid.greenbook(fill_zeros=False)
    assert listed["aid_recorded"].all()
    assert len(listed) == int(frame["aid_recorded"].sum())
    # no row outside COW membership, never a zero made up there
    assert (1950, 255) not in {(y, c) for c, y in zip(frame["ccode"], frame["year"], strict=True)}
    assert not ((frame["ccode"] == 260) & (frame["year"] < 1955)).any()


def test_greenbook_transition_quarter_is_folded_into_1976(gb: pd.DataFrame) -> None:
    rec = aid.greenbook_records()
    assert 1976.9 in set(rec["fiscal_year"])
    israel = rec[(rec["country"] == "Israel") & rec["fiscal_year"].isin([1976.0, 1976.9])]
    tq = rec[(rec["country"] == "Israel") & (rec["fiscal_year"] == 1976.9)]
    assert tq["usd_constant"].sum() != 0
    for category, column in (("Economic", "aid_econ"), ("Military", "aid_mil")):
        expected = israel.loc[israel["category"] == category, "usd_constant"].sum() / 1e6
        assert gb.loc[(666, 1976), column] == pytest.approx(expected, abs=1e-6)
    assert gb.loc[(666, 1976), "months"] == 15
    assert gb.loc[(666, 1977), "months"] == 12


def test_greenbook_historical_overrides(gb: pd.DataFrame) -> None:
    # South Vietnam (817) received US aid up to FY1975; unified Vietnam is 816
    assert gb.loc[(817, 1968), "aid_mil"] + gb.loc[(817, 1968), "aid_econ"] > 1000
    assert (816, 1968) in gb.index and gb.loc[(816, 1968), "aid_recorded"] == np.False_
    # Germany: West Germany 260 from 1955 to 1990, unified Germany 255 afterwards
    assert gb.loc[(260, 1960), "aid_recorded"]
    assert (255, 1995) in gb.index
    # Serbia and Montenegro, Former and Serbia both go to 345
    assert gb.loc[(345, 2000), "aid_econ"] > 0


def test_greenbook_us_military_aid_to_pakistan_rises_around_1954(gb: pd.DataFrame) -> None:
    pak = gb.loc[770]
    assert pak.loc[1948:1954, "aid_mil"].sum() == 0
    assert (pak.loc[1955:1960, "aid_mil"] > 200).all()


def test_greenbook_us_aid_to_somalia_appears_around_1980(gb: pd.DataFrame) -> None:
    som = gb.loc[520]
    assert som.loc[1970:1979, "aid_mil"].sum() == 0
    assert (som.loc[1980:1982, "aid_mil"] > 20).all()
    assert som.loc[1979:1985, "aid_econ"].min() > 50
    assert som.loc[1972:1977, "aid_econ"].max() < 25


def test_greenbook_us_aid_to_egypt_large_after_1979(gb: pd.DataFrame) -> None:
    egy = gb.loc[651]
    assert egy.loc[1968:1973, ["aid_econ", "aid_mil"]].sum().sum() < 20
    assert egy.loc[1979, "aid_mil"] > 3000  # Camp David
    assert (egy.loc[1981:2000, "aid_mil"] > 1000).all()


def test_greenbook_years_argument_and_bad_input() -> None:
    sub = aid.greenbook(years=(1980, 1985))
    assert set(sub["year"]) == set(range(1980, 1986))
    with pytest.raises(InputError, match=r"^years= must satisfy .*FIRST <= LAST"):
        aid.greenbook(years=(1990, 1980))


# --------------------------------------------------------------------------- other donors


def test_aiddata_dyadic_codes_are_re_derived() -> None:
    ad = aid.aiddata_dyadic()
    assert not ad.duplicated(["donor", "ccode", "year"]).any()
    assert ad["year"].between(1973, 2013).all()
    assert codes.in_system(ad["ccode"], ad["year"]).all()
    assert codes.in_system(ad["donor"], ad["year"]).all()
    germany = ad[ad["donor"].isin([255, 260])]
    assert set(germany.loc[germany["year"] <= 1990, "donor"]) == {260}
    assert set(germany.loc[germany["year"] >= 1991, "donor"]) == {255}
    assert (ad[(ad["ccode"] == 678)]["year"] <= 1990).all()  # Yemen is 679 after unification
    assert not ad[(ad["ccode"] == 315) & (ad["year"] >= 1993)].shape[0]
    assert (ad["aid"] > 0).all()
    assert (
        ad.loc[(ad["donor"] == 2) & (ad["ccode"] == 651) & (ad["year"] == 1985), "aid"].iloc[0]
        > 500
    )


def test_oecd_dac2a_states_and_aid_type() -> None:
    oe = aid.oecd_dac2a()
    assert not oe.duplicated(["donor", "ccode", "year"]).any()
    assert oe["year"].between(2009, 2022).all()
    assert {2, 740, 255, 713} <= set(oe["donor"])  # US, Japan, Germany, Chinese Taipei
    assert oe.loc[(oe["donor"] == 2) & (oe["ccode"] == 700), "aid"].sum() > 10000
    net = aid.oecd_dac2a("ODA: Total Net")
    assert len(net) > 1000
    with pytest.raises(InputError, match="allowed"):
        aid.oecd_dac2a("Gifts")


def test_chinese_finance() -> None:
    cf = aid.chinese_finance()
    assert set(cf["donor"]) == {710}
    assert cf["year"].between(2000, 2021).all()
    assert not cf.duplicated(["ccode", "year"]).any()
    parts = cf["oda"] + cf["oof"] + cf["vof"]
    assert np.allclose(cf["aid"], parts)
    assert cf.loc[cf["ccode"] == 770, "aid"].sum() > 10000  # Pakistan (CPEC)
    assert cf.attrs["unit"].startswith("constant 2021")


# --------------------------------------------------------------------------- SIPRI


def test_sipri_tables_agree_with_processed_file_where_it_has_rows() -> None:
    processed = pd.read_csv(fetch("sipri_tiv"))
    tables = arms.sipri_tables()
    merged = processed.merge(
        tables,
        left_on=["supplier", "recipient", "year"],
        right_on=["supplier_name", "recipient_name", "year"],
        how="left",
    )
    assert merged["arms_tiv"].notna().all()
    assert (merged["value"] == merged["arms_tiv"]).all()
    # the tables hold what the processed file dropped: West Germany before 1991
    fed = tables[
        (tables["supplier_name"] == "United States") & (tables["recipient_name"] == "Germany")
    ]
    assert fed.loc[fed["year"].between(1955, 1990), "arms_tiv"].sum() > 10000
    assert not ((processed["recipient"] == "Germany") & (processed["year"] < 1991)).any()


def test_sipri_per_supplier_tables_match_the_reader(tiv: pd.DataFrame) -> None:
    for name, code in (
        ("United States", 2),
        ("Soviet Union", 365),
        ("France", 220),
        ("China", 710),
    ):
        table = sipri_table = arms.sipri_supplier_table(name)
        egypt = sipri_table[sipri_table["recipient"] == "Egypt"].set_index("year")["arms_tiv"]
        ours = _series(tiv, code, 651)
        if name == "Soviet Union":
            ours = ours[ours.index <= 1991]
        pd.testing.assert_series_equal(ours.sort_index(), egypt.sort_index(), check_names=False)
        assert len(table) > 100


def test_sipri_codes_agree_with_processed_file_for_states() -> None:
    processed = pd.read_csv(fetch("sipri_tiv"))
    rec = codes.resolve(processed["recipient"], processed["year"])
    sup = codes.resolve(processed["supplier"], processed["year"])
    both = (rec["status"] == "state").to_numpy() & processed["recipient_cown"].notna().to_numpy()
    assert (rec.loc[both, "ccode"].to_numpy() == processed.loc[both, "recipient_cown"]).all()
    both = (sup["status"] == "state").to_numpy() & processed["supplier_cown"].notna().to_numpy()
    assert (sup.loc[both, "ccode"].to_numpy() == processed.loc[both, "supplier_cown"]).all()


def test_sipri_nonstate_rows_are_kept_apart(tiv: pd.DataFrame) -> None:
    ns = arms.sipri_tiv_nonstate()
    tables = arms.sipri_tables()
    assert math.fsum(tiv["arms_tiv"]) + math.fsum(ns["arms_tiv"]) == pytest.approx(
        math.fsum(tables["arms_tiv"]), abs=1e-6
    )
    vietminh = ns[ns["recipient_name"] == "Viet Minh (France)*"]
    assert len(vietminh) == 1 and vietminh["recipient_status"].iloc[0] == "non_state"
    # not credited to France as a recipient
    year = int(vietminh["year"].iloc[0])
    assert _series(tiv, 710, 220).get(year, 0) == 0
    assert {"NATO**", "Unknown recipient(s)", "Hezbollah (Lebanon)*"} <= set(ns["recipient_name"])
    assert not tiv.duplicated(["supplier", "ccode", "year"]).any()
    assert codes.in_system(tiv["supplier"], tiv["year"]).all()
    assert codes.in_system(tiv["ccode"], tiv["year"]).all()


def test_sipri_ussr_and_russia_are_365_through_time(tiv: pd.DataFrame) -> None:
    years = set(tiv.loc[tiv["supplier"] == 365, "year"])
    assert {1960, 1980, 1991, 1992, 2010} <= years


def test_sipri_soviet_arms_to_somalia_stop_after_1977(tiv: pd.DataFrame) -> None:
    som = _series(tiv, 365, 520)
    assert som.loc[1973:1977].min() > 0
    assert som.index.max() == 1977
    us = _series(tiv, 2, 520)
    assert us.index.min() >= 1980 and us.loc[1980:1986].sum() > 0


def test_sipri_soviet_arms_to_egypt_fall_after_1972_74(tiv: pd.DataFrame) -> None:
    egy = _series(tiv, 365, 651)
    before = egy.reindex(range(1965, 1974), fill_value=0).mean()
    after = egy.reindex(range(1976, 1991), fill_value=0).mean()
    assert before > 1000 and after < before / 20
    us = _series(tiv, 2, 651)
    assert us.reindex(range(1980, 1991), fill_value=0).mean() > 300


def test_sipri_us_arms_to_pakistan_from_1954(tiv: pd.DataFrame) -> None:
    pak = _series(tiv, 2, 770)
    assert pak.loc[1955:1959].min() > 100


# --------------------------------------------------------------------------- troops


def test_us_troops() -> None:
    tr = troops.us_troops().set_index(["ccode", "year"])["us_troops"]
    assert not tr.index.duplicated().any()
    assert tr.loc[(260, 1970)] > 150_000  # West Germany
    assert tr.loc[(255, 2000)] > 50_000  # unified Germany
    assert (260, 1950) not in tr.index  # occupied Germany is not a COW state
    assert tr.loc[(732, 1980)] > 30_000  # South Korea
    assert tr.loc[(740, 1975)] > 40_000  # Japan
    assert tr.loc[(235, 1960)] > 1000  # Portugal incl. the Azores (Lajes)
    assert tr.loc[(345, 2000)] >= 0  # Serbia coded 345, not the source's 340
    assert 340 not in set(tr.index.get_level_values(0))
    assert codes.in_system(tr.index.get_level_values(0), tr.index.get_level_values(1)).all()
    un = troops.us_troops_unassigned()
    assert {"Guam", "Diego Garcia"} <= set(un["country"])
    assert (un.loc[un["country"] == "Germany", "year"] <= 1954).all()
