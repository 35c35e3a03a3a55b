"""Alliance spells and the panel's alliance columns (ATOP 4.01, COW v4.1 as a second coding).

A **spell** is a maximal run of consecutive allied years of a pair of states over the whole
ATOP history (1815-2016), so a spell begun before the first panel year keeps its true
start; its entry and exit dates and manner of termination come from ATOP's member-level
rows of both states. Choices are documented in ``docs/data.md`` (section "Panel").
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from sidepay.data import dyads
from sidepay.data.context import DataContext, default_context
from sidepay.data.merge import CODE_SPACE, as_dyads, from_dyads
from sidepay.data.readers import alliances
from sidepay.data.readers._common import expand_years

__all__ = ["add_alliance_status", "alliance_spells"]


def alliance_spells(*, context: DataContext | None = None) -> pd.DataFrame:
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
    ctx = default_context(context)
    build = partial(_build_spells, ctx)
    return alliances.cached("atop_spells", build, [alliances.ATOP_MEMBER], context=ctx)


def _build_spells(ctx: DataContext) -> pd.DataFrame:
    d = alliances.atop_dyad_years(context=ctx)
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


def add_alliance_status(panel: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add alliance status and spells to a panel (``patron, client, year``).

    ``defense ... consul`` are the ATOP 4.01 obligations of either member, ``allied`` any
    of them (missing after 2016), ``cow_alliance`` any COW v4.1 alliance (missing after
    2012); the spell containing an allied year gives ``spell_id``, ``spell_start``,
    ``spell_end``, ``spell_year``, ``spell_manner``, ``atop_entry``, ``atop_exit`` and
    ``atopids`` (:func:`alliance_spells`). Rows and their order are kept.

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [2, 2], "client": [770, 770], "year": [1954, 2018]})
    >>> add_alliance_status(p)["allied"].tolist()  # schema.conform makes it Int8 later
    [True, nan]
    """
    ctx = default_context(context)
    d = as_dyads(panel)
    d.attrs["directed"] = False  # obligations of either member
    d = dyads.add_atop_alliance(d, context=ctx)
    d = dyads.add_cow_alliance(d, context=ctx)
    out = from_dyads(d)
    for ob in alliances.OBLIGATIONS:
        out[ob] = out.pop(f"atop_{ob}")
    out["allied"] = (out.pop("atop_n") > 0).where(out["defense"].notna())
    cow = out[["cow_defense", "cow_neutral", "cow_nonagg", "cow_entente"]]
    out["cow_alliance"] = cow.max(axis=1).where(cow.notna().all(axis=1))
    out = out.drop(columns=list(cow.columns))
    # spells: attach the spell that contains each allied year
    sp = alliance_spells(context=ctx)
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
