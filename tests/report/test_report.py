"""The report renders what the library computed, escapes data, and fetches nothing."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib import pyplot as plt
from matplotlib.collections import LineCollection

from sidepay.analysis.result import Coverage, HypothesisResult, ModelSummary, Part, Term
from sidepay.errors import InputError
from sidepay.report.cases import CASES, case_rows, case_timeline, resolve_state
from sidepay.report.figures import coefficient_plot, figure_to_svg, statics_plot
from sidepay.report.html import (
    CaseFigure,
    ReportContent,
    dumps_json,
    group_results,
    render_report,
    results_document,
    sanitize_table_html,
    summary_tables,
)
from sidepay.report.outputs import hypothesis_rows, result_variables
from sidepay.report.provenance import bibtex, collect_provenance, software_versions
from sidepay.report.summary import results_summary_html
from sidepay.report.tables import RegressionColumn, regression_tables, render_all

EVIL = '<script>alert("x")</script><img src="http://evil.example/x.png">'

# what great_tables / pandas Styler put in front of a table: a remote font and a stylesheet
REMOTE_TABLE = (
    '<style>@import url("https://fonts.googleapis.com/css2?family=IBM+Plex+Mono");'
    "#t td {color: red}</style>"
    '<link rel="stylesheet" href="https://cdn.example/x.css">'
    '<table id="t" class="regression-table" style="background:url(https://x/y.png)">'
    "<caption>Model &amp; test</caption><tr><th>W</th>"
    '<td onclick="steal()" colspan="2">0.12***<script>alert(1)</script></td></tr></table>'
)


def result(
    h: str = "H2",
    world: str = "real",
    estimate: float | None = 0.5,
    verdict: str = "supported",
    **kw: object,
) -> HypothesisResult:
    base: dict[str, object] = dict(
        hypothesis=h,
        title=f"Title {h}",
        world=world,
        outcome="side_payment",
        regressor="W",
        expected_sign=1,
        estimator="feols",
        estimate=estimate,
        std_error=None if estimate is None else 0.1,
        conf_low=None if estimate is None else estimate - 0.2,
        conf_high=None if estimate is None else estimate + 0.2,
        p_value=None if estimate is None else 0.01,
        n_obs=1234,
        n_events=None,
        verdict=verdict,
        reason="positive as predicted",
        prediction="Side payments rise with W.",
    )
    base.update(kw)
    return HypothesisResult(**base)  # type: ignore[arg-type]


def test_sanitizer_keeps_the_table_and_drops_everything_that_could_fetch_or_run() -> None:
    clean = sanitize_table_html(REMOTE_TABLE)
    assert "<table" in clean and '<td colspan="2">0.12***</td>' in clean
    assert "Model &amp; test" in clean
    for bad in ("@import", "googleapis", "<style", "<link", "onclick", "<script", "url(", "http"):
        assert bad not in clean, bad


def test_data_derived_strings_are_escaped_everywhere() -> None:
    second = result(hypothesis=EVIL, title=EVIL, outcome=EVIL, regressor=EVIL, reason=EVIL)
    secondary = replace(second, verdict=EVIL)  # type: ignore[arg-type]
    # the regression table is rendered from the model, whose names come from the data
    model = ModelSummary(
        estimator=EVIL, formula=EVIL, vcov=EVIL, sample=EVIL,
        terms=(Term(EVIL, 0.5, 0.1, 0.3, 0.7, 0.01),), n_obs=10, fixed_effects=(EVIL,),
    )  # fmt: skip
    r = result(
        title=EVIL,
        reason=EVIL,
        prediction=EVIL,
        model=model,
        notes=(EVIL,),
        secondary=(secondary,),
        parts=(Part("secondary", EVIL, EVIL, EVIL, EVIL, EVIL, None, None, None, None, None,
                    0, None, "inconclusive", EVIL),),
    )  # fmt: skip
    assert "&lt;script&gt;" in regression_tables(r)["html"]  # term names are escaped
    sections = group_results([r, result(world="simulated", regressor=EVIL, outcome=EVIL)])
    # a case figure whose data-derived labels (state names, aid source) carry markup
    panel = pd.DataFrame({"patron": [2, 2], "client": [770, 770], "year": [1990, 1991],
                          "aid_other": [1.0, 2.0], "aid_other_source": [EVIL, EVIL],
                          "allied": [1, None]})  # fmt: skip
    case_svg = figure_to_svg(case_timeline(panel, 2, 770, names={2: EVIL, 770: EVIL}))
    for s in sections:  # figures carry data-derived labels too (axis label from the names)
        s.svg = figure_to_svg(coefficient_plot(s.results))
    content = ReportContent(
        sections=sections,
        cases=[CaseFigure(EVIL, EVIL, None, EVIL), CaseFigure(EVIL, EVIL, case_svg)],
        notes=[EVIL],
        provenance={
            "data": [{"name": EVIL, "version": EVIL, "relpath": EVIL, "sha256": EVIL}],
            "citations": EVIL,
        },
    )
    page = render_report(content)
    assert "<script" not in page
    assert "<img" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    # nothing on the page can ask another host for anything
    # (inside a tag: escaped text such as '&lt;img src="http://..."&gt;' is only text)
    assert not re.search(r"""<[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page
    assert not re.search(r"url\((?!#)", page)  # only in-page references (SVG clip paths)


def test_page_shows_the_estimates_it_was_given() -> None:
    rs = [
        result("H2", "real", 0.4321),
        result("H2", "simulated", -0.9876, "contrary"),
        result("H10", "real", None, "inconclusive"),
    ]
    page = render_report(ReportContent(sections=group_results(rs)))
    assert "0.432" in page and "-0.988" in page and "no estimate" in page
    assert page.index('id="h2"') < page.index('id="h10"')
    assert "contrary" in page and "does" not in page.split("Summary of verdicts")[0]


def test_results_json_is_valid_json_without_nan() -> None:
    r = result(estimate=float("nan"), hazard_ratio=np.float64("inf"))
    text = dumps_json(results_document([r], {"seed": 3, "a": np.arange(2)}))
    doc = json.loads(text)
    assert doc["meta"] == {"seed": 3, "a": [0, 1]}
    assert doc["results"][0]["estimate"] is None
    assert doc["results"][0]["details"] == {"notes": [], "hazard_ratio": None}
    assert "NaN" not in text and "Infinity" not in text


def test_summary_tables_three_formats_agree() -> None:
    rs = [result("H1"), result("H2", "simulated", -1.5, "contrary", outcome="log_side_payment")]
    t = summary_tables(rs)
    assert t["markdown"].count("\n| H") == 2
    assert r"log\_side\_payment" in t["latex"] and t["latex"].count(r"\\") == 3
    assert t["html"].count("<tr>") == 3  # the header row and two results
    for fmt in t.values():
        assert "-1.5" in fmt.replace("$-$", "-").replace("−", "-")


def test_svg_is_inline_ready_and_deterministic() -> None:
    rs = [result(), result(world="simulated", estimate=0.2)]
    a = figure_to_svg(coefficient_plot(rs))
    b = figure_to_svg(coefficient_plot(rs))
    assert a == b
    assert a.startswith("<svg") and "<!DOCTYPE" not in a and "<?xml" not in a
    assert 'class="fig"' in a and "viewBox" in a


def test_coefficient_plot_draws_what_it_is_given() -> None:
    fig = coefficient_plot([result(estimate=0.7), result(world="simulated", estimate=None)])
    assert len(fig.axes) == 2  # one axis per world: their units differ
    ax = fig.axes[0]
    xs = [x for line in ax.get_lines() for x in np.atleast_1d(line.get_xdata())]
    assert 0.7 in xs and pytest.approx(0.5) in xs and pytest.approx(0.9) in xs
    assert any("no estimate" in t.get_text() for t in fig.axes[1].texts)
    assert "real units" in ax.get_xlabel() and "simulated units" in fig.axes[1].get_xlabel()
    plt.close(fig)


def test_statics_plot_uses_the_curves_given() -> None:
    x = np.linspace(0.1, 1, 7)
    fig = statics_plot({"W": x, "required_payment": 2 * x, "label": "not an array"}, "W")
    (line,) = [ln for ln in fig.axes[0].get_lines() if ln.get_label() == "required_payment"]
    np.testing.assert_allclose(np.asarray(line.get_ydata(), dtype=float), 2 * x)
    plt.close(fig)


def _panel() -> pd.DataFrame:
    years = np.arange(1950, 1961)
    return pd.DataFrame({
        "patron": 2, "client": 770, "year": years,
        "allied": (years >= 1954).astype(int),
        "aid_econ": np.where(years < 1953, np.nan, 100.0 + years - 1950),
        "arms_tiv": np.where(years < 1955, np.nan, 5.0),
        "divergence": np.linspace(1, 2, len(years)),
        "W": 0.25,
        "formation": (years == 1954).astype(int),
        "regime_change": (years == 1958).astype(int),
        "leader_change": (years == 1951).astype(int),
    })  # fmt: skip


def test_case_timeline_keeps_gaps_outside_coverage_and_marks_events() -> None:
    fig = case_timeline(_panel(), 2, 770, names={2: "USA", 770: "PAK"})
    ax_pay = fig.axes[0]
    aid = next(ln for ln in ax_pay.get_lines() if ln.get_label() == "US economic aid")
    y = np.asarray(aid.get_ydata(), dtype=float)
    assert np.isnan(y[:3]).all() and y[3] == 103.0  # missing aid is a gap, not a zero
    marked = {
        c.get_label(): sorted({float(seg[0][0]) for seg in c.get_segments()})
        for c in ax_pay.collections
        if isinstance(c, LineCollection) and c.get_label() in ("regime_change", "leader_change")
    }
    assert marked == {"regime_change": [1958.0], "leader_change": [1951.0]}
    assert fig.get_suptitle() == "USA - PAK"
    plt.close(fig)


def test_case_rows_unknown_pair_is_one_line_input_error() -> None:
    with pytest.raises(InputError) as err:
        case_rows(_panel(), 365, 770)
    assert "\n" not in str(err.value)


def test_resolve_state_against_the_real_cow_list() -> None:
    from sidepay.data.readers.states import cow_states

    states = cow_states()
    for case in CASES:
        assert resolve_state(case.patron_abb, states) == (case.patron, case.patron_abb)
        assert resolve_state(str(case.client), states) == (case.client, case.client_abb)
    with pytest.raises(InputError, match="unknown state 'ATLANTIS'"):
        resolve_state("ATLANTIS", states)


def test_provenance_records_sources_software_and_seed() -> None:
    from sidepay.data.sources import SOURCES
    from sidepay.data.sources import bibtex as source_bibtex

    names = ["cow_states", "cow_majors"]
    p = collect_provenance(
        SOURCES,
        seed=7,
        years=(1950, 1960),
        world="real",
        used=names,
        citations=source_bibtex(names),
        parameters={"rho": 1.0},
    )
    assert [d["name"] for d in p["data"]] == names
    assert p["data"][0]["sha256"] == SOURCES["cow_states"].sha256
    assert p["seed"] == 7 and p["parameters"] == {"rho": 1.0}
    assert bibtex(p).startswith("@") and bibtex(p).endswith("\n")
    assert software_versions()["numpy"] == np.__version__
    json.dumps(p)  # JSON-able as it stands
    assert not math.isnan(float(p["years"][0]))


def test_every_source_named_for_a_column_is_registered() -> None:
    from sidepay.data.sources import SOURCES
    from sidepay.report.provenance import COLUMN_SOURCES, sources_for

    named = {n for names in COLUMN_SOURCES.values() for n in names}
    assert named <= set(SOURCES), named - set(SOURCES)
    assert "greenbook" in sources_for(["aid_econ"])
    assert "unga_idealpoints" in sources_for(["divergence"])
    assert "unga_idealpoints" not in sources_for(["W"])
    assert "archigos" in sources_for(["recent_leader_only_change"])
    # the side payment is aid by default (issue 10); arms transfers are their own measure
    assert "greenbook" in sources_for(["log_payment_at_formation"])
    assert "sipri_tiv_tables_zip" in sources_for(["arms_tiv"])


def test_summary_has_a_column_pair_per_world_present() -> None:
    only_sim = render_report(ReportContent(sections=group_results([result(world="simulated")])))
    assert "Simulated world: estimate" in only_sim and "Real data: estimate" not in only_sim
    both = render_report(
        ReportContent(sections=group_results([result("H1", "simulated"), result("H2", "real")]))
    )
    assert both.index("Real data: estimate") < both.index("Simulated world: estimate")
    assert both.count(">not run<") == 2  # H1 has no real result, H2 no simulated one


def _estimated(h: str = "H4", **kw: Any) -> HypothesisResult:
    model = ModelSummary(
        "cox", "Surv(start, stop, e) ~ divergence + _py0", "robust by client_id", "allied",
        (Term("divergence", 0.8, 0.2, 0.4, 1.2, 0.001), Term("_py0", 1.0, 0.1, 0.8, 1.2, 0.0)),
        n_obs=1234, n_events=56, n_clusters=78, fixed_effects=("strata(patron)",),
    )  # fmt: skip
    return result(h, estimate=0.8, model=model, controls=("W",), **kw)


def test_regression_tables_are_rendered_from_the_typed_result() -> None:
    r = _estimated(coverage=Coverage(years=(1950, 1989), n_clients=78))
    t = regression_tables(r)
    assert set(t) == {"html", "latex", "markdown"}
    # Cox: hazard ratio exp(0.8) with its interval; p = 0.001 is ** (stars start at 5%)
    assert "| divergence | 2.226** |" in t["markdown"] and "_py0" not in t["markdown"]
    assert "[1.492, 3.320]" in t["markdown"] and "p < 0.05" in t["markdown"]
    assert "| events | 56 |" in t["markdown"] and "| clusters | 78 |" in t["markdown"]
    assert "| fixed effects | strata(patron) |" in t["markdown"]
    assert t["markdown"].startswith("**Title H4**")
    assert regression_tables(result(estimate=None)) == {}
    # a multi-part result: one table per estimated part, captioned with the part's title
    part = replace(_estimated("H4b"), title="Payments part")
    multi = replace(r, secondary=(part,), parts=(Part("primary", "H4a", "a", "y", "x",
        "cox", 0.8, 0.2, 0.4, 1.2, 0.001, 1234, 56, "supported", ""),))  # fmt: skip
    md = regression_tables(multi)["markdown"]
    assert md.startswith("**Title H4**") and "\n\n**Payments part**\n" in md and "(1) H4b" in md
    doc = results_document([multi], {})["results"][0]
    assert doc["tables"] == regression_tables(multi)
    assert doc["details"]["secondary"][0]["tables"] == {}
    assert doc["coverage"] == {"years": [1950, 1989], "n_clients": 78}
    assert "tables" not in hypothesis_rows([multi])[0]
    assert result_variables(multi) == ["side_payment", "W", "W", "side_payment", "W", "W"]


def test_notebook_summary_is_one_row_per_result() -> None:
    rs = [_estimated("H2"), result("H<3>", estimate=None, verdict="inconclusive")]
    page = results_summary_html(rs)
    assert page.count("<tr>") == 3 and "regression-table" not in page
    assert "H&lt;3&gt;" in page and "<td>[0.6, 1]</td>" in page and "<td>0.010</td>" in page
    heads = re.findall(r"<th>([^<]*)</th>", page)
    assert heads == ["hypothesis", "world", "estimate", "95% interval", "p", "N", "verdict"]
    assert rs[0]._repr_html_() == results_summary_html(rs[:1])


def test_report_package_exports_lazily() -> None:
    import subprocess
    import sys

    import sidepay.analysis
    import sidepay.report

    for pkg in (sidepay.analysis, sidepay.report):
        for name in pkg.__all__:
            assert getattr(pkg, name) is not None, (pkg.__name__, name)
        with pytest.raises(AttributeError):
            _ = pkg.no_such_name
    code = (
        "import sys, sidepay.analysis, sidepay.report; "
        "print(any(m in sys.modules for m in ('pandas', 'jinja2', 'matplotlib', 'scipy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_tables_render_every_format() -> None:
    cols = [
        RegressionColumn(
            "H2_a", "feols", {"W": (0.8, 0.2, 0.001), "x&y": (0.1, 0.2, 0.6)}, {"N": "10"}
        ),
        RegressionColumn("H2 b", "feols", {"W": (0.5, 0.3, 0.09)}),
    ]
    t = render_all(cols, caption="Price & W")
    assert r"H2\_a" in t["latex"] and r"x\&y" in t["latex"] and "0.800$^{**}$" in t["latex"]
    assert "0.500 " in t["latex"] and "0.500$" not in t["latex"]  # p = 0.09: no star
    assert "x&amp;y" in t["html"] and "<caption>Price &amp; W</caption>" in t["html"]
    assert "| W | 0.800** | 0.500 |" in t["markdown"]
    assert "|  | (0.200) | (0.300) |" in t["markdown"]
