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

from collections.abc import Sequence
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
    "allied": Column(
        "Int8", "0/1", "a tie of the chosen definition (real: alliance=, default security)"
    ),
    "allied_security": Column("Int8", "0/1", "ATOP defense or offense obligation (either member)"),
    "allied_defense": Column("Int8", "0/1", "ATOP defense obligation (either member)"),
    "allied_any": Column("Int8", "0/1", "any ATOP obligation (either member)"),
    "alliance_source": Column("string", "category", "atop4.01 (to 2016) or atop5.1 (2017-18)"),
    "bipolar_pact": Column("Int8", "0/1", "a pact linking the two includes the US and USSR/Russia"),
    "pact_size": Column("Int64", "states", "members of the largest pact linking the two (0: none)"),
    "pacts_joined": Column("Int64", "count", "pacts of the definition linking them from this year"),
    "pacts_left": Column(
        "Int64", "count", "pacts of the definition linking them to this year only"
    ),
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
        "model units (sim) / the payment= measure (real; default aid, 2022 USD millions)",
        "main side-payment measure from patron to client",
    ),
    "aid": Column(
        "float64", "constant 2022 USD millions", "patron's aid, best series (missing: USSR)"
    ),
    "aid_us": Column("float64", "constant 2022 USD millions", "US econ + mil aid (Greenbook)"),
    "aid_dac": Column(
        "float64", "constant 2022 USD millions", "DAC patron's bilateral aid (spliced 2009)"
    ),
    "aid_dac_commit": Column("float64", "constant 2022 USD millions", "AidData commitments"),
    "aid_dac_disb": Column("float64", "constant 2022 USD millions", "DAC2a gross disbursements"),
    "aid_dac_source": Column("string", "category", "aiddata_commit or dac2a_disb"),
    "finance_china": Column("float64", "constant 2022 USD millions", "Chinese official finance"),
    "any_payment": Column("Int8", "0/1", "aid or arms > 0 (where either is observed)"),
    "arms_tiv": Column("float64", "SIPRI TIV millions", "arms transfers patron -> client"),
    "aid_econ": Column("float64", "constant 2022 USD millions", "US economic aid (Greenbook)"),
    "aid_mil": Column("float64", "constant 2022 USD millions", "US military aid (Greenbook)"),
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
    "regime_change_source": Column("string", "category", "gwf (to 2010) or polity (rule)"),
    "W_components": Column("Int8", "3 or 4", "indicators in W (4 with GWF, to 2010)"),
    "leader_change": Column("Int8", "0/1", "the client's leader changed this year (any cause)"),
    "leader_tenure": Column("float64", "years", "years the client's current leader has served"),
    # capabilities and threat
    "cinc_patron": Column("float64", "CINC share", "patron's capabilities"),
    "cinc_client": Column("float64", "CINC share", "client's capabilities"),
    "capability_ratio": Column("float64", "ratio", "cinc_client / cinc_patron"),
    "gdp_client": Column("float64", "USD (model units in sim)", "client's GDP"),
    "pop_client": Column("float64", "persons", "client's population"),
    "threat": Column("float64", "count (sim: T)", "external threat to the client"),
    "common_threat": Column(
        "float64",
        "count (sim: sigma*T)",
        "states that are rivals or MID opponents (5 years) of both patron and client",
    ),
    "client_threat": Column("float64", "count", "the client's rivals or MID opponents (5 years)"),
    # events
    "formation": Column("Int8", "0/1", "first year of an alliance spell"),
    "termination": Column("Int8", "0/1", "last year of an alliance spell"),
    "termination_manner": Column("string", "category", "expiry, abrogation, ... where known"),
    "realignment": Column("Int8", "0/1", "client left this patron for a rival within the window"),
    "main_supplier": Column("Int64", "COW ccode", "great power with the largest 3-year arms sum"),
    "realignment_arms": Column("Int8", "0/1", "sustained switch of main arms supplier"),
    "realignment_arms_bloc": Column("Int8", "0/1", "that switch crosses the Cold War blocs"),
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


#: what ``pandas.api.types.infer_dtype`` may say of an object column holding numbers
_NUMERIC_OBJECTS = frozenset(
    {"empty", "floating", "integer", "mixed-integer-float", "boolean", "decimal"}
)


def _kind_problem(series: pd.Series, expected: str) -> str | None:
    """What is wrong with ``series`` for a schema column of dtype ``expected`` (None: fine).

    A numeric schema column takes any numeric or boolean dtype (an ``int64`` 0/1 column
    where the schema says ``Int8`` is fine), or an object column holding only numbers and
    missing values; strings, categories and dates are refused. Text columns take anything.
    """
    if expected == "string":
        return None
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        return None
    if pd.api.types.is_object_dtype(dtype):
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        if inferred in _NUMERIC_OBJECTS:
            return None
        sample = next((v for v in series if isinstance(v, str)), None)
        example = f" such as {sample!r}" if sample is not None else ""
        return f"object dtype holding {inferred} values{example}"
    return str(dtype)


def validate_panel(frame: object, required: Sequence[str] = KEYS, param: str = "panel") -> None:
    """Check that ``frame`` is a table in the panel schema; raise one clear error if not.

    Checks that ``frame`` is a pandas DataFrame, that it has every column in ``required``
    (the keys by default), and that every schema column it has (:data:`COLUMNS`,
    :data:`TRUTH_COLUMNS`) is of the schema's kind: numbers where the schema says a number.
    Columns outside the schema are not checked; a missing *value* is never an error.

    Parameters
    ----------
    frame
        The table to check.
    required
        Columns that must be present.
    param
        The name of the caller's parameter, used in the message (``panel=``).

    Raises
    ------
    sidepay.errors.InputError
        One error, naming every offending column, its expected dtype and what was found.

    Examples
    --------
    >>> ok = pd.DataFrame({"patron": [2], "client": [20], "year": [1950], "W": [0.5]})
    >>> validate_panel(ok)
    >>> validate_panel(ok.drop(columns="client"))
    Traceback (most recent call last):
    ...
    sidepay.errors.InputError: panel= lacks column client (int64)
    >>> validate_panel(ok.assign(W=["high"]))
    Traceback (most recent call last):
    ...
    sidepay.errors.InputError: panel= column W must be float64 (numeric); found object dtype holding string values such as 'high'
    """
    from sidepay.errors import bad_param

    if not isinstance(frame, pd.DataFrame):
        raise bad_param(param, f"must be a pandas DataFrame; got {type(frame).__name__}")
    known = {**COLUMNS, **TRUTH_COLUMNS}
    problems = [
        f"lacks column {c} ({known[c].dtype})" if c in known else f"lacks column {c}"
        for c in required
        if c not in frame.columns
    ]
    twice = frame.columns[frame.columns.duplicated()]
    problems += [f"has column {c} more than once" for c in dict.fromkeys(twice)]
    for name in frame.columns.drop_duplicates():
        if name in known and name not in twice:
            found = _kind_problem(frame[name], known[name].dtype)
            if found is not None:
                problems.append(
                    f"column {name} must be {known[name].dtype} (numeric); found {found}"
                )
    if problems:
        raise bad_param(param, "; ".join(problems))
