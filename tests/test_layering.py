"""The layering of DESIGN.md, checked on the source: theory/ does no I/O, analysis/ never
imports data/ or sim/, report/ never imports data/ or sim/ (the pipeline hands it results)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "sidepay"

# modules whose use means file, network or process I/O
IO_MODULES = {"pathlib", "io", "os", "shutil", "tomllib", "urllib", "http", "socket", "subprocess"}
IO_MODULES |= {"pandas", "polars", "pyarrow", "pyreadr", "pooch", "sidepay.data", "sidepay.sim"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _calls_open(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "open"
        for n in ast.walk(tree)
    )


def _hits(names: set[str], banned: set[str]) -> list[str]:
    return sorted(n for n in names if any(n == b or n.startswith(b + ".") for b in banned))


@pytest.mark.parametrize("path", sorted((SRC / "theory").glob("*.py")), ids=lambda p: p.name)
def test_theory_does_no_io(path: Path) -> None:
    assert _hits(_imports(path), IO_MODULES) == []
    assert not _calls_open(path)


@pytest.mark.parametrize(
    "path",
    sorted((SRC / "analysis").glob("*.py")) + sorted((SRC / "report").glob("*.py")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_analysis_and_report_do_not_import_data_or_sim(path: Path) -> None:
    assert _hits(_imports(path), {"sidepay.data", "sidepay.sim"}) == []


def test_the_check_would_catch_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from sidepay.data.panel import build_panel\nimport tomllib\nopen('x')\n")
    assert _hits(_imports(bad), IO_MODULES) == ["sidepay.data.panel", "tomllib"]
    assert _calls_open(bad)
