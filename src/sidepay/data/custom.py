"""One's own data merged with the three guarantees, and the unit handling the verbs share.

Every verb of :mod:`sidepay.data.geography`, :mod:`~sidepay.data.conflict`,
:mod:`~sidepay.data.trade` and :mod:`~sidepay.data.names` takes any of three units and
returns it with columns added, keeping peacesciencer's three guarantees:

1. **No duplicated rows**: the output has exactly the input's rows, in order.
2. **Missing outside the source's coverage**, never a made-up zero; inside it, a source
   that lists events completely gives 0 where it lists none, a measure gives missing.
3. **Directed symmetry**: on directed dyads a dyadic value is the one the source gives for
   (ccode1, ccode2); a symmetric source is mirrored so (a, b) and (b, a) agree.

The units: state-years (``ccode, year``), dyad-years (``ccode1, ccode2, year``, directed
or not) and the panel (``patron, client, year``, directed). On the panel a state-year value
goes to ``patron_<col>`` and ``client_<col>``; on dyads to ``<col>1`` and ``<col>2``.

Examples
--------
>>> panel = pd.DataFrame({"patron": [2, 2], "client": [20, 200], "year": [1950, 1990]})
>>> mine = pd.DataFrame({"cc": [20], "yr": [1950], "score": [0.7]})
>>> add_custom(panel, mine, on=("cc", "yr"), coverage=(1950, 1960))["client_score"].tolist()
[0.7, nan]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sidepay.data.merge import (
    as_dyads,
    attach_dyadic,
    attach_monadic,
    prepare_dyadic,
    unit_of,
    with_columns,
)
from sidepay.errors import InputError, bad_param

__all__ = ["add_custom", "key_frame", "mirror", "put_back", "unit_name"]

PANEL_KEYS = ("patron", "client", "year")


def unit_name(df: pd.DataFrame) -> str:
    """``"panel"``, ``"dyad"`` or ``"state"``.

    Examples
    --------
    >>> unit_name(pd.DataFrame({"patron": [2], "client": [20], "year": [1950]}))
    'panel'
    """
    if set(PANEL_KEYS) <= set(df.columns):
        return "panel"
    return unit_of(df)


def key_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The keys of ``df`` as state-years or dyad-years (the panel as directed dyads).

    Examples
    --------
    >>> key_frame(pd.DataFrame({"patron": [2], "client": [20], "year": [1950]})).columns.tolist()
    ['ccode1', 'ccode2', 'year']
    """
    unit = unit_name(df)
    if unit == "panel":
        return as_dyads(df[list(PANEL_KEYS)].reset_index(drop=True))
    cols = ["ccode", "year"] if unit == "state" else ["ccode1", "ccode2", "year"]
    keys = df[cols].reset_index(drop=True)
    keys.attrs = dict(df.attrs)
    return keys


def put_back(
    df: pd.DataFrame,
    added: pd.DataFrame,
    dyadic: Sequence[str] = (),
    monadic: Sequence[str] = (),
) -> pd.DataFrame:
    """``df`` with the new columns of ``added`` (a :func:`key_frame` result with columns).

    ``monadic`` names state-year columns: on dyads they are ``<name>1``/``<name>2`` in
    ``added`` and stay so; on the panel they become ``patron_<name>``/``client_<name>``.
    A name already in ``df`` is refused: a verb never overwrites a column silently.

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [2], "client": [20], "year": [1950]})
    >>> added = key_frame(p).assign(x1=[1.0], x2=[2.0])
    >>> put_back(p, added, monadic=["x"]).columns.tolist()
    ['patron', 'client', 'year', 'patron_x', 'client_x']
    """
    unit = unit_name(df)
    new: dict[str, object] = {}
    for name in dyadic:
        new[name] = added[name].to_numpy() if not _is_ext(added[name]) else added[name].array
    for name in monadic:
        if unit == "state":
            pairs = [(name, name)]
        elif unit == "panel":
            pairs = [(f"{name}1", f"patron_{name}"), (f"{name}2", f"client_{name}")]
        else:
            pairs = [(f"{name}1", f"{name}1"), (f"{name}2", f"{name}2")]
        for src, dst in pairs:
            col = added[src]
            new[dst] = col.array if _is_ext(col) else col.to_numpy()
    clash = [c for c in new if c in df.columns]
    if clash:
        raise InputError(
            f"the frame already has columns {clash[:5]}; drop or rename them first "
            "(a verb never overwrites a column)"
        )
    out = with_columns(df, new)
    return out


def _is_ext(col: pd.Series) -> bool:
    return isinstance(col.dtype, pd.api.extensions.ExtensionDtype)


def mirror(src: pd.DataFrame, pairs: Sequence[tuple[str, str]] = ()) -> pd.DataFrame:
    """A symmetric dyad-year source listed once per pair, in both directions.

    ``pairs`` are columns of side 1 and side 2 that swap with ``ccode1``/``ccode2``.

    Examples
    --------
    >>> s = pd.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1950], "d": [5.0]})
    >>> mirror(s)[["ccode1", "ccode2"]].values.tolist()
    [[2, 20], [20, 2]]
    """
    swap = {"ccode1": "ccode2", "ccode2": "ccode1"}
    for a, b in pairs:
        swap[a], swap[b] = b, a
    return pd.concat([src, src.rename(columns=swap)], ignore_index=True)


def _coverage(data: pd.DataFrame, year: str, coverage: tuple[int, int] | None) -> tuple[int, int]:
    if coverage is None:
        years = pd.to_numeric(data[year], errors="coerce").dropna()
        if years.empty:
            raise bad_param("data", f"has no year in column {year!r}")
        return int(years.min()), int(years.max())
    try:
        first, last = (int(v) for v in coverage)
    except (TypeError, ValueError):
        raise bad_param("coverage", f"must be (first, last) years; got {coverage!r}") from None
    if first > last:
        raise bad_param("coverage", f"first year {first} is after last year {last}")
    return first, last


def add_custom(
    panel: pd.DataFrame,
    data: pd.DataFrame,
    *,
    on: Sequence[str],
    coverage: tuple[int, int] | None = None,
    columns: Sequence[str] | None = None,
    fill: float | None = None,
    symmetric: bool = False,
) -> pd.DataFrame:
    """Merge one's own state-year or dyad-year data with the three guarantees.

    Parameters
    ----------
    panel : pandas.DataFrame
        The panel (``patron, client, year``), dyad-years or state-years.
    data : pandas.DataFrame
        Your data, one row per key.
    on : sequence of str
        The key columns of ``data``, in order: ``(state, year)`` for state-year data, or
        ``(first state, second state, year)`` for dyad-year data; COW codes.
    coverage : (int, int), optional
        The years your data cover (default: its first and last year). Outside them every
        value is missing.
    columns : sequence of str, optional
        Which columns to add (default: every column not in ``on``).
    fill : float, optional
        The value for keys inside ``coverage`` that ``data`` does not list. ``None``
        (default): missing, right for a measure; 0 for a complete list of events.
    symmetric : bool
        Dyad-year data listing each pair once (an undirected measure): mirrored, so that
        (a, b) and (b, a) get the same value.

    Returns
    -------
    pandas.DataFrame
        ``panel`` with the columns added: on the panel, state-year columns as
        ``patron_<col>`` and ``client_<col>``; on dyads as ``<col>1`` and ``<col>2``.

    Raises
    ------
    InputError
        Keys missing or duplicated in ``data``, a key that is not a whole number, a column
        the panel already has, or a text column in dyad-year data.

    Examples
    --------
    >>> d = pd.DataFrame({"ccode1": [2, 2], "ccode2": [20, 200], "year": [1950, 1950]})
    >>> mine = pd.DataFrame({"a": [200], "b": [2], "y": [1950], "trade": [9.0]})
    >>> add_custom(d, mine, on=("a", "b", "y"), symmetric=True, fill=0.0)["trade"].tolist()
    [0.0, 9.0]
    """
    on = list(on)
    if len(on) not in (2, 3):
        raise bad_param(
            "on", f"must name 2 (state, year) or 3 (state1, state2, year) columns; got {on}"
        )
    missing = [c for c in on if c not in data.columns]
    if missing:
        raise bad_param(
            "on", f"columns {missing} are not in data (it has {list(data.columns)[:8]})"
        )
    cols = [c for c in data.columns if c not in on] if columns is None else list(columns)
    absent = [c for c in cols if c not in data.columns]
    if absent or not cols:
        raise bad_param("columns", f"must name columns of data; got {absent or cols}")
    keys = data[on]
    if keys.isna().any().any():
        raise bad_param("data", f"has missing values in its key columns {on}")
    numeric = keys.apply(pd.to_numeric, errors="coerce")
    if numeric.isna().any().any() or (numeric % 1 != 0).any().any():
        raise bad_param("data", f"key columns {on} must hold whole numbers (COW codes, years)")
    if keys.duplicated().any():
        n = int(keys.duplicated().sum())
        raise bad_param("data", f"lists {n} keys more than once; one row per key {tuple(on)}")
    span = _coverage(data, on[-1], coverage)
    frame = key_frame(panel)
    std = ["ccode", "year"] if len(on) == 2 else ["ccode1", "ccode2", "year"]
    # values under internal names: a value column may be called like a key ("year")
    inner = {c: f"_v{i}_" for i, c in enumerate(cols)}
    src = pd.DataFrame({k: data[o].to_numpy(dtype="int64") for k, o in zip(std, on, strict=True)})
    for c, v in inner.items():
        src[v] = data[c].to_numpy()
    src = src[(src["year"] >= span[0]) & (src["year"] <= span[1])].assign(_listed=1.0)
    if len(on) == 2:
        out = attach_monadic(frame, src, {v: v for v in [*inner.values(), "_listed"]})
        suffixes = [""] if unit_of(frame) == "state" else ["1", "2"]
        named = [v + s for v in inner.values() for s in suffixes]
        _fill(out, frame, named, suffixes, span, fill)
        added = {c + s: out[v + s] for c, v in inner.items() for s in suffixes}
        return put_back(panel, pd.DataFrame(added), monadic=cols)
    if unit_name(panel) == "state":
        raise bad_param("panel", "is state-years; dyad-year data need dyad-years or the panel")
    text = [c for c, v in inner.items() if not pd.api.types.is_numeric_dtype(src[v])]
    if text:
        raise bad_param("columns", f"{text} are not numeric; dyad-year data must be numbers")
    if symmetric:
        src = mirror(src)
        if src.duplicated(["ccode1", "ccode2", "year"]).any():
            raise bad_param("symmetric", "is True but data list some pairs in both orders")
    both = [*inner.values(), "_listed"]
    out = attach_dyadic(frame, prepare_dyadic(src, both), both, span, complete=False)
    _fill(out, frame, list(inner.values()), [""], span, fill)
    added = {c: out[v] for c, v in inner.items()}
    return put_back(panel, pd.DataFrame(added), dyadic=cols)


def _fill(
    out: pd.DataFrame,
    frame: pd.DataFrame,
    names: list[str],
    suffixes: list[str],
    span: tuple[int, int],
    fill: float | None,
) -> None:
    """Give keys inside ``span`` that the data do not list the value ``fill`` (in place).

    A key the data list with a missing value stays missing; outside ``span`` too.
    """
    if fill is None:
        return
    year = frame["year"].to_numpy()
    inside = (year >= span[0]) & (year <= span[1])
    for name in names:
        suffix = next(s for s in reversed(suffixes) if name.endswith(s))
        unlisted = np.isnan(out[f"_listed{suffix}"].to_numpy(dtype="float64")) & inside
        v = pd.to_numeric(out[name], errors="coerce").to_numpy(dtype="float64")
        out[name] = np.where(unlisted, float(fill), v)
