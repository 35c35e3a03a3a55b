"""The layering of DESIGN.md, checked on the source.

theory/ does no I/O; sim/ and data/ do not import each other, analysis/ or report/;
analysis/ never imports data/ or sim/ (nor report/ at module level); report/ never imports
data/ or sim/ and no estimation library (it computes no statistic); the environment is
read only in the configuration layer; ``sidepay --help`` imports neither numpy nor pandas.
"""

from __future__ import annotations

import ast
import subprocess
import sys
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


#: what each package may not import (anywhere in its modules)
BANNED: dict[str, set[str]] = {
    "theory": {"numba", "sidepay.sim", "sidepay.data", "sidepay.analysis", "sidepay.report"},
    "sim": {"sidepay.data", "sidepay.analysis", "sidepay.report", "sidepay.study"},
    "data": {"sidepay.sim", "sidepay.analysis", "sidepay.report", "sidepay.study"},
    "analysis": {"sidepay.data", "sidepay.sim", "sidepay.study"},
    "report": {"sidepay.data", "sidepay.sim", "sidepay.study", "scipy", "pyfixest"},
}


def _package_modules(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


@pytest.mark.parametrize(
    ("package", "path"),
    [(pkg, p) for pkg in BANNED for p in _package_modules(pkg)],
    ids=lambda x: x if isinstance(x, str) else f"{x.parent.name}/{x.name}",
)
def test_each_package_keeps_to_its_layer(package: str, path: Path) -> None:
    assert _hits(_imports(path), BANNED[package]) == []


def _module_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", _package_modules("analysis"), ids=lambda p: p.name)
def test_analysis_renders_nothing_at_import(path: Path) -> None:
    """Rendering lives in report/; a notebook summary may call it lazily."""
    assert _hits(_module_level_imports(path), {"sidepay.report", "jinja2", "matplotlib"}) == []


#: the configuration layer: the only modules that read environment variables
ENV_READERS = {"config.py", "stamps.py"}


def _reads_environment(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                return True
    return False


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(SRC.rglob("*.py")) if p.name not in ENV_READERS or p.parent != SRC],
    ids=lambda p: str(p.relative_to(SRC)),
)
def test_environment_is_read_only_in_the_config_layer(path: Path) -> None:
    assert not _reads_environment(path)


def test_help_imports_neither_numpy_nor_pandas() -> None:
    code = (
        "import sys; from sidepay.cli import main; rc = main(['--help']); "
        "print(rc, 'numpy' in sys.modules, 'pandas' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout.splitlines()[-1]
    assert out == "0 False False"


def test_the_front_door_names_every_verb() -> None:
    import sidepay

    for name in ("build_panel", "simulate", "run_hypotheses", "run_all", "solve_formation"):
        assert callable(getattr(sidepay, name)), name
    assert set(sidepay.__all__) <= set(dir(sidepay))
    for name in sidepay.__all__:  # every name of the front door resolves
        assert getattr(sidepay, name) is not None, name


def test_the_check_would_catch_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from sidepay.data.panel import build_panel\nimport tomllib\nopen('x')\n")
    assert _hits(_imports(bad), IO_MODULES) == ["sidepay.data.panel", "tomllib"]
    assert _calls_open(bad)
    env = tmp_path / "env.py"
    env.write_text("import os\nx = os.environ.get('SIDEPAY_MIRROR')\n")
    assert _reads_environment(env)
