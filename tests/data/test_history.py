"""The panel against the historical record: cases every Cold War historian knows.

Each test reads the panel (not the raw files) so that a mistake anywhere on the way
(codes, years, directions, merges, spells, events) shows up as a wrong history.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sidepay.data.panel import build_panel

USA, USSR, CHINA = 2, 365, 710
PAKISTAN, SOMALIA, ETHIOPIA, EGYPT, IRAN = 770, 520, 530, 651, 630


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return build_panel((1946, 2020)).set_index(["patron", "client", "year"]).sort_index()


@pytest.fixture(scope="module")
def panel_any() -> pd.DataFrame:
    """Any ATOP tie: the Soviet treaties of friendship are consultation pacts in ATOP, so
    they are alliances under ``alliance="any"`` but not under the default ``security``."""
    out = build_panel((1946, 2020), alliance="any")
    return out.set_index(["patron", "client", "year"]).sort_index()


def _dyad(panel: pd.DataFrame, patron: int, client: int) -> pd.DataFrame:
    """Rows of one patron-client pair, indexed by year."""
    out: pd.DataFrame = panel.xs((patron, client), level=("patron", "client"))
    return out


def _series(panel: pd.DataFrame, patron: int, client: int, col: str) -> pd.Series:
    return _dyad(panel, patron, client)[col]


def test_us_pakistan_alliance_forms_1954_with_military_aid_rising(panel: pd.DataFrame) -> None:
    allied = _series(panel, USA, PAKISTAN, "allied")
    assert (allied.loc[1946:1953] == 0).all() and (allied.loc[1954:1960] == 1).all()
    row = _dyad(panel, USA, PAKISTAN).loc[1954]
    assert row["formation"] == 1 and row["spell_start"] == 1954 and row["defense"] == 1
    assert row["atop_entry"].startswith("1954")  # SEATO, signed 8 September 1954
    mil = _series(panel, USA, PAKISTAN, "aid_mil")
    assert mil.loc[1950:1953].sum() == 0
    assert mil.loc[1955:1958].mean() > 250  # constant 2020 USD millions
    arms = _series(panel, USA, PAKISTAN, "arms_tiv")
    assert arms.loc[1955:1959].mean() > 2 * arms.loc[1950:1953].mean()


def test_somalia_turns_from_the_soviet_union_to_the_united_states(
    panel: pd.DataFrame, panel_any: pd.DataFrame
) -> None:
    assert (_dyad(panel, USSR, SOMALIA).loc[1974:1977, "allied"] == 0).all()  # no security tie
    assert (_dyad(panel, USSR, SOMALIA).loc[1974:1977, "allied_any"] == 1).all()
    soviet = _dyad(panel_any, USSR, SOMALIA)
    # the 1974 treaty of friendship, abrogated by Somalia in November 1977
    assert soviet.loc[1974, "formation"] == 1
    assert (soviet.loc[1974:1977, "allied"] == 1).all() and (
        soviet.loc[1978:1985, "allied"] == 0
    ).all()
    assert soviet.loc[1977, "termination"] == 1
    assert soviet.loc[1977, "termination_manner"] == "abrogation"
    # Soviet arms stop after 1977
    assert (soviet.loc[1972:1977, "arms_tiv"] > 0).all()
    assert (soviet.loc[1978:1985, "arms_tiv"] == 0).all()
    # US aid starts: military aid from 1980, economic aid multiplies
    us = _dyad(panel, USA, SOMALIA)
    assert us.loc[1970:1979, "aid_mil"].sum() == 0 and us.loc[1980, "aid_mil"] > 20
    assert us.loc[1978:1980, "aid_econ"].mean() > 5 * us.loc[1975:1977, "aid_econ"].mean()
    # second measure: the Soviet Union stops being Somalia's main arms supplier
    soviet = _dyad(panel, USSR, SOMALIA)
    assert (
        soviet.loc[1979, "realignment_arms"] == 1 and soviet.loc[1979, "realignment_arms_bloc"] == 1
    )
    assert us.loc[1980, "main_supplier"] != USSR
    # and the rival's payments are what the Soviet Union competes against
    assert soviet.loc[1980, "rival_payment"] > 0


def test_egypt_turns_from_the_soviet_union_to_the_united_states(
    panel: pd.DataFrame, panel_any: pd.DataFrame
) -> None:
    soviet = _dyad(panel_any, USSR, EGYPT)
    # the 1971 treaty of friendship, abrogated by Sadat in March 1976
    assert soviet.loc[1971, "formation"] == 1 and soviet.loc[1976, "termination"] == 1
    assert soviet.loc[1976, "termination_manner"] == "abrogation"
    soviet = _dyad(panel, USSR, EGYPT)
    assert soviet.loc[1970, "main_supplier"] == USSR
    assert soviet.loc[1979, "main_supplier"] == USA
    assert soviet.loc[1970:1985, "realignment_arms"].sum() == 1  # one sustained switch
    # Camp David: US military aid in 1979, the largest in the US-Egypt series so far
    us_mil = _series(panel, USA, EGYPT, "aid_mil")
    assert us_mil.loc[1979] > 1000 and us_mil.loc[1946:1978].max() < us_mil.loc[1979]
    # interest divergence with the US falls between the early 1970s and 1980
    div = _series(panel, USA, EGYPT, "divergence")
    assert div.loc[1978:1980].mean() < div.loc[1970:1972].mean()


def test_ethiopia_turns_from_the_united_states_to_the_soviet_union(
    panel: pd.DataFrame, panel_any: pd.DataFrame
) -> None:
    us = _dyad(panel, USA, ETHIOPIA)
    assert us.loc[1975, "main_supplier"] == USA and us.loc[1977, "main_supplier"] == USSR
    assert us.loc[1976, "realignment_arms"] == 1 and us.loc[1976, "realignment_arms_bloc"] == 1
    assert _dyad(panel_any, USSR, ETHIOPIA).loc[1978, "formation"] == 1  # treaty of friendship
    assert (us.loc[1978:1985, "aid_mil"] == 0).all() and us.loc[1974:1975, "aid_mil"].min() > 50
    assert us.loc[1974, "regime_change"] == 1  # the Derg


def test_iran_alliance_and_aid_with_the_us_end_in_1979(panel: pd.DataFrame) -> None:
    us = _dyad(panel, USA, IRAN)
    assert (us.loc[1959:1978, "allied"] == 1).all() and (us.loc[1980:2016, "allied"] == 0).all()
    assert us.loc[1979, "termination"] == 1 and us.loc[1979, "termination_manner"] == "abrogation"
    assert us.loc[1979, "regime_change"] == 1
    assert us.loc[1973:1978, "arms_tiv"].mean() > 1000
    # afterwards only the covert Iran-Contra deliveries of 1984-86
    arms_80s = us.loc[1981:1990, "arms_tiv"]
    assert arms_80s.sum() < 100 and (arms_80s.drop([1984, 1985, 1986]) == 0).all()


def test_nato_members_allied_with_the_us_from_1949(panel: pd.DataFrame) -> None:
    for client in (20, 210, 325, 390):  # Canada, Netherlands, Italy, Denmark
        s = _dyad(panel, USA, client)
        assert s.loc[1949, "defense"] == 1 and (s.loc[1949:2018, "allied"] == 1).all()
        assert (s.loc[2017:2018, "alliance_source"] == "atop5.1").all()  # 4.01 ends in 2016
        assert s.loc[2019:2020, "allied"].isna().all()  # after ATOP 5.1 coverage (2018)
        assert s.loc[2017, "spell_start"] == 1949  # the spell goes on across the join
        assert pd.isna(s.loc[2018, "termination"])  # in force when the data end: censored


def test_warsaw_pact_members_allied_with_the_ussr_1955_to_1990(panel: pd.DataFrame) -> None:
    # Poland, Hungary, Czechoslovakia, Bulgaria, Romania, East Germany
    for client in (290, 310, 315, 355, 360, 265):
        s = _dyad(panel, USSR, client)
        assert (s.loc[1955:1990, "defense"] == 1).all(), client
    for client in (290, 310, 360):  # the pact dissolved in July 1991
        assert (_dyad(panel, USSR, client).loc[1992:1995, "defense"] == 0).all(), client
    albania = _dyad(panel, USSR, 339)  # left the pact in 1968
    assert (albania.loc[1955:1967, "allied"] == 1).all()
    assert (albania.loc[1969:1990, "allied"] == 0).all()


def test_us_japan_alliance_from_1951(panel: pd.DataFrame) -> None:
    japan = _dyad(panel, USA, 740)
    assert japan.index.min() == 1952  # Japan re-enters the COW system in 1952
    assert japan.loc[1952, "spell_start"] == 1951  # the security treaty of 8 September 1951
    assert japan.loc[1952, "formation"] == 0  # formed before the panel saw Japan
    assert (japan.loc[1952:2016, "defense"] == 1).all()


def test_soviet_arms_to_its_cold_war_clients_are_large(panel: pd.DataFrame) -> None:
    assert _series(panel, USSR, 40, "arms_tiv").loc[1962:1989].mean() > 200  # Cuba
    assert _series(panel, USSR, 652, "arms_tiv").loc[1970:1989].mean() > 1000  # Syria
    assert _series(panel, USSR, 816, "arms_tiv").loc[1965:1989].mean() > 300  # Vietnam
    # and the US delivered next to nothing to Cuba after the revolution
    assert _series(panel, USA, 40, "arms_tiv").loc[1962:1989].sum() == 0


def test_us_military_aid_to_israel_and_ideal_point_divergence(panel: pd.DataFrame) -> None:
    assert (_series(panel, USA, 666, "aid_mil").loc[1974:2020] > 1000).all()
    # Cold War UN voting: Cuba far from the US and close to the USSR; Israel the reverse
    us_cuba = _series(panel, USA, 40, "divergence").loc[1962:1989].mean()
    su_cuba = _series(panel, USSR, 40, "divergence").loc[1962:1989].mean()
    us_isr = _series(panel, USA, 666, "divergence").loc[1970:1989].mean()
    su_isr = _series(panel, USSR, 666, "divergence").loc[1970:1989].mean()
    assert us_cuba > 3 * su_cuba and su_isr > 3 * us_isr
