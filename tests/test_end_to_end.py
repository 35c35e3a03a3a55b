"""`sidepay run` end to end on the shared data mirror, and `--world simulated` offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sidepay.cli import main
from sidepay.report.cases import CASES
from sidepay.report.html import fmt_number

HYPOTHESES = [f"H{i}" for i in range(1, 9)]


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("e2e") / "report"
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        code = main(["run", "--out", str(out), "--quiet", "--reps", "5", "--seed", "3"])
    assert code == 0
    return out, buf.getvalue()


@pytest.mark.slow
def test_run_writes_every_output(full_run: tuple[Path, str]) -> None:
    out, printed = full_run
    for rel in ("index.html", "results.json", "panel.parquet", "panel_simulated.parquet",
                "provenance.json", "citations.bib", "tables/summary.html", "tables/summary.tex",
                "tables/summary.md", ".sidepay-report"):  # fmt: skip
        assert (out / rel).is_file(), rel
    assert [p.name for p in out.parent.iterdir()] == ["report"]  # no temp folder left
    assert "Verdicts" in printed and "H8" in printed and "index.html" in printed


@pytest.mark.slow
def test_results_are_complete_and_consistent(full_run: tuple[Path, str]) -> None:
    out, _ = full_run
    doc = json.loads((out / "results.json").read_text())
    assert doc["meta"]["seed"] == 3 and doc["meta"]["world"] == "both"
    got = {(r["hypothesis"], r["world"]) for r in doc["results"]}
    assert got == {(h, w) for h in HYPOTHESES for w in ("real", "simulated")}
    page = (out / "index.html").read_text()
    summary_md = (out / "tables/summary.md").read_text()
    for r in doc["results"]:
        assert r["verdict"] in ("supported", "contrary", "inconclusive")
        if r["estimate"] is not None:
            assert r["conf_low"] <= r["estimate"] <= r["conf_high"]
            assert fmt_number(r["estimate"]) in page  # the page shows what was computed
            assert fmt_number(r["estimate"]) in summary_md
        for fmt, suffix in (("html", "html"), ("latex", "tex"), ("markdown", "md")):
            if fmt in r["tables"]:
                path = out / "tables" / f"{r['hypothesis']}_{r['world']}.{suffix}"
                assert path.read_text() == r["tables"][fmt]


@pytest.mark.slow
def test_results_json_matches_a_fresh_estimate_on_the_written_panel(
    full_run: tuple[Path, str],
) -> None:
    from sidepay.analysis.hypotheses import run_hypotheses

    out, _ = full_run
    panel = pd.read_parquet(out / "panel.parquet")
    assert not panel.duplicated(["patron", "client", "year"]).any()
    assert panel["year"].between(1946, 2020).all()
    doc = json.loads((out / "results.json").read_text())
    stored = next(r for r in doc["results"] if r["hypothesis"] == "H2" and r["world"] == "real")
    (fresh,) = run_hypotheses(panel, world="real", only=["H2"])
    assert fresh.n_obs == stored["n_obs"]
    assert fresh.estimate == pytest.approx(stored["estimate"], rel=1e-9)


@pytest.mark.slow
def test_report_has_cases_coverage_and_provenance(full_run: tuple[Path, str]) -> None:
    from sidepay.data.sources import SOURCES

    out, _ = full_run
    page = (out / "index.html").read_text()
    for case in CASES:
        assert f"{case.title} ({case.patron_abb} {case.patron}" in page
    assert page.count('<svg class="fig"') + page.count("<svg ") >= 8 + 3 + len(CASES)
    for h in HYPOTHESES:
        assert f'id="{h.lower()}"' in page
    assert "Seed claims" in page.replace("SEED CLAIMS", "Seed claims")
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["seed"] == 3 and prov["years"] == [1946, 2020]
    assert {d["name"]: d["sha256"] for d in prov["data"]} == {
        n: s.sha256 for n, s in SOURCES.items()
    }
    assert prov["software"]["sidepay"] != "not installed"
    assert (out / "citations.bib").read_text().count("@") >= 5
    meta = json.loads((out / "results.json").read_text())["meta"]
    h2 = meta["sources_by_result"]["H2/real"]  # log_side_payment ~ W + ... (aid, issue 10)
    assert {"greenbook", "polity5", "gwf_all"} <= set(h2)
    assert "sipri_tiv_tables_zip" in page and "Sources verified for this run (" in page


@pytest.mark.slow
def test_report_shows_the_structural_estimates_of_the_real_panel(
    full_run: tuple[Path, str],
) -> None:
    """The default ``--estimate formation``: the one run that fits the real panel."""
    out, printed = full_run
    doc = json.loads((out / "estimation.json").read_text())
    assert doc["stages"] == ["formation", "prices", "forecast"] and doc["maintenance"] == []
    assert doc["payment"] == "side_payment" and doc["formation_n"] > 10_000
    page = (out / "index.html").read_text()
    section = page[page.index('<h2 id="estimation">') : page.index('<h2 id="cases">')]
    for p in doc["formation"]:
        assert f"<td>{p['name']}</td><td>{fmt_number(p['estimate'])}</td>" in section
    rho = next(p for p in doc["formation"] if p["name"] == "rho")
    assert rho["note"].startswith("profile interval") and rho["lower"] < rho["estimate"]
    assert [c["label"] for c in doc["prices"]] == [c.title for c in CASES]
    assert {f["target"] for f in doc["forecasts"]} >= {"termination"}
    assert "<code>sidepay run --estimate both</code>" in section
    # every case drawn from the real panel carries the model's line
    assert page.count(">model: required payment<") == len(CASES)
    assert "Structural estimates (formation)" in printed


@pytest.mark.slow
def test_case_command_draws_a_real_pair(tmp_path: Path) -> None:
    svg = tmp_path / "usa-pak.svg"
    assert main(["case", "USA", "770", "--out", str(svg), "--years", "1950:1980"]) == 0
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "USA - PAK" in text
    assert [p.name for p in tmp_path.iterdir()] == ["usa-pak.svg"]


OFFLINE = """
import sys
from sidepay.study import run_all
run_all(sys.argv[1], world="simulated", seed=4, reps=3, quiet=True)
leaked = sorted(m for m in sys.modules if m.startswith("sidepay.data"))
assert not leaked, leaked
"""


@pytest.mark.slow
def test_simulated_world_runs_offline_and_is_reproducible(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SIDEPAY_MIRROR": str(tmp_path / "no-mirror"),
        "SIDEPAY_DATA_DIR": str(tmp_path / "no-cache"),
        "SIDEPAY_BASE_URL": "http://127.0.0.1:9",  # nothing listens there
        "SOURCE_DATE_EPOCH": "1767225600",  # 2026-01-01 00:00 UTC
    }
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        proc = subprocess.run([sys.executable, "-c", OFFLINE, str(out)], env=env,
                              capture_output=True, text=True, check=False, timeout=600)  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-2000:]
    a, b = outs
    # same seed, same bytes: every file (the page too, its time fixed by SOURCE_DATE_EPOCH)
    # except the command line in provenance.json, which names the output folder
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert Path("results.json") in files and Path("index.html") in files
    for rel in files:
        if rel.name != "provenance.json":
            assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    pa, pb = (json.loads((d / "provenance.json").read_text()) for d in outs)
    assert pa.pop("command") != pb.pop("command") and pa == pb
    assert pa["generated"] == "2026-01-01 00:00 UTC"
    assert not (a / "panel.parquet").exists()
    assert not (tmp_path / "no-cache").exists()
    doc = json.loads((a / "results.json").read_text())
    assert {r["world"] for r in doc["results"]} == {"simulated"}
    assert "Real data were not used" in (a / "index.html").read_text()


@pytest.mark.slow
def test_every_panel_column_names_its_sources(full_run: tuple[Path, str]) -> None:
    """COLUMN_SOURCES covers the real panel as built now (aid_recorded and every extra)."""
    from sidepay.data.sources import SOURCES
    from sidepay.report.provenance import COLUMN_SOURCES

    out, _ = full_run
    columns = pd.read_parquet(out / "panel.parquet").columns
    assert [c for c in columns if c not in COLUMN_SOURCES] == []
    assert {s for c in columns for s in COLUMN_SOURCES[c]} <= set(SOURCES)


@pytest.mark.slow
def test_page_says_where_the_alliance_data_stop(full_run: tuple[Path, str]) -> None:
    from sidepay.data.pacts import ATOP51_END as ATOP_END  # ATOP 5.1 extends 4.01 to 2018

    out, _ = full_run
    page = (out / "index.html").read_text()
    assert f"Alliance data stop in {ATOP_END}" in page
    panel = pd.read_parquet(out / "panel.parquet", columns=["year", "allied"])
    assert panel.loc[panel["allied"].notna(), "year"].max() == ATOP_END  # what the note says
    doc = json.loads((out / "results.json").read_text())
    for r in doc["results"]:  # no real estimate claims alliance years the data lack
        if r["world"] == "real":
            assert r["coverage"]["years"][1] <= ATOP_END, r["hypothesis"]
