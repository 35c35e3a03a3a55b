"""The sources registry: every public file the project reads, with its provenance.

Each :class:`Source` says where a file lives in a mirror folder (``relpath``), the public
address that reproduces its bytes (a commit-pinned raw GitHub address), the official upstream
page, its sha256 and size, version, coverage, terms of use and BibTeX keys. The registry
itself is the package data file ``sources.toml``; the BibTeX entries are in
``citations.bib``. Nothing here touches the network or the disk beyond those two files.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from sidepay.errors import InputError

__all__ = ["SOURCES", "VERB_SOURCES", "Source", "bibtex", "cite_sources", "get_source"]


@dataclass(frozen=True)
class Source:
    """One public data file.

    Attributes
    ----------
    name : str
        Short registry name, e.g. ``"cow_states"``.
    title : str
        What the file is.
    relpath : str
        Path inside a mirror folder (and inside the cache), e.g.
        ``"peacesciencer/cow_states.rda"``.
    url : str or None
        Public address that serves exactly these bytes (commit-pinned raw GitHub address);
        ``None`` for mirror-only files (``note`` says why).
    sha256, bytes : str, int
        Hash and size of the file.
    archive_member : str or None
        When the file was extracted from a zip archive, the member name inside the archive
        that ``url`` serves; the sha256 is that of the extracted member.
    upstream : str
        The producer's own page (may be empty when only the package is known).
    repo, commit, repo_path : str
        GitHub repository, commit and path behind ``url``.
    version, coverage, terms : str
        Dataset version, temporal/unit coverage, terms of use as stated.
    cite : tuple of str
        BibTeX keys in ``citations.bib``.
    note : str
        Anything a user must know (extraction, deletion upstream, mirror-only reason).
    """

    name: str
    title: str
    relpath: str
    url: str | None
    sha256: str
    bytes: int
    archive_member: str | None = None
    upstream: str = ""
    repo: str = ""
    commit: str = ""
    repo_path: str = ""
    version: str = ""
    coverage: str = ""
    terms: str = ""
    cite: tuple[str, ...] = field(default_factory=tuple)
    note: str = ""

    @property
    def mirror_only(self) -> bool:
        """True when no public address serves these bytes.

        Examples
        --------
        >>> SOURCES["cow_states"].mirror_only
        False
        """
        return self.url is None


def _load_registry() -> dict[str, Source]:
    text = resources.files("sidepay.data").joinpath("sources.toml").read_text("utf-8")
    table = tomllib.loads(text)
    out: dict[str, Source] = {}
    for name, row in table.items():
        row = dict(row)
        row["url"] = row.get("url") or None
        row["archive_member"] = row.get("archive_member") or None
        row["cite"] = tuple(row.get("cite", ()))
        out[name] = Source(name=name, **row)
    return out


SOURCES: dict[str, Source] = _load_registry()
"""All registered sources by name (see ``sidepay data list``)."""


def get_source(name: str, sources: dict[str, Source] | None = None) -> Source:
    """Look a source up by name, with a one-line error naming the allowed names.

    Examples
    --------
    >>> get_source("cow_majors").relpath
    'peacesciencer/cow_majors.rda'
    >>> get_source("nope")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: unknown data source 'nope'; ...
    """
    registry = SOURCES if sources is None else sources
    try:
        return registry[name]
    except KeyError:
        close = [n for n in registry if name.lower() in n.lower()]
        hint = f"did you mean {', '.join(close[:5])}?" if close else "run `sidepay data list`"
        raise InputError(
            f"unknown data source {name!r}; allowed: one of the {len(registry)} registered "
            f"names ({hint})"
        ) from None


VERB_SOURCES: dict[str, tuple[str, ...]] = {
    "state_years": ("cow_states",),
    "dyad_years": ("cow_states",),
    "add_atop_alliance": ("atop_member_level", "atop_alliance_level"),
    "add_cow_alliance": ("cow_alliance_v41_zip",),
    "add_cow_majors": ("cow_majors", "cow_states"),
    "add_democracy": ("polity5", "gwf_all", "vdem_simple"),
    "add_nmc": ("cow_nmc",),
    "add_ideal_points": ("unga_idealpoints",),
    "add_rivalries": ("td_rivalries",),
    "add_contiguity": ("cow_contdir",),
    "add_minimum_distance": ("cow_mindist",),
    "add_capital_distance": ("cow_capitals",),
    "add_gml_mids": ("gml_mid_ddydisps",),
    "add_cow_wars": ("cow_war_inter",),
    "add_cow_trade": ("cow_trade_sy",),
    "add_country_names": ("cow_states",),
    "add_aid": (
        "greenbook",
        "aiddata_core_dyadic",
        "oecd_dac2a",
        "gcdf3_cow",
        "foreignassistance_country",
    ),
}
"""The registered sources each data verb reads (``sidepay data cite add_nmc``).

Verbs that read no registered file (``add_custom``: your data; ``add_spells``: the frame's
own conflict columns; ``add_per_capita``: the panel's own GDP and population) are not listed; cite what you merged with them.
"""


def cite_sources(names: list[str], sources: dict[str, Source] | None = None) -> list[str]:
    """Source names for a mix of source names and verb names, in order, each once.

    Examples
    --------
    >>> cite_sources(["add_cow_majors", "cow_states", "cow_nmc"])
    ['cow_majors', 'cow_states', 'cow_nmc']
    """
    registry = SOURCES if sources is None else sources
    out: list[str] = []
    for name in names:
        if name in registry:
            chosen: tuple[str, ...] = (name,)
        elif name in VERB_SOURCES:
            chosen = VERB_SOURCES[name]
        elif name in ("add_custom", "add_spells"):
            raise InputError(
                f"{name} reads no registered source (it merges what you give it); cite the "
                "sources of the columns it used"
            )
        else:
            try:
                get_source(name, registry)
            except InputError:
                raise InputError(
                    f"unknown data source or verb {name!r}; allowed: a registered source "
                    f"(`sidepay data list`) or a verb ({', '.join(sorted(VERB_SOURCES))})"
                ) from None
            chosen = (name,)
        out += [c for c in chosen if c not in out]
    return out


@cache
def _bib_entries() -> dict[str, str]:
    text = resources.files("sidepay.data").joinpath("citations.bib").read_text("utf-8")
    entries: dict[str, str] = {}
    for chunk in re.split(r"(?m)^(?=@)", text):
        m = re.match(r"@\w+\{([^,\s]+),", chunk)
        if m:
            entries[m.group(1)] = chunk.strip()
    return entries


def bibtex(names: list[str] | None = None, sources: dict[str, Source] | None = None) -> str:
    """BibTeX entries for the given sources or verbs (all registered sources when ``None``).

    A verb name (``add_nmc``) stands for the sources it reads (:data:`VERB_SOURCES`). Each
    key appears once, in the order first cited.

    Examples
    --------
    >>> print(bibtex(["cow_majors"]).splitlines()[0])
    @misc{cow2017states,
    """
    registry = SOURCES if sources is None else sources
    chosen = list(registry) if names is None else cite_sources(names, registry)
    entries = _bib_entries()
    keys: list[str] = []
    for n in chosen:
        for k in get_source(n, registry).cite:
            if k not in keys:
                keys.append(k)
    missing = [k for k in keys if k not in entries]
    if missing:
        raise InputError(f"citations.bib lacks entries {missing}; add them to the package data")
    return "\n\n".join(entries[k] for k in keys) + "\n"
