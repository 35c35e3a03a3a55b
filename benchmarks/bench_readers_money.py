"""Side-payment readers: parser choice and the parquet cache, side by side in one run.

Two comparisons, alternating each repeat so that machine noise hits both sides alike; each
prints the median wall time of both sides and their ratio:

1. Parsing the USAID Greenbook workbook (75,002 rows) with calamine (what the reader uses)
   against openpyxl (pandas' default engine).
2. Each public side-payment reader with a warm parquet cache against the same reader with
   the cache bypassed (``refresh``-style: a fresh, empty data folder every repeat), i.e.
   parse + code resolution from the raw files.

    SIDEPAY_MIRROR=../shared/data python benchmarks/bench_readers_money.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable

import pandas as pd

from sidepay.config import data_context
from sidepay.data import codes
from sidepay.data.acquire import fetch
from sidepay.data.readers import aid, arms, troops

READERS: dict[str, Callable[..., pd.DataFrame]] = {
    "greenbook": aid.greenbook,
    "aiddata_dyadic": aid.aiddata_dyadic,
    "oecd_dac2a": aid.oecd_dac2a,
    "chinese_finance": aid.chinese_finance,
    "sipri_tiv": arms.sipri_tiv,
    "us_troops": troops.us_troops,
}


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _report(label: str, ours: list[float], peer: list[float], peer_name: str) -> None:
    a, b = statistics.median(ours), statistics.median(peer)
    print(
        f"{label:<18} ours {a * 1000:9.1f} ms   {peer_name} {b * 1000:9.1f} ms   ratio {b / a:6.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("SIDEPAY_MIRROR"):
        raise SystemExit("set SIDEPAY_MIRROR to a folder laid out like ../shared/data")

    path = fetch("greenbook", context=data_context())
    cal: list[float] = []
    opx: list[float] = []
    for _ in range(args.repeats):
        cal.append(_time(lambda: pd.read_excel(path, skiprows=6, engine="calamine")))
        opx.append(_time(lambda: pd.read_excel(path, skiprows=6, engine="openpyxl")))
    print("1. Greenbook workbook parse (median of", args.repeats, "repeats)")
    _report("greenbook xlsx", cal, opx, "openpyxl")

    print("\n2. Readers: warm parquet cache (ours) vs cold build from the raw files (peer)")
    warm_dir = tempfile.mkdtemp(prefix="bench-money-warm-")
    for name, reader in READERS.items():
        warm: list[float] = []
        cold: list[float] = []
        warm_ctx = data_context(cache_dir=warm_dir)
        reader(context=warm_ctx)  # fill the warm cache
        for _ in range(args.repeats):
            warm.append(_time(lambda r=reader, c=warm_ctx: r(context=c)))
            cold_ctx = data_context(cache_dir=tempfile.mkdtemp(prefix="bench-money-cold-"))
            cold.append(_time(lambda r=reader, c=cold_ctx: r(context=c)))
        _report(name, warm, cold, "cold")

    warm_ctx = data_context(cache_dir=warm_dir)
    tracemalloc.start()
    for reader in READERS.values():
        reader(context=warm_ctx)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\npeak Python-allocated memory, all readers warm: {peak / 2**20:.0f} MiB")
    print(f"code resolution memo: {codes._name_to_iso3.cache_info().currsize} names")


if __name__ == "__main__":
    main()
