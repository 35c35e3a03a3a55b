"""Time the whole multiverse (H1-H8) on the real panel: multiple estimation vs one call each.

Run: ``SIDEPAY_MIRROR=/work/shared/data OPENBLAS_NUM_THREADS=1 python benchmarks/bench_multiverse.py``

Builds the real panel (``sidepay.build_panel()``), then runs
:func:`sidepay.analysis.multiverse.run_multiverse` twice, side by side in one process:

* **sidepay**: linear and Poisson specifications through pyfixest's multiple-estimation
  syntax (``sw`` over fixed effects, ``fsplit`` over the eras), one call per group;
* **peer**: the same specifications with one pyfixest call per specification.

Both run the hazards and logits the same way. Prints seconds, specifications per second,
their ratio, and checks that both give the same estimates (to 1e-6). The influence
(leave-one-client-out refits of the primary specifications) is timed on its own.

Columns of the measures rebuild (issue 10: ``aid_us``, ``aid_dac``, ``any_payment``,
``allied_defense``, ``allied_any``, ``side_payment_pc``) that the panel does not have yet
are given **stand-ins for timing only** (``--stand-ins``, default on when absent: built
from ``aid_econ``/``aid_mil``/``aid_other``, ``defense``, the pact columns, population);
the numbers this prints are timings, never findings. ``--no-stand-ins`` times the panel as
it is.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd


def stand_ins(panel: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Timing stand-ins for the measures the panel lacks (see the module docstring)."""
    out, added = panel.copy(), []

    def put(name: str, values: object) -> None:
        if name not in out.columns:
            out[name] = values
            added.append(name)

    f = lambda c: out[c].astype("float64") if c in out.columns else np.nan  # noqa: E731
    put("aid_us", f("aid_econ") + f("aid_mil"))
    put("aid_dac", f("aid_other"))
    put("any_payment", (f("side_payment") > 0).astype("float64").where(f("side_payment").notna()))
    put("side_payment_pc", f("side_payment") / f("pop_client"))
    put("allied_defense", out["defense"].astype("Int8") if "defense" in out else pd.NA)
    pacts = [c for c in ("allied", "neutral", "nonagg", "consul") if c in out.columns]
    put("allied_any", out[pacts].astype("float64").max(axis=1).astype("Int8"))
    return out, added


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-stand-ins", action="store_true")
    ap.add_argument("--panel", help="a saved panel (parquet) instead of build_panel()")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    import sidepay
    from sidepay.analysis.multiverse import run_multiverse

    panel = pd.read_parquet(args.panel) if args.panel else sidepay.build_panel()
    added: list[str] = []
    if not args.no_stand_ins:
        panel, added = stand_ins(panel)
    print(f"panel: {len(panel):,} rows; timing stand-ins for absent columns: {added or 'none'}")
    primary = sidepay.run_hypotheses(panel)  # warm-up (numba, pyfixest) and the headline
    rows = []
    results = {}
    for label, multi in (("sidepay (sw/fsplit)", True), ("peer (one call each)", False)):
        t = time.perf_counter()
        mv = run_multiverse(panel, primary=primary, influence=False, multiple_estimation=multi)
        sec = time.perf_counter() - t
        n = mv.n_specifications()
        rows.append((label, sec, n, n / sec))
        results[label] = mv
    t = time.perf_counter()
    mv_i = run_multiverse(panel, primary=primary, influence=True, draws=99)
    infl = time.perf_counter() - t - rows[0][1]
    print(f"{'':24s}{'seconds':>10s}{'specs':>8s}{'specs/s':>10s}")
    for label, sec, n, rate in rows:
        print(f"{label:24s}{sec:10.2f}{n:8d}{rate:10.1f}")
    print(f"ratio peer/sidepay: {rows[1][1] / rows[0][1]:.2f}x")
    print(f"influence (leave-one-client-out, every primary spec): about {max(infl, 0):.1f} s more")
    a, b = (results[k] for k in results)
    diffs = [
        abs(x.estimate - y.estimate) / max(1.0, abs(x.estimate))
        for ha, hb in zip(a.hypotheses, b.hypotheses, strict=True)
        for x, y in zip(ha.specifications, hb.specifications, strict=True)
        if x.estimate is not None and y.estimate is not None
    ]
    print(f"largest relative difference of estimates, sidepay vs peer: {max(diffs):.2e}")
    est = sum(s.estimate is not None for h in a.hypotheses for s in h.specifications)
    print(f"estimated specifications: {est} of {a.n_specifications()}")
    del mv_i


if __name__ == "__main__":
    main()
