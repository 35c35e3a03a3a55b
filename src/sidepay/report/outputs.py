"""The files a report folder and a ``sidepay test --out`` folder hold (writing only).

:func:`write_report_files` fills the temporary folder of ``sidepay run`` (the caller swaps
it into place); :func:`write_test_files` writes ``hypotheses.json`` and the regression
tables of ``sidepay test --out``. Both only format and write what the analysis returned.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sidepay.analysis.result import HypothesisResult
from sidepay.atomic import write_text_atomic
from sidepay.outpaths import MARKER
from sidepay.report.tables import TABLE_SUFFIX, regression_tables


def write_report_files(
    tmp: Path,
    content: Any,
    results: Sequence[HypothesisResult],
    panels: dict[str, pd.DataFrame],
    provenance: dict[str, Any],
    meta: dict[str, Any],
) -> list[str]:
    """Write every file of the report into ``tmp``; return their relative paths, sorted."""
    from sidepay.report.html import dumps_json, render_report, results_document
    from sidepay.report.provenance import bibtex
    from sidepay.report.summary import summary_tables

    files: list[str] = []

    def put(rel: str, text: str) -> None:
        write_text_atomic(tmp / rel, text)
        files.append(rel)

    from sidepay.export import write_table

    for name, frame in panels.items():
        stem = "panel" if name == "real" else f"panel_{name}"
        # the same panel for Python (Parquet), Stata (.dta, labelled) and R (.rds)
        for suffix in (".parquet", ".dta", ".rds"):
            write_table(frame, tmp / f"{stem}{suffix}", param="out")
            files.append(f"{stem}{suffix}")
    for fmt, text in summary_tables(results).items():
        put(f"tables/summary.{TABLE_SUFFIX[fmt]}", text)
    for r in results:
        for fmt, text in regression_tables(r).items():
            put(f"tables/{r.hypothesis}_{r.world}.{TABLE_SUFFIX[fmt]}", text)
    files += write_exports(tmp, results)
    if getattr(content, "multiverse", None) is not None:
        files += write_multiverse_files(tmp, content.multiverse)
    if getattr(content, "estimation", None) is not None:  # the section's numbers
        put("estimation.json", dumps_json(content.estimation.to_dict()))
    put("results.json", dumps_json(results_document(results, meta)))
    put("provenance.json", dumps_json(provenance))
    put("citations.bib", bibtex(provenance))
    content.files = sorted([*files, "index.html"])
    put("index.html", render_report(content))
    put(MARKER, "This folder was written by `sidepay run`; it is replaced on the next run.\n")
    return sorted(files)


def result_variables(result: HypothesisResult) -> list[str]:
    """Panel variables an estimate used: outcome, regressor, controls, secondary tests'.

    Examples
    --------
    >>> r = HypothesisResult("H2", "t", "real", "log_side_payment", "W", 1, "feols", 0.5,
    ...     0.1, 0.3, 0.7, 0.01, 100, None, "supported", "", controls=("divergence",))
    >>> result_variables(r)
    ['log_side_payment', 'W', 'divergence']
    """
    out: list[str] = []
    for x in (result, *result.secondary):
        out += [x.outcome, x.regressor, *x.controls]
    return [str(v) for v in out if v]


def hypothesis_rows(results: Sequence[HypothesisResult]) -> list[dict[str, Any]]:
    """The JSON rows of ``sidepay test``: every result without its rendered tables."""
    from sidepay.report.html import finite_or_none

    return [finite_or_none(r.to_dict()) for r in results]


def write_exports(folder: Path, results: Sequence[HypothesisResult]) -> list[str]:
    """Word, Typst, LaTeX and HTML exports (maketables) of each result's regression tables."""
    from sidepay.report.exports import export_tables, result_columns

    files: list[str] = []
    for r in results:
        for i, (title, cols) in enumerate(result_columns(r)):
            name = f"{r.hypothesis}_{r.world}" + ("" if i == 0 else f"_part{i + 1}")
            files += [f"exports/{f}" for f in export_tables(folder / "exports", name, cols, title)]
    return files


def write_multiverse_files(folder: Path, mv: Any) -> list[str]:
    """``multiverse.json`` and each part's specification curve as PNG and SVG."""
    from sidepay.report.figures import figure_to_svg
    from sidepay.report.figures_multiverse import specification_curve
    from sidepay.report.html import dumps_json, finite_or_none

    write_text_atomic(folder / "multiverse.json", dumps_json(finite_or_none(mv.to_dict())))
    files = ["multiverse.json"]
    for svg_name, png_name, fig in _curve_figures(mv, specification_curve):
        import io

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=130, metadata={"Software": None})
        from sidepay.atomic import write_bytes_atomic

        write_bytes_atomic(folder / png_name, buf.getvalue())
        write_text_atomic(folder / svg_name, figure_to_svg(fig))
        files += [svg_name, png_name]
    return files


def _curve_figures(mv: Any, draw: Any) -> list[tuple[str, str, Any]]:
    out = []
    for h in mv.hypotheses:
        for part in dict.fromkeys(s.part for s in h.specifications):
            specs = [s for s in h.specifications if s.part == part]
            fig = draw(specs, part, h.expected_sign, h.curves.get(part))
            out.append((f"curves/{part}.svg", f"curves/{part}.png", fig))
    return out


def write_test_files(
    out: Path, results: Sequence[HypothesisResult], multiverse: Any = None
) -> None:
    """``hypotheses.json``, the tables (HTML, LaTeX, Markdown), their Word/Typst/LaTeX/HTML
    exports, and with ``multiverse`` its JSON and curves, of ``sidepay test --out``."""
    write_exports(out, results)
    if multiverse is not None:
        write_multiverse_files(out, multiverse)
    write_text_atomic(
        out / "hypotheses.json", json.dumps(hypothesis_rows(results), indent=2) + "\n"
    )
    tables = [regression_tables(r) for r in results]
    for fmt, suffix in TABLE_SUFFIX.items():
        parts = [t[fmt] for t in tables if t.get(fmt)]
        for r, t in zip(results, tables, strict=True):
            if t.get(fmt):
                write_text_atomic(out / "tables" / f"{r.hypothesis}.{suffix}", t[fmt] + "\n")
        write_text_atomic(out / f"tables.{suffix}", "\n\n".join(parts) + "\n")
