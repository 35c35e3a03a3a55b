"""The real asymmetric-alliance panel: rows, schema, coverage, payments, and the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sidepay import schema
from sidepay.cli import main
from sidepay.data import dyads
from sidepay.data.deflator import rebase_factor
from sidepay.data.panel import build_panel, resolve_patrons
from sidepay.data.spells import alliance_spells
from sidepay.errors import InputError


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return build_panel((1946, 2020))


def test_rows_are_major_patrons_and_minor_clients(panel: pd.DataFrame) -> None:
    assert not panel.duplicated(list(schema.KEYS)).any()
    majors = dyads.add_cow_majors(dyads.state_years((1946, 2020)))
    major = set(map(tuple, majors.loc[majors.cowmaj == 1, ["ccode", "year"]].to_numpy().tolist()))
    pat = set(map(tuple, panel[["patron", "year"]].to_numpy().tolist()))
    cli = set(map(tuple, panel[["client", "year"]].to_numpy().tolist()))
    assert pat == major
    assert not cli & major
    # every minor state in the system is a client of every major power that year
    n = panel.groupby("year").size()
    sizes = majors.groupby("year")["cowmaj"].agg(["sum", "size"])
    assert (n == sizes["sum"] * (sizes["size"] - sizes["sum"])).all()
    assert {2, 200, 220, 365, 710}.issubset(set(panel.patron))
    assert set(panel.loc[panel.year < 1991, "patron"]) == {2, 200, 220, 365, 710}


def test_schema_columns_and_dtypes(panel: pd.DataFrame) -> None:
    assert schema.missing_columns(panel, list(schema.COLUMNS)) == []
    for name, col in schema.COLUMNS.items():
        assert str(panel[name].dtype) == str(pd.Series(dtype=col.dtype).dtype), name
    assert list(panel.columns[:3]) == list(schema.KEYS)


def test_temporal_domains(panel: pd.DataFrame) -> None:
    # ATOP 4.01 to 2016, ATOP 5.1 to 2018; SIPRI starts in 1950; Greenbook only for the US
    assert panel.loc[panel.year > 2018, "allied"].isna().all()
    assert panel.loc[panel.year <= 2018, "allied"].notna().all()
    src = panel.groupby("alliance_source")["year"].agg(["min", "max"])
    assert src.loc["atop4.01"].tolist() == [1946, 2016] and src.loc["atop5.1"].tolist() == [
        2017,
        2018,
    ]
    assert panel.loc[panel.year < 1950, "arms_tiv"].isna().all()
    assert panel.loc[panel.year >= 1950, "arms_tiv"].notna().all()
    assert panel.loc[panel.patron != 2, ["aid_econ", "aid_mil", "us_troops"]].isna().all().all()
    assert panel.loc[(panel.patron == 2), "aid_mil"].notna().mean() > 0.9
    # COW alliances end in 2012; rivalries and MIDs in 2010
    assert panel.loc[panel.year > 2012, "cow_alliance"].isna().all()
    cols = ["threat", "common_threat", "client_threat", "common_rival"]
    assert panel.loc[panel.year > 2010, cols].isna().all().all()
    assert panel.loc[panel.year <= 2010, cols].notna().all().all()
    # a measure never turns missing into zero: W missing where Polity/GWF say nothing
    assert panel["W"].isna().any() and panel["divergence"].isna().any()


def test_spells_are_consistent(panel: pd.DataFrame) -> None:
    allied = panel[panel.allied == 1]
    assert allied["spell_id"].notna().all() and allied["spell_start"].notna().all()
    assert (allied["spell_year"] == allied["year"] - allied["spell_start"]).all()
    assert panel.loc[panel.allied == 0, "spell_id"].isna().all()
    # one spell id per consecutive run of allied years
    runs = allied.groupby("spell_id")["year"].agg(["min", "max", "size"])
    assert (runs["max"] - runs["min"] + 1 == runs["size"]).all()
    spells = alliance_spells()
    assert not spells.duplicated(["ccode1", "ccode2", "spell_start"]).any()
    assert (spells["last"] >= spells["spell_start"]).all()


def test_side_payment_and_rival_payment(panel: pd.DataFrame) -> None:
    # side_payment is aid by default (arms TIV before issue 10)
    np.testing.assert_array_equal(panel["side_payment"], panel["aid"])
    sub = panel[panel.year.between(1970, 1975)]
    for (client, year), g in sub.groupby(["client", "year"]):
        pays = g.set_index("patron")["side_payment"]
        for patron, rival in g.set_index("patron")["rival_payment"].items():
            others = pays.drop(patron)
            if others.isna().all():  # no other patron's aid series covers the client-year
                assert pd.isna(rival), (client, year, patron)
            else:
                assert rival == others.max(), (client, year, patron)


def test_common_threat_is_part_of_threat(panel: pd.DataFrame) -> None:
    t = panel.dropna(subset=["threat"])
    assert (t["common_rival"] <= t["threat"]).all()
    assert (t["common_threat"] <= t["client_threat"]).all()
    assert (t["common_threat"] >= t["common_rival"]).all()  # rivals are part of both sets
    # India (750) and the USSR share the China rivalry in 1970; India-Pakistan too
    row = panel[(panel.patron == 365) & (panel.client == 750) & (panel.year == 1970)].iloc[0]
    assert row["threat"] >= 2 and row["common_rival"] >= 1 and row["common_threat"] >= 1


def test_user_patrons() -> None:
    assert resolve_patrons("usa, RUS,710") == [2, 365, 710]
    p = build_panel((1960, 1962), patrons=["USA", "RUS"])
    assert set(p.patron) == {2, 365}
    assert not set(p.client) & {2, 200, 220, 365, 710}
    with pytest.raises(InputError, match="unknown patron"):
        resolve_patrons("USA,ATLANTIS")
    with pytest.raises(InputError, match=r"^years= "):
        build_panel("1990:1980")
    with pytest.raises(InputError, match=r"^years= "):
        build_panel("nineteen")
    with pytest.raises(InputError, match=r"^patrons= ") as info:
        resolve_patrons(" , ")
    assert info.value.param == "patrons"


def test_cli_writes_parquet_and_csv(tmp_path) -> None:
    out = tmp_path / "panel.parquet"
    assert (
        main(["data", "panel", "--years", "1975:1976", "--patrons", "USA,RUS", "--out", str(out)])
        == 0
    )
    got = pd.read_parquet(out)
    want = build_panel((1975, 1976), patrons=["USA", "RUS"])
    pd.testing.assert_frame_equal(got[want.columns], want, check_dtype=False)
    csv = tmp_path / "panel.csv"
    assert main(["data", "panel", "--years", "1975", "--patrons", "USA", "--out", str(csv)]) == 0
    assert len(pd.read_csv(csv)) == len(want[(want.patron == 2) & (want.year == 1975)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["panel.csv", "panel.parquet"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--years", "2020:1946"], "--years"),
        (["--years", "1700:1800"], "--years must satisfy 1816 <= FIRST"),
        (["--patrons", "USA,XX"], "unknown patron"),
        (["--out", "panel.xlsx"], "--out must end in"),
        (["--alliance", "formal"], "--alliance must be one of security, defense, any"),
        (["--payment", "tiv"], "--payment must be one of aid"),
        (["--asymmetry", "1.5"], "--asymmetry must be a share"),
    ],
)
def test_cli_bad_input_one_line_exit_2(tmp_path, capsys, args: list[str], needle: str) -> None:
    argv = ["data", "panel", "--out", str(tmp_path / "p.parquet"), *args]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "\n" not in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())


def test_aid_other_one_source_per_patron(panel: pd.DataFrame) -> None:
    src = panel.groupby("patron")["aid_other_source"].agg(lambda s: set(s.dropna()))
    assert src[2] == {"aiddata"} and src[710] == {"aiddata_china"} and src[740] == {"oecd_dac2a"}
    us = panel[panel.patron == 2]
    assert us.loc[~us.year.between(1973, 2013), "aid_other"].isna().all()
    china = panel[panel.patron == 710]
    assert china.loc[china.year < 2000, "aid_other"].isna().all()
    assert china.loc[china.year >= 2000, "aid_other"].notna().any()


def test_no_zero_outside_a_sources_coverage() -> None:
    """Years past the sources' ends: every payment, alliance and threat column is missing."""
    p = build_panel((2017, 2024), patrons="USA,CHN")
    us = p[p.patron == 2]
    late = us.year > 2020  # Greenbook ends with FY2020
    assert late.any() and us.loc[late, ["aid_econ", "aid_mil", "aid_recorded"]].isna().all().all()
    assert us.loc[~late, ["aid_econ", "aid_mil", "aid_recorded"]].notna().all().all()
    assert p.loc[p.year > 2021, ["arms_tiv", "finance_china"]].isna().all().all()
    assert (
        p.loc[p.year > 2022, ["side_payment", "aid", "aid_dac", "rival_payment"]].isna().all().all()
    )
    assert (p.loc[p.year.between(2017, 2021), "arms_tiv"] == 0).any()  # SIPRI's own zeros
    assert p.loc[p.year > 2018, ["allied", "defense", "spell_id"]].isna().all().all()
    assert p.loc[p.year > 2016, ["pacts_left", "pact_size", "bipolar_pact"]].isna().all().all()
    assert p.loc[p.year > 2019, ["gdp_client", "pop_client"]].isna().all().all()
    china = p[p.patron == 710]
    assert china.loc[china.year > 2021, ["aid_other", "aid_other_source"]].isna().all().all()
    # divergence: ideal points run to 2024, so 2024 has values
    assert p.loc[p.year == 2024, "divergence"].notna().any()


def test_us_aid_zero_only_where_the_greenbook_is_silent_inside_its_years(
    panel: pd.DataFrame,
) -> None:
    from sidepay.data.readers import aid

    us = panel[panel.patron == 2]
    listed = aid.greenbook(fill_zeros=False).set_index(["ccode", "year"])
    keys = pd.MultiIndex.from_arrays([us["client"], us["year"]])
    in_book = keys.isin(listed.index)
    assert (us["aid_recorded"].to_numpy() == in_book.astype(int)).all()
    filled = us[~in_book]
    assert len(filled) > 100 and (filled[["aid_econ", "aid_mil"]] == 0).all().all()
    got = us[in_book].set_index(["client", "year"])["aid_mil"]
    # the panel's dollars are 2022 dollars; the Greenbook's are 2020 dollars
    to2022 = rebase_factor(2020)
    np.testing.assert_allclose(got.to_numpy(), listed.loc[got.index, "aid_mil"].to_numpy() * to2022)
    assert panel.loc[panel.patron != 2, "aid_recorded"].isna().all()


def test_gdp_and_population_in_schema_units(panel: pd.DataFrame) -> None:
    row = panel[(panel.patron == 2) & (panel.client == 770) & (panel.year == 2019)].iloc[0]
    assert 1.5e8 < row["pop_client"] < 3e8  # persons: Pakistan had about 215 million
    assert 5e11 < row["gdp_client"] < 5e12  # USD


def test_cli_out_is_a_folder_or_unwritable(tmp_path, capsys) -> None:
    folder = tmp_path / "d.parquet"
    folder.mkdir()
    argv = ["data", "panel", "--years", "1950", "--patrons", "USA", "--out", str(folder)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "is a folder" in err and "\n" not in err
    # a folder nobody can create files in (even root cannot in /proc): one line, no file
    from sidepay.data.panel import write_panel

    with pytest.raises(InputError, match=r"could not write|not writable") as info:
        write_panel(pd.DataFrame({"patron": [2]}), Path("/proc/sidepay-panel.csv"))
    assert "\n" not in str(info.value)
    assert not Path("/proc/sidepay-panel.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["d.parquet"] and not list(folder.iterdir())
