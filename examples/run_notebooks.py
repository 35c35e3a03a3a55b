"""Run every notebook in examples/ top to bottom (in memory; nothing is written back).

Used by ``.ci/run``; a cell that raises fails the run with the cell's error.

    python3 examples/run_notebooks.py [NOTEBOOK ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def run(path: Path) -> float:
    """Execute one notebook in a scratch folder; return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sidepay-notebook-") as scratch:
        client = NotebookClient(
            notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": scratch}}
        )
        client.execute()
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(HERE.glob("*.ipynb"))
    if not paths:
        print("no notebook in examples/", file=sys.stderr)
        return 1
    for path in paths:
        seconds = run(path)
        print(f"{path.name}: ran top to bottom in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
