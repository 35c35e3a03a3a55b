"""The sources registry against the shared data mirror and its manifest."""

from __future__ import annotations

import csv
import hashlib
import os
import re
from pathlib import Path

import pytest

from sidepay.data.sources import SOURCES, _bib_entries, bibtex, get_source
from sidepay.errors import InputError

MIRROR = Path(os.environ["SIDEPAY_MIRROR"])
RAW = re.compile(r"^https://raw\.githubusercontent\.com/([^/]+/[^/]+)/([0-9a-f]{40})/(.+)$")


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_registered_hash_matches_mirror(name: str) -> None:
    src = SOURCES[name]
    path = MIRROR / src.relpath
    assert path.is_file(), f"mirror lacks {src.relpath}"
    assert path.stat().st_size == src.bytes
    assert _sha(path) == src.sha256


def test_every_manifest_file_is_registered() -> None:
    manifest = MIRROR / "MANIFEST.tsv"
    if not manifest.is_file():
        pytest.skip("mirror has no MANIFEST.tsv")
    with open(manifest, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    by_rel = {s.relpath: s for s in SOURCES.values()}
    for row in rows:
        rel = row["local_path"].removeprefix("shared/data/")
        assert rel in by_rel, rel
        assert by_rel[rel].sha256 == row["sha256"]
        assert by_rel[rel].bytes == int(row["bytes"])


def test_urls_are_commit_pinned_and_consistent() -> None:
    for src in SOURCES.values():
        if src.mirror_only:
            assert "mirror-only" in src.note, src.name
            continue
        m = RAW.match(str(src.url))
        assert m, src.url
        assert (m.group(1), m.group(2), m.group(3)) == (src.repo, src.commit, src.repo_path)
        if src.archive_member:
            assert src.repo_path.endswith(".zip") and "extracted" in src.note


def test_required_families_present() -> None:
    wanted = {
        "atop_member_level", "atop_alliance_level", "cow_alliance_v41_zip", "cow_majors",
        "cow_states", "cow_nmc", "atop_alliance", "td_rivalries", "tss_rivalries", "terrthreat",
        "gml_mid_ddydisps", "archigos", "leader_codes", "cw_gdppop", "polity5", "gwf_all",
        "vdem_simple", "gwf_regimes_dta", "chisols", "unga_idealpoints", "greenbook", "sipri_tiv",
        "sipri_tiv_tables_zip", "aiddata_core_dyadic", "oecd_dac2a", "troopdata_rebuild_long",
        "states_cowstates",
    }  # fmt: skip
    assert wanted <= set(SOURCES)


def test_every_source_has_provenance_and_citations() -> None:
    entries = _bib_entries()
    for src in SOURCES.values():
        assert src.version and src.coverage and src.terms, src.name
        if src.name not in {"ps_bib", "ps_data_version", "democracy_info"}:
            assert src.cite, src.name
        for key in src.cite:
            assert key in entries, (src.name, key)


def test_bibtex_dedupes_and_validates() -> None:
    text = bibtex(["polity5", "gwf_all", "vdem_simple"])
    keys = re.findall(r"^@\w+\{([^,]+),", text, flags=re.M)
    assert keys == [
        "marshall2020polity5",
        "marquez_democracydata",
        "geddes2014autocratic",
        "coppedge2025vdem",
    ]
    assert text.count("{") == text.count("}")
    with pytest.raises(InputError, match="unknown data source"):
        get_source("polity6")
