"""Benchmark: all hypotheses on the real panel (target < 30 s on 2 cores), and a peer.

Times ``run_hypotheses(build_panel())`` (median of ``--runs`` runs; the panel is built once
and timed separately) and, per hypothesis, our estimator against a peer on the same
estimation sample, side by side in one run:

* fixed-effects OLS / logit (pyfixest) vs statsmodels OLS / Logit with dummy fixed effects
  and cluster-robust standard errors;
* Cox (sidepay's Efron Newton-Raphson) vs lifelines ``CoxTimeVaryingFitter``.

    SIDEPAY_MIRROR=../shared/data python benchmarks/bench_hypotheses.py --runs 5
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from sidepay.analysis.hypotheses import HYPOTHESES, run_hypotheses
from sidepay.analysis.marginal import peace_years_splines
from sidepay.analysis.samples import estimation_sample


def _median_time(f: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _peer(panel: pd.DataFrame, hid: str) -> Callable[[], Any]:
    """The same model of hypothesis ``hid`` fitted by statsmodels / lifelines."""
    import statsmodels.formula.api as smf
    from lifelines import CoxTimeVaryingFitter

    spec = HYPOTHESES[hid]
    data, controls, _ = estimation_sample(panel, spec)
    rhs = list(dict.fromkeys([*spec.regressors, *controls]))
    if spec.peace_years:
        sp = peace_years_splines(data[spec.peace_years].astype(float))
        data = pd.concat([data, sp], axis=1)
        rhs += list(sp.columns)
    cols = [spec.outcome, *rhs, *spec.fixed_effects, *spec.strata]
    cols += [spec.cluster] if spec.cluster else []
    cols += ["start", "stop"] if spec.estimator == "cox" else []
    d = data[list(dict.fromkeys(cols))].dropna().astype(float)
    fml = f"{spec.outcome} ~ {' + '.join(rhs)}" + "".join(f" + C({f})" for f in spec.fixed_effects)
    kw: dict[str, Any] = (
        {"cov_type": "cluster", "cov_kwds": {"groups": d[spec.cluster].astype(int)}}
        if spec.cluster
        else {}
    )

    if spec.estimator == "feols":
        return lambda: smf.ols(fml, d).fit(**kw)
    if spec.estimator == "logit":
        return lambda: smf.logit(fml, d).fit(disp=0, **kw)

    def cox() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return CoxTimeVaryingFitter().fit(
                    d[[spec.outcome, "start", "stop", *rhs, *spec.strata]],
                    event_col=spec.outcome, start_col="start", stop_col="stop",
                    strata=list(spec.strata) or None,
                )  # fmt: skip
            except Exception as exc:  # the peer's failure is part of the comparison
                return exc

    return cox


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="time all hypotheses on the real panel")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args(argv)

    from sidepay.data.panel import build_panel

    t0 = time.perf_counter()
    panel = build_panel()
    build = time.perf_counter() - t0
    run_hypotheses(panel)  # warm-up: imports and numba compilation inside pyfixest
    total, results = _median_time(lambda: run_hypotheses(panel), a.runs)
    print(f"panel: {len(panel):,} dyad-years, built in {build:.1f} s (cache as found)")
    print(f"all 8 hypotheses: median {total:.2f} s over {a.runs} runs (target < 30 s)\n")
    print(f"{'hyp':4} {'estimator':9} {'N':>7} {'ours s':>8} {'peer s':>8} {'peer/ours':>9}  peer")
    ratios = []
    for r in results:
        spec = HYPOTHESES[r.hypothesis]
        ours, _ = _median_time(partial(run_hypotheses, panel, only=r.hypothesis), a.runs)
        peer_name = "lifelines CTV" if spec.estimator == "cox" else "statsmodels"
        try:
            peer_t, out = _median_time(_peer(panel, r.hypothesis), a.runs)
            note = "failed" if isinstance(out, Exception) else ""
            key = spec.regressors[0]
            term = r.model.term(key) if r.model is not None else None
            if not note and term is not None:
                theirs = float(out.params[key] if hasattr(out, "params") else out.params_[key])
                mine = term.estimate
                note = f"key coef ours {mine:.6g} peer {theirs:.6g}"
        except Exception as exc:
            peer_t, note = float("nan"), f"could not run: {type(exc).__name__}"
        ratio = peer_t / ours if ours > 0 else float("nan")
        if np.isfinite(ratio):
            ratios.append(ratio)
        print(
            f"{r.hypothesis:4} {spec.estimator:9} {r.n_obs:>7,} {ours:>8.3f} {peer_t:>8.3f} "
            f"{ratio:>9.2f}  {peer_name} {note}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory of this process: {peak:.0f} MB")
    if ratios:
        print(
            f"\nmedian peer/ours ratio: {statistics.median(ratios):.2f} (ours includes data prep)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
