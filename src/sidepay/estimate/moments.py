"""Moments of the maintenance stage (THEORY 2.5), for real and simulated panels alike.

Every moment is a ratio of sums over directed dyad-years (patron, client, year), so one
function (:func:`moment_stats` on the rows of a panel,
:func:`~sidepay.estimate.sim_moments.history_stats` on the raw
arrays of a simulation, with no data frame built) turns a panel into *per-client sums*
of the numerators and denominators; the moments, their totals and their client-cluster
bootstrap all follow from those sums. :data:`MOMENTS` defines each moment.

Units. The real panel measures divergence as an ideal-point distance and the side payment
in whatever its ``payment`` column holds (SIPRI TIV, aid dollars); a simulation measures
both in model units. The moments are made comparable by construction:

* rates and shares (hazards, realignment share, alliance share) carry no unit;
* payments enter as ``y = log1p(a / m)`` with ``m`` the panel's own median positive
  payment among allied dyad-years, so rescaling the payment (dollars, TIV, model units)
  leaves every payment moment unchanged; payment changes are within-dyad changes of ``y``;
* divergence is divided by ``divergence_unit`` (the ideal-point range that maps it into
  the model's ``[0, 1]``); the terciles of its yearly change are the panel's own;
* the variance of divergence shocks is measured as ``E[D2^2] - E[D1^2]`` (two-year minus
  one-year change), which is ``s_d^2`` for a random walk observed with independent noise
  (UN ideal points are estimated with error), so measurement noise cancels; the
  leader-change jump is an excess over the no-change years for the same reason.

Examples
--------
>>> import pandas as pd
>>> panel = pd.DataFrame({
...     "patron": 2, "client": [20] * 4 + [40] * 4, "year": [1950, 1951, 1952, 1953] * 2,
...     "allied": [1, 1, 1, 0, 1, 1, 1, 1], "termination": [0, 0, 1, 0, 0, 0, 0, 0],
...     "realignment": 0, "divergence": [0.1, 0.2, 0.4, 0.5, 0.3, 0.3, 0.2, 0.25],
...     "regime_change": [0, 0, 1, 0, 0, 0, 0, 0], "leader_change": [0, 0, 1, 0, 0, 1, 0, 0],
...     "W": 0.5, "side_payment": [1.0, 2.0, 2.0, 0.0, 3.0, 3.0, 4.0, 4.0]})
>>> m = panel_moments(panel, patrons=(2,))
>>> round(float(m["haz_regime"]), 3), round(float(m["allied_cold_war"]), 3)
(1.0, 0.875)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sidepay.errors import bad_param
from sidepay.payment_scale import log1p_payment
from sidepay.schema import validate_panel

__all__ = [
    "MOMENTS",
    "MomentSpec",
    "MomentStats",
    "moment_spec",
    "moment_stats",
    "panel_moments",
]

#: Last year of the Cold War era (the era moments split the panel here).
COLD_WAR_END = 1989
#: Bins of W: small coalitions (W < 0.375), middle (0.375 <= W < 0.625), large.
W_BINS = (0.375, 0.625)

#: Every moment, in the order of the moment vector, with its definition. "Allied" rows are
#: dyad-years with ``allied == 1`` (a termination year is the spell's last allied year);
#: "continuing" rows were allied last year in a spell that did not end last year and are
#: still allied after this year (``termination == 0``); "no change" means neither a regime
#: nor a leader change in the client this year; ``y = log1p(payment / median positive
#: payment)``; ``D1``, ``D2`` are the one- and two-year changes in divergence (model units).
MOMENTS: dict[str, str] = {
    "haz_dd_low": "termination share of allied dyad-years in the lowest tercile of D1",
    "haz_dd_mid": "termination share of allied dyad-years in the middle tercile of D1",
    "haz_dd_high": "termination share of allied dyad-years in the highest tercile of D1",
    "haz_regime": "termination share of allied dyad-years with a regime change",
    "haz_leader": "termination share of allied dyad-years with a leader change only",
    "realign_share": "share of terminations that are realignments",
    "allied_cold_war": f"share of dyad-years allied, years <= {COLD_WAR_END}",
    "allied_after": f"share of dyad-years allied, years > {COLD_WAR_END}",
    "pay_change_regime": "mean change of y in continuing alliances at a regime change",
    "pay_up": "mean of max(change of y, 0) in continuing alliances without change",
    "pay_down": "mean of min(change of y, 0) in continuing alliances without change",
    "pay_W_low": f"mean y of allied dyad-years with W < {W_BINS[0]}",
    "pay_W_mid": f"mean y of allied dyad-years with {W_BINS[0]} <= W < {W_BINS[1]}",
    "pay_W_high": f"mean y of allied dyad-years with W >= {W_BINS[1]}",
    "dd_mean": "mean D1 over dyad-years without change this year",
    "drift_var": "E[D2^2] - E[D1^2] over dyad-years without change this year or last",
    "dd_regime": "mean D1 of dyads allied last year, at a regime change",
    "dd_leader_excess": "E[D1^2] at a leader change only minus E[D1^2] without change",
}

#: The panel columns each moment family reads (their year coverage masks a simulation).
COVERED = (
    "allied", "termination", "realignment", "divergence", "W", "regime_change",
    "leader_change", "payment",
)  # fmt: skip


@dataclass(frozen=True)
class MomentSpec:
    """What makes a simulated panel comparable with the data: the patrons kept, the years
    in which each column is observed in the data (a simulation is masked to them) and the
    unit of divergence.

    Examples
    --------
    >>> MomentSpec(patrons=(2, 365), coverage={"W": (1946, 2018)}).years("W")
    (1946, 2018)
    """

    patrons: tuple[int, ...]
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)
    divergence_unit: float = 1.0

    def years(self, column: str) -> tuple[int, int] | None:
        """First and last year ``column`` is observed in the data (None: everywhere)."""
        return self.coverage.get(column)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            "patrons": list(self.patrons),
            "coverage": {k: list(v) for k, v in self.coverage.items()},
            "divergence_unit": self.divergence_unit,
        }


@dataclass(frozen=True)
class MomentStats:
    """Per-client sums of every moment's numerators and denominators.

    ``sums`` has one row per client (cluster) and one column per statistic; the moments
    are ratios of column totals, so a client-cluster bootstrap is a reweighting of rows.
    ``dd_cuts`` (tercile cut points of D1) and ``pay_scale`` (median positive payment)
    are the panel's own and stay fixed in the bootstrap. ``rows`` counts the dyad-years.
    """

    sums: NDArray[np.float64]
    dd_cuts: tuple[float, float]
    pay_scale: float
    rows: int

    @property
    def clusters(self) -> int:
        """Number of clients (clusters)."""
        return int(self.sums.shape[0])

    def moments(self) -> pd.Series:
        """The moment vector (NaN where a denominator is zero)."""
        return pd.Series(_moments(self.sums.sum(axis=0)[None, :])[0], index=list(MOMENTS))

    def bootstrap(self, draws: int, rng: np.random.Generator) -> NDArray[np.float64]:
        """(draws, len(MOMENTS)) moments of client-cluster bootstrap samples."""
        n = self.clusters
        weights = rng.multinomial(n, np.full(n, 1.0 / n), size=draws).astype(np.float64)
        return _moments(weights @ self.sums)

    def counts(self) -> pd.Series:
        """Denominator of each moment (dyad-years it averages over; the smallest for a
        difference of two averages)."""
        tot = self.sums.sum(axis=0)
        return pd.Series(
            [min(tot[den] for _, _, den in _FORMULAS[m]) for m in MOMENTS], index=list(MOMENTS)
        )


# ---------------------------------------------------------------- statistics (num, den)
# Each moment is sum_j coef_j * S[num_j] / S[den_j] over statistics S (column totals).
_STATS = (
    "n_dd1", "t_dd1", "n_dd2", "t_dd2", "n_dd3", "t_dd3", "n_rc", "t_rc", "n_lc", "t_lc",
    "n_term", "realign", "n_cw", "a_cw", "n_post", "a_post", "n_cont_rc", "dy_rc",
    "n_cont0", "dy_up", "dy_down", "n_W1", "y_W1", "n_W2", "y_W2", "n_W3", "y_W3",
    "n_dd0", "dd0", "dd0_sq", "n_dv", "dv", "n_ddrc", "ddrc", "n_ddlc", "ddlc_sq",
)  # fmt: skip
_IX = {name: i for i, name in enumerate(_STATS)}
_FORMULAS: dict[str, list[tuple[float, int, int]]] = {
    name: [(c, _IX[a], _IX[b]) for c, a, b in terms]
    for name, terms in {
        "haz_dd_low": [(1.0, "t_dd1", "n_dd1")],
        "haz_dd_mid": [(1.0, "t_dd2", "n_dd2")],
        "haz_dd_high": [(1.0, "t_dd3", "n_dd3")],
        "haz_regime": [(1.0, "t_rc", "n_rc")],
        "haz_leader": [(1.0, "t_lc", "n_lc")],
        "realign_share": [(1.0, "realign", "n_term")],
        "allied_cold_war": [(1.0, "a_cw", "n_cw")],
        "allied_after": [(1.0, "a_post", "n_post")],
        "pay_change_regime": [(1.0, "dy_rc", "n_cont_rc")],
        "pay_up": [(1.0, "dy_up", "n_cont0")],
        "pay_down": [(1.0, "dy_down", "n_cont0")],
        "pay_W_low": [(1.0, "y_W1", "n_W1")],
        "pay_W_mid": [(1.0, "y_W2", "n_W2")],
        "pay_W_high": [(1.0, "y_W3", "n_W3")],
        "dd_mean": [(1.0, "dd0", "n_dd0")],
        "drift_var": [(1.0, "dv", "n_dv")],
        "dd_regime": [(1.0, "ddrc", "n_ddrc")],
        "dd_leader_excess": [(1.0, "ddlc_sq", "n_ddlc"), (-1.0, "dd0_sq", "n_dd0")],
    }.items()
}
assert list(_FORMULAS) == list(MOMENTS)


def _moments(totals: NDArray[np.float64]) -> NDArray[np.float64]:
    """(B, n_stats) statistic totals -> (B, n_moments) moments."""
    out = np.zeros((totals.shape[0], len(MOMENTS)))
    with np.errstate(invalid="ignore", divide="ignore"):
        for j, terms in enumerate(_FORMULAS.values()):
            for coef, num, den in terms:
                d = totals[:, den]
                out[:, j] += coef * np.where(d > 0, totals[:, num] / np.where(d > 0, d, 1), np.nan)
    return out


@dataclass
class _Rows:
    """Flat dyad-year arrays (NaN: missing) and the client cluster of each row."""

    cluster: NDArray[np.int64]
    n_clusters: int
    year: NDArray[np.int64]
    allied: NDArray[np.float64]
    allied_prev: NDArray[np.float64]
    term: NDArray[np.float64]
    term_prev: NDArray[np.float64]
    realign: NDArray[np.float64]
    rc: NDArray[np.float64]
    lc: NDArray[np.float64]
    rc_prev: NDArray[np.float64]
    lc_prev: NDArray[np.float64]
    d: NDArray[np.float64]
    d_prev: NDArray[np.float64]
    d_prev2: NDArray[np.float64]
    W: NDArray[np.float64]
    pay: NDArray[np.float64]
    pay_prev: NDArray[np.float64]


def _stats(
    r: _Rows, dd_cuts: tuple[float, float] | None = None, pay_scale: float | None = None
) -> MomentStats:
    """Per-client sums of the statistics of ``_STATS`` (every moment's num and den)."""
    C = r.n_clusters
    sums = np.zeros((C, len(_STATS)))
    allied = r.allied == 1.0
    term1 = r.term == 1.0
    dd1 = r.d - r.d_prev
    dd2 = r.d - r.d_prev2
    ok1 = ~np.isnan(dd1)
    none = (r.rc == 0.0) & (r.lc == 0.0)
    none_prev = (r.rc_prev == 0.0) & (r.lc_prev == 0.0)

    def put(name: str, mask: NDArray[np.bool_], values: NDArray[np.float64] | None = None) -> None:
        idx = np.flatnonzero(mask)
        w = None if values is None else values[idx]
        sums[:, _IX[name]] = np.bincount(r.cluster[idx], weights=w, minlength=C)

    a_dd = allied & ok1
    if dd_cuts is None:
        x = dd1[a_dd]
        q = np.quantile(x, [1 / 3, 2 / 3]) if x.size else np.array([0.0, 0.0])
        dd_cuts = (float(q[0]), float(q[1]))
    lo, hi = dd_cuts
    for k, band in enumerate((dd1 <= lo, (dd1 > lo) & (dd1 <= hi), dd1 > hi), start=1):
        put(f"n_dd{k}", a_dd & band)
        put(f"t_dd{k}", a_dd & band & term1)
    put("n_rc", allied & (r.rc == 1.0) & ~np.isnan(r.term))
    put("t_rc", allied & (r.rc == 1.0) & term1)
    lc_only = (r.lc == 1.0) & (r.rc == 0.0)
    put("n_lc", allied & lc_only & ~np.isnan(r.term))
    put("t_lc", allied & lc_only & term1)
    put("n_term", allied & term1 & ~np.isnan(r.realign))
    put("realign", allied & term1 & (r.realign == 1.0))
    known = ~np.isnan(r.allied)
    cw = r.year <= COLD_WAR_END
    put("n_cw", known & cw)
    put("a_cw", allied & cw)
    put("n_post", known & ~cw)
    put("a_post", allied & ~cw)

    if pay_scale is None:
        positive = r.pay[allied & (r.pay > 0)]
        pay_scale = float(np.median(positive)) if positive.size else 1.0
    y = log1p_payment(r.pay / pay_scale)  # a net deobligation is no new payment
    dy = y - log1p_payment(r.pay_prev / pay_scale)
    cont = (r.allied_prev == 1.0) & (r.term_prev == 0.0) & allied & (r.term == 0.0)
    cont &= ~np.isnan(dy)
    put("n_cont_rc", cont & (r.rc == 1.0))
    put("dy_rc", cont & (r.rc == 1.0), dy)
    put("n_cont0", cont & none)
    put("dy_up", cont & none, np.maximum(dy, 0.0))
    put("dy_down", cont & none, np.minimum(dy, 0.0))
    W = r.W
    for k, band in enumerate(
        (W < W_BINS[0], (W >= W_BINS[0]) & (W < W_BINS[1]), W >= W_BINS[1]), start=1
    ):
        m = allied & band & ~np.isnan(y)
        put(f"n_W{k}", m)
        put(f"y_W{k}", m, y)

    m0 = ok1 & none
    put("n_dd0", m0)
    put("dd0", m0, dd1)
    put("dd0_sq", m0, dd1 * dd1)
    mv = m0 & none_prev & ~np.isnan(dd2)
    put("n_dv", mv)
    put("dv", mv, dd2 * dd2 - dd1 * dd1)
    mrc = ok1 & (r.allied_prev == 1.0) & (r.rc == 1.0)
    put("n_ddrc", mrc)
    put("ddrc", mrc, dd1)
    mlc = ok1 & lc_only
    put("n_ddlc", mlc)
    put("ddlc_sq", mlc, dd1 * dd1)
    return MomentStats(sums=sums, dd_cuts=dd_cuts, pay_scale=pay_scale, rows=len(r.year))


# ---------------------------------------------------------------- a panel's rows
def _float(panel: pd.DataFrame, column: str) -> NDArray[np.float64]:
    if column not in panel.columns:
        return np.full(len(panel), np.nan)
    return np.asarray(pd.to_numeric(panel[column]).astype("float64").to_numpy(na_value=np.nan))


def moment_spec(
    panel: pd.DataFrame,
    *,
    patrons: Sequence[int],
    payment: str = "side_payment",
    divergence_unit: float | str = 1.0,
) -> MomentSpec:
    """The comparison spec a data panel implies: patrons kept, each column's years of
    coverage in the data, and the divergence unit (``"range"``: the data's max - min).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"patron": 2, "client": 20, "year": [1950, 1951],
    ...                   "allied": [1, None], "divergence": [0.0, 3.0]})
    >>> s = moment_spec(p, patrons=(2,), divergence_unit="range")
    >>> s.years("allied"), s.divergence_unit
    ((1950, 1950), 3.0)
    """
    validate_panel(panel, param="panel")
    rows = panel[panel["patron"].isin(list(patrons))]
    if rows.empty:
        raise bad_param("patrons", f"no rows of the panel have patron in {list(patrons)}")
    coverage: dict[str, tuple[int, int]] = {}
    years = rows["year"].to_numpy()
    for col in COVERED:
        name = payment if col == "payment" else col
        if name not in rows.columns:
            continue
        seen = years[rows[name].notna().to_numpy()]
        if seen.size:
            coverage[col] = (int(seen.min()), int(seen.max()))
    if isinstance(divergence_unit, str):
        if divergence_unit != "range":
            raise bad_param(
                "divergence_unit", f"must be a number > 0 or 'range'; got {divergence_unit!r}"
            )
        d = _float(rows, "divergence")
        unit = float(np.nanmax(d) - np.nanmin(d)) if np.isfinite(d).any() else 1.0
    else:
        unit = float(divergence_unit)
    if not np.isfinite(unit) or unit <= 0:
        raise bad_param("divergence_unit", f"must be a number > 0; got {divergence_unit!r}")
    return MomentSpec(
        patrons=tuple(int(p) for p in patrons), coverage=coverage, divergence_unit=unit
    )


def moment_stats(
    panel: pd.DataFrame, spec: MomentSpec, *, payment: str = "side_payment"
) -> MomentStats:
    """Per-client moment statistics of a panel in the schema (real or simulated).

    Rows of other patrons are dropped; a row's "previous year" is the same dyad's row of
    the year before (missing if absent). A simulated panel with a ``rep`` column counts
    each (rep, client) as its own cluster.
    """
    validate_panel(panel, required=("patron", "client", "year"), param="panel")
    if payment not in panel.columns:
        raise bad_param("payment", f"column {payment!r} is not in the panel")
    p = panel[panel["patron"].isin(list(spec.patrons))]
    rep = p["rep"].to_numpy(np.int64) if "rep" in p.columns else np.zeros(len(p), np.int64)
    order = np.lexsort((p["year"].to_numpy(), p["client"].to_numpy(), p["patron"].to_numpy(), rep))
    p = p.iloc[order]
    rep = rep[order]
    patron = p["patron"].to_numpy(np.int64)
    client = p["client"].to_numpy(np.int64)
    year = p["year"].to_numpy(np.int64)
    _, cluster = np.unique(np.stack([rep, client]), axis=1, return_inverse=True)
    cluster = cluster.ravel().astype(np.int64)

    def lag(a: NDArray[np.float64], k: int) -> NDArray[np.float64]:
        out = np.full_like(a, np.nan)
        if len(a) > k:
            same = (
                (patron[k:] == patron[:-k]) & (client[k:] == client[:-k])
                & (rep[k:] == rep[:-k]) & (year[k:] - year[:-k] == k)
            )  # fmt: skip
            out[k:] = np.where(same, a[:-k], np.nan)
        return out

    def col(name: str, covered: str | None = None) -> NDArray[np.float64]:
        out = _float(p, name)
        span = spec.years(covered or name)
        if span is not None:
            out[(year < span[0]) | (year > span[1])] = np.nan
        return out

    d = col("divergence") / spec.divergence_unit
    allied, term, rc, lc = (
        col(c) for c in ("allied", "termination", "regime_change", "leader_change")
    )
    pay = col(payment, "payment")
    rows = _Rows(
        cluster=cluster,
        n_clusters=int(cluster.max()) + 1 if len(cluster) else 0,
        year=year,
        allied=allied,
        allied_prev=lag(allied, 1),
        term=term,
        term_prev=lag(term, 1),
        realign=col("realignment"),
        rc=rc,
        lc=lc,
        rc_prev=lag(rc, 1),
        lc_prev=lag(lc, 1),
        d=d,
        d_prev=lag(d, 1),
        d_prev2=lag(d, 2),
        W=col("W"),
        pay=pay,
        pay_prev=lag(pay, 1),
    )
    return _stats(rows)


def panel_moments(
    panel: pd.DataFrame,
    *,
    patrons: Sequence[int] = (2, 365),
    payment: str = "side_payment",
    divergence_unit: float | str = 1.0,
) -> pd.Series:
    """The moment vector of a panel (see :data:`MOMENTS`).

    Parameters
    ----------
    panel : a panel in the schema (``sidepay.data.panel.build_panel()`` or a simulation).
    patrons : great-power codes kept (default the two of the default world).
    payment : the side-payment column (``side_payment``, ``aid_us``, ...).
    divergence_unit : divergence per model unit (``"range"``: the panel's max - min).

    Examples
    --------
    >>> from sidepay.sim.engine import simulate
    >>> from sidepay.sim.world import default_world
    >>> sim = simulate(default_world().updated({"small_states.n": 20}), 30, 2, seed=3).panel
    >>> m = panel_moments(sim)
    >>> bool(0 <= m["haz_dd_high"] <= 1), len(m) == len(MOMENTS)
    (True, True)
    """
    spec = moment_spec(panel, patrons=patrons, payment=payment, divergence_unit=divergence_unit)
    return moment_stats(panel, spec, payment=payment).moments()
