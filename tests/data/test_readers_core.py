"""Core readers checked against known history and the tidy-frame invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sidepay.data.cache import frame_path
from sidepay.data.readers.capabilities import gdp_pop, nmc
from sidepay.data.readers.democracy import coalition_size_w, regime_years
from sidepay.data.readers.idealpoints import ideal_points
from sidepay.data.readers.leaders import chisols_years, leader_years
from sidepay.data.readers.states import cow_gw_years, cow_states, major_powers, state_year_frame
from sidepay.data.readers.threat import (
    MID_COVERAGE,
    mid_dyad_years,
    rivalries,
    rivalry_dyad_years,
    terrthreat,
)
from sidepay.errors import InputError


def _unique(frame: pd.DataFrame, keys: list[str]) -> None:
    assert not frame.duplicated(keys).any(), f"duplicated {keys}"
    for k in keys:
        assert frame[k].dtype == np.int64, (k, frame[k].dtype)


def _row(frame: pd.DataFrame, **where: int) -> pd.Series:
    mask = np.ones(len(frame), dtype=bool)
    for col, val in where.items():
        mask &= (frame[col] == val).to_numpy()
    rows = frame[mask]
    assert len(rows) == 1, (where, len(rows))
    return rows.iloc[0]


# --------------------------------------------------------------------------- states


def test_cow_states_spells() -> None:
    s = cow_states()
    _unique(s, ["ccode", "styear"])
    assert _row(s, ccode=2)["stateabb"] == "USA"
    germany = s[s.ccode == 255].sort_values("styear")
    assert germany[["styear", "endyear"]].values.tolist() == [[1816, 1945], [1990, 2016]]
    assert _row(s, ccode=265)["endyear"] == 1990  # GDR
    assert bool(_row(s, ccode=2)["ongoing"]) and not bool(_row(s, ccode=265)["ongoing"])
    assert (s.stdate.dt.year == s.styear).all()


def test_major_powers_history() -> None:
    m = major_powers()
    assert _row(m, ccode=2)["styear"] == 1898  # USA after the Spanish-American war
    assert _row(m, ccode=710)["styear"] == 1950  # PRC
    assert sorted(m.loc[m.ccode == 365, "styear"]) == [1816, 1922]
    years = state_year_frame(m)
    assert set(years.loc[years.year == 1970, "ccode"]) == {2, 200, 220, 365, 710}
    assert set(years.loc[years.year == 2000, "ccode"]) == {2, 200, 220, 255, 365, 710, 740}
    assert 2 not in set(years.loc[years.year == 1897, "ccode"])


def test_cow_gw_crosswalk_unifications() -> None:
    cw = cow_gw_years()
    _unique(cw, ["ccode", "year"])
    assert _row(cw, ccode=255, year=2000)["gwcode"] == 260
    assert _row(cw, ccode=679, year=1995)["gwcode"] == 678
    assert _row(cw, ccode=2, year=1950)["gwcode"] == 2


# --------------------------------------------------------------------------- capabilities


def test_nmc_cinc() -> None:
    f = nmc()
    _unique(f, ["ccode", "year"])
    assert f.year.min() == 1816 and f.year.max() == 2022
    y1950 = f[f.year == 1950].set_index("ccode")["cinc"]
    assert y1950.idxmax() == 2 and y1950[2] > 0.25
    assert abs(y1950.sum() - 1) < 0.01  # CINC shares sum to one within a year
    assert f.cinc.min() >= 0 and f[["milex", "tpop"]].isna().any().any()  # missing kept missing


def test_gdp_pop_magnitudes() -> None:
    f = gdp_pop()
    _unique(f, ["ccode", "year"])
    us, china = _row(f, ccode=2, year=2019), _row(f, ccode=710, year=2000)
    assert 300 < us["pop"] < 360
    assert china["pop"] > 1000 > _row(f, ccode=2, year=2000)["pop"]
    assert us["gdp"] > _row(f, ccode=2, year=1950)["gdp"] > 0


# --------------------------------------------------------------------------- threat


def test_rivalries_td_and_tss() -> None:
    td, tss = rivalries("td"), rivalries("tss")
    assert (td.ccode1 < td.ccode2).all() and (tss.ccode1 < tss.ccode2).all()
    us_ussr = td[(td.ccode1 == 2) & (td.ccode2 == 365)].sort_values("styear")
    assert us_ussr[["styear", "endyear"]].values.tolist() == [[1945, 1989], [2007, 2010]]
    assert ((tss.ccode1 == 365) & (tss.ccode2 == 369) & (tss.styear == 2014)).any()
    assert tss.endyear.max() == 2020 and td.endyear.max() == 2010
    with pytest.raises(InputError, match="'td' or 'tss'"):
        rivalries("xyz")  # type: ignore[arg-type]


def test_rivalry_dyad_years_directed_and_clipped() -> None:
    d = rivalry_dyad_years("td")
    _unique(d, ["ccode1", "ccode2", "year"])
    assert d.year.min() >= 1816 and d.year.max() <= 2010
    pairs = set(zip(d.ccode1, d.ccode2, d.year, strict=True))
    assert all((b, a, y) in pairs for a, b, y in pairs)
    assert (365, 2, 1962) in pairs and (2, 365, 1995) not in pairs
    und = rivalry_dyad_years("td", directed=False)
    assert len(d) == 2 * len(und)


def test_mid_dyad_years() -> None:
    m = mid_dyad_years()
    _unique(m, ["ccode1", "ccode2", "year"])
    lo, hi = MID_COVERAGE
    assert m.year.between(lo, hi).all()
    assert set(m.midongoing.unique()) == {1}  # only dyad-years in a dispute
    cuba = _row(m, ccode1=2, ccode2=365, year=1962)
    assert cuba["midonset"] == 1
    pairs = set(zip(m.ccode1, m.ccode2, m.year, strict=True))
    assert all((b, a, y) in pairs for a, b, y in pairs)  # directed: both orders


def test_terrthreat() -> None:
    t = terrthreat()
    _unique(t, ["ccode", "year"])
    assert t.year.between(1816, 2010).all()
    # Israel in 1967 faces more territorial threat than Canada does
    assert (
        _row(t, ccode=666, year=1967)["lterrthreat"] > _row(t, ccode=20, year=1967)["lterrthreat"]
    )


# --------------------------------------------------------------------------- ideal points


def test_ideal_points_cold_war_and_missing_years() -> None:
    ip = ideal_points()
    _unique(ip, ["ccode", "year"])
    us, su = _row(ip, ccode=2, year=1970), _row(ip, ccode=365, year=1970)
    assert us["idealpoint"] - su["idealpoint"] > 4
    assert 1964 not in set(ip.year)  # no recorded votes that session: no rows, not zeros
    assert ip.year.min() == 1946 and ip.year.max() == 2024
    assert (ip.nvotes.dropna() > 0).all()
    assert ip.loc[ip.idealpoint.isna(), "nvotes"].isna().all()
    legacy = ideal_points("legacy")
    assert legacy.idealpoint.isna().sum() > ip.idealpoint.isna().sum()
    with pytest.raises(InputError, match="ideal-point measure"):
        ideal_points("median")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- leaders


def test_leader_years_pakistan_and_usa() -> None:
    ly = leader_years()
    _unique(ly, ["ccode", "year"])
    for year in (1958, 1977, 1999):  # coups
        row = _row(ly, ccode=770, year=year)
        assert row["leader_change"] == 1 and row["irregular_exit"] == 1, year
    assert _row(ly, ccode=770, year=1958)["leader"] == "Ayub Khan"
    assert _row(ly, ccode=770, year=1947)["leader_change"] == 0  # first leader: not a change
    assert _row(ly, ccode=2, year=1963)["irregular_exit"] == 1  # Kennedy assassinated
    nixon = _row(ly, ccode=2, year=1974)
    assert nixon["leader_change"] == 1 and nixon["irregular_exit"] == 0
    assert _row(ly, ccode=2, year=1970)["leader_change"] == 0
    assert (ly.leader_tenure.dropna() >= 0).all()
    assert ly.year.max() == 2015
    # Archigos G-W 260 is COW 255 after unification
    assert _row(ly, ccode=255, year=2000)["leader"] == "Schroder"  # ASCII-fied by peacesciencer


def test_chisols_years() -> None:
    ch = chisols_years()
    _unique(ch, ["ccode", "year"])
    assert _row(ch, ccode=155, year=1973)["solschange"] >= 1
    assert _row(ch, ccode=155, year=1980)["solschange"] == 0
    assert ch.year.min() == 1919 and ch.year.max() == 2008


# --------------------------------------------------------------------------- regimes


def test_coalition_size_w_formula() -> None:
    w, n = coalition_size_w([3, 2, 1, -66], [4, 3, 2, 4], [5, 5, 1, 5], [0, 1, 1, 0])
    assert w[:3].tolist() == [1.0, 0.75, 0.0] and np.isnan(w[3])
    assert n.tolist() == [4, 4, 4, 0]


def test_regime_years_known_history() -> None:
    r = regime_years()
    _unique(r, ["ccode", "year"])
    chile73 = _row(r, ccode=155, year=1973)
    assert chile73["regime_change"] == 1 and chile73["regime_change_source"] == "gwf"
    assert _row(r, ccode=155, year=1974)["regime_type"] == "military-personal"
    assert _row(r, ccode=155, year=1975)["W"] == 0.0
    for year in (1958, 1977, 1999):
        assert _row(r, ccode=770, year=year)["regime_change"] == 1, year
    us = r[(r.ccode == 2) & r.year.between(1974, 2010)]
    assert (us.W == 1.0).all() and (us.W_components == 4).all()
    assert _row(r, ccode=2, year=1990)["polyarchy"] > 0.8
    # leader change is not regime change: Nixon's resignation
    assert _row(r, ccode=2, year=1974)["regime_change"] == 0
    # Polity special codes give no W; outside GWF coverage W uses three indicators
    assert r.loc[r.xrcomp.isin([-66, -77, -88]), "W"].isna().all()
    after = r[(r.year > 2010) & r.W.notna()]
    assert (after.W_components == 3).all() and (after.regime_change_source == "polity").all()
    # each measure is missing outside its own coverage, never zero
    assert r.loc[r.year < 1946, "gwf_military"].isna().all()
    assert r.loc[r.year > 2020, "polity2"].isna().all()


def test_readers_use_parquet_cache() -> None:
    nmc()
    assert frame_path("nmc", ["cow_nmc"], 1).is_file()
    regime_years()
    assert frame_path("regime_years", ["polity5", "gwf_all", "vdem_simple"], 1).is_file()
