"""Start-up time of the command line: ``sidepay --help`` against the imports it avoids.

``sidepay --help`` must not import numpy or pandas (tests/test_layering.py checks that); this
script measures what that buys. Each repeat runs, alternating, in a fresh interpreter:

A. ``python -m sidepay.cli --help`` (what a user waits for);
B. the peer: ``python -c "import typer, numpy, pandas"`` (what the help cost before the
   redesign, when every command module imported the library at start-up).

It prints the median of each and their ratio.

    python benchmarks/bench_cli.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def _seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    help_cmd = [sys.executable, "-m", "sidepay.cli", "--help"]
    peer_cmd = [sys.executable, "-c", "import typer, numpy, pandas"]
    _seconds(help_cmd), _seconds(peer_cmd)  # warm the file cache
    a, b = [], []
    for _ in range(args.repeats):
        a.append(_seconds(help_cmd))
        b.append(_seconds(peer_cmd))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"A: sidepay --help                    median {ma:.3f} s over {args.repeats}")
    print(f"B: import typer, numpy, pandas (peer) median {mb:.3f} s")
    print(f"ratio A/B = {ma / mb:.2f}")


if __name__ == "__main__":
    main()
