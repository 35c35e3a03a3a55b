"""Alliance spells and the panel's alliance columns (ATOP 4.01 + 5.1, COW v4.1 second coding).

A **spell** is a maximal run of consecutive years in which a pair of states has a tie of
the chosen definition (:mod:`sidepay.data.pacts`: ``security`` by default, ``defense``,
``any``) over the whole ATOP history (1815-2016 from 4.01, 2017-2018 from 5.1), so a spell
begun before the first panel year keeps its true start; its entry and exit dates and manner
of termination come from ATOP 4.01's member-level rows of both states. Choices are
documented in ``docs/data.md`` (section "Alliances").
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from sidepay.data import dyads, pacts
from sidepay.data.context import DataContext, default_context
from sidepay.data.merge import CODE_SPACE, as_dyads, attach_dyadic, from_dyads, prepare_dyadic
from sidepay.data.readers import alliances
from sidepay.data.readers._common import expand_years

__all__ = ["add_alliance_status", "alliance_spells"]

_SPELL_VERSION = 2  # 2: spells per definition, ATOP 5.1 years 2017-2018


def alliance_spells(alliance: str = "any", *, context: DataContext | None = None) -> pd.DataFrame:
    """ATOP alliance spells of every pair of states (both orders), 1815-2018.

    A spell is a maximal run of consecutive years in which a tie of the definition
    ``alliance`` (``security``, ``defense`` or ``any``; :mod:`sidepay.data.pacts`) links
    the two.

    Returns
    -------
    DataFrame
        ``ccode1, ccode2, spell_start, spell_end`` (NA when in force at the end of 2018),
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
    pacts.check_definition(alliance)
    ctx = default_context(context)
    build = partial(_build_spells, ctx, alliance)
    key = f"atop_spells_{alliance}_v{_SPELL_VERSION}"
    return alliances.cached(key, build, [alliances.ATOP_MEMBER], context=ctx)


def _build_spells(ctx: DataContext, alliance: str) -> pd.DataFrame:
    d = pacts.tie_years(alliance, context=ctx)
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
    m = alliances.atop_members(context=ctx)
    link = (
        d[d["atopid"] > 0]
        .merge(
            pd.DataFrame({"ccode1": c1, "ccode2": c2, "year": y, "sid": sid}),
            on=["ccode1", "ccode2", "year"],
        )[["sid", "atopid", "ccode1", "ccode2"]]
        .drop_duplicates()
    )
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
    # in force when the data end (2018, ATOP 5.1) is censored; a 4.01 pact "in force" in
    # 2016 whose tie 5.1 no longer shows in 2017 ended in 2016 (manner unknown)
    censored = spells["last"] >= pacts.ATOP51_END
    unknown_end = spells["last"] == alliances.ATOP_END
    spells.loc[unknown_end, ["atop_exit", "manner"]] = pd.NA
    spells["spell_end"] = spells["last"].where(~censored).astype("Int64")
    spells.loc[censored, ["atop_exit", "manner"]] = pd.NA
    for c in ("atopids", "atop_entry", "atop_exit", "manner"):
        spells[c] = spells[c].astype("string")
    spells["spell_start"] = spells["spell_start"].astype("int64")
    spells["last"] = spells["last"].astype("int64")
    return spells.reset_index(drop=True)


def _obligation_source(ctx: DataContext) -> Any:
    """Either member's obligations per dyad-year: ATOP 4.01 to 2016, 5.1 in 2017-2018."""
    obs = list(alliances.OBLIGATIONS)
    relpaths = [alliances.ATOP_MEMBER, "peacesciencer/atop_alliance.rda"]
    key = f"atop_obligations_v{_SPELL_VERSION}"
    frame = alliances.cached(key, partial(_build_obligations, ctx), relpaths, context=ctx)
    return prepare_dyadic(frame, obs)


def _build_obligations(ctx: DataContext) -> pd.DataFrame:
    obs = list(alliances.OBLIGATIONS)
    early = pacts.pact_years(context=ctx)
    early = early.groupby(["ccode1", "ccode2", "year"], as_index=False, sort=False)[obs].max()
    late = pacts.atop51_dyad_years(context=ctx)
    late = late[late[obs].max(axis=1) > 0]
    return pd.concat([early, late[["ccode1", "ccode2", "year", *obs]]], ignore_index=True)


_PREPARED: dict[tuple[str, DataContext], Any] = {}


def _prepared(name: str, ctx: DataContext, build: Any) -> Any:
    if (name, ctx) not in _PREPARED:
        _PREPARED[name, ctx] = build()
    return _PREPARED[name, ctx]


def add_alliance_status(
    panel: pd.DataFrame, *, alliance: str = "security", context: DataContext | None = None
) -> pd.DataFrame:
    """Add alliance status, spells and pact-level events to a panel (``patron, client, year``).

    ``defense ... consul`` are the ATOP obligations of either member (4.01 to 2016, 5.1 in
    2017-2018; missing after 2018) and ``alliance_source`` says which; ``allied_security``
    (defense or offense), ``allied_defense``, ``allied_any`` the three definitions and
    ``allied`` the chosen one (``alliance=``); ``cow_alliance`` any COW v4.1 alliance
    (missing after 2012). The spell of the chosen definition containing an allied year
    gives ``spell_id``, ``spell_start``, ``spell_end``, ``spell_year``, ``spell_manner``,
    ``atop_entry``, ``atop_exit`` and ``atopids`` (:func:`alliance_spells`);
    ``pacts_joined``, ``pacts_left``, ``pact_size`` and ``bipolar_pact`` come from
    :func:`sidepay.data.pacts.pact_events` (missing after 2016). Rows and order are kept.

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [2, 2], "client": [770, 770], "year": [1954, 2019]})
    >>> add_alliance_status(p)["allied"].tolist()  # schema.conform makes it Int8 later
    [1.0, nan]
    """
    pacts.check_definition(alliance)
    ctx = default_context(context)
    d = as_dyads(panel)
    span = (alliances.ATOP_START, pacts.ATOP51_END)
    prep = _prepared("obligations", ctx, partial(_obligation_source, ctx))
    obs = list(alliances.OBLIGATIONS)
    d = attach_dyadic(d, prep, obs, span, complete=True)
    d = dyads.add_cow_alliance(d, context=ctx)
    ev_cols = ["pacts_joined", "pacts_left", "pact_size", "bipolar_pact"]
    ev = _prepared(f"events-{alliance}", ctx, lambda: _event_source(alliance, ctx, ev_cols))
    d = attach_dyadic(d, ev, ev_cols, (alliances.ATOP_START, alliances.ATOP_END), complete=True)
    out = from_dyads(d)
    yr = out["year"].to_numpy()
    out.loc[yr >= alliances.ATOP_END, "pacts_left"] = np.nan  # the next year is unknown
    label = np.full(len(yr), None, dtype=object)
    label[(yr >= span[0]) & (yr <= alliances.ATOP_END)] = "atop4.01"
    label[(yr > alliances.ATOP_END) & (yr <= span[1])] = "atop5.1"
    out["alliance_source"] = pd.array(label, dtype="string")
    known = out["defense"].notna()
    for name, need in pacts.DEFINITIONS.items():
        out[f"allied_{name}"] = (out[list(need)].max(axis=1) > 0).astype(float).where(known)
    out["allied"] = out[f"allied_{alliance}"]
    cow = out[["cow_defense", "cow_neutral", "cow_nonagg", "cow_entente"]]
    out["cow_alliance"] = cow.max(axis=1).where(cow.notna().all(axis=1))
    out = out.drop(columns=list(cow.columns))
    sp = alliance_spells(alliance, context=ctx)
    # spells: attach the spell that contains each allied year
    idx, yrs = expand_years(sp["spell_start"].to_numpy(), sp["last"].to_numpy())
    c1, c2 = sp["ccode1"].to_numpy()[idx], sp["ccode2"].to_numpy()[idx]
    key = (yrs * CODE_SPACE + c1) * CODE_SPACE + c2
    order = np.argsort(key)
    key, idx = key[order], idx[order]
    pat, cli, yr = (out[c].to_numpy() for c in ("patron", "client", "year"))
    pk = (yr * CODE_SPACE + pat) * CODE_SPACE + cli
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


def _event_source(alliance: str, ctx: DataContext, cols: list[str]) -> Any:
    return prepare_dyadic(pacts.pact_events(alliance, context=ctx), cols)
