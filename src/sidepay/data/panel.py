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
- **alliance** (``alliance=``): ``allied`` = a tie of the chosen definition (default
  ``security``: an ATOP defense or offense obligation of either member); ATOP 4.01 to 2016,
  ATOP 5.1 in 2017-2018, missing after; spells per definition over the whole ATOP history
  (:mod:`sidepay.data.pacts`, :mod:`sidepay.data.spells`).
- **side_payment** (``payment=``) = ``aid`` by default: the patron's aid from the best
  series that covers it (constant 2022 USD millions; :mod:`sidepay.data.payments`); arms
  TIV, the default before issue 10, is ``arms_tiv``.
- **rival_payment**, **main_supplier** and both realignments are computed over every great
  power, whatever ``patrons=`` selects (the selection is applied afterwards).
- **asymmetric=**: keep dyad-years whose client has less than this share of the patron's
  capabilities.
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
from sidepay.data.pacts import check_definition
from sidepay.data.payments import PAYMENTS, add_per_capita, add_side_payments
from sidepay.data.spells import add_alliance_status
from sidepay.errors import InputError, bad_param
from sidepay.options import parse_years

__all__ = [
    "ASYMMETRY_SHARE",
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


#: the default share for ``asymmetric=``: a client with less than a quarter of its
#: patron's capabilities (see ``docs/data.md``, "Asymmetry")
ASYMMETRY_SHARE = 0.25


def build_panel(
    years: Years = (1946, 2020),
    patrons: Iterable[int | str] | str | None = None,
    *,
    alliance: str = "security",
    payment: str = "aid",
    per_capita: bool = False,
    asymmetric: float | None = None,
    window: int = 3,
    arms_sustain: int = 5,
    arms_min: float = 10.0,
    context: DataContext | None = None,
) -> pd.DataFrame:
    """Build the real asymmetric-alliance panel (directed dyad-years patron, client, year).

    Parameters
    ----------
    years : (int, int) or str
        First and last year, inclusive (``(1946, 2020)`` or ``"1946:2020"``; see
        :func:`sidepay.options.parse_years`).
    patrons : list of COW codes or abbreviations, or a comma-separated str, optional
        Great powers kept; default: the COW major powers of each year. Whatever the
        selection, every quantity that compares patrons (``rival_payment``,
        ``main_supplier``, both realignments) is computed over all great powers (the COW
        majors plus the selection) and only then are the selected patrons' rows kept.
    alliance : {"security", "defense", "any"}
        Which ATOP ties make ``allied`` and the spells (:mod:`sidepay.data.pacts`).
    payment : str
        The measure that becomes ``side_payment`` (:data:`sidepay.data.payments.PAYMENTS`;
        default ``aid``; ``arms_tiv`` was the default before issue 10).
    per_capita : bool
        Add ``<col>_pc`` and ``<col>_gdp`` for every aid column.
    asymmetric : float, optional
        Keep only dyad-years whose ``capability_ratio`` is below this share (in (0, 1];
        :data:`ASYMMETRY_SHARE` = 0.25 is the documented choice). Where NMC ends (after
        2016) the dyad's last observed ratio decides. Events are detected before rows are
        dropped.
    window, arms_sustain, arms_min
        Realignment definitions of :func:`sidepay.data.events.detect_events`.
    context : DataContext, optional
        Mirror, cache folder and download policy for every source read; default
        :func:`sidepay.config.data_context` (where the environment is read).

    Returns
    -------
    DataFrame
        Columns of :data:`sidepay.schema.COLUMNS` (conformed) plus documented extras.

    Raises
    ------
    InputError
        An argument is not valid, or the selection has no patron-client pair.

    Examples
    --------
    >>> p = build_panel((1954, 1956), patrons="USA")
    >>> int(p.loc[(p.client == 770) & (p.year == 1955), "allied"].iloc[0])
    1
    """
    ctx = default_context(context)
    lo, hi = parse_years(years)
    check_definition(alliance)
    if payment not in PAYMENTS:
        raise bad_param("payment", f"must be one of {', '.join(PAYMENTS)}; got {payment!r}")
    if asymmetric is not None and not (0 < float(asymmetric) <= 1):
        raise bad_param("asymmetric", f"must be a share in (0, 1], e.g. 0.25; got {asymmetric!r}")
    rows = create_patron_client_years((lo, hi), patrons, context=ctx)
    if rows.empty:
        raise InputError(
            f"no patron-client pairs in {lo}..{hi} for patrons {patrons!r}", param="patrons"
        )
    full = rows
    if patrons is not None:  # every great power, so that comparisons across patrons hold
        every = create_patron_client_years((lo, hi), None, context=ctx)
        full = pd.concat([every, rows], ignore_index=True).drop_duplicates(ignore_index=True)
        full = full.sort_values(["patron", "client", "year"], ignore_index=True)
    full = add_alliance_status(full, alliance=alliance, context=ctx)
    full = add_side_payments(full, payment=payment, context=ctx)
    full = add_client_politics(full, context=ctx)
    full = add_capabilities(full, context=ctx)
    full = add_threat(full, context=ctx)
    full = detect_events(full, window=window, arms_sustain=arms_sustain, arms_min=arms_min)
    if per_capita:
        full = add_per_capita(full)
    if patrons is not None:
        full = rows.merge(full, on=["patron", "client", "year"], how="left")
    if asymmetric is not None:
        full = full[_below_share(full, float(asymmetric))]
    out = schema.conform(full.reset_index(drop=True))
    out.attrs = {"alliance": alliance, "payment": payment, "asymmetric": asymmetric}
    return out


def _below_share(panel: pd.DataFrame, share: float) -> np.ndarray:
    """Rows whose capability ratio (last observed in the dyad where missing) < share."""
    ratio = panel.groupby(["patron", "client"])["capability_ratio"].ffill()
    return np.asarray((ratio < share).to_numpy(), dtype=bool)


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
