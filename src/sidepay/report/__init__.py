"""sidepay.report: tables, figures, the HTML page and the report folder, from typed results.

Everything arrives computed (``sidepay.analysis`` results, ``sidepay.theory`` curves);
nothing here computes a statistic or imports ``sidepay.data`` or ``sidepay.sim``. Names
are imported on first use, so ``import sidepay.report`` stays cheap.

Examples
--------
>>> import sidepay.report as report
>>> report.fmt_p(0.0412)
'0.041'
>>> "render_report" in report.__all__
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sidepay.lazy import lazy_exports

if TYPE_CHECKING:
    from sidepay.report.cases import CASES, case_rows, case_timeline, resolve_state
    from sidepay.report.figures import coefficient_plot, figure_to_svg, statics_plot
    from sidepay.report.html import (
        CaseFigure,
        HypothesisSection,
        ReportContent,
        StaticsFigure,
        dumps_json,
        finite_or_none,
        group_results,
        render_report,
        result_record,
        results_document,
        sanitize_table_html,
    )
    from sidepay.report.outputs import (
        hypothesis_rows,
        result_variables,
        write_report_files,
        write_test_files,
    )
    from sidepay.report.provenance import bibtex, collect_provenance, sources_for
    from sidepay.report.summary import recovery_markdown, results_summary_html, summary_tables
    from sidepay.report.tables import (
        TABLE_SUFFIX,
        RegressionColumn,
        fmt_number,
        fmt_p,
        regression_tables,
        render_all,
        render_html,
        render_latex,
        render_markdown,
        tex_escape,
    )

_WHERE = {
    "CASES": "cases",
    "case_rows": "cases",
    "case_timeline": "cases",
    "resolve_state": "cases",
    "coefficient_plot": "figures",
    "figure_to_svg": "figures",
    "statics_plot": "figures",
    "CaseFigure": "html",
    "HypothesisSection": "html",
    "ReportContent": "html",
    "StaticsFigure": "html",
    "dumps_json": "html",
    "finite_or_none": "html",
    "group_results": "html",
    "render_report": "html",
    "result_record": "html",
    "results_document": "html",
    "sanitize_table_html": "html",
    "hypothesis_rows": "outputs",
    "result_variables": "outputs",
    "write_report_files": "outputs",
    "write_test_files": "outputs",
    "bibtex": "provenance",
    "collect_provenance": "provenance",
    "sources_for": "provenance",
    "recovery_markdown": "summary",
    "results_summary_html": "summary",
    "summary_tables": "summary",
    "TABLE_SUFFIX": "tables",
    "RegressionColumn": "tables",
    "fmt_number": "tables",
    "fmt_p": "tables",
    "regression_tables": "tables",
    "render_all": "tables",
    "render_html": "tables",
    "render_latex": "tables",
    "render_markdown": "tables",
    "tex_escape": "tables",
}

__all__ = [
    "CASES",
    "TABLE_SUFFIX",
    "CaseFigure",
    "HypothesisSection",
    "RegressionColumn",
    "ReportContent",
    "StaticsFigure",
    "bibtex",
    "case_rows",
    "case_timeline",
    "coefficient_plot",
    "collect_provenance",
    "dumps_json",
    "figure_to_svg",
    "finite_or_none",
    "fmt_number",
    "fmt_p",
    "group_results",
    "hypothesis_rows",
    "recovery_markdown",
    "regression_tables",
    "render_all",
    "render_html",
    "render_latex",
    "render_markdown",
    "render_report",
    "resolve_state",
    "result_record",
    "result_variables",
    "results_document",
    "results_summary_html",
    "sanitize_table_html",
    "sources_for",
    "statics_plot",
    "summary_tables",
    "tex_escape",
    "write_report_files",
    "write_test_files",
]


__getattr__, __dir__ = lazy_exports(__name__, {n: f".{m}" for n, m in _WHERE.items()})
