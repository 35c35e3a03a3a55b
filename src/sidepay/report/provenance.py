"""Provenance of a report: data versions, hashes and citations, software, parameters, seed.

The records come from the library (``sidepay.data.sources.SOURCES`` and the parameters
the pipeline used); this module only gathers them into one JSON-able dict and renders the
citations as BibTeX. It performs no I/O besides reading installed package versions.

Examples
--------
>>> from types import SimpleNamespace
>>> src = SimpleNamespace(name="atop", version="4.01", sha256="ab" * 32, bytes=10,
...     url="https://example.org/atop.csv", relpath="atop/atop.csv", coverage="1815-2018",
...     terms="free", cite=("atop",))
>>> p = collect_provenance({"atop": src}, seed=3, years=(1946, 2020), world="real")
>>> p["seed"], p["data"][0]["name"], "numpy" in p["software"]
(3, 'atop', True)
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from typing import Any

PACKAGES: tuple[str, ...] = (
    "sidepay",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "polars",
    "pyreadr",
    "pooch",
    "pyfixest",
    "statsmodels",
    "lifelines",
    "matplotlib",
    "jinja2",
    "pydantic",
    "typer",
    "rich",
    "dask",
)

SOURCE_FIELDS: tuple[str, ...] = (
    "name",
    "title",
    "version",
    "relpath",
    "url",
    "upstream",
    "repo",
    "commit",
    "sha256",
    "bytes",
    "coverage",
    "terms",
    "cite",
    "note",
)


#: Which registered sources feed each panel column (from the panel table in docs/data.md
#: and the readers' source lists). Used to say which sources fed each estimate. Every
#: column of the real panel has an entry (checked by tests/test_end_to_end.py); the last
#: group names derived variables of the analysis.
COLUMN_SOURCES: dict[str, tuple[str, ...]] = {
    "patron": ("cow_majors", "cow_states"),
    "client": ("cow_states",),
    "year": ("cow_states",),
    # alliance (ATOP 4.01 to 2016, ATOP 5.1 dyad-years 2017-2018; COW v4.1 to 2012)
    "allied": ("atop_member_level", "atop_alliance"),
    "allied_security": ("atop_member_level", "atop_alliance"),
    "allied_defense": ("atop_member_level", "atop_alliance"),
    "allied_any": ("atop_member_level", "atop_alliance"),
    "alliance_source": ("atop_member_level", "atop_alliance"),
    "bipolar_pact": ("atop_member_level",),
    "pact_size": ("atop_member_level",),
    "pacts_joined": ("atop_member_level",),
    "pacts_left": ("atop_member_level",),
    "spell": ("atop_member_level", "atop_alliance_level"),
    "spell_id": ("atop_member_level",),
    "spell_start": ("atop_member_level",),
    "spell_year": ("atop_member_level",),
    "spell_end": ("atop_member_level",),
    "spell_manner": ("atop_member_level", "atop_alliance_level"),
    "atop_entry": ("atop_member_level",),
    "atop_exit": ("atop_member_level",),
    "atopids": ("atop_member_level",),
    "formation": ("atop_member_level", "atop_alliance"),
    "termination": ("atop_member_level", "atop_alliance_level"),
    "termination_manner": ("atop_member_level", "atop_alliance_level"),
    "defense": ("atop_member_level",),
    "offense": ("atop_member_level",),
    "neutral": ("atop_member_level",),
    "nonagg": ("atop_member_level",),
    "consul": ("atop_member_level",),
    "cow_alliance": ("cow_alliance_v41_zip",),
    # side payments
    # side_payment = aid by default (payment=); arms_tiv was the default before issue 10
    "side_payment": (
        "greenbook",
        "aiddata_core_dyadic",
        "oecd_dac2a",
        "gcdf3_cow",
        "foreignassistance_country",
    ),
    "arms_tiv": ("sipri_tiv_tables_zip",),
    "rival_payment": (
        "greenbook",
        "aiddata_core_dyadic",
        "oecd_dac2a",
        "gcdf3_cow",
        "foreignassistance_country",
    ),
    "payment_increase": (
        "greenbook",
        "aiddata_core_dyadic",
        "oecd_dac2a",
        "gcdf3_cow",
        "foreignassistance_country",
    ),
    "payment_decrease": (
        "greenbook",
        "aiddata_core_dyadic",
        "oecd_dac2a",
        "gcdf3_cow",
        "foreignassistance_country",
    ),
    "main_supplier": ("sipri_tiv_tables_zip",),
    "realignment": ("atop_member_level", "atop_alliance", "sipri_tiv_tables_zip"),
    "realignment_arms": ("sipri_tiv_tables_zip",),
    "realignment_arms_bloc": ("sipri_tiv_tables_zip",),
    "aid_econ": ("greenbook", "foreignassistance_country"),
    "aid_mil": ("greenbook", "foreignassistance_country"),
    "aid_us": ("greenbook", "foreignassistance_country"),
    "aid": (
        "greenbook",
        "aiddata_core_dyadic",
        "oecd_dac2a",
        "gcdf3_cow",
        "foreignassistance_country",
    ),
    "aid_dac_commit": ("aiddata_core_dyadic", "foreignassistance_country"),
    "aid_dac_disb": ("oecd_dac2a",),
    "aid_dac_source": ("aiddata_core_dyadic", "oecd_dac2a"),
    "aid_dac": ("aiddata_core_dyadic", "oecd_dac2a", "foreignassistance_country"),
    "finance_china": ("gcdf3_cow", "foreignassistance_country"),
    "any_payment": (
        "greenbook",
        "aiddata_core_dyadic",
        "oecd_dac2a",
        "gcdf3_cow",
        "foreignassistance_country",
        "sipri_tiv_tables_zip",
    ),
    "aid_recorded": ("greenbook",),
    "aid_other": ("aiddata_core_dyadic", "gcdf3_cow", "oecd_dac2a"),
    "aid_other_source": ("aiddata_core_dyadic", "gcdf3_cow", "oecd_dac2a"),
    "us_troops": ("troopdata_rebuild_long",),
    # interests and the client's politics
    "divergence": ("unga_idealpoints",),
    "W": ("polity5", "gwf_all"),
    "polity2": ("polity5",),
    "polyarchy": ("vdem_simple",),
    "regime_type": ("gwf_all",),
    # GWF regime failure to 2010, the Polity rule after and outside GWF; CHISOLS is not used
    "regime_change": ("gwf_all", "polity5"),
    "regime_change_source": ("gwf_all", "polity5"),
    "W_components": ("polity5", "gwf_all"),
    "leader_change": ("archigos", "cw_gw_panel"),
    "leader_tenure": ("archigos", "cw_gw_panel"),
    "irregular_exit": ("archigos", "cw_gw_panel"),
    # capabilities and threat
    "cinc": ("cow_nmc",),
    "cinc_patron": ("cow_nmc",),
    "cinc_client": ("cow_nmc",),
    "gdp_client": ("cw_gdppop",),
    "pop_client": ("cw_gdppop",),
    "threat": ("td_rivalries",),
    "capability_ratio": ("cow_nmc",),
    "common_threat": ("td_rivalries", "gml_mid_ddydisps"),
    "client_threat": ("td_rivalries", "gml_mid_ddydisps"),
    "common_rival": ("td_rivalries",),
    "terr_threat": ("terrthreat",),
    "mid_opponents": ("gml_mid_ddydisps",),
    # derived variables of the analysis (log_payment_at_formation, recent_leader_only_change)
    "payment": (
        "greenbook",
        "aiddata_core_dyadic",
        "oecd_dac2a",
        "gcdf3_cow",
        "foreignassistance_country",
    ),
    "leader": ("archigos", "cw_gw_panel"),
    "regime": ("gwf_all", "polity5"),
}


def sources_for(variables: Iterable[str]) -> list[str]:
    """Registered sources behind the panel columns an estimate used (sorted, unique).

    A variable matches a column when the column's name is part of it (``log_side_payment``
    uses ``side_payment``; ``end_termination`` uses ``termination``); the keys always
    count.

    Examples
    --------
    >>> used = sources_for(["log_side_payment", "W"])  # side_payment is aid by default
    >>> "greenbook" in used, "polity5" in used, "sipri_tiv_tables_zip" in used
    (True, True, False)
    """
    names = {"cow_majors", "cow_states", "atop_member_level"}  # rows: patrons, clients, allies
    for var in variables:
        for column, sources in COLUMN_SOURCES.items():
            if column == var or (len(column) > 2 and column in var):
                names.update(sources)
    return sorted(names)


def software_versions(packages: Iterable[str] = PACKAGES) -> dict[str, str]:
    """Installed version of each package ("not installed" when absent), plus Python.

    Examples
    --------
    >>> v = software_versions(["numpy", "no-such-package-xyz"])
    >>> v["no-such-package-xyz"], "python" in v
    ('not installed', True)
    """
    out = {"python": platform.python_version(), "platform": sys.platform}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def source_record(source: Any) -> dict[str, Any]:
    """One data source (a ``sidepay.data.sources.Source`` or a mapping) as a plain dict.

    Examples
    --------
    >>> source_record({"name": "nmc", "version": "6.0", "extra": 1})["version"]
    '6.0'
    """
    get = source.get if isinstance(source, Mapping) else lambda k: getattr(source, k, None)
    record = {k: get(k) for k in SOURCE_FIELDS}
    for k, v in record.items():
        if isinstance(v, list | tuple):
            record[k] = [str(x) for x in v]
        elif not (isinstance(v, str | int | float | bool) or v is None):
            record[k] = str(v)
    return record


def collect_provenance(
    sources: Mapping[str, Any],
    *,
    seed: int,
    years: tuple[int, int],
    world: str,
    used: Iterable[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    citations: str = "",
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything needed to reproduce a report, as one JSON-able dict.

    Parameters
    ----------
    sources
        Name -> source record (``sidepay.data.sources.SOURCES``).
    seed, years, world
        The run's seed, year range and world option.
    used
        Names of the sources that fed the panel; all of ``sources`` when ``None``.
    parameters
        The simulated world's parameters (a plain dict).
    citations
        BibTeX text of the sources used (``sidepay.data.sources.bibtex``).
    extra
        Further entries (timings, command line).

    Examples
    --------
    >>> collect_provenance({}, seed=1, years=(1950, 1960), world="simulated")["years"]
    [1950, 1960]
    """
    names = list(sources) if used is None else [n for n in used if n in sources]
    return {
        "seed": int(seed),
        "years": [int(years[0]), int(years[1])],
        "world": world,
        "data": [source_record(sources[n]) | {"name": n} for n in names],
        "software": software_versions(),
        "parameters": dict(parameters or {}),
        "citations": citations,
        **dict(extra or {}),
    }


def bibtex(provenance: Mapping[str, Any]) -> str:
    """The citations of every data source used, as BibTeX text (ends with a newline).

    Examples
    --------
    >>> bibtex({"citations": "@misc{a}"})
    '@misc{a}\\n'
    >>> bibtex({})
    ''
    """
    text = str(provenance.get("citations") or "").strip()
    return text + "\n" if text else ""
