"""The asymmetric-alliance panel: directed dyad-years (great power, minor power, year).

:func:`build_panel` assembles the real-world table in the columns of :mod:`sidepay.schema`
(and a few documented extras) as a chain of public verbs, in the manner of peacesciencer's
``create_dyadyears() |> add_atop_alliance() |> ...``::

    rows = create_patron_client_years(years, patrons, context=ctx)
    rows = add_alliance_status(rows, context=ctx)      # sidepay.data.spells
    rows = add_side_payments(rows, context=ctx)        # sidepay.data.payments
    rows = add_client_politics(rows, context=ctx)      # sidepay.data.covariates
    rows = add_capabilities(rows, context=ctx)
    rows = add_threat(rows, context=ctx)
    rows = detect_events(rows, window=window)          # sidepay.data.events

Every verb keeps the rows and their order and leaves a value missing outside its source's
years. Every construction choice is written down in ``docs/data.md`` (section "Panel"); the
main ones:

- **rows**: a patron is a COW major power in that year (or, with ``patrons=``, one of the
  given states while in the system); a client is any other state in the system that year
  that is not a major power.
- **alliance**: ``allied`` = any ATOP 4.01 obligation links the two that year; obligation
  flags are those of either member; a **spell** is a maximal run of consecutive allied
  years over the whole ATOP history (1815-2016), so a spell begun before the first panel
  year keeps its true start. Years after 2016 are outside ATOP 4.01 coverage: missing.
- **side_payment** = SIPRI arms transfers (TIV, millions) from patron to client, 0 inside
  SIPRI coverage (1950-2021) where no delivery is recorded; US aid keeps its own columns.
- **rival_payment** = the largest side payment to the same client that year by another
  patron in the panel.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from sidepay import schema
from sidepay.atomic import atomic_path
from sidepay.data import dyads
from sidepay.data.context import DataContext, default_context
from sidepay.data.covariates import add_capabilities, add_client_politics, add_threat
from sidepay.data.dyads import Years
from sidepay.data.events import detect_events
from sidepay.data.payments import add_side_payments
from sidepay.data.spells import add_alliance_status
from sidepay.errors import InputError, bad_param
from sidepay.options import parse_years

__all__ = [
    "build_panel",
    "check_output_path",
    "create_patron_client_years",
    "resolve_patrons",
    "write_panel",
]


# --- rows ---------------------------------------------------------------------------------


def resolve_patrons(
    patrons: Iterable[int | str] | str, *, context: DataContext | None = None
) -> list[int]:
    """COW codes of a patron list given as codes, COW abbreviations or ISO3 codes.

    Examples
    --------
    >>> resolve_patrons("USA,RUS,200")
    [2, 365, 200]
    """
    items = patrons.split(",") if isinstance(patrons, str) else list(patrons)
    states = dyads.cow_states(context=context)
    by_abb = {
        str(a).upper(): int(c) for a, c in zip(states["stateabb"], states["ccode"], strict=True)
    }
    known = set(states["ccode"].astype(int))
    out: list[int] = []
    for raw in items:
        tok = str(raw).strip().upper()
        if not tok:
            continue
        code: int | None
        if tok.isdigit():
            code = int(tok) if int(tok) in known else None
        else:
            code = by_abb.get(tok)
            if code is None:
                from sidepay.data.codes import iso3_to_cow

                code = iso3_to_cow(tok) if len(tok) == 3 else None
        if code is None:
            raise InputError(
                f"unknown patron {str(raw).strip()!r}: give COW codes or abbreviations such as "
                "USA,RUS,UKG,FRN,CHN",
                param="patrons",
            )
        if code not in out:
            out.append(code)
    if not out:
        raise bad_param("patrons", "must name at least one state, e.g. USA,RUS")
    return out


def create_patron_client_years(
    years: Years = (1946, 2020),
    patrons: Iterable[int | str] | str | None = None,
    *,
    context: DataContext | None = None,
) -> pd.DataFrame:
    """The panel's rows: every (patron, client, year) of great power and minor power.

    A patron is a COW major power that year (or, with ``patrons=``, one of the given states
    while in the system); a client is any other state in the system that year that is not
    a major power. Sorted by patron, client, year.

    Examples
    --------
    >>> rows = create_patron_client_years((1950, 1950), patrons="USA")
    >>> rows.columns.tolist(), bool((rows.patron == 2).all()), 200 in set(rows.client)
    (['patron', 'client', 'year'], True, False)
    """
    ctx = default_context(context)
    lo, hi = parse_years(years)
    codes = None if patrons is None else resolve_patrons(patrons, context=ctx)
    sy = dyads.add_cow_majors(dyads.state_years((lo, hi), context=ctx), context=ctx)
    major = sy["cowmaj"].to_numpy() == 1
    is_patron = major if codes is None else np.isin(sy["ccode"].to_numpy(), codes)
    pat = sy.loc[is_patron, ["ccode", "year"]]
    cli = sy.loc[~is_patron & ~major, ["ccode", "year"]]
    rows = pat.merge(cli, on="year", suffixes=("_p", "_c"))
    out = pd.DataFrame(
        {
            "patron": rows["ccode_p"].to_numpy("int64"),
            "client": rows["ccode_c"].to_numpy("int64"),
            "year": rows["year"].to_numpy("int64"),
        }
    )
    return out.sort_values(["patron", "client", "year"], ignore_index=True)


# --- the panel ----------------------------------------------------------------------------


def build_panel(
    years: Years = (1946, 2020),
    patrons: Iterable[int | str] | str | None = None,
    *,
    window: int = 5,
    context: DataContext | None = None,
) -> pd.DataFrame:
    """Build the real asymmetric-alliance panel (directed dyad-years patron, client, year).

    Parameters
    ----------
    years : (int, int) or str
        First and last year, inclusive (``(1946, 2020)`` or ``"1946:2020"``; see
        :func:`sidepay.options.parse_years`).
    patrons : list of COW codes or abbreviations, or a comma-separated str, optional
        Great powers; default: the COW major powers of each year.
    window : int
        Years within which a realignment is recognised (:func:`detect_events`).
    context : DataContext, optional
        Mirror, cache folder and download policy for every source read; default
        :func:`sidepay.config.data_context` (where the environment is read).

    Returns
    -------
    DataFrame
        Columns of :data:`sidepay.schema.COLUMNS` (conformed) plus documented extras
        (``spell_end``, ``atop_entry``, ``atop_exit``, ``atopids``, ``terr_threat``,
        ``mid_opponents``, ``realignment_arms``, ``main_supplier`` ...).

    Raises
    ------
    InputError
        ``years=`` or ``patrons=`` is not valid, or selects no patron-client pair.

    Examples
    --------
    >>> p = build_panel((1954, 1956), patrons="USA")
    >>> int(p.loc[(p.client == 770) & (p.year == 1955), "allied"].iloc[0])
    1
    """
    ctx = default_context(context)
    lo, hi = parse_years(years)
    rows = create_patron_client_years((lo, hi), patrons, context=ctx)
    if rows.empty:
        raise InputError(
            f"no patron-client pairs in {lo}..{hi} for patrons {patrons!r}", param="patrons"
        )
    rows = add_alliance_status(rows, context=ctx)
    rows = add_side_payments(rows, context=ctx)
    rows = add_client_politics(rows, context=ctx)
    rows = add_capabilities(rows, context=ctx)
    rows = add_threat(rows, context=ctx)
    rows = detect_events(rows, window=window)
    return schema.conform(rows.reset_index(drop=True))


def check_output_path(path: str | os.PathLike[str], *, param: str = "path") -> Path:
    """The output path if it ends in ``.parquet`` or ``.csv`` in an existing folder.

    ``param`` names the caller's parameter in errors (``path=``; the CLI passes ``out``).

    Examples
    --------
    >>> check_output_path("panel.csv").name
    'panel.csv'
    """
    target = Path(path)
    if target.suffix.lower() not in (".parquet", ".csv"):
        raise bad_param(param, f"must end in .parquet or .csv; got {target.name!r}")
    if not target.parent.is_dir():
        raise bad_param(param, f"folder {target.parent} does not exist")
    if target.is_dir():
        raise bad_param(param, f"{target} is a folder; give a file name ending in .parquet or .csv")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise bad_param(param, f"folder {target.parent} is not writable")
    return target


def write_panel(panel: pd.DataFrame, path: str | os.PathLike[str], *, param: str = "path") -> Path:
    """Write the panel to ``.parquet`` or ``.csv`` atomically (temp file, then rename).

    Examples
    --------
    >>> import tempfile
    >>> p = pd.DataFrame({"patron": [2], "client": [770], "year": [1954]})
    >>> write_panel(p, Path(tempfile.mkdtemp()) / "p.csv").name
    'p.csv'
    """
    target = check_output_path(path, param=param)
    suffix = target.suffix.lower()
    try:
        with atomic_path(target) as tmp:
            if suffix == ".parquet":
                panel.to_parquet(tmp, index=False)
            else:
                panel.to_csv(tmp, index=False)
    except OSError as exc:  # full disk, permissions, a folder in the way
        raise InputError(f"could not write {target}: {exc.strerror or exc}") from None
    return target
