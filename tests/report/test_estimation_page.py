"""The page's "Structural estimates" section, estimation.json, and the model's line on the
case timelines (issue 12, items 5 and 7): real fits on small simulated formation panels."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib import pyplot as plt

from sidepay.errors import InputError
from sidepay.estimate.formation import FormationModel, formation_test_panel, simulate_formation
from sidepay.estimate.price import predicted_required_payment
from sidepay.estimate.summary import EstimationSummary, report_estimation, summarize_estimation
from sidepay.report.cases import PREDICTED_LABEL, case_rows, case_timeline
from sidepay.report.html import ReportContent, render_report
from sidepay.report.outputs import write_report_files

TRUTH = {
    "v[USA 1946-1989]": 0.6, "v[USA 1990-]": 0.3, "rho": 0.8, "omega": 0.3, "tau": 0.5,
    "k": 0.4, "beta": 0.6, "sigma_eps": 0.5, "sigma_eta": 0.3,
}  # fmt: skip


@functools.cache
def fitted() -> tuple[FormationModel, pd.DataFrame]:
    panel = simulate_formation(formation_test_panel(100, (1985, 1994), seed=1), TRUTH, seed=2)
    return FormationModel(transform="level").fit(panel), panel


def _summary() -> tuple[EstimationSummary, pd.DataFrame]:
    fit, panel = fitted()
    client = int(sorted(panel["client"].unique())[0])
    return summarize_estimation(
        formation=fit, panel=panel, cases=[(2, client, "USA - first")]
    ), panel


def _legend(fig: plt.Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_page_has_the_section_in_its_contents_with_the_formation_estimates() -> None:
    summary, _ = _summary()
    page = render_report(ReportContent(world="real", estimation=summary))
    assert '<a href="#estimation">Structural estimates</a>' in page
    assert '<h2 id="estimation">Structural estimates</h2>' in page
    section = page[page.index('id="estimation"') : page.index('<h2 id="cases">')]
    rho = next(p for p in summary.formation if p.name == "rho")
    from sidepay.report.tables import fmt_number

    assert "Formation stage by maximum likelihood" in section
    assert f"<td>rho</td><td>{fmt_number(rho.estimate)}</td>" in section
    assert "The price of an ally" in section and "USA - first" in section
    # the maintenance stage did not run: the section says how to run it
    assert "<code>sidepay run --estimate both</code>" in section
    assert "<code>sidepay estimate --stage maintenance --out DIR</code>" in section
    assert "model: required payment" in page  # the case caption says what the line is


def test_estimation_json_is_written_with_the_report_and_matches_the_summary(
    tmp_path: Path,
) -> None:
    summary, _ = _summary()
    content = ReportContent(world="real", estimation=summary)
    files = write_report_files(tmp_path, content, [], {}, {}, {})
    assert "estimation.json" in files and "estimation.json" in content.files
    doc = json.loads((tmp_path / "estimation.json").read_text())
    assert doc == json.loads(json.dumps(summary.to_dict()))  # tuples become lists
    assert [p["name"] for p in doc["formation"]] == [p.name for p in summary.formation]
    assert doc["stages"] == ["formation", "prices"] and doc["payment"] == "side_payment"
    price = doc["prices"][0]
    # a* on the payment column's scale is the untransformed a* (level: the same number)
    assert price["required_level"] == pytest.approx(price["required_payment"])
    assert "estimation.json" in (tmp_path / "index.html").read_text()  # the files list


def test_estimate_none_writes_no_estimation_json_and_says_so(tmp_path: Path) -> None:
    content = ReportContent(world="real", estimate="none")
    files = write_report_files(tmp_path, content, [], {}, {}, {})
    assert "estimation.json" not in files and not (tmp_path / "estimation.json").exists()
    page = (tmp_path / "index.html").read_text()
    assert "Not estimated in this run (<code>--estimate none</code>)" in page
    assert '<div class="estimation-section">' not in page


def test_a_formation_fit_that_fails_is_a_note_never_numbers() -> None:
    _, panel = fitted()
    summary, fit = report_estimation(panel.assign(allied=1), seed=1)  # v not identified
    assert fit is None and summary.formation == [] and summary.prices == []
    page = render_report(ReportContent(world="real", estimation=summary))
    section = page[page.index('id="estimation"') : page.index('<h2 id="cases">')]
    assert "Formation stage: no estimates (no patron x era group" in section
    assert "<table" not in section and "Stages run: none gave estimates." in section
    assert "model: required payment" not in page  # no line on the timelines either


def test_case_timeline_draws_the_predicted_line_only_when_given() -> None:
    fit, panel = fitted()
    client = int(sorted(panel["client"].unique())[0])
    predicted = predicted_required_payment(fit, panel, level=True)
    pair = (panel["patron"] == 2) & (panel["client"] == client)
    predicted[pair & (panel["year"] == 1990)] = np.nan  # a missing year stays a gap
    fig = case_timeline(panel, 2, client, predicted=predicted)
    assert PREDICTED_LABEL in _legend(fig) and "side payment" in _legend(fig)
    line = next(ln for ln in fig.axes[0].get_lines() if ln.get_label() == PREDICTED_LABEL)
    years = np.asarray(line.get_xdata(), dtype=float)
    y = np.asarray(line.get_ydata(), dtype=float)
    expected = predicted[pair].set_axis(panel.loc[pair, "year"]).sort_index()
    np.testing.assert_allclose(years, expected.index.to_numpy(dtype=float))
    np.testing.assert_allclose(y, expected.to_numpy(), equal_nan=True)
    assert np.isnan(y[years == 1990]).all() and np.isfinite(y[years != 1990]).all()
    observed = next(ln for ln in fig.axes[0].get_lines() if ln.get_label() == "side payment")
    rows = case_rows(panel, 2, client)
    np.testing.assert_allclose(observed.get_ydata(), rows["side_payment"], equal_nan=True)
    plt.close(fig)
    plain = case_timeline(panel, 2, client)
    assert PREDICTED_LABEL not in _legend(plain)
    assert all(ln.get_label() != PREDICTED_LABEL for ln in plain.axes[0].get_lines())
    plt.close(plain)


def test_predicted_must_be_a_series_indexed_like_the_panel() -> None:
    _, panel = fitted()
    client = int(panel["client"].iloc[0])
    with pytest.raises(InputError, match="predicted= must be a pandas Series"):
        case_timeline(panel, 2, client, predicted=np.zeros(len(panel)))  # type: ignore[arg-type]
    twice = pd.Series([1.0, 2.0], index=[panel.index[0]] * 2)
    with pytest.raises(InputError, match="predicted="):
        case_rows(panel, 2, client, predicted=twice)
