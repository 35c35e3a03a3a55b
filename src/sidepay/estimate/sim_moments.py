"""Moments of a simulation: :func:`history_stats` and :func:`history_moments` straight from
``run_history``'s arrays (no data frame built), by the definitions of
:mod:`sidepay.estimate.moments`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sidepay.estimate.moments import MomentSpec, MomentStats, _Rows, _stats
from sidepay.theory.dynamics import dyad_events

__all__ = ["history_moments", "history_stats"]


# ---------------------------------------------------------------- a simulation's arrays
def history_stats(history: Any, spec: MomentSpec | None = None) -> MomentStats:
    """Per-client moment statistics straight from ``run_history``'s arrays (no frame).

    The same rows, the same definitions and the same numbers as
    ``moment_stats(panel_frame(history), spec)``; the simulation is masked to the data's
    year coverage of each column (``spec.coverage``) and its patrons (``spec.patrons``).
    Clusters are (replication, small state).

    Examples
    --------
    >>> from sidepay.sim.engine import run_history
    >>> from sidepay.sim.world import default_world
    >>> h = run_history(default_world().updated({"small_states.n": 10}), 20, 2, 5)
    >>> s = history_stats(h)
    >>> s.clusters, s.rows
    (20, 800)
    """
    world = history.world
    codes = np.asarray(world.codes, dtype=np.int64)
    if spec is None:
        spec = MomentSpec(patrons=tuple(int(c) for c in codes))
    keep = np.flatnonzero(np.isin(codes, np.asarray(spec.patrons, dtype=np.int64)))
    T, R, K, N = history.d.shape
    ally = history.ally.astype(np.int64)
    ally_prev = np.empty_like(ally)
    ally_prev[0] = history.initial["ally"]
    ally_prev[1:] = ally[:-1]
    pay_prev = np.empty_like(history.pay)
    pay_prev[0] = history.initial["pay"]
    pay_prev[1:] = history.pay[:-1]
    ev = dyad_events(ally_prev, ally, pay_prev, history.pay, K)
    year = world.start_year + np.arange(T, dtype=np.int64)
    Kk = len(keep)
    shape = (T, R, Kk, N)

    def masked(a: NDArray[Any], column: str) -> NDArray[np.float64]:
        """A (T, R, K, N) float copy with NaN outside the data's coverage of ``column``."""
        out = np.array(np.broadcast_to(a, shape), dtype=np.float64)
        span = spec.years(column)
        if span is not None:
            out[(year < span[0]) | (year > span[1])] = np.nan
        return out

    def dyad(a: NDArray[Any]) -> NDArray[Any]:
        return a[:, :, keep, :]

    def state(a: NDArray[Any]) -> NDArray[Any]:
        return a[:, :, None, :]

    def lag(a: NDArray[np.float64], k: int) -> NDArray[np.float64]:
        out = np.full_like(a, np.nan)
        out[k:] = a[:-k]
        return out

    allied = masked(dyad(ev["allied"]), "allied")
    term = masked(dyad(ev["termination"]), "termination")
    rc = masked(state(history.regime_change), "regime_change")
    lc = masked(state(history.leader_change), "leader_change")
    d = masked(dyad(history.d), "divergence")
    pay = masked(dyad(ev["payment"]), "payment")
    cluster = np.broadcast_to(
        (np.arange(R, dtype=np.int64)[:, None] * N + np.arange(N))[None, :, None, :], shape
    )

    def flat(a: NDArray[Any]) -> NDArray[Any]:
        return np.ascontiguousarray(a).reshape(-1)

    rows = _Rows(
        cluster=flat(cluster),
        n_clusters=R * N,
        year=flat(np.broadcast_to(year[:, None, None, None], shape)),
        allied=flat(allied),
        allied_prev=flat(lag(allied, 1)),
        term=flat(term),
        term_prev=flat(lag(term, 1)),
        realign=flat(masked(dyad(ev["realignment"]), "realignment")),
        rc=flat(rc),
        lc=flat(lc),
        rc_prev=flat(lag(rc, 1)),
        lc_prev=flat(lag(lc, 1)),
        d=flat(d),
        d_prev=flat(lag(d, 1)),
        d_prev2=flat(lag(d, 2)),
        W=flat(masked(state(history.W), "W")),
        pay=flat(pay),
        pay_prev=flat(lag(pay, 1)),
    )
    return _stats(rows)


def history_moments(history: Any, spec: MomentSpec | None = None) -> pd.Series:
    """The moment vector of a simulation history (see :func:`history_stats`).

    Examples
    --------
    >>> from sidepay.sim.engine import run_history
    >>> from sidepay.sim.world import default_world
    >>> h = run_history(default_world().updated({"small_states.n": 10}), 20, 2, 5)
    >>> from sidepay.estimate.moments import MOMENTS
    >>> list(history_moments(h).index) == list(MOMENTS)
    True
    """
    return history_stats(history, spec).moments()
