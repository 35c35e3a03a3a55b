"""Benchmark: all directed dyad-years 1816-2020 with ATOP, democracy, NMC and major powers.

Two implementations build the same table from the same warm parquet cache (the readers'
``cached_frame`` files) in the same run, alternating, each in a fresh child process so that
peak memory (``ru_maxrss``) belongs to one build:

- ``sidepay``: :mod:`sidepay.data.dyads` (numpy gathers on integer keys);
- ``pandas-merge`` (the peer): the straightforward pandas way, a self-merge of state-years
  on year and one ``DataFrame.merge`` per source, as one would port peacesciencer's dplyr
  joins. R's peacesciencer itself cannot be installed here (CRAN is unreachable), so its
  ~15 s on this machine is quoted from the issue, not measured.

The two outputs are checked to be identical before any time is reported. Wall time on a
shared 2-core machine is noisy; CPU time is printed too.

Run: ``SIDEPAY_MIRROR=../shared/data python benchmarks/bench_dyads.py --repeats 5``
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

import numpy as np
import pandas as pd

from _child import print_medians, run_child, timed

YEARS = (1816, 2020)
COLUMNS = [
    "atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul",
    "polity21", "polity22", "polyarchy1", "polyarchy2", "W1", "W2",
    "cinc1", "cinc2", "milex1", "milex2", "cowmaj1", "cowmaj2",
]  # fmt: skip


def build_sidepay() -> pd.DataFrame:
    from sidepay.config import data_context
    from sidepay.data import dyads

    ctx = data_context()  # the environment is read here, once
    d = dyads.dyad_years(YEARS, context=ctx)
    d = dyads.add_atop_alliance(d, context=ctx)
    d = dyads.add_democracy(d, context=ctx)
    d = dyads.add_nmc(d, context=ctx)
    return dyads.add_cow_majors(d, context=ctx)


def build_pandas_merge() -> pd.DataFrame:
    from sidepay.data.readers import alliances, capabilities, democracy, states

    st = states.cow_states()
    last = st["endyear"].max()
    st = st.assign(endyear=st["endyear"].where(st["endyear"] < last, YEARS[1]))
    sy = pd.DataFrame(
        [(c, y) for c, a, b in st[["ccode", "styear", "endyear"]].itertuples(index=False)
         for y in range(max(a, YEARS[0]), min(b, YEARS[1]) + 1)],
        columns=["ccode", "year"],
    ).drop_duplicates()  # fmt: skip
    d = sy.merge(sy, on="year", suffixes=("1", "2"))
    d = d[d["ccode1"] != d["ccode2"]][["ccode1", "ccode2", "year"]]
    # peacesciencer drops pairs that were members in a year but never on the same day
    span = st.assign(enddate=st["enddate"].where(~st["ongoing"], pd.Timestamp(YEARS[1], 12, 31)))[
        ["ccode", "stdate", "enddate"]
    ]
    both = d.merge(span.add_suffix("1"), on="ccode1").merge(span.add_suffix("2"), on="ccode2")
    jan1 = pd.to_datetime(both["year"].astype(str) + "-01-01")
    dec31 = pd.to_datetime(both["year"].astype(str) + "-12-31")
    start = np.maximum(np.maximum(both["stdate1"], both["stdate2"]), jan1)
    end = np.minimum(np.minimum(both["enddate1"], both["enddate2"]), dec31)
    d = both.loc[start <= end, ["ccode1", "ccode2", "year"]].drop_duplicates()
    obs = list(alliances.OBLIGATIONS)
    grouped = alliances.atop_dyad_years().groupby(["ccode1", "ccode2", "year"], as_index=False)
    atop = grouped[obs].max().rename(columns={o: f"atop_{o}" for o in obs})
    d = d.merge(atop, on=["ccode1", "ccode2", "year"], how="left")
    inside = d["year"].between(alliances.ATOP_START, alliances.ATOP_END)
    for o in obs:
        d[f"atop_{o}"] = d[f"atop_{o}"].fillna(0).where(inside)
    dem = democracy.regime_years()[["ccode", "year", "polity2", "polyarchy", "W"]]
    nmc = capabilities.nmc()[["ccode", "year", "cinc", "milex"]]
    maj = states.major_powers()
    maj = maj.assign(endyear=maj["endyear"].where(maj["endyear"] < last, YEARS[1]))
    majy = pd.DataFrame(
        [(c, y) for c, a, b in maj[["ccode", "styear", "endyear"]].itertuples(index=False)
         for y in range(a, b + 1)],
        columns=["ccode", "year"],
    ).assign(cowmaj=1.0)  # fmt: skip
    for src in (dem, nmc, majy):
        for k in ("1", "2"):
            ren = {c: f"{c}{k}" for c in src.columns if c not in ("year",)}
            d = d.merge(src.rename(columns=ren), on=[f"ccode{k}", "year"], how="left")
    for k in ("1", "2"):
        d[f"cowmaj{k}"] = d[f"cowmaj{k}"].fillna(0.0)
    return d


IMPLS = {"sidepay": build_sidepay, "pandas-merge": build_pandas_merge}


def child(impl: str) -> None:
    """Build once in this process; print wall/CPU time, peak RSS and a checksum."""
    import sidepay.data.dyads  # imports are not part of the build
    import sidepay.data.readers.capabilities
    import sidepay.data.readers.democracy  # noqa: F401

    out, cost = timed(IMPLS[impl])
    out = out.sort_values(["ccode1", "ccode2", "year"], ignore_index=True)
    sums = {c: float(np.nansum(out[c].to_numpy(dtype=float))) for c in COLUMNS}
    nans = {c: int(out[c].isna().sum()) for c in COLUMNS}
    print(json.dumps({"rows": len(out), **cost, "sums": sums, "nans": nans}))


def run(impl: str) -> dict[str, Any]:
    return run_child(__file__, impl)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--child", choices=list(IMPLS))
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    os.environ.setdefault("SIDEPAY_MIRROR", os.path.abspath("../shared/data"))
    for impl in IMPLS:  # warm the parquet cache (not timed)
        run(impl)
    results: dict[str, list[dict[str, object]]] = {k: [] for k in IMPLS}
    for _ in range(args.repeats):
        for impl in IMPLS:
            results[impl].append(run(impl))
    ref: Any = results["sidepay"][0]
    for impl, rs in results.items():
        got: Any = rs[0]
        assert got["rows"] == ref["rows"], impl
        for c in COLUMNS:
            assert got["nans"][c] == ref["nans"][c], (impl, c)
            assert abs(got["sums"][c] - ref["sums"][c]) <= 1e-6 * max(1.0, abs(ref["sums"][c]))
    print(f"all directed dyad-years {YEARS[0]}-{YEARS[1]}: {ref['rows']:,} rows, outputs identical")
    med = print_medians(results)
    ratio_wall = med["pandas-merge"][0] / med["sidepay"][0]
    ratio_cpu = med["pandas-merge"][1] / med["sidepay"][1]
    print(f"ratio pandas-merge / sidepay: wall {ratio_wall:.1f}x, cpu {ratio_cpu:.1f}x "
          f"(target: sidepay < 1.5 s, < 2 GB; R peacesciencer ~15 s here, quoted)")  # fmt: skip


if __name__ == "__main__":
    main()
