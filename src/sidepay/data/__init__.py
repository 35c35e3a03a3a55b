"""The real world as data: sources, verified downloads, readers, the panel and its events.

The public verbs are importable from here (lazily: importing :mod:`sidepay.data` loads
neither pandas nor a reader until a verb is used)::

    from sidepay.data import DataContext, build_panel
    panel = build_panel((1946, 2020), context=DataContext(cache_dir=..., mirror=...))

Every function that reads a file takes ``context=`` (a :class:`DataContext`); with
``context=None`` it uses :func:`sidepay.config.data_context`, the one place where the
environment (``SIDEPAY_MIRROR``, ``SIDEPAY_DATA_DIR``, ``SIDEPAY_BASE_URL``) is read.

Examples
--------
>>> import sidepay.data as data
>>> "build_panel" in data.__all__ and callable(data.add_atop_alliance)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sidepay.lazy import lazy_exports

if TYPE_CHECKING:
    from sidepay.data.acquire import fetch, is_cached, pull, read_rda
    from sidepay.data.aid_measures import add_aid, dac_overlap_agreement
    from sidepay.data.codes import name_to_cow, resolve
    from sidepay.data.conflict import add_cow_wars, add_gml_mids, add_spells
    from sidepay.data.context import DataContext
    from sidepay.data.covariates import add_capabilities, add_client_politics, add_threat
    from sidepay.data.custom import add_custom
    from sidepay.data.deflator import implicit_deflator, rebase_factor
    from sidepay.data.dyads import (
        add_atop_alliance,
        add_cow_alliance,
        add_cow_majors,
        add_democracy,
        add_ideal_points,
        add_nmc,
        add_rivalries,
        dyad_years,
        state_years,
    )
    from sidepay.data.events import detect_events
    from sidepay.data.geography import add_capital_distance, add_contiguity, add_minimum_distance
    from sidepay.data.names import add_country_names
    from sidepay.data.pacts import pact_events, pact_years, tie_years
    from sidepay.data.panel import (
        build_panel,
        create_patron_client_years,
        resolve_patrons,
        write_panel,
    )
    from sidepay.data.payments import add_per_capita, add_side_payments, choose_payment
    from sidepay.data.sources import SOURCES, Source, bibtex, get_source
    from sidepay.data.spells import add_alliance_status, alliance_spells
    from sidepay.data.trade import add_cow_trade

#: public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "DataContext": "context",
    "fetch": "acquire",
    "pull": "acquire",
    "is_cached": "acquire",
    "read_rda": "acquire",
    "SOURCES": "sources",
    "Source": "sources",
    "bibtex": "sources",
    "get_source": "sources",
    "name_to_cow": "codes",
    "resolve": "codes",
    "state_years": "dyads",
    "dyad_years": "dyads",
    "add_atop_alliance": "dyads",
    "add_cow_alliance": "dyads",
    "add_cow_majors": "dyads",
    "add_democracy": "dyads",
    "add_ideal_points": "dyads",
    "add_nmc": "dyads",
    "add_rivalries": "dyads",
    "build_panel": "panel",
    "create_patron_client_years": "panel",
    "resolve_patrons": "panel",
    "write_panel": "panel",
    "add_alliance_status": "spells",
    "alliance_spells": "spells",
    "add_side_payments": "payments",
    "add_per_capita": "payments",
    "choose_payment": "payments",
    "add_aid": "aid_measures",
    "dac_overlap_agreement": "aid_measures",
    "implicit_deflator": "deflator",
    "rebase_factor": "deflator",
    "pact_events": "pacts",
    "pact_years": "pacts",
    "tie_years": "pacts",
    "add_client_politics": "covariates",
    "add_capabilities": "covariates",
    "add_threat": "covariates",
    "detect_events": "events",
    "add_contiguity": "geography",
    "add_minimum_distance": "geography",
    "add_capital_distance": "geography",
    "add_gml_mids": "conflict",
    "add_cow_wars": "conflict",
    "add_spells": "conflict",
    "add_cow_trade": "trade",
    "add_custom": "custom",
    "add_country_names": "names",
}

__all__ = [
    "SOURCES",
    "DataContext",
    "Source",
    "add_aid",
    "add_alliance_status",
    "add_atop_alliance",
    "add_capabilities",
    "add_capital_distance",
    "add_client_politics",
    "add_contiguity",
    "add_country_names",
    "add_cow_alliance",
    "add_cow_majors",
    "add_cow_trade",
    "add_cow_wars",
    "add_custom",
    "add_democracy",
    "add_gml_mids",
    "add_ideal_points",
    "add_minimum_distance",
    "add_nmc",
    "add_per_capita",
    "add_rivalries",
    "add_side_payments",
    "add_spells",
    "add_threat",
    "alliance_spells",
    "bibtex",
    "build_panel",
    "choose_payment",
    "create_patron_client_years",
    "dac_overlap_agreement",
    "detect_events",
    "dyad_years",
    "fetch",
    "get_source",
    "implicit_deflator",
    "is_cached",
    "name_to_cow",
    "pact_events",
    "pact_years",
    "pull",
    "read_rda",
    "rebase_factor",
    "resolve",
    "resolve_patrons",
    "state_years",
    "tie_years",
    "write_panel",
]


__getattr__, __dir__ = lazy_exports(__name__, {n: f".{m}" for n, m in _EXPORTS.items()})
