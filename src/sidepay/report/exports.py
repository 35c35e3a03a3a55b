"""Regression tables exported through maketables: Word (.docx), Typst (.typ), LaTeX, HTML.

Researchers paste tables into Word, Typst and LaTeX documents. maketables (from the
pyfixest authors) renders a table given as a DataFrame into each of these; this module
hands it the same cells as :func:`sidepay.report.tables.render_markdown` (coefficients
with stars at the verdicts' level, standard errors or hazard-ratio intervals, the
footer rows) and the stars legend as the table note. Nothing is computed here.

Examples
--------
>>> from sidepay.report.tables import RegressionColumn
>>> df = table_frame([RegressionColumn("H2", "feols", {"W": (0.8, 0.2, 0.0001)})])
>>> df.iloc[0].tolist()
['0.800***']
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sidepay.atomic import atomic_path, write_text_atomic
from sidepay.report.tables import HIDDEN_TERMS, STARS_LEGEND, RegressionColumn, _grid

__all__ = ["EXPORT_SUFFIX", "export_tables", "table_frame"]

#: maketables' output types and the file suffix of each
EXPORT_SUFFIX = {"docx": "docx", "typst": "typ", "tex": "tex", "html": "html"}


def table_frame(columns: Sequence[RegressionColumn]) -> pd.DataFrame:
    """The table's cells as a DataFrame (row labels as index, one column per model).

    Standard-error rows get a unique blank-looking label (maketables needs a unique index).
    """
    header, body = _grid(columns)
    index, seen = [], 0
    for row in body:
        label = row[0]
        if not label:
            seen += 1
            label = " " * seen
        index.append(label)
    return pd.DataFrame([row[1:] for row in body], index=index, columns=header)


def export_tables(
    folder: Path, name: str, columns: Sequence[RegressionColumn], caption: str = ""
) -> list[str]:
    """Write ``name.docx``, ``name.typ``, ``name.tex`` and ``name.html`` into ``folder``.

    Returns the files written (relative to ``folder``), each written atomically.
    """
    import maketables as mt

    table = mt.MTable(table_frame(columns), caption=caption or None, notes=STARS_LEGEND,
                      rgroup_display=False)  # fmt: skip
    files = []
    for kind, suffix in EXPORT_SUFFIX.items():
        target = folder / f"{name}.{suffix}"
        if kind == "docx":
            target.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(target) as tmp:
                doc: Any = table.make(type="docx")
                doc.save(str(tmp))
                _stable_zip(tmp)
        else:
            text = str(table.make(type=kind))
            if kind == "html":  # great_tables draws a random element id: make it stable
                ids = set(re.findall(r'id="([a-z]{10})"', text))
                for i, old in enumerate(sorted(ids)):
                    text = text.replace(old, f"sidepay-{name.lower()}-{i}")
            write_text_atomic(target, text + "\n")
        files.append(f"{name}.{suffix}")
    return files


def _stable_zip(path: Path) -> None:
    """Rewrite a zip file (a .docx) with fixed member times: same table, same bytes.

    python-docx stamps every member with the time of writing.
    """
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)


def result_columns(result: object) -> list[tuple[str, list[RegressionColumn]]]:
    """(title, columns) of each estimated part of a result, as the regression tables."""
    out = []
    x: Any
    for x in (result, *getattr(result, "secondary", ())):
        model = getattr(x, "model", None)
        if model is not None:
            col = RegressionColumn.from_model(x.hypothesis, model, hide=HIDDEN_TERMS)
            out.append((f"{x.hypothesis}: {x.title}", [col]))
    return out
