"""Estimation samples of the hypotheses: which rows and columns each one uses.

:func:`estimation_sample` builds the sample of one :class:`~sidepay.analysis.specs.HypothesisSpec`
from a panel-schema table: the derived variables (:mod:`sidepay.analysis.prepare`), the
rows of its sample (formations, allied dyad-years, client-years for H8), the controls the
panel can supply and notes on those it cannot. :func:`check_spec_columns` refuses a spec
that names a column no panel can have; :mod:`sidepay.analysis.hypotheses` runs the models.

Examples
--------
>>> _sample(pd.DataFrame({"formation": [1, 0, 1]}), "formations").index.tolist()
[0, 2]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sidepay.analysis.prepare import DERIVED, derive, needed_panel_columns
from sidepay.analysis.result import Coverage
from sidepay.analysis.specs import (
    CLIENT_YEAR_COLUMNS,
    CLIENT_YEAR_SAMPLES,
    HYPOTHESES,
    SAMPLE_COLUMNS,
    UNIT_KEYS,
    HypothesisSpec,
)
from sidepay.errors import InputError
from sidepay.payment_scale import log1p_payment
from sidepay.schema import COLUMNS, validate_panel

__all__ = ["check_spec_columns", "estimation_sample"]


def _group_first(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """First non-missing value of each group of sorted ``values`` (missing if none)."""
    if not len(starts):
        return np.empty(0)
    pos = np.arange(len(values))
    first = np.minimum.reduceat(np.where(np.isnan(values), len(values), pos), starts)
    found = first < len(values)
    return np.where(found, values[np.minimum(first, len(values) - 1)], np.nan)


def _group_max(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Largest non-missing value of each group (missing if none), as pandas' ``max``."""
    return np.fmax.reduceat(values, starts) if len(starts) else np.empty(0)


def _group_sum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sum of each group's non-missing values; missing if all are (``min_count=1``)."""
    if not len(starts):
        return np.empty(0)
    seen = np.add.reduceat((~np.isnan(values)).astype(np.int64), starts)
    total = np.add.reduceat(np.nan_to_num(values, nan=0.0), starts)
    return np.where(seen > 0, total, np.nan)


def _client_years(df: pd.DataFrame, allied_only: bool = True) -> pd.DataFrame:
    """Client-year table for H8: payments summed over patrons, lagged one year.

    One integer key (replication, client, year), one sort, and reductions over the sorted
    blocks; last year's values are looked up at key - 1. On a 100-replication panel this
    needs a fraction of the memory of a pandas groupby on three keys and a merge.
    """
    has_rep = "rep" in df.columns
    rep = df["rep"].to_numpy(np.int64) if has_rep else np.zeros(len(df), np.int64)
    key = (rep * 10**4 + df["client"].to_numpy(np.int64)) * 10**4 + df["year"].to_numpy(np.int64)
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else key[:0]
    k = key[starts]

    def col(name: str) -> np.ndarray:
        return df[name].astype("float64").to_numpy()[order]

    cy = pd.DataFrame(
        {"allied": _group_max(col("allied"), starts),
         "leader_change": _group_max(col("leader_change"), starts)}
    )  # fmt: skip
    for c in ("W", "leader_tenure", "gdp_client", "log_gdp_client", "client_id"):
        if c in df.columns:
            cy[c] = _group_first(col(c), starts)
    cy["_pay"] = _group_sum(col("side_payment"), starts)  # all patrons missing -> missing
    # last year's payments and tenure: this year's tenure is reset by this year's change
    prev = np.searchsorted(k, k - 1)
    has_prev = (prev < len(k)) & (k[np.minimum(prev, len(k) - 1)] == k - 1)
    prev = np.minimum(prev, len(k) - 1)
    cy["_pay_lag"] = np.where(has_prev, cy["_pay"].to_numpy()[prev], np.nan)
    if "leader_tenure" in cy.columns:
        cy["leader_tenure_lag"] = np.where(has_prev, cy["leader_tenure"].to_numpy()[prev], np.nan)
    cy["log_payment_received_lag"] = log1p_payment(cy["_pay_lag"])
    ids = {"rep": k // 10**8} if has_rep else {}
    ids |= {"client": (k // 10**4) % 10**4, "year": k % 10**4}
    cy = cy.assign(**ids)
    return (cy[cy["allied"] == 1] if allied_only else cy).reset_index(drop=True)


def _sample(df: pd.DataFrame, sample: str) -> pd.DataFrame:
    if sample == "formations":
        return df[df["formation"].astype("float64") == 1]
    if sample == "allied":
        return df[df["allied"].astype("float64") == 1]
    if sample == "allied_continuing":
        a = df["allied"].astype("float64") == 1
        return df[a & (df["termination"].astype("float64") == 0)]
    if sample in CLIENT_YEAR_SAMPLES:
        return _client_years(df, allied_only=sample == "allied_client_years")
    raise ValueError(f"unknown sample {sample!r}")


def _spec_columns(spec: HypothesisSpec) -> list[str]:
    cols = [spec.outcome, *spec.regressors, *spec.controls, *spec.fixed_effects, *spec.strata]
    if spec.cluster:
        cols.append(spec.cluster)
    if spec.estimator == "cox":
        cols += ["start", "stop"]
    if spec.peace_years:
        cols.append(spec.peace_years)
    if spec.sample in CLIENT_YEAR_SAMPLES:
        # H8 builds its variables on client-years from these panel columns
        lagged = ("log_payment_received_lag", "leader_tenure_lag")
        cols = [c for c in cols if c not in lagged] + ["side_payment", "leader_tenure"]
    return cols


def check_spec_columns(spec: HypothesisSpec, panel: pd.DataFrame) -> None:
    """Refuse a spec that names a column no panel can have (a misspelt control, say).

    A name is known if it is a panel-schema column, a derived variable
    (:data:`sidepay.analysis.prepare.DERIVED`) or a column of ``panel``. A known column the
    panel lacks is not an error: the result is then inconclusive, naming the column.

    Examples
    --------
    >>> from sidepay.analysis.hypotheses import with_options
    >>> check_spec_columns(with_options(HYPOTHESES["H2"], controls=("divergnce",)),
    ...     pd.DataFrame({"patron": [2]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sidepay.errors.InputError: H2 names unknown column(s) divergnce; allowed: ...
    """
    names = [*spec.regressors, *spec.controls, *spec.fixed_effects, *spec.strata]
    names += [spec.outcome, *([spec.cluster] if spec.cluster else [])]
    names += [spec.peace_years] if spec.peace_years else []
    known = {*COLUMNS, *DERIVED, *map(str, panel.columns)}
    known |= {"log_payment_received_lag", "leader_tenure_lag"}  # H8's client-year lags
    bad = [n for n in dict.fromkeys(names) if n not in known]
    if bad:
        allowed = ", ".join(sorted(known, key=str.lower))
        raise InputError(
            f"{spec.id} names unknown column(s) {', '.join(bad)}; allowed: {allowed}",
            param="specs",
        )
    for s in spec.secondary:
        check_spec_columns(s, panel)


def _controls_available(spec: HypothesisSpec, panel: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Controls whose panel columns exist (kept) and those that do not (dropped)."""
    kept: list[str] = []
    dropped: list[str] = []
    for c in spec.controls:
        (
            kept
            if not [m for m in needed_panel_columns([c]) if m not in panel.columns]
            else dropped
        ).append(c)
    return kept, dropped


def _drop_empty_controls(data: pd.DataFrame, controls: list[str]) -> tuple[list[str], list[str]]:
    kept = [c for c in controls if data[c].notna().any()]
    return kept, [c for c in controls if c not in kept]


def _coverage(data: pd.DataFrame, variables: Sequence[str] = ()) -> Coverage:
    """Years, clients and patrons of the rows with every model variable observed (the rows
    the estimator keeps), so that coverage never overstates the sample."""
    used = [c for c in variables if c in data.columns]
    if used:
        data = data.loc[data[used].notna().all(axis=1)]
    years = None
    if "year" in data.columns and len(data):
        years = (int(data["year"].min()), int(data["year"].max()))
    n = {c: int(data[c].nunique()) if c in data.columns else None for c in ("client", "patron")}
    return Coverage(years=years, n_clients=n["client"], n_patrons=n["patron"])


def _model_variables(spec: HypothesisSpec, controls: Sequence[str]) -> list[str]:
    return [spec.outcome, *spec.regressors, *controls]


def _missing(spec: HypothesisSpec, panel: pd.DataFrame) -> list[str]:
    needed = needed_panel_columns(
        [c for c in _spec_columns(spec) if c not in spec.controls]
        + list(SAMPLE_COLUMNS[spec.sample])
    )
    if spec.sample in CLIENT_YEAR_SAMPLES:
        needed = [c for c in needed if c not in ("client_id",)] + ["client"]
    return [c for c in dict.fromkeys(needed) if c not in panel.columns]


def estimation_sample(
    panel: pd.DataFrame, spec: HypothesisSpec | str
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The estimation sample of one hypothesis: (data, controls used, notes).

    ``data`` holds the derived variables and only the sample's rows (client-years for H8);
    rows with missing values are still in it (the estimator drops them).

    Examples
    --------
    >>> estimation_sample(pd.DataFrame({"patron": [2]}), "H2")
    Traceback (most recent call last):
    ...
    sidepay.errors.InputError: H2 needs panel column(s) side_payment, W, year, client, allied
    """
    validate_panel(panel, required=())
    spec = HYPOTHESES[spec] if isinstance(spec, str) else spec
    check_spec_columns(spec, panel)
    return _estimation_sample(panel, spec)


def _estimation_sample(
    panel: pd.DataFrame, spec: HypothesisSpec
) -> tuple[pd.DataFrame, list[str], list[str]]:
    missing = _missing(spec, panel)
    if missing:
        raise InputError(f"{spec.id} needs panel column(s) {', '.join(missing)}", param="panel")
    controls, dropped = _controls_available(spec, panel)
    notes = [
        f"control {c} dropped: the panel lacks {', '.join(needed_panel_columns([c]))}"
        for c in dropped
    ]
    names = [c for c in _spec_columns(spec) if c not in dropped] + ["client_id"]
    # only the columns this hypothesis uses: a 100-replication panel is ~0.6 GB in full
    extra = CLIENT_YEAR_COLUMNS if spec.sample in CLIENT_YEAR_SAMPLES else ()
    keep = needed_panel_columns([*UNIT_KEYS, *names, *SAMPLE_COLUMNS[spec.sample], *extra])
    data = derive(panel.loc[:, [c for c in keep if c in panel.columns]], names, copy=False)
    data = _sample(data, spec.sample)
    controls, empty_controls = _drop_empty_controls(data, controls)
    notes += [f"control {c} dropped: never observed in the sample" for c in empty_controls]
    return data, controls, notes
