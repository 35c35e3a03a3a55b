"""Parameter recovery: how often do the tests find a mechanism that is there, or isn't?

:func:`recovery_study` takes panels from callables (``make_panel(i)`` returns replication
``i``), so this module never imports the simulator. For each hypothesis it reports the
share of replications whose verdict is *supported* (the predicted sign at 5%): the
**power** in a world where the mechanism is on and the **false-positive rate** in a world
where it is switched off. It also reports how often the test was *contrary* or could not
be estimated, and the median estimate. :func:`sidepay.report.summary.recovery_markdown`
formats the table.

Examples
--------
>>> import numpy as np, pandas as pd
>>> def panel(i):
...     rng = np.random.default_rng(i)
...     n = 300
...     df = pd.DataFrame({"patron": 2, "client": np.arange(n) % 60, "year": np.arange(n) // 60,
...         "allied": 1, "divergence": rng.random(n), "common_threat": rng.random(n),
...         "W": rng.random(n)})
...     df["side_payment"] = np.expm1(np.clip(1 + 2 * df["W"] + rng.normal(0, .3, n), 0, None))
...     return df
>>> t = recovery_study(panel, ["H2"], reps=3)
>>> print(t.loc[0, "hypothesis"], int(t.loc[0, "reps"]), float(t.loc[0, "power"]))
H2 3 1.0
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd

from sidepay.analysis.hypotheses import parse_only, run_hypotheses
from sidepay.errors import InputError

PanelMaker = Callable[[int], pd.DataFrame]


def _one_rep(args: tuple[PanelMaker, int, list[str]]) -> list[dict[str, Any]]:
    make_panel, i, ids = args
    panel = make_panel(i)
    out = []
    for r in run_hypotheses(panel, world="simulated", only=ids):
        out.append(
            {"rep": i, "hypothesis": r.hypothesis, "verdict": r.verdict, "estimate": r.estimate,
             "p_value": r.p_value, "reason": r.reason}
        )  # fmt: skip
    return out


def replicate(
    make_panel: PanelMaker,
    hypotheses: Sequence[str] | str | None = None,
    reps: int = 200,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """One row per (replication, hypothesis): verdict, estimate, p-value, reason.

    ``executor`` (any ``concurrent.futures.Executor``) runs replications in parallel; the
    callable must then be picklable. ``progress`` is called with each finished count.
    """
    if reps < 1:
        raise InputError(f"reps must be >= 1; got {reps}", param="reps")
    ids = parse_only(hypotheses)
    jobs = [(make_panel, i, ids) for i in range(reps)]
    mapped: Iterable[list[dict[str, Any]]] = (
        executor.map(_one_rep, jobs) if executor is not None else map(_one_rep, jobs)
    )
    rows: list[dict[str, Any]] = []
    for k, part in enumerate(mapped, start=1):
        rows += part
        if progress is not None:
            progress(k)
    return pd.DataFrame(rows)


def summarize(runs: pd.DataFrame, prefix: str = "") -> pd.DataFrame:
    """Share supported / contrary / not estimable and the median estimate per hypothesis.

    Examples
    --------
    >>> runs = pd.DataFrame({"hypothesis": ["H2"] * 4, "rep": range(4),
    ...     "verdict": ["supported", "supported", "inconclusive", "contrary"],
    ...     "estimate": [1.0, 2.0, 0.1, -1.0], "p_value": [0.01, 0.0, 0.5, 0.01],
    ...     "reason": ["", "", "", ""]})
    >>> summarize(runs)[["supported", "contrary"]].values.tolist()
    [[0.5, 0.25]]
    """
    g = runs.groupby("hypothesis", sort=False)
    out = pd.DataFrame(
        {
            "reps": g.size(),
            "supported": g["verdict"].apply(lambda v: float(np.mean(v == "supported"))),
            "contrary": g["verdict"].apply(lambda v: float(np.mean(v == "contrary"))),
            "not_estimable": g["estimate"].apply(lambda e: float(np.mean(e.isna()))),
            "median_estimate": g["estimate"].median(),
        }
    )
    return out.add_prefix(prefix).reset_index()


def recovery_study(
    make_panel: PanelMaker,
    hypotheses: Sequence[str] | str | None = None,
    reps: int = 200,
    make_null_panel: PanelMaker | Mapping[str, PanelMaker] | None = None,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Power (mechanism on) and false-positive rate (mechanism off) per hypothesis.

    Parameters
    ----------
    make_panel
        ``make_panel(i)`` returns replication ``i`` of the world with every mechanism on.
    hypotheses
        Ids (``"H2,H5"`` or a list); all by default.
    reps
        Replications per world.
    make_null_panel
        The mechanism-off world: one callable for all hypotheses, or a mapping from
        hypothesis id to the callable of its own mechanism-off world.
    executor, progress
        See :func:`replicate`.

    Returns
    -------
    DataFrame with ``hypothesis, reps, power, contrary, not_estimable, median_estimate``
    and, with a null world, ``false_positive_rate, null_contrary, null_not_estimable,
    null_median_estimate``.
    """
    ids = parse_only(hypotheses)
    on = summarize(replicate(make_panel, ids, reps, executor, progress))
    on = on.rename(columns={"supported": "power"})
    if make_null_panel is None:
        return on
    if not isinstance(make_null_panel, Mapping):
        make_null_panel = dict.fromkeys(ids, make_null_panel)
    missing = [h for h in ids if h not in make_null_panel]
    if missing:
        raise InputError(
            f"no mechanism-off world for {', '.join(missing)}", param="make_null_panel"
        )
    by_world: dict[int, list[str]] = {}
    makers: dict[int, PanelMaker] = {}
    for h in ids:
        key = id(make_null_panel[h])
        makers[key] = make_null_panel[h]
        by_world.setdefault(key, []).append(h)
    parts = [
        summarize(replicate(makers[k], hs, reps, executor, progress), prefix="null_")
        for k, hs in by_world.items()
    ]
    off = pd.concat(parts, ignore_index=True)
    off = off.rename(columns={"null_supported": "false_positive_rate"}).drop(columns="null_reps")
    return on.merge(off, on="hypothesis", how="left")
