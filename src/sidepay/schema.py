"""The panel schema: one directed dyad-year table for the simulated and the real world.

Both ``sidepay.sim`` and ``sidepay.data`` emit this table; ``sidepay.analysis`` consumes it
and never needs to know which world produced it (THEORY.md section 4). It lives at the top
of the package (not in ``data/``) so that ``analysis/`` can read it without importing
``data/`` or ``sim/``.

A row is (``patron``, ``client``, ``year``): a great power, a minor power, a year. Every
column other than the keys may be missing where its source does not cover the row; a
missing value is never replaced by a zero outside a source's coverage.

Examples
--------
>>> KEYS
('patron', 'client', 'year')
>>> COLUMNS["divergence"].dtype
'float64'
>>> "truth_v" in TRUTH_COLUMNS
True
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Column:
    """One column of the panel: pandas dtype, unit and meaning."""

    dtype: str
    unit: str
    description: str


KEYS: tuple[str, str, str] = ("patron", "client", "year")

COLUMNS: dict[str, Column] = {
    # keys
    "patron": Column("int64", "COW ccode", "great power (patron)"),
    "client": Column("int64", "COW ccode", "minor power (client)"),
    "year": Column("int64", "year", "calendar year (simulated: period)"),
    # alliance
    "allied": Column("Int8", "0/1", "an alliance links patron and client this year"),
    "spell_id": Column("string", "id", "alliance spell identifier (patron-client-start)"),
    "spell_start": Column("Int64", "year", "first year of the current spell"),
    "spell_year": Column("Int64", "years", "years since the spell began (0 in the first year)"),
    "defense": Column("Int8", "0/1", "ATOP defense obligation"),
    "offense": Column("Int8", "0/1", "ATOP offense obligation"),
    "neutral": Column("Int8", "0/1", "ATOP neutrality obligation"),
    "nonagg": Column("Int8", "0/1", "ATOP non-aggression obligation"),
    "consul": Column("Int8", "0/1", "ATOP consultation obligation"),
    "cow_alliance": Column("Int8", "0/1", "any COW v4.1 alliance (second coding)"),
    # side payments
    "side_payment": Column(
        "float64",
        "model units (sim) / SIPRI TIV millions (real)",
        "main side-payment measure from patron to client",
    ),
    "arms_tiv": Column("float64", "SIPRI TIV millions", "arms transfers patron -> client"),
    "aid_econ": Column("float64", "constant 2020 USD millions", "US economic aid (Greenbook)"),
    "aid_mil": Column("float64", "constant 2020 USD millions", "US military aid (Greenbook)"),
    "aid_other": Column("float64", "constant USD millions", "patron's aid from other sources"),
    "rival_payment": Column(
        "float64", "as side_payment", "largest side payment to the client by another patron"
    ),
    # concessions and interests
    "divergence": Column("float64", "ideal-point distance (sim: d)", "interest divergence"),
    "us_troops": Column("float64", "persons", "US troops stationed in the client"),
    # client's domestic politics
    "W": Column("float64", "[0, 1]", "winning-coalition size (BdM et al. formula)"),
    "polity2": Column("float64", "[-10, 10]", "Polity5 polity2"),
    "polyarchy": Column("float64", "[0, 1]", "V-Dem electoral democracy index"),
    "regime_type": Column("string", "category", "GWF regime type"),
    "regime_change": Column("Int8", "0/1", "the client's regime changed this year"),
    "leader_change": Column("Int8", "0/1", "the client's leader changed this year (any cause)"),
    "leader_tenure": Column("float64", "years", "years the client's current leader has served"),
    # capabilities and threat
    "cinc_patron": Column("float64", "CINC share", "patron's capabilities"),
    "cinc_client": Column("float64", "CINC share", "client's capabilities"),
    "gdp_client": Column("float64", "USD (model units in sim)", "client's GDP"),
    "pop_client": Column("float64", "persons", "client's population"),
    "threat": Column("float64", "count (sim: T)", "external threat to the client"),
    "common_threat": Column(
        "float64", "count (sim: sigma*T)", "threat shared by patron and client"
    ),
    # events
    "formation": Column("Int8", "0/1", "first year of an alliance spell"),
    "termination": Column("Int8", "0/1", "last year of an alliance spell"),
    "termination_manner": Column("string", "category", "expiry, abrogation, ... where known"),
    "realignment": Column("Int8", "0/1", "client left this patron for a rival within the window"),
    "payment_increase": Column("Int8", "0/1", "side payment rose from last year"),
    "payment_decrease": Column("Int8", "0/1", "side payment fell from last year"),
}

TRUTH_COLUMNS: dict[str, Column] = {
    "rep": Column("int64", "index", "replication (simulated worlds only)"),
    "truth_v": Column("float64", "model", "patron's value of a full concession v_g"),
    "truth_k": Column("float64", "model", "patron's cost per unit of protected threat k_g"),
    "truth_sigma": Column("float64", "model", "share of threat absorbed sigma_g"),
    "truth_x": Column("float64", "model", "concession package x_g"),
    "truth_h": Column("float64", "model", "per-period regime-change hazard h"),
    "truth_deficit": Column("float64", "model", "the deficit D_g"),
    "truth_surplus": Column("float64", "model", "the patron's surplus S_g"),
}


def empty_panel(with_truth: bool = False) -> pd.DataFrame:
    """Return an empty panel with every schema column at its dtype.

    Examples
    --------
    >>> list(empty_panel().columns[:3])
    ['patron', 'client', 'year']
    """
    cols = dict(COLUMNS)
    if with_truth:
        cols.update(TRUTH_COLUMNS)
    return pd.DataFrame({k: pd.Series(dtype=c.dtype) for k, c in cols.items()})


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """Cast known columns to their schema dtypes and put the keys first.

    Unknown columns are kept (at the end); schema columns that are absent stay absent.

    Examples
    --------
    >>> df = pd.DataFrame({"year": [1950], "client": [770], "patron": [2], "allied": [1]})
    >>> conform(df).dtypes["allied"]
    Int8Dtype()
    """
    known = {**COLUMNS, **TRUTH_COLUMNS}
    out = df.copy()
    for name in out.columns:
        if name in known:
            out[name] = out[name].astype(pd.api.types.pandas_dtype(known[name].dtype))
    first = [c for c in known if c in out.columns]
    rest = [c for c in out.columns if c not in known]
    return out[first + rest]


def missing_columns(df: pd.DataFrame, needed: list[str] | tuple[str, ...]) -> list[str]:
    """Names in ``needed`` that ``df`` lacks.

    Examples
    --------
    >>> missing_columns(pd.DataFrame({"patron": [2]}), ["patron", "W"])
    ['W']
    """
    return [c for c in needed if c not in df.columns]
