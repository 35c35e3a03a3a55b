"""Regression tables exported through maketables, read back: Word, Typst, LaTeX, HTML;
specification curves and KM plots draw; the page has the referee's sections."""

from __future__ import annotations

import html
from pathlib import Path
from types import ModuleType

import pandas as pd

from sidepay.analysis.hypotheses import run_hypotheses
from sidepay.report.outputs import write_exports, write_test_files


def test_exports_read_back(tmp_path: Path, dgp: ModuleType) -> None:
    import docx

    results = run_hypotheses(dgp.make_panel(seed=0), only="H2,H4")
    files = write_exports(tmp_path, results)
    assert {Path(f).suffix for f in files} == {".docx", ".typ", ".tex", ".html"}
    h2 = results[0]
    w = f"{h2.model.term('W').estimate:.3f}"  # type: ignore[union-attr]
    doc = docx.Document(str(tmp_path / "exports" / "H2_real.docx"))
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "W" in cells and any(c.startswith(w) for c in cells)
    for suffix in ("typ", "tex", "html"):
        text = html.unescape((tmp_path / "exports" / f"H2_real.{suffix}").read_text())
        assert w in text and "p < 0.05" in text.replace("\\", "")
    again = tmp_path / "again"
    write_exports(again, results)
    for suffix in ("typ", "tex", "html"):  # same results, same bytes
        a = (tmp_path / "exports" / f"H2_real.{suffix}").read_bytes()
        assert a == (again / "exports" / f"H2_real.{suffix}").read_bytes()
    assert "#table(" in (tmp_path / "exports" / "H2_real.typ").read_text()
    # H4: the hazard part as hazard ratios, the payment part as a second table
    assert (tmp_path / "exports" / "H4_real_part2.docx").exists()


def test_test_out_writes_multiverse_and_curves(tmp_path: Path, dgp: ModuleType) -> None:
    from sidepay.analysis.multiverse import run_multiverse

    panel = dgp.make_panel(seed=1)
    results = run_hypotheses(panel, only="H7")
    mv = run_multiverse(panel, only="H7", primary=results, draws=19, influence=False)
    write_test_files(tmp_path, results, multiverse=mv)
    assert (tmp_path / "multiverse.json").exists()
    assert (tmp_path / "curves" / "H7.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "curves" / "H7.svg").read_text()


def test_descriptives_and_km_sections(dgp: ModuleType) -> None:
    from sidepay.analysis.descriptives import describe_measures
    from sidepay.analysis.kaplan_meier import spell_curves
    from sidepay.report.figures import figure_to_svg
    from sidepay.report.figures_multiverse import kaplan_meier_plot
    from sidepay.report.multiverse_page import descriptives_html, referee_sections

    panel = dgp.make_panel(seed=2)
    table = describe_measures(panel)
    row = table[(table.measure == "side_payment") & (table.patron == "all") & (table.era == "all")]
    assert int(row["n"].iloc[0]) == int(panel["side_payment"].notna().sum())
    assert not table.loc[table.measure == "aid_us", "present"].iloc[0]
    page = descriptives_html(table)
    assert "share non-zero" in page and "not in the panel" in page
    svg = figure_to_svg(kaplan_meier_plot(spell_curves(panel, "patron"), "by patron"))
    secs = referee_sections(reps=20, descriptives=page, survival=[svg])
    assert [s[0] for s in secs] == ["caveats", "descriptives", "survival"]
    assert "REPORT_REPS" in secs[0][2] and "20 replications" in secs[0][2]
    assert isinstance(table, pd.DataFrame)
