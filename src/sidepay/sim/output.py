"""Turn a simulation history into the panel schema, an event log, and Parquet files.

The simulated panel has one row per (rep, patron, client, year), ordered that way, with the
``sidepay.schema`` columns the model defines and the true latent parameters
(``TRUTH_COLUMNS`` plus ``truth_leader_hazard`` and ``truth_max_offer``). Timing within a
year: shocks (drift, regime and leader change) come first, then renegotiation; a row is
``allied`` if the alliance was in force at any point of the year, so a termination year is
the last year of its spell (as in the real data) and carries the last payment.

The engine (``sidepay.sim.engine``) makes a :class:`~sidepay.sim.history.History` and
calls this module; this module never imports the engine.

Examples
--------
>>> events_path("runs/sim.parquet").name
'sim.events.parquet'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sidepay.atomic import atomic_path
from sidepay.errors import bad_param
from sidepay.schema import COLUMNS, TRUTH_COLUMNS
from sidepay.sim.history import History
from sidepay.sim.world import CLIENT_BASE
from sidepay.theory import rules, rules_maintenance
from sidepay.theory.dynamics import dyad_events

__all__ = [
    "DYAD_EVENTS",
    "STATE_EVENTS",
    "check_finite",
    "events_frame",
    "events_path",
    "panel_frame",
    "write_result",
]

DYAD_EVENTS = ("formation", "termination", "realignment", "payment_increase", "payment_decrease")
STATE_EVENTS = ("regime_change", "leader_change")


def _rknt(a: NDArray[np.generic]) -> NDArray[np.generic]:
    """(T, R, K, N) -> flat in (R, K, N, T) order."""
    return np.ascontiguousarray(a.transpose(1, 2, 3, 0)).ravel()


def _rnt(a: NDArray[np.generic], K: int) -> NDArray[np.generic]:
    """(T, R, N) state array -> flat in (R, K, N, T) order (repeated over patrons)."""
    b = a.transpose(1, 2, 0)[:, None, :, :]
    return np.ascontiguousarray(np.broadcast_to(b, (b.shape[0], K, *b.shape[2:]))).ravel()


def _previous(a: NDArray[np.generic], first: NDArray[np.generic]) -> NDArray[np.generic]:
    """Last period's values: ``first`` (the state before the record starts), then a[:-1]."""
    prev = np.empty_like(a)
    prev[0] = first
    prev[1:] = a[:-1]
    return prev


def _dyad_arrays(h: History) -> dict[str, NDArray[np.generic]]:
    """Dyad events, payments and spell starts as (T, R, K, N) arrays."""
    K = h.d.shape[2]
    ally = h.ally.astype(np.int64)
    ally_prev = _previous(ally, h.initial["ally"])
    ev = dyad_events(ally_prev, ally, _previous(h.pay, h.initial["pay"]), h.pay, K)
    now = ally[:, :, None, :] == np.arange(K)[:, None]
    start_now = h.spell_start[:, :, None, :]
    start_prev = _previous(h.spell_start, h.initial["spell_start"])[:, :, None, :]
    ev["spell_start"] = np.where(now, start_now, np.where(ev["allied"] == 1, start_prev, -1))
    return ev


def panel_frame(h: History) -> pd.DataFrame:
    """The directed dyad-year panel (schema + truth columns) of a history."""
    w = h.world
    T, R, K, N = h.d.shape
    st = h.static
    p = w.params
    ev = _dyad_arrays(h)
    rows = R * K * N * T
    rep = np.repeat(np.arange(h.rep_start, h.rep_start + R, dtype=np.int64), K * N * T)
    patron = np.tile(np.repeat(w.codes, N * T), R)
    client = np.tile(np.repeat(CLIENT_BASE + np.arange(N, dtype=np.int64), T), R * K)
    period = np.tile(np.arange(T, dtype=np.int64), R * K * N)
    year = w.start_year + period

    allied = _rknt(ev["allied"])
    start = _rknt(ev["spell_start"]).astype(np.int64)
    in_spell = start >= 0
    first_year = w.start_year - h.burn_in  # calendar year of period 0 of the run (burn-in)
    payment = _rknt(ev["payment"])
    total = ev["payment"].sum(axis=2, keepdims=True)
    rival_payment = _rknt(total - ev["payment"])

    # truth: the bargaining quantities renegotiation used in each year (theory.rules)
    rho = rules.concession_salience(np.asarray(st["h"]), p)  # (R, N)
    lam = rules.concession_weight(h.W, rho, p)  # (T, R, N)
    ST = rules.protected_threat(st["sigma"], st["T"][:, None, :])  # (R, K, N)
    D = rules.dyad_deficit(lam[:, :, None, :], h.d, st["x"][None], ST[None])
    v_eff = rules.epoch_value(np.array([g.v for g in w.great_powers]), h.v_scale)  # (T, K)
    k = np.array([g.k for g in w.great_powers])
    kST = rules.protection_cost(k[None, None, :, None], ST[None])
    V = rules_maintenance.patron_value(v_eff[:, None, :, None], st["x"][None], kST)
    S = rules_maintenance.patron_surplus(V, rules_maintenance.required_payment(D))
    G = V - D  # the best offer before the "cannot afford it" mask (rules_maintenance.best_offer)

    spell_key = np.where(in_spell, ((rep * 1000 + patron) * 10**6 + client) * 10**5 + start, -1)
    keys, first, codes = np.unique(spell_key, return_index=True, return_inverse=True)
    labels = np.array(
        [
            f"r{rep[j]}-{patron[j]}-{client[j]}-{first_year + start[j]}" if key >= 0 else ""
            for key, j in zip(keys, first, strict=True)
        ],
        dtype=object,
    )
    spell_id = pd.array(labels[codes], dtype="string")
    spell_id[~in_spell] = pd.NA

    na_int = pd.array(np.where(in_spell, first_year + start, 0), dtype="Int64")
    na_int[~in_spell] = pd.NA
    sy = pd.array(np.where(in_spell, period + h.burn_in - start, 0), dtype="Int64")
    sy[~in_spell] = pd.NA

    columns: dict[str, Any] = {
        "patron": patron,
        "client": client,
        "year": year,
        "allied": allied,
        "spell_id": spell_id,
        "spell_start": na_int,
        "spell_year": sy,
        "side_payment": payment,
        "rival_payment": rival_payment,
        "divergence": _rknt(h.d),
        "W": _rnt(h.W, K),
        "regime_change": _rnt(h.regime_change, K).astype(np.int8),
        "leader_change": _rnt(h.leader_change, K).astype(np.int8),
        "leader_tenure": _rnt(h.tenure, K),
        "gdp_client": _rnt(np.broadcast_to(st["Y"], (T, R, N)), K),
        "threat": _rnt(np.broadcast_to(st["T"], (T, R, N)), K),
        "common_threat": _rknt(np.broadcast_to(ST, (T, R, K, N))),
        **{name: _rknt(ev[name]) for name in DYAD_EVENTS},
        "rep": rep,
        "truth_v": _rknt(np.broadcast_to(v_eff[:, None, :, None], (T, R, K, N))),
        "truth_k": np.tile(np.repeat(k, N * T), R),
        "truth_sigma": _rknt(np.broadcast_to(st["sigma"], (T, R, K, N))),
        "truth_x": _rknt(np.broadcast_to(st["x"], (T, R, K, N))),
        "truth_h": _rnt(np.broadcast_to(st["h"], (T, R, N)), K),
        "truth_deficit": _rknt(D),
        "truth_surplus": _rknt(S),
        "truth_max_offer": _rknt(G),
        "truth_leader_hazard": _rnt(h.leader_hazard, K),
    }
    return _schema_frame(columns, rows)


_pd_array: Any = pd.array  # pandas-stubs do not accept a dtype name held in a str


def _schema_frame(columns: dict[str, Any], rows: int) -> pd.DataFrame:
    """A frame in ``schema.conform`` order and dtypes, built without conform's full copy."""
    known = {**COLUMNS, **TRUTH_COLUMNS}
    order = [c for c in known if c in columns] + [c for c in columns if c not in known]
    typed: dict[str, Any] = {}
    for name in order:
        values = columns[name]
        dtype = known[name].dtype if name in known else "float64"
        if isinstance(values, np.ndarray) and dtype[0].isupper():  # nullable extension type
            values = _pd_array(values.astype(dtype.lower(), copy=False), dtype=dtype)
        elif isinstance(values, np.ndarray):
            values = values.astype(dtype, copy=False)
        assert len(values) == rows, name
        typed[name] = values
    return pd.DataFrame(typed)


def events_frame(h: History) -> pd.DataFrame:
    """The event log: one row per (rep, year, patron, client, event).

    Dyad events carry the patron; regime and leader changes are the client's own
    (``patron`` missing). Rows are ordered by rep, year, client, patron, event.
    """
    w = h.world
    ev = _dyad_arrays(h)
    parts = []
    for name in DYAD_EVENTS:
        t, r, g, i = np.nonzero(ev[name])
        parts.append((r, t, w.codes[g], i, name))
    for name in STATE_EVENTS:
        t, r, i = np.nonzero(getattr(h, name))
        parts.append((r, t, np.full(len(r), -1, dtype=np.int64), i, name))
    rep = np.concatenate([p[0] for p in parts]).astype(np.int64) + h.rep_start
    year = np.concatenate([p[1] for p in parts]).astype(np.int64) + w.start_year
    patron = np.concatenate([p[2] for p in parts]).astype(np.int64)
    client = np.concatenate([p[3] for p in parts]).astype(np.int64) + CLIENT_BASE
    names = list(DYAD_EVENTS + STATE_EVENTS)
    code = np.concatenate([np.full(len(p[0]), names.index(p[4])) for p in parts])
    order = np.lexsort((code, patron, client, year, rep))
    pat = pd.array(patron[order], dtype="Int64")
    pat[patron[order] < 0] = pd.NA
    return pd.DataFrame(
        {
            "rep": rep[order],
            "year": year[order],
            "patron": pat,
            "client": client[order],
            "event": pd.Categorical.from_codes(code[order], categories=pd.Index(names)),
        }
    )


def _atomic_parquet(df: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)


def check_finite(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel itself, if every float is finite; else one line naming the column.

    A simulated panel has no missing floats, so NaN or infinity means a world whose
    parameters overflow float64 (``small_states.threat_per_rival = 1e308``): refused,
    never written.

    Examples
    --------
    >>> check_finite(pd.DataFrame({"threat": [1.0, float("inf")], "year": [1, 2]}))
    Traceback (most recent call last):
    ...
    sidepay.errors.InputError: world= gives non-finite values (inf or NaN) in threat (1 of 2 rows); its parameters overflow float64: make them smaller
    """
    for name in panel.columns:
        col = panel[name]
        if col.dtype.kind != "f":
            continue
        bad = ~np.isfinite(col.to_numpy())
        if bad.any():
            raise bad_param(
                "world",
                f"gives non-finite values (inf or NaN) in {name} ({int(bad.sum())} of "
                f"{len(col)} rows); its parameters overflow float64: make them smaller",
            )
    return panel


def events_path(out: str | Path) -> Path:
    """Where the event log of a panel written to ``out`` goes: ``<stem>.events.parquet``.

    Examples
    --------
    >>> events_path("runs/sim.parquet").name
    'sim.events.parquet'
    """
    p = Path(out)
    return p.with_name(p.stem + ".events" + (p.suffix or ".parquet"))


def write_result(panel: pd.DataFrame, events: pd.DataFrame, out: str | Path) -> tuple[Path, Path]:
    """Write the panel to ``out`` and the event log beside it, each atomically."""
    out_path = Path(out)
    ev_path = events_path(out_path)
    _atomic_parquet(panel, out_path)
    _atomic_parquet(events, ev_path)
    return out_path, ev_path
