"""One reader per source family, each returning a tidy frame on COW state codes.

Every reader takes ``context=`` (a :class:`sidepay.data.context.DataContext`; default
:func:`sidepay.config.data_context`). The readers are importable from here lazily, or from
their modules (:mod:`~sidepay.data.readers.alliances`, ``aid``, ``arms``, ``capabilities``,
``democracy``, ``idealpoints``, ``leaders``, ``states``, ``threat``, ``troops``).

Examples
--------
>>> from sidepay.data import readers
>>> "atop_members" in readers.__all__
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sidepay.lazy import lazy_exports

if TYPE_CHECKING:
    from sidepay.data.readers.aid import (
        aiddata_dyadic,
        chinese_finance,
        greenbook,
        greenbook_records,
        greenbook_unassigned,
        oecd_dac2a,
    )
    from sidepay.data.readers.alliances import (
        atop_alliances,
        atop_dyad_years,
        atop_members,
        cow_dyad_years,
    )
    from sidepay.data.readers.arms import (
        sipri_supplier_table,
        sipri_tables,
        sipri_tiv,
        sipri_tiv_nonstate,
    )
    from sidepay.data.readers.capabilities import gdp_pop, nmc
    from sidepay.data.readers.democracy import coalition_size_w, regime_years
    from sidepay.data.readers.idealpoints import ideal_points
    from sidepay.data.readers.leaders import chisols_years, leader_years
    from sidepay.data.readers.states import cow_gw_years, cow_states, major_powers
    from sidepay.data.readers.threat import (
        mid_dyad_years,
        rivalries,
        rivalry_dyad_years,
        terrthreat,
    )
    from sidepay.data.readers.troops import us_troops, us_troops_unassigned

_BY_MODULE: dict[str, tuple[str, ...]] = {
    "aid": (
        "aiddata_dyadic",
        "chinese_finance",
        "greenbook",
        "greenbook_records",
        "greenbook_unassigned",
        "oecd_dac2a",
    ),
    "alliances": ("atop_alliances", "atop_dyad_years", "atop_members", "cow_dyad_years"),
    "arms": ("sipri_supplier_table", "sipri_tables", "sipri_tiv", "sipri_tiv_nonstate"),
    "capabilities": ("gdp_pop", "nmc"),
    "democracy": ("coalition_size_w", "regime_years"),
    "idealpoints": ("ideal_points",),
    "leaders": ("chisols_years", "leader_years"),
    "states": ("cow_gw_years", "cow_states", "major_powers"),
    "threat": ("mid_dyad_years", "rivalries", "rivalry_dyad_years", "terrthreat"),
    "troops": ("us_troops", "us_troops_unassigned"),
}
_EXPORTS = {name: module for module, names in _BY_MODULE.items() for name in names}

__all__ = [
    "aiddata_dyadic",
    "atop_alliances",
    "atop_dyad_years",
    "atop_members",
    "chinese_finance",
    "chisols_years",
    "coalition_size_w",
    "cow_dyad_years",
    "cow_gw_years",
    "cow_states",
    "gdp_pop",
    "greenbook",
    "greenbook_records",
    "greenbook_unassigned",
    "ideal_points",
    "leader_years",
    "major_powers",
    "mid_dyad_years",
    "nmc",
    "oecd_dac2a",
    "regime_years",
    "rivalries",
    "rivalry_dyad_years",
    "sipri_supplier_table",
    "sipri_tables",
    "sipri_tiv",
    "sipri_tiv_nonstate",
    "terrthreat",
    "us_troops",
    "us_troops_unassigned",
]


__getattr__, __dir__ = lazy_exports(__name__, {n: f".{m}" for n, m in _EXPORTS.items()})
