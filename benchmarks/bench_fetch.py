"""Acquisition speed: sidepay.fetch vs pooch.retrieve, and the parquet frame cache vs parsing.

Four comparisons in one run, alternating each repeat so that machine noise hits both sides
alike. Each prints the median wall time of both sides and their ratio:

1. A warm-cache verification of every registered source. sidepay re-hashes every file on
   every use (issue 14: no stat memo, so a file whose bytes changed under the same size and
   mtime is caught); pooch.retrieve with a known hash re-hashes every file on every call too.
   This is the cost of re-hashing all 31.5 MB.
2. A cold fetch of every source from the mirror into an empty cache (copy and verify). The
   peer is a plain ``shutil.copyfile`` with ``pooch.file_hash``.
3. The core readers: a parquet cache hit (``cached_frame``, with its integrity checks:
   identity, promised columns and dtypes, content hash) against rebuilding from the raw
   files (pyreadr/CSV/Stata parse and tidy).
4. The price of the frame checks: a checked cache hit against a bare ``pd.read_parquet`` of
   the same file.

    SIDEPAY_MIRROR=../shared/data python benchmarks/bench_fetch.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pooch

from sidepay.data.acquire import fetch
from sidepay.data.context import DataContext
from sidepay.data.readers import capabilities, democracy, idealpoints, leaders, states, threat
from sidepay.data.sources import SOURCES

#: reader -> (the cached reader, its build from the raw files); both take the context
READERS: dict[str, tuple[Callable[..., object], Callable[..., object]]] = {
    "cow_states": (states.cow_states, states._build_states),
    "nmc": (capabilities.nmc, capabilities._build_nmc),
    "gdp_pop": (capabilities.gdp_pop, capabilities._build_gdppop),
    "mid_dyad_years": (threat.mid_dyad_years, threat._build_mid),
    "terrthreat": (threat.terrthreat, threat._build_terrthreat),
    "ideal_points": (idealpoints.ideal_points, idealpoints._build),
    "leader_years": (leaders.leader_years, leaders._build_leader_years),
    "chisols_years": (leaders.chisols_years, leaders._build_chisols),
    "regime_years": (democracy.regime_years, democracy._build_regime_years),
}


def _time(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _report(label: str, ours: list[float], peer: list[float], peer_name: str) -> None:
    a, b = statistics.median(ours), statistics.median(peer)
    print(
        f"{label:<34} sidepay {a * 1e3:9.2f} ms   {peer_name:<18} {b * 1e3:9.2f} ms   "
        f"ratio peer/sidepay {b / a:8.1f}x"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    mirror = Path(os.environ.get("SIDEPAY_MIRROR", "../shared/data")).resolve()
    names = list(SOURCES)
    total_mb = sum(s.bytes for s in SOURCES.values()) / 1e6
    print(f"{len(names)} sources, {total_mb:.1f} MB, mirror {mirror}, {args.repeats} repeats")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # 1 + 2: cold fetch into a fresh cache, then warm verification
        cold_ours, cold_peer, warm_ours, warm_peer = [], [], [], []
        for i in range(args.repeats):
            cache = root / f"c{i}"
            ctx = DataContext(cache_dir=cache, mirror=mirror)
            cold_ours.append(_time(lambda ctx=ctx: [fetch(n, context=ctx) for n in names]))
            peer_dir = root / f"p{i}"

            def peer_copy(peer_dir: Path = peer_dir) -> None:
                for s in SOURCES.values():
                    dest = peer_dir / s.relpath
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(mirror / s.relpath, dest)
                    assert pooch.file_hash(str(dest)) == s.sha256

            cold_peer.append(_time(peer_copy))
            warm_ours.append(_time(lambda ctx=ctx: [fetch(n, context=ctx) for n in names]))

            def peer_warm(cache: Path = cache) -> None:
                for s in SOURCES.values():
                    pooch.retrieve(
                        url=f"file://{mirror / s.relpath}",
                        known_hash=f"sha256:{s.sha256}",
                        fname=Path(s.relpath).name,
                        path=cache / Path(s.relpath).parent,
                        progressbar=False,
                    )

            warm_peer.append(_time(peer_warm))
        _report("cold fetch, all sources", cold_ours, cold_peer, "copy+file_hash")
        _report("warm verify, all sources", warm_ours, warm_peer, "pooch.retrieve")

        # 3: readers, parquet hit vs rebuild from raw files
        for name, (cached, build) in READERS.items():
            cached(context=ctx)  # make sure the parquet file exists
            ours = [_time(lambda c=cached: c(context=ctx)) for _ in range(args.repeats)]
            peer = [_time(lambda b=build: b(ctx)) for _ in range(args.repeats)]
            _report(f"reader {name}", ours, peer, "parse raw files")

        # 4: the frame checks against a bare parquet read of the same files
        for name, (cached, _build) in READERS.items():
            (path,) = (ctx.cache_dir / "frames").glob(f"{name}-*.parquet")
            ours = [_time(lambda c=cached: c(context=ctx)) for _ in range(args.repeats)]
            peer = [_time(lambda p=path: pd.read_parquet(p)) for _ in range(args.repeats)]
            _report(f"checked hit {name}", ours, peer, "bare read_parquet")


if __name__ == "__main__":
    main()
