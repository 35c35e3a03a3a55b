"""Fixtures shared by the test modules in tests/."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest


@pytest.fixture(scope="session")
def dgp() -> ModuleType:
    """The known data-generating process of tests/data/analysis_dgp.py, as a module."""
    spec = importlib.util.spec_from_file_location(
        "analysis_dgp", Path(__file__).parent / "data" / "analysis_dgp.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
