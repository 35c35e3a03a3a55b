"""Test-suite defaults (tests/ and the doctests in src/): ../shared/data is the download mirror; a private cache folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parent
SHARED_DATA = (REPO.parent / "shared" / "data").resolve()

os.environ.setdefault("SIDEPAY_MIRROR", str(SHARED_DATA))
os.environ.setdefault(
    "SIDEPAY_DATA_DIR", str(Path(tempfile.gettempdir()) / f"sidepay-test-cache-{os.getuid()}")
)
