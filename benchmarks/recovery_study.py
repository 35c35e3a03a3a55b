"""Parameter recovery on the simulated world: power and false-positive rate of H1-H8.

Runs ``sidepay.analysis.recovery.recovery_study`` on the default world (mechanisms on)
and, per hypothesis, on a world where that hypothesis's mechanism is switched off
(``NULL_WORLDS``). Each replication is one simulated history (150 small states, 2 great
powers, 75 years). Prints the Markdown table; ``--write-docs`` puts it into
docs/hypotheses.md between the RECOVERY markers.

    python benchmarks/recovery_study.py --reps 200 --write-docs
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sidepay.analysis.recovery import (
    recovery_study,
    replicate,
    summarize,
)
from sidepay.report.summary import recovery_markdown
from sidepay.sim.engine import simulate
from sidepay.sim.world import World, default_world

DOCS = Path(__file__).resolve().parents[1] / "docs" / "hypotheses.md"

# the mechanism each hypothesis tests, switched off (World.updated dotted paths)
NULL_WORLDS: dict[str, dict[str, Any]] = {
    "H1": {"params.rho": 1e-6},  # concessions cost nothing: divergence leaves the price
    "H2": {"params.omega": 0.999},  # lambda(W) flat: W leaves the price
    # threat leaves the required payment (rho ~ 0: a* = max(0, -sigma T) = 0), the patron's
    # cost (k = 0) and the incumbent's matching (psi = 100). NOT fully off: a new patron's
    # Bertrand price G_r + D_b still contains its own -sigma T (THEORY 2.4), and no
    # parameter removes that while common threat still varies (docs/hypotheses.md)
    "H3": {
        "params.rho": 1e-6,
        "great_powers.0.k": 0.0,
        "great_powers.1.k": 0.0,
        "params.psi": 100.0,
    },
    "H4": {"params.rho": 1e-6},  # divergence leaves the price
    "H5": {"params.psi": 100.0},  # switching cost so high that no rival can bid
    "H6": {"params.mu_r": 0.0, "params.s_r": 0.0, "params.omega": 0.999, "params.beta_holdup": 0.9},
    "H7": {"params.mu_r": 0.0, "params.s_r": 0.0, "params.omega": 0.999, "params.beta_holdup": 0.9},
    "H8": {"params.eta": 0.0},  # extraction does not affect the leader's hazard
}


# the panel columns carrying each hypothesis's key regressor(s), for the placebo check
PLACEBO_COLUMNS: dict[str, tuple[str, ...]] = {
    "H1": ("divergence",),
    "H2": ("W",),
    "H3": ("common_threat",),
    "H4": ("divergence",),
    "H5": ("rival_payment",),
    "H6": ("regime_change",),
    # H7 compares two effects: move both event series together, so both are null
    "H7": ("leader_change", "regime_change"),
    "H8": ("side_payment",),
}


def sim_panel(i: int, world: World, seed: int) -> pd.DataFrame:
    """Replication ``i`` of ``world`` (SeedSequence([seed, i]))."""
    return simulate(world, periods=75, reps=1, seed=seed, rep_start=i).panel


def placebo_panel(i: int, world: World, seed: int, columns: tuple[str, ...]) -> pd.DataFrame:
    """Replication ``i`` with the ``columns``' whole series moved to a random other dyad.

    Each directed dyad receives another dyad's history of ``columns`` (year by year,
    missing where that dyad has no such year), so the variable keeps its distribution and
    persistence but loses any link to the outcome: a check of the test's size that, unlike
    a mechanism-off world, needs no change to the model.
    """
    panel = sim_panel(i, world, seed)
    rng = np.random.default_rng([seed, i, 7])
    dyads = panel[["patron", "client"]].drop_duplicates().reset_index(drop=True)
    donor = dyads.iloc[rng.permutation(len(dyads))].reset_index(drop=True)
    pairs = pd.concat([dyads, donor.add_prefix("_src_")], axis=1)
    new = {c: f"_new_{c}" for c in columns}
    series = panel[["patron", "client", "year", *columns]].rename(
        columns={"patron": "_src_patron", "client": "_src_client", **new}
    )
    out = panel.merge(pairs, on=["patron", "client"], how="left").merge(
        series, on=["_src_patron", "_src_client", "year"], how="left"
    )
    for c in columns:
        out[c] = out[new[c]].astype(panel[c].dtype)
    return out.drop(columns=["_src_patron", "_src_client", *new.values()])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument("--only", default=None, help="hypotheses, e.g. H2,H5")
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument(
        "--placebo", action="store_true",
        help="also report the supported share when the key column is moved across dyads",
    )  # fmt: skip
    a = ap.parse_args(argv)

    base = default_world()
    nulls: dict[str, Any] = {}
    cache: dict[str, Any] = {}
    for h, changes in NULL_WORLDS.items():
        key = repr(sorted(changes.items()))
        if key not in cache:
            cache[key] = partial(sim_panel, world=base.updated(changes), seed=a.seed + 1)
        nulls[h] = cache[key]
    t0 = time.perf_counter()
    done = [0]

    def tick(k: int) -> None:
        done[0] += 1
        if done[0] % 25 == 0:
            print(f"  {done[0]} replications, {time.perf_counter() - t0:.0f} s", file=sys.stderr)

    table = recovery_study(
        partial(sim_panel, world=base, seed=a.seed), a.only, reps=a.reps,
        make_null_panel=nulls, progress=tick,
    )  # fmt: skip
    cols = ["hypothesis", "reps", "power", "contrary", "not_estimable", "median_estimate",
            "false_positive_rate", "null_contrary", "null_not_estimable"]  # fmt: skip
    if a.placebo:
        rows = []
        for h in table["hypothesis"]:
            make = partial(placebo_panel, world=base, seed=a.seed, columns=PLACEBO_COLUMNS[h])
            rows.append(summarize(replicate(make, [h], a.reps, progress=tick), "placebo_"))
        placebo = pd.concat(rows, ignore_index=True).drop(columns="placebo_reps")
        placebo = placebo.rename(columns={"placebo_supported": "placebo_supported_rate"})
        table = table.merge(placebo, on="hypothesis", how="left")
        cols += ["placebo_supported_rate", "placebo_contrary", "placebo_not_estimable"]
    seconds = time.perf_counter() - t0
    md = recovery_markdown(table[cols])
    print(md)
    print(f"\n{a.reps} replications per world, {seconds:.0f} s", file=sys.stderr)
    if a.write_docs:
        text = DOCS.read_text()
        block = (
            "<!-- RECOVERY:START -->\n"
            f"Reproduce: `python benchmarks/recovery_study.py --reps {a.reps} --seed {a.seed} "
            f"{' --placebo' if a.placebo else ''} --write-docs` ({a.reps} replications per world, {seconds:.0f} s on this machine).\n\n"
            f"{md}\n<!-- RECOVERY:END -->"
        )
        text = re.sub(r"<!-- RECOVERY:START -->.*<!-- RECOVERY:END -->", block, text, flags=re.S)
        tmp = DOCS.with_suffix(".md.tmp")
        tmp.write_text(text)
        tmp.replace(DOCS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
