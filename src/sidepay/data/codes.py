"""Country names, ISO3 and ISO2 codes to Correlates of War (COW) state codes.

Names are matched in this order:

1. regional / unallocated aggregates ("World (not specified)", "Asia Region", "Middle East
   Regional", ...) and non-state recipients (SIPRI marks armed groups with ``*`` and
   organisations with ``**``) are recognised by pattern and given a status, never a code;
2. explicit **historical overrides** for states whose code depends on the year (USSR/Russia,
   Yugoslavia/Serbia, the Germanys, the Yemens, the Vietnams, Czechoslovakia, the two Chinas,
   Sudan/South Sudan, ...), optionally source-specific (the Greenbook calls South Vietnam
   "Vietnam" before 1976; SIPRI calls North Vietnam "Viet Nam");
3. other names go to ISO3 with ``country_converter`` (regular expressions for several
   thousand spellings), ISO3 then to COW through the explicit :data:`ISO3_TO_COW` table.

Every resolution carries a ``status``: ``state`` (a COW state that is in the system that
year), ``not_in_system`` (a COW state outside its membership spells, e.g. occupied Germany in
1948 or a colony before independence; ``candidate`` holds the code), ``territory`` (a place
that is not a COW state: Hong Kong, West Bank/Gaza, Puerto Rico), ``region`` (a regional or
unallocated aggregate), ``non_state`` (organisations, armed groups) or ``unmatched``.

COW membership comes from ``cow_states`` (states2016); a spell still open at the end of 2016
is taken to continue (the list was not updated since, and no state left the system
2017-2020).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from functools import cache

import numpy as np
import pandas as pd

from sidepay.data.context import DataContext, default_context
from sidepay.errors import InputError

__all__ = [
    "ALIASES",
    "HISTORICAL_OVERRIDES",
    "ISO3_TO_COW",
    "STATUSES",
    "cached_coded",
    "classify_aggregate",
    "in_system",
    "iso2_to_cow",
    "iso3_to_cow",
    "name_to_cow",
    "resolve",
    "state_spells",
]

STATUSES = ("state", "not_in_system", "territory", "region", "non_state", "unmatched")

#: Version of the name-to-code rules. Bump it whenever an override, alias or pattern
#: changes: it keys the parquet cache of every reader that stores resolved codes
#: (:func:`cached_coded`), so no stale coding is ever read back.
CODES_VERSION = 1

#: ISO 3166-1 alpha-3 to COW code for states that exist today (plus XKX for Kosovo).
#: Historical states without a current ISO3 are handled by :data:`HISTORICAL_OVERRIDES`;
#: DEU, CZE, YEM and VNM here give the present-day state (year-dependent cases are
#: overridden by name).
ISO3_TO_COW: dict[str, int] = {
    "USA": 2, "CAN": 20, "BHS": 31, "CUB": 40, "HTI": 41, "DOM": 42, "JAM": 51, "TTO": 52,
    "BRB": 53, "DMA": 54, "GRD": 55, "LCA": 56, "VCT": 57, "ATG": 58, "KNA": 60, "MEX": 70,
    "BLZ": 80, "GTM": 90, "HND": 91, "SLV": 92, "NIC": 93, "CRI": 94, "PAN": 95, "COL": 100,
    "VEN": 101, "GUY": 110, "SUR": 115, "ECU": 130, "PER": 135, "BRA": 140, "BOL": 145,
    "PRY": 150, "CHL": 155, "ARG": 160, "URY": 165, "GBR": 200, "IRL": 205, "NLD": 210,
    "BEL": 211, "LUX": 212, "FRA": 220, "MCO": 221, "LIE": 223, "CHE": 225, "ESP": 230,
    "AND": 232, "PRT": 235, "DEU": 255, "POL": 290, "AUT": 305, "HUN": 310, "CZE": 316,
    "SVK": 317, "ITA": 325, "SMR": 331, "MLT": 338, "ALB": 339, "MNE": 341, "MKD": 343,
    "HRV": 344, "SRB": 345, "BIH": 346, "XKX": 347, "SVN": 349, "GRC": 350, "CYP": 352,
    "BGR": 355, "MDA": 359, "ROU": 360, "RUS": 365, "EST": 366, "LVA": 367, "LTU": 368,
    "UKR": 369, "BLR": 370, "ARM": 371, "GEO": 372, "AZE": 373, "FIN": 375, "SWE": 380,
    "NOR": 385, "DNK": 390, "ISL": 395, "CPV": 402, "STP": 403, "GNB": 404, "GNQ": 411,
    "GMB": 420, "MLI": 432, "SEN": 433, "BEN": 434, "MRT": 435, "NER": 436, "CIV": 437,
    "GIN": 438, "BFA": 439, "LBR": 450, "SLE": 451, "GHA": 452, "TGO": 461, "CMR": 471,
    "NGA": 475, "GAB": 481, "CAF": 482, "TCD": 483, "COG": 484, "COD": 490, "UGA": 500,
    "KEN": 501, "TZA": 510, "BDI": 516, "RWA": 517, "SOM": 520, "DJI": 522, "ETH": 530,
    "ERI": 531, "AGO": 540, "MOZ": 541, "ZMB": 551, "ZWE": 552, "MWI": 553, "ZAF": 560,
    "NAM": 565, "LSO": 570, "BWA": 571, "SWZ": 572, "MDG": 580, "COM": 581, "MUS": 590,
    "SYC": 591, "MAR": 600, "DZA": 615, "TUN": 616, "LBY": 620, "SDN": 625, "SSD": 626,
    "IRN": 630, "TUR": 640, "IRQ": 645, "EGY": 651, "SYR": 652, "LBN": 660, "JOR": 663,
    "ISR": 666, "SAU": 670, "YEM": 679, "KWT": 690, "BHR": 692, "QAT": 694, "ARE": 696,
    "OMN": 698, "AFG": 700, "TKM": 701, "TJK": 702, "KGZ": 703, "UZB": 704, "KAZ": 705,
    "CHN": 710, "MNG": 712, "TWN": 713, "PRK": 731, "KOR": 732, "JPN": 740, "IND": 750,
    "BTN": 760, "PAK": 770, "BGD": 771, "MMR": 775, "LKA": 780, "MDV": 781, "NPL": 790,
    "THA": 800, "KHM": 811, "LAO": 812, "VNM": 816, "MYS": 820, "SGP": 830, "BRN": 835,
    "PHL": 840, "IDN": 850, "TLS": 860, "AUS": 900, "PNG": 910, "NZL": 920, "VUT": 935,
    "SLB": 940, "KIR": 946, "TUV": 947, "FJI": 950, "TON": 955, "NRU": 970, "MHL": 983,
    "PLW": 986, "FSM": 987, "WSM": 990,
}  # fmt: skip

_LAST = 9999

#: Name (lower case) -> list of (first year, last year, COW code). Applies to every source;
#: :data:`SOURCE_OVERRIDES` refines it per source. The year is the source's year (fiscal
#: year for the Greenbook); where two states share a year the choice is documented here.
HISTORICAL_OVERRIDES: dict[str, list[tuple[int, int, int]]] = {
    # Russia is the continuator of the Soviet Union: COW 365 throughout.
    **{n: [(0, _LAST, 365)] for n in ("soviet union", "ussr", "u.s.s.r.", "russia",
                                      "russian federation")},
    # Germany: 255 to 1945 and from unification (3 Oct 1990); West Germany (260) 1955-1990.
    # A plain "Germany" 1946-1990 is the Federal Republic (the US aided and SIPRI codes it so).
    "germany": [(0, 1945, 255), (1946, 1990, 260), (1991, _LAST, 255)],
    **{n: [(0, _LAST, 260)] for n in ("west germany", "germany (frg)", "west germany (frg)",
                                      "federal republic of germany", "german federal republic",
                                      "germany, west")},
    **{n: [(0, _LAST, 265)] for n in ("east germany", "east germany (gdr)", "germany (gdr)",
                                      "german democratic republic", "germany, east")},
    # Yugoslavia and its continuator Serbia (and Montenegro) keep COW 345.
    **{n: [(0, _LAST, 345)] for n in ("yugoslavia", "serbia", "serbia and montenegro",
                                      "serbia & montenegro", "serbia and montenegro, former",
                                      "federal republic of yugoslavia", "serbia-montenegro")},
    # Yemen: Yemen Arab Republic (678) to 1989, unified Yemen (679) from 1990 (22 May 1990).
    "yemen": [(0, 1989, 678), (1990, _LAST, 679)],
    **{n: [(0, _LAST, 678)] for n in ("north yemen", "yemen arab republic", "yemen, north",
                                      "yemen (north)")},
    **{n: [(0, _LAST, 680)] for n in ("south yemen", "yemen people's republic", "yemen, south",
                                      "yemen (south)", "yemen pdr", "yemen, p.d.r.")},
    # Vietnam: a plain name is the Democratic Republic (816), which absorbed the south in 1975.
    **{n: [(0, _LAST, 816)] for n in ("vietnam", "viet nam", "north vietnam", "vietnam, north",
                                      "democratic republic of vietnam")},
    **{n: [(0, _LAST, 817)] for n in ("south vietnam", "republic of vietnam", "vietnam, south",
                                      "vietnam (south)")},
    # Czechoslovakia (315) to 1992, Czech Republic (316) from 1993.
    "czechoslovakia": [(0, _LAST, 315)],
    **{n: [(0, 1992, 315), (1993, _LAST, 316)] for n in ("czechia", "czech republic")},
    # Sudan keeps 625 after South Sudan (626) left in July 2011.
    "sudan": [(0, _LAST, 625)],
    "south sudan": [(0, _LAST, 626)],
    "zanzibar": [(0, _LAST, 511)],
    "kosovo": [(0, _LAST, 347)],
    # Two Chinas: COW 710 is China (Republic of China on the mainland, then the PRC);
    # Taiwan (713) from Dec 1949. Aid to "Taiwan" up to 1949 went to the ROC government on
    # the mainland.
    **{n: [(0, 1949, 710), (1950, _LAST, 713)] for n in ("china (taiwan)", "taiwan",
                                                          "chinese taipei")},
    **{n: [(0, _LAST, 710)] for n in ("china", "china (p.r.c.)", "china (people's republic of)",
                                      "people's republic of china")},
}  # fmt: skip

#: Spellings that ``country_converter`` does not resolve, to ISO3.
ALIASES: dict[str, str] = {"uae": "ARE", "u.a.e.": "ARE", "bosnia-herzegovina": "BIH",
                           "micronesia": "FSM"}  # fmt: skip

#: Source-specific overrides (take precedence over :data:`HISTORICAL_OVERRIDES`).
SOURCE_OVERRIDES: dict[str, dict[str, list[tuple[int, int, int]]]] = {
    # USAID Greenbook: "Vietnam" before FY1976 is the Republic of Vietnam (the US did not aid
    # the North); FY1975 ended 30 June 1975, after the fall of Saigon, but was obligated to
    # the RVN.
    "greenbook": {"vietnam": [(0, 1975, 817), (1976, _LAST, 816)]},
}

#: Names that are not COW states and never were (territories, dependencies).
_TERRITORY = re.compile(
    r"hong kong|macao|macau|west bank|gaza|palestin|puerto rico|guam|virgin islands|"
    r"new caledonia|french polynesia|anguilla|montserrat|mayotte|tokelau|niue|cook islands|"
    r"saint helena|st\.? helena|wallis|aruba|curacao|netherlands antilles|bermuda|greenland|"
    r"western sahara|biafra|katanga|northern mariana|american samoa|turks|cayman|gibraltar|"
    r"falkland|reunion|martinique|guadeloupe|french guiana",
    re.IGNORECASE,
)

_REGION = re.compile(
    r"\(not specified\)|not specified|unspecified|unallocated|\bregional\b|\bregion\b|"
    r"^world\b|\bworld\b.*total|^total\b|multilateral|developing countries|"
    r"least developed|^(africa|asia|europe|oceania|america|americas|caribbean|middle east|"
    r"far east|south of sahara|north of sahara|central america|south america|"
    r"north & central america|sub-saharan africa|eastern europe|western europe|"
    r"central asia|south asia|eurasia|melanesia|micronesia region|polynesia)$",
    re.IGNORECASE,
)

_NON_STATE = re.compile(r"\*$|^unknown|rebels?\b|^nato\b|united nations|african union|^osce",
                        re.IGNORECASE)  # fmt: skip


def classify_aggregate(name: str) -> str | None:
    """The status of a name that is not a state, or ``None`` for a candidate state name.

    Parameters
    ----------
    name : str
        A recipient or donor name as a source spells it.

    Returns
    -------
    str or None
        ``"region"``, ``"non_state"``, ``"territory"`` or ``None``.

    Examples
    --------
    >>> classify_aggregate("World (not specified)"), classify_aggregate("Asia Region")
    ('region', 'region')
    >>> classify_aggregate("Middle East Regional"), classify_aggregate("NATO**")
    ('region', 'non_state')
    >>> classify_aggregate("West Bank/Gaza"), classify_aggregate("Egypt") is None
    ('territory', True)
    """
    text = str(name).strip()
    if _NON_STATE.search(text):
        return "non_state"
    if _REGION.search(text):
        return "region"
    if _TERRITORY.search(text):
        return "territory"
    return None


def state_spells(*, context: DataContext | None = None) -> pd.DataFrame:
    """COW system membership spells ``[ccode, styear, endyear]`` (open spells to 9999).

    Examples
    --------
    >>> spells = state_spells()
    >>> spells.loc[spells.ccode == 255, ["styear", "endyear"]].values.tolist()
    [[1816, 1945], [1990, 9999]]
    """
    return _state_spells(default_context(context))


@cache
def _state_spells(ctx: DataContext) -> pd.DataFrame:
    """:func:`state_spells`, memoised per data context."""
    from sidepay.data.readers.states import cow_states

    raw = cow_states(context=ctx)  # the parquet-cached reader: no R file parsing per process
    spells = pd.DataFrame(
        {
            "ccode": raw["ccode"].astype("int64"),
            "styear": raw["styear"].astype("int64"),
            "endyear": raw["endyear"].astype("int64"),
        }
    )
    last = int(spells["endyear"].max())
    spells.loc[spells["endyear"] >= last, "endyear"] = _LAST
    return spells.sort_values(["ccode", "styear"], ignore_index=True)


def in_system(
    ccodes: Iterable[int] | pd.Series,
    years: Iterable[int] | pd.Series,
    *,
    context: DataContext | None = None,
) -> np.ndarray:
    """Whether each (COW code, year) is a state-year of the COW state system.

    Examples
    --------
    >>> in_system([260, 260, 255, 740], [1954, 1955, 1950, 1950]).tolist()
    [False, True, False, False]
    """
    frame = pd.DataFrame({"ccode": np.asarray(list(ccodes), dtype="float64"),
                          "year": np.asarray(list(years), dtype="float64")})  # fmt: skip
    frame["_row"] = np.arange(len(frame))
    merged = frame.merge(state_spells(context=context), on="ccode", how="inner")
    inside = merged.loc[
        (merged["year"] >= merged["styear"]) & (merged["year"] <= merged["endyear"]), "_row"
    ]
    out = np.zeros(len(frame), dtype=bool)
    out[inside.to_numpy()] = True
    return out


def _override(table: dict[str, list[tuple[int, int, int]]], key: str, year: int) -> int | None:
    for first, last, code in table.get(key, []):
        if first <= year <= last:
            return code
    return None


_NOT_FOUND = "__not_found__"


@cache
def _converter() -> object:
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    return coco.CountryConverter()


@cache
def _name_to_iso3(name: str) -> str | None:
    found = _converter().convert(name, to="ISO3", not_found=_NOT_FOUND)  # type: ignore[attr-defined]
    if isinstance(found, list) or found == _NOT_FOUND:  # several matches are ambiguous
        return None
    return str(found)


@cache
def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


@cache
def _static(name: str) -> tuple[int | None, str]:
    """(candidate code, status) of a name without a year-dependent override (memoised)."""
    kind = classify_aggregate(name)
    if kind is not None:
        return None, kind
    iso3 = ALIASES.get(_norm(name)) or _name_to_iso3(name.strip())
    if iso3 is None:
        return None, "unmatched"
    if iso3 not in ISO3_TO_COW:
        return None, "territory"
    return ISO3_TO_COW[iso3], "state"


def _candidate(name: str, year: int, source: str | None) -> tuple[int | None, str]:
    """(candidate COW code or None, provisional status) for one name in one year."""
    key = _norm(name)
    if source is not None:
        code = _override(SOURCE_OVERRIDES[source], key, year)
        if code is not None:
            return code, "state"
    code = _override(HISTORICAL_OVERRIDES, key, year)
    if code is not None:
        return code, "state"
    return _static(name)


def resolve(
    names: Iterable[str] | pd.Series,
    years: Iterable[int] | pd.Series | int,
    *,
    source: str | None = None,
    strict: bool = False,
    context: DataContext | None = None,
) -> pd.DataFrame:
    """Resolve (name, year) pairs to COW codes with a status for every row.

    Parameters
    ----------
    names : iterable of str
        Country or aggregate names as a source spells them.
    years : iterable of int or int
        The year of each name (a single year applies to all).
    source : str, optional
        Source key for source-specific overrides (``"greenbook"``).
    strict : bool
        Raise :class:`~sidepay.errors.InputError` when a name matches nothing.
    context : DataContext, optional
        Where the COW membership file is read (it decides ``not_in_system``).

    Returns
    -------
    pandas.DataFrame
        ``[name, year, ccode, status, candidate]``, one row per input, in input order.
        ``ccode`` (nullable Int64) is set only when ``status == "state"``; ``candidate``
        keeps the code of a state outside its membership years.

    Examples
    --------
    >>> r = resolve(["Russia", "Germany", "Germany", "Yemen", "Asia (not specified)"],
    ...             [1960, 1960, 1995, 1985, 1990])
    >>> r["ccode"].tolist()
    [365, 260, 255, 678, <NA>]
    >>> r["status"].tolist()
    ['state', 'state', 'state', 'state', 'region']
    >>> resolve(["Vietnam"], [1970], source="greenbook")["ccode"].tolist()
    [817]
    >>> resolve(["Germany"], [1950])[["status", "candidate"]].values.tolist()
    [['not_in_system', 260]]
    """
    names_list = [str(n) for n in names]
    if isinstance(years, int | np.integer):
        years_arr = np.full(len(names_list), int(years), dtype="int64")
    else:
        years_arr = np.asarray(list(years), dtype="int64")
    if len(years_arr) != len(names_list):
        raise InputError(f"resolve got {len(names_list)} names but {len(years_arr)} years")
    if source is not None and source not in SOURCE_OVERRIDES:
        raise InputError(
            f"unknown source {source!r} for code overrides; allowed: {sorted(SOURCE_OVERRIDES)} or None"
        )
    pairs = pd.DataFrame({"name": names_list, "year": years_arr})
    uniq = pairs.drop_duplicates(ignore_index=True).copy()
    found = [_candidate(n, int(y), source) for n, y in zip(uniq["name"], uniq["year"], strict=True)]
    uniq["candidate"] = pd.array([c for c, _ in found], dtype="Int64")
    uniq["status"] = [s for _, s in found]
    is_code = uniq["candidate"].notna().to_numpy()
    inside = np.zeros(len(uniq), dtype=bool)
    if is_code.any():
        inside[is_code] = in_system(
            uniq.loc[is_code, "candidate"].astype("int64"),
            uniq.loc[is_code, "year"],
            context=context,
        )
    uniq.loc[is_code & ~inside, "status"] = "not_in_system"
    uniq["ccode"] = uniq["candidate"].where(uniq["status"] == "state")
    uniq["ccode"] = uniq["ccode"].astype("Int64")
    if strict and (uniq["status"] == "unmatched").any():
        bad = sorted(uniq.loc[uniq["status"] == "unmatched", "name"].unique())
        raise InputError(
            f"country names not recognised: {bad[:10]}; add them to sidepay.data.codes"
        )
    out = pairs.merge(uniq, on=["name", "year"], how="left")
    return out[["name", "year", "ccode", "status", "candidate"]]


def name_to_cow(
    name: str, year: int, *, source: str | None = None, context: DataContext | None = None
) -> int | None:
    """COW code of a country name in a year, or ``None`` when it is not a state then.

    Examples
    --------
    >>> name_to_cow("Soviet Union", 1980), name_to_cow("Serbia and Montenegro, Former", 2000)
    (365, 345)
    >>> name_to_cow("Czechia", 1990), name_to_cow("Czechia", 2000)
    (315, 316)
    >>> name_to_cow("Burma (Myanmar)", 2000), name_to_cow("World (not specified)", 2000) is None
    (775, True)
    """
    row = resolve([name], [year], source=source, context=context).iloc[0]
    return None if pd.isna(row["ccode"]) else int(row["ccode"])


def iso3_to_cow(code: str, year: int | None = None) -> int | None:
    """COW code of an ISO 3166-1 alpha-3 code (in ``year`` when given).

    Historical ISO3 codes of dissolved states are recognised: SUN (USSR, 365), YUG/SCG
    (345), DDR (265), CSK (315), YMD (South Yemen, 680), VDR (South Vietnam, 817). With a
    year, DEU before 1991 gives West Germany (260) and YEM before 1990 North Yemen (678).

    Examples
    --------
    >>> iso3_to_cow("DEU", 1980), iso3_to_cow("DEU", 2000), iso3_to_cow("SUN")
    (260, 255, 365)
    >>> iso3_to_cow("HKG") is None
    True
    """
    historical = {"SUN": 365, "YUG": 345, "SCG": 345, "DDR": 265, "CSK": 315, "YMD": 680,
                  "VDR": 817}  # fmt: skip
    key = str(code).strip().upper()
    if key in historical:
        return historical[key]
    if year is not None:
        by_year = {"DEU": "germany", "YEM": "yemen", "CZE": "czechia", "TWN": "taiwan"}
        if key in by_year:
            return _override(HISTORICAL_OVERRIDES, by_year[key], int(year))
    return ISO3_TO_COW.get(key)


def iso2_to_cow(code: str, year: int | None = None) -> int | None:
    """COW code of an ISO 3166-1 alpha-2 code (historical SU, YU, CS, DD recognised).

    Examples
    --------
    >>> iso2_to_cow("PK"), iso2_to_cow("SU"), iso2_to_cow("DE", 1970)
    (770, 365, 260)
    """
    historical = {"SU": "SUN", "YU": "YUG", "CS": "CSK", "DD": "DDR", "XK": "XKX"}
    key = str(code).strip().upper()
    if key in historical:
        return iso3_to_cow(historical[key], year)
    iso3 = _converter().convert(key, src="ISO2", to="ISO3", not_found=_NOT_FOUND)  # type: ignore[attr-defined]
    if isinstance(iso3, list) or iso3 == _NOT_FOUND:
        return None
    return iso3_to_cow(str(iso3), year)


def cached_coded(
    key: str,
    build: Callable[[], pd.DataFrame],
    sources: list[str],
    version: int,
    *,
    context: DataContext | None = None,
) -> pd.DataFrame:
    """A frame whose build calls :func:`resolve`, cached as parquet (``cached_frame``).

    Resolving names costs about 2 s per process (``country_converter``'s regular
    expressions, the COW membership file), so readers cache their coded output. The cache
    key adds ``cow_states`` (membership decides the status) and :data:`CODES_VERSION`.

    Examples
    --------
    >>> f = cached_coded("doctest_codes", lambda: resolve(["Egypt"], [1980]), [], 1)
    >>> f["ccode"].tolist()
    [651]
    """
    from sidepay.data.cache import cached_frame

    return cached_frame(
        key,
        build,
        [*sources, "cow_states"],
        version=f"{version}+codes{CODES_VERSION}",
        context=context,
    )
