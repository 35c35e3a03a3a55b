"""The asymmetric-alliance panel: directed dyad-years (great power, minor power, year).

:func:`build_panel` assembles the real-world table in the columns of :mod:`sidepay.schema`
(and a few documented extras) from the readers of :mod:`sidepay.data.readers`. Every
construction choice is written down in ``docs/data.md`` (section "Panel"); the main ones:

- **rows**: a patron is a COW major power in that year (or, with ``patrons=``, one of the
  given states while in the system); a client is any other state in the system that year
  that is not a major power.
- **alliance**: ``allied`` = any ATOP 4.01 obligation links the two that year; obligation
  flags are those of either member; a **spell** is a maximal run of consecutive allied
  years over the whole ATOP history (1815-2016), so a spell begun before the first panel
  year keeps its true start. Years after 2016 are outside ATOP 4.01 coverage: missing.
- **side_payment** = SIPRI arms transfers (TIV, millions) from patron to client, the one
  measure that covers every patron; inside SIPRI coverage (1950-2021) a patron-client-year
  with no recorded delivery is 0 (SIPRI's register lists every transfer of major
  conventional weapons), outside it is missing. US aid keeps its own columns.
- **rival_payment** = the largest side payment to the same client that year by another
  patron in the panel.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sidepay import schema
from sidepay.atomic import atomic_path
from sidepay.data import dyads
from sidepay.data.readers import (
    aid,
    alliances,
    arms,
    capabilities,
    democracy,
    leaders,
    threat,
    troops,
)
from sidepay.data.readers._common import expand_years
from sidepay.errors import InputError

SIPRI_COVERAGE = (1950, 2021)
US, RUSSIA, CHINA, JAPAN = 2, 365, 710, 740
_CC = 1000


# --- inputs -------------------------------------------------------------------------------


def parse_years(text: str) -> tuple[int, int]:
    """Parse ``"1946:2020"`` (or a single year ``"1990"``) into an inclusive pair.

    Examples
    --------
    >>> parse_years("1946:2020")
    (1946, 2020)
    >>> parse_years("1990")
    (1990, 1990)
    """
    parts = text.strip().split(":")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        raise InputError(f"--years must look like 1946:2020 (first:last); got {text!r}") from None
    if len(nums) not in (1, 2) or nums[0] > nums[-1]:
        raise InputError(f"--years must look like 1946:2020 with first <= last; got {text!r}")
    return dyads._parse_years((nums[0], nums[-1]))


def resolve_patrons(patrons: Iterable[int | str] | str) -> list[int]:
    """COW codes of a patron list given as codes, COW abbreviations or ISO3 codes.

    Examples
    --------
    >>> resolve_patrons("USA,RUS,200")
    [2, 365, 200]
    """
    items = patrons.split(",") if isinstance(patrons, str) else list(patrons)
    states = dyads.cow_states()
    by_abb = {
        str(a).upper(): int(c) for a, c in zip(states["stateabb"], states["ccode"], strict=True)
    }
    known = set(states["ccode"].astype(int))
    out: list[int] = []
    for raw in items:
        tok = str(raw).strip().upper()
        if not tok:
            continue
        code: int | None
        if tok.isdigit():
            code = int(tok) if int(tok) in known else None
        else:
            code = by_abb.get(tok)
            if code is None:
                from sidepay.data.codes import iso3_to_cow

                code = iso3_to_cow(tok) if len(tok) == 3 else None
        if code is None:
            raise InputError(
                f"unknown patron {str(raw).strip()!r}: give COW codes or abbreviations such as USA,RUS,UKG,FRN,CHN"
            )
        if code not in out:
            out.append(code)
    if not out:
        raise InputError("--patrons must name at least one state, e.g. USA,RUS")
    return out


# --- rows ---------------------------------------------------------------------------------


def _rows(lo: int, hi: int, patrons: list[int] | None) -> pd.DataFrame:
    sy = dyads.add_cow_majors(dyads.state_years((lo, hi)))
    major = sy["cowmaj"].to_numpy() == 1
    is_patron = major if patrons is None else np.isin(sy["ccode"].to_numpy(), patrons)
    pat = sy.loc[is_patron, ["ccode", "year"]]
    cli = sy.loc[~is_patron & ~major, ["ccode", "year"]]
    rows = pat.merge(cli, on="year", suffixes=("_p", "_c"))
    out = pd.DataFrame(
        {
            "patron": rows["ccode_p"].to_numpy("int64"),
            "client": rows["ccode_c"].to_numpy("int64"),
            "year": rows["year"].to_numpy("int64"),
        }
    )
    return out.sort_values(["patron", "client", "year"], ignore_index=True)


def _as_dyads(panel: pd.DataFrame) -> pd.DataFrame:
    d = panel.rename(columns={"patron": "ccode1", "client": "ccode2"})
    d.attrs["directed"] = True
    return d


def _from_dyads(d: pd.DataFrame) -> pd.DataFrame:
    return d.rename(columns={"ccode1": "patron", "ccode2": "client"})


# --- alliances ----------------------------------------------------------------------------


def alliance_spells() -> pd.DataFrame:
    """ATOP alliance spells of every pair of states (both orders), 1815-2016.

    A spell is a maximal run of consecutive years in which any ATOP alliance links the two.

    Returns
    -------
    DataFrame
        ``ccode1, ccode2, spell_start, spell_end`` (NA when in force at the end of 2016),
        ``atop_entry``, ``atop_exit`` (ISO dates; exit NA when in force), ``atopids``
        (";"-joined) and ``manner`` of termination (``abrogation`` when any alliance ending
        with the spell was abrogated, else ``expiry``, ``replaced``, ``other``).

    Examples
    --------
    >>> s = alliance_spells()
    >>> row = s[(s.ccode1 == 365) & (s.ccode2 == 520)].iloc[0]
    >>> int(row.spell_start), int(row.spell_end), row.manner
    (1974, 1977, 'abrogation')
    """
    return alliances.cached("atop_spells", _build_spells, [alliances.ATOP_MEMBER])


def _build_spells() -> pd.DataFrame:
    d = alliances.atop_dyad_years()
    yrs = (
        d[["ccode1", "ccode2", "year"]].drop_duplicates().sort_values(["ccode1", "ccode2", "year"])
    )
    c1, c2, y = (yrs[c].to_numpy() for c in ("ccode1", "ccode2", "year"))
    new = np.r_[True, (c1[1:] != c1[:-1]) | (c2[1:] != c2[:-1]) | (y[1:] != y[:-1] + 1)]
    sid = np.cumsum(new)
    g = pd.DataFrame({"ccode1": c1, "ccode2": c2, "year": y, "sid": sid}).groupby("sid")
    spells = g.agg(
        ccode1=("ccode1", "first"),
        ccode2=("ccode2", "first"),
        spell_start=("year", "min"),
        last=("year", "max"),
    )
    # which alliances, entry and exit dates: from the member rows of both states
    m = alliances.atop_members()
    link = d.merge(
        pd.DataFrame({"ccode1": c1, "ccode2": c2, "year": y, "sid": sid}),
        on=["ccode1", "ccode2", "year"],
    )[["sid", "atopid", "ccode1", "ccode2"]].drop_duplicates()
    mem = m[["atopid", "ccode", "entry_date", "exit_date", "yrexit", "in_force", "manner"]]
    both = pd.concat(
        [
            link.merge(mem, left_on=["atopid", "ccode1"], right_on=["atopid", "ccode"]),
            link.merge(mem, left_on=["atopid", "ccode2"], right_on=["atopid", "ccode"]),
        ]
    )
    both = both.merge(spells[["last"]], left_on="sid", right_index=True)
    ids = both.groupby("sid")["atopid"].agg(lambda s: ";".join(str(v) for v in sorted(set(s))))
    entry = both.groupby("sid")["entry_date"].min()
    ending = both[(both["yrexit"] == both["last"]) & (both["in_force"] == 0)]
    exit_date = ending.groupby("sid")["exit_date"].max()
    rank = {"abrogation": 0, "expiry": 1, "replaced": 2, "other": 3}
    manner = ending.groupby("sid")["manner"].agg(
        lambda s: min(s, key=lambda v: rank.get(str(v), 9))
    )
    spells["atopids"] = ids
    spells["atop_entry"] = entry
    spells["atop_exit"] = exit_date
    spells["manner"] = manner
    # in force when the data end (not an exit in the last coded year): censored
    in_force = both.groupby("sid")["in_force"].max().reindex(spells.index).fillna(1)
    censored = (spells["last"] >= alliances.ATOP_END) & (in_force == 1)
    spells["spell_end"] = spells["last"].where(~censored).astype("Int64")
    spells.loc[censored, ["atop_exit", "manner"]] = pd.NA
    for c in ("atopids", "atop_entry", "atop_exit", "manner"):
        spells[c] = spells[c].astype("string")
    spells["spell_start"] = spells["spell_start"].astype("int64")
    spells["last"] = spells["last"].astype("int64")
    return spells.reset_index(drop=True)


def _add_alliances(panel: pd.DataFrame) -> pd.DataFrame:
    d = _as_dyads(panel)
    d.attrs["directed"] = False  # obligations of either member
    d = dyads.add_atop_alliance(d)
    d = dyads.add_cow_alliance(d)
    out = _from_dyads(d)
    for ob in alliances.OBLIGATIONS:
        out[ob] = out.pop(f"atop_{ob}")
    out["allied"] = (out.pop("atop_n") > 0).where(out["defense"].notna())
    cow = out[["cow_defense", "cow_neutral", "cow_nonagg", "cow_entente"]]
    out["cow_alliance"] = cow.max(axis=1).where(cow.notna().all(axis=1))
    out = out.drop(columns=list(cow.columns))
    # spells: attach the spell that contains each allied year
    sp = alliance_spells()
    idx, yrs = expand_years(sp["spell_start"].to_numpy(), sp["last"].to_numpy())
    key = (yrs * _CC + sp["ccode1"].to_numpy()[idx]) * _CC + sp["ccode2"].to_numpy()[idx]
    order = np.argsort(key)
    key, idx = key[order], idx[order]
    pk = (out["year"].to_numpy() * _CC + out["patron"].to_numpy()) * _CC + out["client"].to_numpy()
    pos = np.searchsorted(key, pk).clip(max=len(key) - 1)
    hit = key[pos] == pk
    row = np.where(hit, idx[pos], 0)
    spec: tuple[tuple[str, Any], ...] = (
        ("spell_start", "Int64"),
        ("spell_end", "Int64"),
        ("atop_entry", "string"),
        ("atop_exit", "string"),
        ("atopids", "string"),
        ("manner", "string"),
    )
    for col, dtype in spec:
        vals = sp[col].iloc[row].reset_index(drop=True)
        out[col] = vals.where(pd.Series(hit)).astype(dtype).array
    start = out["spell_start"].astype("Int64")
    sid = out["patron"].astype(str) + "-" + out["client"].astype(str) + "-" + start.astype(str)
    out["spell_id"] = sid.where(start.notna()).astype("string")
    out["spell_year"] = (out["year"] - out["spell_start"]).astype("Int64")
    out = out.rename(columns={"manner": "spell_manner"})
    return out


# --- payments -----------------------------------------------------------------------------


def _add_payments(panel: pd.DataFrame) -> pd.DataFrame:
    out = panel
    tiv = arms.sipri_tiv().rename(columns={"supplier": "donor"})
    got = _dyad_values(out, tiv, ["arms_tiv"], SIPRI_COVERAGE, complete=True)
    out["arms_tiv"] = got["arms_tiv"].to_numpy()
    out["side_payment"] = out["arms_tiv"]
    out = _add_rival_payment(out)
    # US aid and troops: the client's monadic values, on the US rows only
    us = out["patron"].to_numpy() == US
    gb = aid.greenbook().astype({"aid_recorded": "float64"})
    cols = {"aid_econ": "aid_econ", "aid_mil": "aid_mil", "aid_recorded": "aid_recorded"}
    got = _client_values(out, gb, cols)
    got["us_troops"] = _client_values(out, troops.us_troops(), {"us_troops": "us_troops"})[
        "us_troops"
    ]
    for c in ("aid_econ", "aid_mil", "aid_recorded", "us_troops"):
        out[c] = np.where(us, got[c].to_numpy(), np.nan)
    # 1 where the Greenbook lists the state-year, 0 where its absence was read as no aid
    out["aid_recorded"] = out["aid_recorded"].astype("Int8")
    out["aid_other"] = np.nan
    out["aid_other_source"] = pd.array([None] * len(out), dtype="string")
    for reader, label, patrons in _AID_OTHER:
        out = _attach_aid_other(out, reader(), label, patrons)
    return out


#: One source per patron for ``aid_other``, never spliced: AidData (commitments, DAC
#: donors, 1973-2013), AidData's Chinese finance (2000-2021) for China, OECD DAC2a (gross
#: ODA disbursements, 2009-2022) for the patrons AidData lacks (Japan, Russia).
_AID_OTHER: tuple[tuple[Any, str, tuple[int, ...] | None], ...] = (
    (aid.aiddata_dyadic, "aiddata", None),
    (aid.chinese_finance, "aiddata_china", (CHINA,)),
    (aid.oecd_dac2a, "oecd_dac2a", (JAPAN, RUSSIA)),
)


def _attach_aid_other(
    out: pd.DataFrame, src: pd.DataFrame, label: str, patrons: tuple[int, ...] | None
) -> pd.DataFrame:
    donors = set(src["donor"].unique().tolist())
    take = np.isin(out["patron"].to_numpy(), sorted(donors if patrons is None else patrons))
    take &= np.isin(out["patron"].to_numpy(), sorted(donors))
    span = (int(src["year"].min()), int(src["year"].max()))
    take &= (out["year"].to_numpy() >= span[0]) & (out["year"].to_numpy() <= span[1])
    got = _dyad_values(out, src, ["aid"], span, complete=False)
    # a donor-recipient-year the source does not list stays missing (not 0)
    out["aid_other"] = np.where(take, got["aid"].to_numpy(), out["aid_other"].to_numpy())
    out.loc[take, "aid_other_source"] = label
    return out


def _add_rival_payment(out: pd.DataFrame) -> pd.DataFrame:
    """Largest ``side_payment`` to the same client-year by another patron of the panel."""
    pay = out["side_payment"].to_numpy(dtype="float64")
    key = out["client"].to_numpy() * 10_000 + out["year"].to_numpy()
    frame = pd.DataFrame({"key": key, "pay": pay, "patron": out["patron"].to_numpy()})
    srt = frame.sort_values(["key", "pay"], ascending=[True, False], na_position="last")
    first = srt.groupby("key").nth(0).set_index("key")
    second = srt.groupby("key").nth(1).set_index("key")
    top1 = first["pay"].reindex(key).to_numpy()
    top1_patron = first["patron"].reindex(key).to_numpy()
    top2 = second["pay"].reindex(key).to_numpy()
    rival = np.where(top1_patron == out["patron"].to_numpy(), top2, top1)
    out["rival_payment"] = rival
    return out


# --- politics, capabilities, threat -------------------------------------------------------


def _client_frame(out: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"ccode": out["client"].to_numpy(), "year": out["year"].to_numpy()})


def _client_values(out: pd.DataFrame, src: pd.DataFrame, cols: dict[str, str]) -> pd.DataFrame:
    """The client's state-year values of ``src`` (``ccode, year``) for every panel row."""
    return dyads._attach_monadic(_client_frame(out), src, cols)


def _dyad_values(
    out: pd.DataFrame,
    src: pd.DataFrame,
    cols: list[str],
    coverage: tuple[int, int],
    *,
    complete: bool,
) -> pd.DataFrame:
    """Patron -> client values of a ``donor, ccode, year`` source (summed per dyad-year)."""
    src = src.rename(columns={"donor": "ccode1", "ccode": "ccode2"})
    src = src.groupby(["ccode1", "ccode2", "year"], as_index=False)[cols].sum()
    frame = _as_dyads(out[["patron", "client", "year"]])
    return dyads._attach_dyadic(frame, dyads._prepare_dyadic(src, cols), cols, coverage, complete)


def _add_client_politics(out: pd.DataFrame) -> pd.DataFrame:
    src = democracy.regime_years()
    cols = [
        c for c in ("W", "polity2", "polyarchy", "regime_type", "regime_change") if c in src.columns
    ]
    got = _client_values(out, src, {c: c for c in cols})
    for c in cols:
        out[c] = got[c].to_numpy()
    lead = leaders.leader_years()
    cols = [c for c in ("leader_change", "leader_tenure", "irregular_exit") if c in lead.columns]
    got = _client_values(out, lead, {c: c for c in cols})
    for c in cols:
        out[c] = got[c].to_numpy()
    out["irregular_exit"] = out["irregular_exit"].astype("Int8")
    d = dyads.add_ideal_points(_as_dyads(out))
    out["divergence"] = d["ideal_distance"].to_numpy()
    return out


def _add_capabilities(out: pd.DataFrame) -> pd.DataFrame:
    d = dyads.add_nmc(_as_dyads(out[["patron", "client", "year"]]))
    out["cinc_patron"] = d["cinc1"].to_numpy()
    out["cinc_client"] = d["cinc2"].to_numpy()
    got = _client_values(out, capabilities.gdp_pop(), {"gdp": "gdp", "pop": "pop"})
    # the schema's units: USD and persons (the source gives millions of both)
    out["gdp_client"] = got["gdp"].to_numpy() * 1e6
    out["pop_client"] = got["pop"].to_numpy() * 1e6
    return out


def _rival_sets(lo: int, hi: int) -> tuple[pd.DataFrame, int]:
    r = threat.rivalries()
    end = int(r["endyear"].max())
    idx, yrs = expand_years(
        np.maximum(r["styear"].to_numpy(), lo), np.minimum(r["endyear"].to_numpy(), hi)
    )
    a, b = r["ccode1"].to_numpy()[idx], r["ccode2"].to_numpy()[idx]
    long = pd.DataFrame({"ccode": np.r_[a, b], "rival": np.r_[b, a], "year": np.r_[yrs, yrs]})
    return long.drop_duplicates(), end


def _add_threat(out: pd.DataFrame) -> pd.DataFrame:
    lo, hi = int(out["year"].min()), int(out["year"].max())
    riv, end = _rival_sets(lo, hi)
    inside = out["year"].to_numpy() <= end
    n = riv.groupby(["ccode", "year"]).size().rename("n").reset_index()
    got = _client_values(out, n, {"n": "n"})
    out["threat"] = np.where(inside, np.nan_to_num(got["n"].to_numpy()), np.nan)
    # common threat: rivals of the client that are also rivals of the patron
    pairs = out[["patron", "client", "year"]].reset_index()
    cr = pairs.merge(riv, left_on=["client", "year"], right_on=["ccode", "year"])
    shared = cr.merge(riv, left_on=["patron", "rival", "year"], right_on=["ccode", "rival", "year"])
    cnt = shared.groupby("index").size()
    common = np.zeros(len(out))
    common[cnt.index.to_numpy()] = cnt.to_numpy()
    out["common_threat"] = np.where(inside, common, np.nan)
    got = _client_values(out, threat.terrthreat(), {"lterrthreat": "terr_threat"})
    out["terr_threat"] = got["terr_threat"].to_numpy()
    mids = threat.mid_dyad_years()
    span = (int(mids["year"].min()), int(mids["year"].max()))
    ongoing = mids[mids["midongoing"] > 0]
    per = ongoing.groupby(["ccode1", "year"])["ccode2"].nunique().rename("n").reset_index()
    per = per.rename(columns={"ccode1": "ccode"})
    got = _client_values(out, per, {"n": "n"})
    yr = out["year"].to_numpy()
    ok = (yr >= span[0]) & (yr <= span[1])
    out["mid_opponents"] = np.where(ok, np.nan_to_num(got["n"].to_numpy()), np.nan)
    return out


# --- the panel ----------------------------------------------------------------------------


def build_panel(
    years: tuple[int, int] = (1946, 2020),
    patrons: Iterable[int | str] | str | None = None,
    *,
    window: int = 5,
) -> pd.DataFrame:
    """Build the real asymmetric-alliance panel (directed dyad-years patron, client, year).

    Parameters
    ----------
    years : (int, int)
        First and last year, inclusive.
    patrons : list of COW codes or abbreviations, optional
        Great powers; default: the COW major powers of each year.
    window : int
        Years within which a realignment is recognised (:func:`detect_events`).

    Returns
    -------
    DataFrame
        Columns of :data:`sidepay.schema.COLUMNS` (conformed) plus documented extras
        (``spell_end``, ``atop_entry``, ``atop_exit``, ``atopids``, ``terr_threat``,
        ``mid_opponents``, ``realignment_arms``, ``main_supplier`` ...).

    Examples
    --------
    >>> p = build_panel((1954, 1956), patrons="USA")
    >>> int(p.loc[(p.client == 770) & (p.year == 1955), "allied"].iloc[0])
    1
    """
    from sidepay.data.events import detect_events

    lo, hi = dyads._parse_years(years)
    codes = None if patrons is None else resolve_patrons(patrons)
    out = _rows(lo, hi, codes)
    if out.empty:
        raise InputError(f"no patron-client pairs in {lo}..{hi} for patrons {patrons!r}")
    out = _add_alliances(out)
    out = _add_payments(out)
    out = _add_client_politics(out)
    out = _add_capabilities(out)
    out = _add_threat(out)
    out = detect_events(out, window=window)
    return schema.conform(out.reset_index(drop=True))


def check_output_path(path: str | os.PathLike[str]) -> Path:
    """The output path if it ends in ``.parquet`` or ``.csv`` in an existing folder.

    Examples
    --------
    >>> check_output_path("panel.csv").name
    'panel.csv'
    """
    target = Path(path)
    if target.suffix.lower() not in (".parquet", ".csv"):
        raise InputError(f"--out must end in .parquet or .csv; got {target.name!r}")
    if not target.parent.is_dir():
        raise InputError(f"--out folder {target.parent} does not exist")
    if target.is_dir():
        raise InputError(f"--out {target} is a folder; give a file name ending in .parquet or .csv")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise InputError(f"--out folder {target.parent} is not writable")
    return target


def write_panel(panel: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write the panel to ``.parquet`` or ``.csv`` atomically (temp file, then rename).

    Examples
    --------
    >>> import tempfile
    >>> p = pd.DataFrame({"patron": [2], "client": [770], "year": [1954]})
    >>> write_panel(p, Path(tempfile.mkdtemp()) / "p.csv").name
    'p.csv'
    """
    target = check_output_path(path)
    suffix = target.suffix.lower()
    try:
        with atomic_path(target) as tmp:
            if suffix == ".parquet":
                panel.to_parquet(tmp, index=False)
            else:
                panel.to_csv(tmp, index=False)
    except OSError as exc:  # full disk, permissions, a folder in the way
        raise InputError(f"could not write {target}: {exc.strerror or exc}") from None
    return target
