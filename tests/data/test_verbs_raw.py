"""Each verb of issue 13 against values computed here from the raw files (pyreadr).

The expected values are computed independently of the verbs' code: row filters on the raw
``.rda`` files, a haversine formula, a Python loop for peace years.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadr
import pytest

from sidepay.data import conflict, dyads, geography, names, trade

RAW = Path(os.environ["SIDEPAY_MIRROR"]) / "peacesciencer"


def _raw(name: str) -> pd.DataFrame:
    return next(iter(pyreadr.read_r(RAW / f"{name}.rda").values()))


def _frame(rows: list[tuple[int, int, int]], directed: bool = True) -> pd.DataFrame:
    d = pd.DataFrame(rows, columns=["ccode1", "ccode2", "year"])
    d.attrs["directed"] = directed
    return d


def _one(out: pd.DataFrame, c1: int, c2: int, year: int, col: str) -> float:
    return float(out.loc[(out.ccode1 == c1) & (out.ccode2 == c2) & (out.year == year), col].item())


# --- geography ---

CONTIGUITY = [(2, 70, 1950), (2, 40, 1950), (2, 20, 1900), (2, 20, 1950), (710, 713, 1975),
              (365, 740, 1990), (2, 200, 1950), (70, 2, 1950)]  # fmt: skip


def _contiguity_expected(raw: pd.DataFrame, c1: int, c2: int, year: int) -> float:
    st = pd.to_datetime(raw.stdate).dt.year
    en = pd.to_datetime(raw.enddate).dt.year
    hit = raw[(raw.ccode1 == c1) & (raw.ccode2 == c2) & (st <= year) & (en >= year)]
    return float(hit.conttype.min()) if len(hit) else 0.0


def test_contiguity_is_the_closest_type_in_force() -> None:
    raw = _raw("cow_contdir")
    out = geography.add_contiguity(_frame(CONTIGUITY))
    for c1, c2, y in CONTIGUITY:
        assert _one(out, c1, c2, y, "conttype") == _contiguity_expected(raw, c1, c2, y)
    assert _one(out, 2, 70, 1950, "conttype") == 1.0  # USA-Mexico: land
    assert _one(out, 2, 200, 1950, "conttype") == 0.0  # USA-UK: none
    # a dyad whose type changed within a year gets the lower (closer) one
    st, en = pd.to_datetime(raw.stdate), pd.to_datetime(raw.enddate)
    ends = raw.assign(y=en.dt.year, s=st.dt.year)
    changed = ends.merge(ends, on=["ccode1", "ccode2"])
    changed = changed[(changed.y_x == changed.s_y) & (changed.conttype_x != changed.conttype_y)]
    row = changed.iloc[0]
    year, c1, c2 = int(row.y_x), int(row.ccode1), int(row.ccode2)
    got = _one(geography.add_contiguity(_frame([(c1, c2, year)])), c1, c2, year, "conttype")
    assert got == min(row.conttype_x, row.conttype_y)
    assert geography.add_contiguity(_frame([(2, 200, 1950)]), none=6)["conttype"].item() == 6.0


def test_minimum_distance_is_cshapes_value_in_both_directions() -> None:
    raw = _raw("cow_mindist")
    rows = [(2, 20, 1950), (20, 2, 1950), (2, 365, 1990), (365, 2, 1990), (2, 20, 1885)]
    out = geography.add_minimum_distance(_frame(rows))
    for c1, c2, y in rows[:4]:
        a, b = min(c1, c2), max(c1, c2)
        want = raw[(raw.ccode1 == a) & (raw.ccode2 == b) & (raw.year == y)].mindist.item()
        assert _one(out, c1, c2, y, "mindist") == pytest.approx(want, abs=1e-9)
    assert math.isnan(_one(out, 2, 20, 1885, "mindist"))  # before CShapes' coverage


def _haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2, dp, dl = map(math.radians, (lat1, lat2, lat2 - lat1, lng2 - lng1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6378.137 * math.asin(math.sqrt(h))


def test_capital_distance_follows_capital_moves() -> None:
    raw = _raw("cow_capitals")

    def cap(ccode: int, name: str) -> tuple[float, float]:
        r = raw[(raw.ccode == ccode) & (raw.capital == name)].iloc[0]
        return float(r.lat), float(r.lng)

    rows = [(140, 160, 1959), (140, 160, 1961), (2, 365, 1917), (2, 365, 1919), (2, 365, 1918)]
    out = geography.add_capital_distance(_frame(rows))
    ba = cap(160, "Buenos Aires")
    assert _one(out, 140, 160, 1959, "capdist") == pytest.approx(
        _haversine_km(*cap(140, "Rio de Janeiro"), *ba), abs=1e-6
    )
    assert _one(out, 140, 160, 1961, "capdist") == pytest.approx(
        _haversine_km(*cap(140, "Brasilia"), *ba), abs=1e-6
    )
    dc = cap(2, "Washington D.C.")
    spb, moscow = cap(365, "Saint Petersburg"), cap(365, "Moscow")
    assert _one(out, 2, 365, 1917, "capdist") == pytest.approx(_haversine_km(*dc, *spb), abs=1e-6)
    assert _one(out, 2, 365, 1919, "capdist") == pytest.approx(
        _haversine_km(*dc, *moscow), abs=1e-6
    )
    # 1918: Moscow from 12 March; the capital on the first day of the year counts
    assert _one(out, 2, 365, 1918, "capdist") == pytest.approx(_haversine_km(*dc, *spb), abs=1e-6)


# --- conflict ---


def test_gml_mids_match_the_raw_dyad_years() -> None:
    raw = _raw("gml_mid_ddydisps")
    rows = [(2, 365, 1948), (2, 365, 1949), (365, 2, 1948), (2, 20, 1979), (2, 200, 1950),
            (2, 365, 2011)]  # fmt: skip
    out = conflict.add_gml_mids(_frame(rows))
    for c1, c2, y in rows[:4]:
        r = raw[(raw.ccode1 == c1) & (raw.ccode2 == c2) & (raw.year == y)].iloc[0]
        for col in ("gmlmidonset", "gmlmidongoing", "dispnum", "hostlev1", "hostlev2", "sidea1"):
            assert _one(out, c1, c2, y, col) == float(r[col]), (c1, c2, y, col)
        assert _one(out, c1, c2, y, "init1") == float(r.sidea1 == 1 or r.orig1 == 0)
    assert _one(out, 2, 200, 1950, "gmlmidonset") == 0.0  # no MID listed: 0 inside 1816-2010
    assert math.isnan(_one(out, 2, 200, 1950, "hostlev1"))  # no dispute: no level
    assert math.isnan(_one(out, 2, 365, 2011, "gmlmidongoing"))  # after GML's coverage
    # MID's -9 (fatalities unknown) is missing, not a level
    unknown = raw[raw.fatality1 < 0].iloc[0]
    key = (int(unknown.ccode1), int(unknown.ccode2), int(unknown.year))
    assert math.isnan(_one(conflict.add_gml_mids(_frame([key])), *key, "fatality1"))


def test_cow_wars_whittle_duplicates_like_peacesciencer() -> None:
    raw = _raw("cow_war_inter")
    keys = ["ccode1", "ccode2", "year"]
    dup = raw[raw.duplicated(keys, keep=False)]
    rows = [tuple(int(v) for v in k) for k in dup[keys].drop_duplicates().to_numpy()[:12]]
    out = conflict.add_cow_wars(_frame(rows))
    for c1, c2, y in rows:
        cands = raw[(raw.ccode1 == c1) & (raw.ccode2 == c2) & (raw.year == y)].copy()
        if cands.cowinteronset.nunique() > 1:
            cands = cands[cands.cowinteronset == 1]
        deaths = cands[["batdeath1", "batdeath2"]].where(cands[["batdeath1", "batdeath2"]] >= 0)
        cands["d"] = deaths.sum(axis=1, min_count=1).fillna(-1)
        best = cands.sort_values(["d", "warnum"], ascending=[False, True]).iloc[0]
        assert _one(out, c1, c2, y, "warnum") == best.warnum, (c1, c2, y)
    korea = conflict.add_cow_wars(_frame([(2, 731, 1950), (2, 731, 1954), (2, 731, 2010)]))
    assert korea.cowinteronset.tolist()[:2] == [1.0, 0.0]
    assert math.isnan(korea.cowinterongoing.iloc[2])  # after 2007


def _peace_years(events: list[float]) -> list[float]:
    out, count = [], 0
    for i in range(len(events)):
        if i and events[i - 1] == 1:
            count = 0
        out.append(float(count))
        count += 1
    return out


def test_spells_count_years_since_the_last_onset() -> None:
    pairs = [(2, 365), (365, 2), (750, 770), (2, 200)]
    rows = [(a, b, y) for a, b in pairs for y in range(1946, 2011)]
    d = conflict.add_spells(conflict.add_gml_mids(_frame(rows)))
    for a, b in pairs:
        sub = d[(d.ccode1 == a) & (d.ccode2 == b)].sort_values("year")
        assert sub.gmlmidspell.tolist() == _peace_years(sub.gmlmidonset.tolist()), (a, b)
    ongoing = conflict.add_spells(conflict.add_gml_mids(_frame(rows)), event="ongoing")
    sub = ongoing[(ongoing.ccode1 == 750) & (ongoing.ccode2 == 770)].sort_values("year")
    assert sub.gmlmidspell.tolist() == _peace_years(sub.gmlmidongoing.tolist())
    # outside the coverage the spell is missing, and it restarts after a gap
    late = conflict.add_spells(conflict.add_gml_mids(_frame([(2, 200, 2010), (2, 200, 2011)])))
    assert late.gmlmidspell.iloc[0] == 0.0 and math.isnan(late.gmlmidspell.iloc[1])


# --- trade, names ---


def test_cow_trade_is_the_national_total() -> None:
    raw = _raw("cow_trade_sy")
    gap = raw[raw.imports.isna() & (raw.year > 1900)].iloc[0]
    rows = [(2, 20, 1950), (int(gap.ccode), 2, int(gap.year)), (2, 20, 2015)]
    out = trade.add_cow_trade(_frame(rows))
    us = raw[(raw.ccode == 2) & (raw.year == 1950)].iloc[0]
    ca = raw[(raw.ccode == 20) & (raw.year == 1950)].iloc[0]
    assert _one(out, 2, 20, 1950, "imports1") == us.imports
    assert _one(out, 2, 20, 1950, "exports2") == ca.exports
    assert math.isnan(_one(out, int(gap.ccode), 2, int(gap.year), "imports1"))  # COW has none
    assert math.isnan(_one(out, 2, 20, 2015, "imports1"))  # after 2014


def test_country_names_from_cow_states() -> None:
    raw = _raw("cow_states").drop_duplicates("ccode").set_index("ccode")
    p = pd.DataFrame({"patron": [2, 365, 255], "client": [770, 260, 817], "year": [1954] * 3})
    out = names.add_country_names(p)
    for _, r in out.iterrows():
        assert r.patron_name == raw.loc[r.patron, "statenme"]
        assert r.client_abb == raw.loc[r.client, "stateabb"]
    assert out.client_abb.tolist() == ["PAK", "GFR", "RVN"]


# --- the dyad-year skeleton: states that never coexisted ---


def test_dyads_of_states_that_never_coexisted_are_dropped() -> None:
    d = dyads.dyad_years((1975, 1975))
    pair = set(zip(d.ccode1, d.ccode2, strict=True))
    # Suriname (from 25 Nov 1975) and the Republic of Vietnam (to 30 Apr 1975)
    assert (115, 817) not in pair and (817, 115) not in pair
    assert (2, 115) in pair and (2, 817) in pair  # each coexisted with the USA
    und = dyads.dyad_years((1975, 1975), directed=False)
    assert len(und) * 2 == len(d)


def test_dyad_years_are_peacesciencers_cow_ddy_through_2016() -> None:
    ddy = _raw("cow_ddy")
    ddy = ddy[ddy.year <= 2016].astype("int64")
    ours = dyads.dyad_years((1816, 2016))
    key = ["ccode1", "ccode2", "year"]
    merged = ours.merge(ddy[key], on=key, how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged["_merge"].value_counts().to_dict()
    assert len(ours) == len(ddy) == 1_912_290


def test_spell_counter_matches_a_loop_on_random_events() -> None:
    rng = np.random.default_rng(3)
    years = np.arange(1900, 1960)
    ev = (rng.random(len(years)) < 0.2).astype(float)
    frame = _frame([(2, 20, int(y)) for y in years]).assign(gmlmidonset=ev, gmlmidongoing=ev)
    got = conflict.add_spells(frame)["gmlmidspell"].tolist()
    assert got == _peace_years(ev.tolist())
