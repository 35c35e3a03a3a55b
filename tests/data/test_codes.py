"""Country names / ISO codes to COW codes: historical overrides, aggregates, system membership."""

from __future__ import annotations

import pandas as pd
import pytest

from sidepay.data import codes
from sidepay.errors import InputError


@pytest.mark.parametrize(
    ("name", "year", "expected"),
    [
        # USSR and Russia: 365 throughout
        ("Soviet Union", 1960, 365),
        ("USSR", 1985, 365),
        ("Russia", 1995, 365),
        ("Russian Federation", 2015, 365),
        # Yugoslavia and Serbia: 345
        ("Yugoslavia", 1970, 345),
        ("Serbia and Montenegro, Former", 2003, 345),
        ("Serbia", 2010, 345),
        ("Montenegro", 2010, 341),
        ("Kosovo", 2010, 347),
        # the Germanys
        ("Germany", 1938, 255),
        ("Germany", 1970, 260),
        ("Germany", 1990, 260),
        ("Germany", 1991, 255),
        ("West Germany", 1980, 260),
        ("East Germany (GDR)", 1980, 265),
        ("German Democratic Republic", 1960, 265),
        # the Yemens
        ("Yemen", 1980, 678),
        ("Yemen", 1990, 679),
        ("North Yemen", 1975, 678),
        ("South Yemen", 1975, 680),
        ("Yemen Arab Republic", 1985, 678),
        # Vietnam
        ("Viet Nam", 1970, 816),
        ("Vietnam", 1990, 816),
        ("South Vietnam", 1970, 817),
        ("Republic of Vietnam", 1965, 817),
        # Czechoslovakia
        ("Czechoslovakia", 1980, 315),
        ("Czechia", 1992, 315),
        ("Czechia", 1993, 316),
        ("Czech Republic", 2000, 316),
        ("Slovakia", 2000, 317),
        # Sudan / South Sudan
        ("Sudan", 1990, 625),
        ("Sudan", 2015, 625),
        ("South Sudan", 2015, 626),
        # China / Taiwan
        ("China (Taiwan)", 1948, 710),
        ("China (Taiwan)", 1960, 713),
        ("Chinese Taipei", 2010, 713),
        ("China (P.R.C.)", 1990, 710),
        # other spellings
        ("Burma (Myanmar)", 1990, 775),
        ("Congo (Kinshasa)", 1990, 490),
        ("Congo (Brazzaville)", 1990, 484),
        ("Korea, South", 1990, 732),
        ("Korea, North", 1990, 731),
        ("Cote d'Ivoire", 1990, 437),
        ("Bahamas, The", 1990, 31),
        ("Eswatini", 1990, 572),
        ("Türkiye", 2015, 640),
        ("UAE", 1990, 696),
        ("Bosnia-Herzegovina", 2000, 346),
        ("Micronesia (Federated States of)", 2000, 987),
    ],
)
def test_name_to_cow_with_historical_overrides(name: str, year: int, expected: int) -> None:
    assert codes.name_to_cow(name, year) == expected


def test_greenbook_vietnam_is_the_republic_of_vietnam_before_1976() -> None:
    got = codes.resolve(["Vietnam"] * 3, [1965, 1975, 1995], source="greenbook")
    assert got["ccode"].tolist() == [817, 817, 816]
    # without the source context a plain "Vietnam" is the DRV (SIPRI's usage)
    assert codes.name_to_cow("Vietnam", 1965) == 816


@pytest.mark.parametrize(
    "name",
    [
        "World (not specified)",
        "World",
        "Asia Region",
        "Asia (not specified)",
        "Middle East Regional",
        "Middle East & North Africa (not specified)",
        "Latin America & Caribbean (not specified)",
        "Sub-Saharan Africa (not specified)",
        "Africa, regional",
        "Developing countries, unspecified",
        "Far East Asia, regional",
    ],
)
def test_regional_entries_are_recognised_not_dropped(name: str) -> None:
    got = codes.resolve([name], [2000])
    assert got.loc[0, "status"] == "region"
    assert pd.isna(got.loc[0, "ccode"])
    assert len(got) == 1  # kept, with a status, never silently dropped


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("NATO**", "non_state"),
        ("United Nations**", "non_state"),
        ("Hamas (Palestine)*", "non_state"),
        ("Darfur rebels (Sudan)*", "non_state"),
        ("Viet Minh (France)*", "non_state"),
        ("Unknown recipient(s)", "non_state"),
        ("West Bank/Gaza", "territory"),
        ("China (Hong Kong)", "territory"),
        ("Puerto Rico", "territory"),
        ("Anguilla", "territory"),
    ],
)
def test_non_states_and_territories(name: str, status: str) -> None:
    got = codes.resolve([name], [1990])
    assert got.loc[0, "status"] == status
    assert pd.isna(got.loc[0, "ccode"])


def test_states_outside_their_cow_membership_keep_a_candidate_code() -> None:
    got = codes.resolve(
        ["Germany", "Germany", "Japan", "Japan", "Korea, South", "Ghana", "Ghana", "Syria"],
        [1950, 1955, 1951, 1952, 1948, 1956, 1957, 1959],
    )
    assert got["status"].tolist() == [
        "not_in_system",
        "state",
        "not_in_system",
        "state",
        "not_in_system",
        "not_in_system",
        "state",
        "not_in_system",  # United Arab Republic 1958-1961
    ]
    assert got["candidate"].tolist() == [260, 260, 740, 740, 732, 452, 452, 652]
    assert got["ccode"].isna().tolist() == [True, False, True, False, True, True, False, True]


def test_resolve_keeps_input_order_and_length_with_duplicates() -> None:
    names = ["Egypt", "Asia (not specified)", "Egypt", "Pakistan", "Egypt"]
    years = [1980, 1980, 1981, 1980, 1980]
    got = codes.resolve(names, years)
    assert got["name"].tolist() == names
    assert got["year"].tolist() == years
    assert got["ccode"].tolist() == [651, pd.NA, 651, 770, 651]


def test_unrecognised_names_raise_in_strict_mode() -> None:
    got = codes.resolve(["Atlantis"], [1990])
    assert got.loc[0, "status"] == "unmatched"
    with pytest.raises(InputError, match="Atlantis"):
        codes.resolve(["Atlantis", "Egypt"], [1990, 1990], strict=True)


def test_bad_arguments_raise_input_error_one_line() -> None:
    with pytest.raises(InputError) as err:
        codes.resolve(["Egypt", "Iran"], [1990])
    assert "\n" not in str(err.value)
    with pytest.raises(InputError, match="allowed"):
        codes.resolve(["Egypt"], [1990], source="nowhere")


def test_iso3_and_iso2() -> None:
    assert codes.iso3_to_cow("PAK") == 770
    assert codes.iso3_to_cow("EGY") == 651
    assert codes.iso3_to_cow("DEU", 1980) == 260
    assert codes.iso3_to_cow("DEU", 1995) == 255
    assert codes.iso3_to_cow("YEM", 1980) == 678
    assert codes.iso3_to_cow("CZE", 1980) == 315
    assert codes.iso3_to_cow("SUN") == 365
    assert codes.iso3_to_cow("YUG") == 345
    assert codes.iso3_to_cow("DDR") == 265
    assert codes.iso3_to_cow("YMD") == 680
    assert codes.iso3_to_cow("HKG") is None
    assert codes.iso2_to_cow("EG") == 651
    assert codes.iso2_to_cow("SU") == 365
    assert codes.iso2_to_cow("DE", 1970) == 260
    assert codes.iso2_to_cow("XK") == 347


def test_iso3_table_codes_are_cow_states() -> None:
    spells = codes.state_spells()
    assert set(codes.ISO3_TO_COW.values()) <= set(spells["ccode"])
    # one ISO3 per code: the table is a function both ways
    assert len(set(codes.ISO3_TO_COW.values())) == len(codes.ISO3_TO_COW)


def test_in_system_against_cow_membership() -> None:
    got = codes.in_system(
        [255, 255, 260, 265, 316, 678, 679, 817, 2],
        [1944, 1946, 1990, 1991, 1993, 1990, 1989, 1976, 2020],
    )
    assert got.tolist() == [True, False, True, False, True, True, False, False, True]
