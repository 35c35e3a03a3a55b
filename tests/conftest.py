"""Fixtures shared by the test modules in tests/ (laid out like the package).

Three helper modules live in ``tests/fixtures/`` and are registered here, before any test
module is imported, so that tests import them by name:

- ``analysis_dgp``: a known data-generating process for the hypothesis tests;
- ``sim_oracle``: the per-dyad reference loop of the maintenance dynamics (the oracle the
  numba kernel and the vectorized step are checked against, byte for byte);
- ``local_http``: a real HTTP server on 127.0.0.1 for the download tests.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def _register(name: str) -> ModuleType:
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, FIXTURES / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_register("analysis_dgp")
_register("sim_oracle")
_register("local_http")


@pytest.fixture(scope="session")
def dgp() -> ModuleType:
    """The known data-generating process of tests/fixtures/analysis_dgp.py, as a module."""
    return sys.modules["analysis_dgp"]
