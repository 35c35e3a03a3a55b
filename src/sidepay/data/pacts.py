"""Which ties count as an alliance, ATOP 5.1's two extra years, and pact-level quantities.

**Alliance definitions** (``alliance=``). ATOP codes five obligations per member and pact;
a pair of states has a tie of a definition in a year when a pact both belong to carries,
for either member, one of the definition's obligations:

- ``security`` (default): defense or offense. The theory's asymmetric alliance is a
  security commitment traded for autonomy; consultation and non-aggression pacts, and
  arrangements whose members include both superpowers (CSCE 1975, the Treaty of Amity and
  Cooperation in Southeast Asia, the 1962 Laos accords), are not that bargain.
- ``defense``: defense only (the narrowest, the promise to fight if the ally is attacked).
- ``any``: any of the five (the panel's meaning of ``allied`` before issue 10).

**ATOP 5.1.** ATOP 4.01 (member level, with pact ids, entry and exit dates) ends in 2016;
ATOP 5.1 directed dyad-years (peacesciencer's ``atop_alliance``, no pact ids) run to 2018.
The two are joined by year: 4.01 up to 2016, 5.1 for 2017-2018 only (in 2016 the two agree:
all 8,406 dyads 4.01 links are linked in 5.1, which is also linked in 2017). A spell in
force in 2016 goes on when 5.1 links the pair in 2017 under the same definition, so spells
keep their 4.01 start and entry date; a spell in force in 2018 is censored. Pact-level
quantities (``pact_size``, ``bipolar_pact``, ``pacts_joined``, ``pacts_left``) need pact
ids, so they are missing after 2016 (``pacts_left`` from 2016: its next year is unknown).

Examples
--------
>>> sorted(DEFINITIONS)
['any', 'defense', 'security']
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from sidepay.data.acquire import read_rda
from sidepay.data.context import DataContext, default_context
from sidepay.data.merge import CODE_SPACE
from sidepay.data.readers import alliances
from sidepay.data.readers._common import expand_years
from sidepay.errors import bad_param

__all__ = [
    "ATOP51_END",
    "DEFINITIONS",
    "SUPERPOWERS",
    "check_definition",
    "pact_years",
    "tie_years",
]

DEFINITIONS: dict[str, tuple[str, ...]] = {
    "security": ("defense", "offense"),
    "defense": ("defense",),
    "any": alliances.OBLIGATIONS,
}
ATOP51_START, ATOP51_END = 2017, 2018
SUPERPOWERS = (2, 365)  # the United States and the Soviet Union / Russia
_VERSION = 1


def check_definition(alliance: str) -> tuple[str, ...]:
    """The obligations of an alliance definition, or one clear error.

    Examples
    --------
    >>> check_definition("security")
    ('defense', 'offense')
    """
    if alliance not in DEFINITIONS:
        raise bad_param("alliance", f"must be one of security, defense, any; got {alliance!r}")
    return DEFINITIONS[alliance]


def _key(c1: np.ndarray, c2: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (y.astype("int64") * CODE_SPACE + c1) * CODE_SPACE + c2


def _either_member(ctx: DataContext) -> pd.DataFrame:
    """ATOP 4.01 dyad-pact-years with each obligation of either member (both orders)."""
    d = alliances.atop_dyad_years(context=ctx)
    obs = list(alliances.OBLIGATIONS)
    rev = d.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    both = d.merge(rev, on=["ccode1", "ccode2", "year", "atopid"], suffixes=("", "_r"))
    for ob in obs:
        both[ob] = np.maximum(both[ob], both[f"{ob}_r"]).astype("int8")
    return both[["ccode1", "ccode2", "year", "atopid", *obs]]


def _build_pact_years(ctx: DataContext) -> pd.DataFrame:
    d = _either_member(ctx)
    m = alliances.atop_members(context=ctx)
    idx, yrs = expand_years(m["yrent"].to_numpy(), m["yrexit"].to_numpy())
    mem = pd.DataFrame(
        {"atopid": m["atopid"].to_numpy()[idx], "ccode": m["ccode"].to_numpy()[idx], "year": yrs}
    ).drop_duplicates()
    g = mem.groupby(["atopid", "year"])
    size = g.size().rename("pact_size")
    sp = mem[mem["ccode"].isin(SUPERPOWERS)].groupby(["atopid", "year"])["ccode"].nunique()
    bip = (sp == len(SUPERPOWERS)).reindex(size.index, fill_value=False)
    per = pd.concat([size, bip.astype("int8").rename("bipolar")], axis=1)
    out = d.merge(per.reset_index(), on=["atopid", "year"], how="left")
    out["pact_size"] = out["pact_size"].astype("int64")
    return out.sort_values(["ccode1", "ccode2", "year", "atopid"], ignore_index=True)


def pact_years(*, context: DataContext | None = None) -> pd.DataFrame:
    """ATOP 4.01 dyad-pact-years (both orders), 1815-2016, with pact-level quantities.

    Returns
    -------
    DataFrame
        ``ccode1, ccode2, year, atopid``, the five obligation flags of **either** member in
        that pact, ``pact_size`` (members in force that year) and ``bipolar`` (1 when the
        members that year include both the United States and the Soviet Union/Russia).

    Examples
    --------
    >>> p = pact_years()
    >>> csce = p[(p.ccode1 == 2) & (p.ccode2 == 365) & (p.year == 1976)]
    >>> int(csce["bipolar"].max()), int(csce["pact_size"].max()) > 30
    (1, True)
    """
    ctx = default_context(context)
    build = partial(_build_pact_years, ctx)
    return alliances.cached(
        f"atop_pact_years_v{_VERSION}", build, [alliances.ATOP_MEMBER], context=ctx
    )


def atop51_dyad_years(*, context: DataContext | None = None) -> pd.DataFrame:
    """ATOP 5.1 directed dyad-years of 2017-2018 with either member's obligations.

    Examples
    --------
    >>> a = atop51_dyad_years()
    >>> sorted(a["year"].unique().tolist())
    [2017, 2018]
    """
    ctx = default_context(context)

    def build() -> pd.DataFrame:
        raw = read_rda("atop_alliance", context=ctx)
        raw = raw[raw["year"] >= ATOP51_START].copy()
        out = pd.DataFrame(
            {c: raw[c].astype("int64").to_numpy() for c in ("ccode1", "ccode2", "year")}
        )
        for ob in alliances.OBLIGATIONS:
            out[ob] = (raw[f"atop_{ob}"].to_numpy() > 0).astype("int8")
        rev = out.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
        both = out.merge(rev, on=["ccode1", "ccode2", "year"], how="outer", suffixes=("", "_r"))
        for ob in alliances.OBLIGATIONS:
            both[ob] = np.fmax(both[ob], both[f"{ob}_r"]).astype("int8")
        return both[out.columns].sort_values(["ccode1", "ccode2", "year"], ignore_index=True)

    from sidepay.data.cache import cached_frame

    return cached_frame("atop51_dyad_years", build, ["atop_alliance"], version=1, context=ctx)


def tie_years(alliance: str, *, context: DataContext | None = None) -> pd.DataFrame:
    """Dyad-years with a tie of the given definition: 4.01 to 2016, 5.1 for 2017-2018.

    ``atopid`` is the pact (0 for the 5.1 years, which carry no pact ids).

    Examples
    --------
    >>> t = tie_years("security")
    >>> bool(((t.ccode1 == 2) & (t.ccode2 == 200) & (t.year == 2018)).any())
    True
    """
    obs = list(check_definition(alliance))
    ctx = default_context(context)
    p = pact_years(context=ctx)
    early = p.loc[p[obs].max(axis=1) > 0, ["ccode1", "ccode2", "year", "atopid"]]
    late = atop51_dyad_years(context=ctx)
    late = late.loc[late[obs].max(axis=1) > 0, ["ccode1", "ccode2", "year"]].assign(atopid=0)
    return pd.concat([early, late], ignore_index=True)


def pact_events(alliance: str, *, context: DataContext | None = None) -> pd.DataFrame:
    """Per dyad-year (1815-2016): pacts joined and left, largest pact, bipolar pact.

    ``pacts_joined`` counts the pacts of the definition that link the two this year and not
    the year before; ``pacts_left`` those that link them this year and not the next (NA in
    2016); ``pact_size`` and ``bipolar_pact`` are over **every** ATOP pact linking the two.

    Examples
    --------
    >>> e = pact_events("security")
    >>> row = e[(e.ccode1 == 2) & (e.ccode2 == 770) & (e.year == 1972)]
    >>> int(row["pacts_left"].iloc[0])
    1
    """
    check_definition(alliance)
    ctx = default_context(context)
    build = partial(_build_pact_events, alliance, ctx)
    key = f"atop_pact_events_{alliance}_v{_VERSION}"
    return alliances.cached(key, build, [alliances.ATOP_MEMBER], context=ctx)


def _build_pact_events(alliance: str, ctx: DataContext) -> pd.DataFrame:
    obs = list(DEFINITIONS[alliance])
    p = pact_years(context=ctx)
    anyp = p.groupby(["ccode1", "ccode2", "year"], as_index=False, sort=True).agg(
        pact_size=("pact_size", "max"), bipolar_pact=("bipolar", "max")
    )
    ties = p[p[obs].max(axis=1) > 0]
    c1, c2 = ties["ccode1"].to_numpy(), ties["ccode2"].to_numpy()
    y, a = ties["year"].to_numpy(), ties["atopid"].to_numpy()
    here = pd.MultiIndex.from_arrays([c1, c2, y, a])
    joined = ~pd.MultiIndex.from_arrays([c1, c2, y - 1, a]).isin(here)
    left = ~pd.MultiIndex.from_arrays([c1, c2, y + 1, a]).isin(here)
    ev = pd.DataFrame({"ccode1": c1, "ccode2": c2, "year": y, "j": joined, "l": left})
    ev = ev.groupby(["ccode1", "ccode2", "year"], as_index=False).agg(
        pacts_joined=("j", "sum"), pacts_left=("l", "sum")
    )
    out = anyp.merge(ev, on=["ccode1", "ccode2", "year"], how="left")
    for c in ("pacts_joined", "pacts_left"):
        out[c] = out[c].fillna(0).astype("float64")
    out.loc[out["year"] >= alliances.ATOP_END, "pacts_left"] = np.nan
    return out
