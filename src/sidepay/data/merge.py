"""The merge machinery behind the ``add_*`` verbs: integer-key gathers, not pandas joins.

Every merge is a gather: each input row gets the index of its source row, or of one of
two extra columns appended to the source's value matrix (``absent``: the source covers
the year but lists nothing, ``nan``: outside the source's years). No boolean masking of
the output and no pandas join; each output column is one 1-D ``take`` that pandas keeps
as its own block without copying. The verbs of :mod:`sidepay.data.dyads` and the panel
steps of :mod:`sidepay.data.panel` share these functions; the invariants they keep (no
row added, dropped or reordered; missing outside a source's years) are tested in
``tests/data/test_dyads.py``.

Examples
--------
>>> st = pd.DataFrame({"ccode": [2, 20], "year": [1950, 1950]})
>>> src = pd.DataFrame({"ccode": [2], "year": [1950], "x": [1.5]})
>>> attach_monadic(st, src, {"x": "x"})["x"].tolist()
[1.5, nan]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

from sidepay.errors import InputError

__all__ = [
    "CODE_SPACE",
    "DyadSource",
    "as_dyads",
    "attach_dyadic",
    "attach_monadic",
    "client_values",
    "from_dyads",
    "is_directed",
    "patron_client_values",
    "prepare_dyadic",
    "unit_of",
    "with_columns",
]

CODE_SPACE = 1000
"""COW codes are < 1000: integer keys are ``(year * 1000 + ccode1) * 1000 + ccode2``."""


def unit_of(df: pd.DataFrame) -> str:
    """``"dyad"`` for ``ccode1, ccode2, year`` frames, ``"state"`` for ``ccode, year`` ones.

    Examples
    --------
    >>> unit_of(pd.DataFrame({"ccode": [2], "year": [1950]}))
    'state'
    """
    if {"ccode1", "ccode2", "year"} <= set(df.columns):
        return "dyad"
    if {"ccode", "year"} <= set(df.columns):
        return "state"
    raise InputError("expected state-years (ccode, year) or dyad-years (ccode1, ccode2, year)")


def is_directed(df: pd.DataFrame) -> bool:
    """``df.attrs["directed"]`` when set, else whether any row has ccode1 > ccode2.

    Examples
    --------
    >>> is_directed(pd.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1950]}))
    False
    """
    if "directed" in df.attrs:
        return bool(df.attrs["directed"])
    return bool((df["ccode1"].to_numpy() > df["ccode2"].to_numpy()).any())


def _as_float(col: pd.Series) -> np.ndarray:
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _codes(col: pd.Series) -> np.ndarray:
    """int64 COW codes; anything outside 0..999 becomes ``CODE_SPACE`` (matches no source row)."""
    c = col.to_numpy(dtype="int64")
    if len(c) and (c.min() < 0 or c.max() >= CODE_SPACE):
        return np.where((c >= 0) & (c < CODE_SPACE), c, CODE_SPACE)
    return c  # the usual case: no copy


def _year_blocks(year: np.ndarray, y0: int, y1: int, stride: int) -> np.ndarray:
    """Offset of each row's year block in a table of years ``y0 - 1 .. y1 + 1``.

    Years outside ``[y0, y1]`` fall into the empty first or last block.
    """
    off = np.clip(year, y0 - 1, y1 + 1)
    off -= y0 - 1
    off *= stride
    return off


def _value_matrix(columns: list[np.ndarray], n: int, absent: float) -> np.ndarray:
    """(columns x n + 2) float matrix: the values, then an ``absent`` and a NaN column."""
    mat = np.empty((len(columns), n + 2), dtype="float64")
    for j, values in enumerate(columns):
        mat[j, :n] = values
    mat[:, n] = absent
    mat[:, n + 1] = np.nan
    return mat


def _monadic_rows(src: pd.DataFrame) -> tuple[int, int, np.ndarray]:
    """Dense lookup: slot ``_year_blocks(year) + ccode`` -> source row (``len(src)``: none).

    A year block has ``CODE_SPACE + 1`` slots (the last for codes outside 0..999); one empty block
    before and after the source's years takes the years it does not cover.
    """
    y = src["year"].to_numpy(dtype="int64")
    c = src["ccode"].to_numpy(dtype="int64")
    y0, y1 = (int(y.min()), int(y.max())) if len(y) else (0, -1)  # empty: every row is none
    table = np.full((y1 - y0 + 3) * (CODE_SPACE + 1), len(src), dtype=np.intp)
    ok = (c >= 0) & (c < CODE_SPACE)
    table[((y - y0 + 1) * (CODE_SPACE + 1) + c)[ok]] = np.flatnonzero(ok)
    return y0, y1, table


def attach_monadic(df: pd.DataFrame, src: pd.DataFrame, cols: dict[str, str]) -> pd.DataFrame:
    """Left-join state-year columns (``src`` name -> output name); missing stays missing.

    On dyad-years the columns come as ``<name>1`` and ``<name>2`` (values of ccode1 and
    ccode2). Rows of ``df`` are kept as they are, in order.

    Examples
    --------
    >>> d = pd.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1950]})
    >>> src = pd.DataFrame({"ccode": [2, 20], "year": [1950, 1950], "x": [1.0, 2.0]})
    >>> attach_monadic(d, src, {"x": "x"})[["x1", "x2"]].values.tolist()
    [[1.0, 2.0]]
    """
    unit = unit_of(df)
    src = src.drop_duplicates(["ccode", "year"]).reset_index(drop=True)
    y0, y1, table = _monadic_rows(src)
    blocks = _year_blocks(df["year"].to_numpy(dtype="int64"), y0, y1, CODE_SPACE + 1)
    targets = [("ccode", "")] if unit == "state" else [("ccode1", "1"), ("ccode2", "2")]
    numeric = [s for s in cols if pd.api.types.is_numeric_dtype(src[s])]
    labels = [s for s in cols if s not in numeric]
    mat = _value_matrix([_as_float(src[s]) for s in numeric], len(src), np.nan)
    cats = {s: pd.Categorical(src[s].astype("string")) for s in labels}
    new: dict[str, Any] = {}
    for cc_col, suffix in targets:
        slot = blocks + _codes(df[cc_col])
        row = table.take(slot, mode="clip")  # every slot is in range: skip the checks
        del slot
        for j, s in enumerate(numeric):
            # one 1-D take per column: several times faster than a 2-D take along axis 1
            new[cols[s] + suffix] = mat[j].take(row, mode="clip")
        for s, cat in cats.items():
            # labels (regime type): gather category codes, not Python strings
            codes = np.r_[cat.codes, -1, -1].astype(cat.codes.dtype)
            new[cols[s] + suffix] = pd.Categorical.from_codes(
                codes.take(row, mode="clip"), dtype=cat.dtype
            )
    # keep the caller's column order: numeric and label columns as listed in ``cols``
    order = [cols[s] + suffix for _, suffix in targets for s in cols]
    return with_columns(df, {k: new[k] for k in order})


def with_columns(df: pd.DataFrame, new: dict[str, Any]) -> pd.DataFrame:
    """``df`` plus new columns, without copying the existing ones; attrs kept.

    Examples
    --------
    >>> with_columns(pd.DataFrame({"a": [1]}), {"b": [2]}).columns.tolist()
    ['a', 'b']
    """
    # one block per column, no consolidation: chaining verbs on 2 million rows stays cheap
    cols: dict[str, Any] = {}
    for name in df.columns:
        col = df[name]
        cols[name] = col.array if isinstance(col.dtype, ExtensionDtype) else col.to_numpy()
    cols.update(new)
    out = pd.DataFrame(cols, index=df.index, copy=False)
    out.attrs = dict(df.attrs)
    return out


@dataclass(frozen=True)
class DyadSource:
    """A directed dyad-year source ready for gathers (built by :func:`prepare_dyadic`).

    ``keys`` are the sorted unique ``(year * 1000 + ccode1) * 1000 + ccode2``; ``values``
    holds each column in the same order.
    """

    keys: np.ndarray
    values: list[np.ndarray]


def prepare_dyadic(src: pd.DataFrame, cols: list[str]) -> DyadSource:
    """Sorted integer keys of a directed dyad-year source; duplicated keys keep the first.

    Rows with a code outside 0..999 are dropped (they could not be told apart).

    Examples
    --------
    >>> src = pd.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1950], "x": [1]})
    >>> prepare_dyadic(src, ["x"]).keys.tolist()
    [1950002020]
    """
    y = src["year"].to_numpy(dtype="int64")
    c1 = src["ccode1"].to_numpy(dtype="int64")
    c2 = src["ccode2"].to_numpy(dtype="int64")
    ok = np.flatnonzero((c1 >= 0) & (c1 < CODE_SPACE) & (c2 >= 0) & (c2 < CODE_SPACE))
    keys, first = np.unique(((y * CODE_SPACE + c1) * CODE_SPACE + c2)[ok], return_index=True)
    rows = ok[first]
    return DyadSource(keys, [_as_float(src[c])[rows] for c in cols])


def _dyad_rows(prep: DyadSource, y: np.ndarray, c1: np.ndarray, c2: np.ndarray) -> np.ndarray:
    """Source row of each dyad-year (``len(source)``: the source lists nothing).

    ``searchsorted`` on sorted integer keys: the queries of :func:`dyad_years` come sorted
    too, which keeps the binary searches in cache.
    """
    n = len(prep.keys)
    if n == 0:
        return np.zeros(len(y), dtype=np.intp)
    q = y * CODE_SPACE
    q += c1
    q *= CODE_SPACE
    q += c2
    pos = np.searchsorted(prep.keys, q)
    np.minimum(pos, n - 1, out=pos)
    hit = prep.keys.take(pos) == q
    return np.where(hit, pos, n)


def attach_dyadic(
    df: pd.DataFrame,
    prepared: DyadSource,
    names: list[str],
    coverage: tuple[int, int],
    complete: bool,
) -> pd.DataFrame:
    """Attach directed dyad-year columns from a :func:`prepare_dyadic` source.

    ``complete``: the source lists every event in its coverage, so absence means 0 there;
    outside ``coverage`` (first, last year) values are missing. On undirected dyads the
    value is the maximum over both directions.

    Examples
    --------
    >>> src = prepare_dyadic(
    ...     pd.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1950], "x": [1]}), ["x"]
    ... )
    >>> d = pd.DataFrame({"ccode1": [2, 2, 2], "ccode2": [20, 40, 20], "year": [1950, 1950, 1990]})
    >>> attach_dyadic(d, src, ["x"], (1816, 1980), complete=True)["x"].tolist()
    [1.0, 0.0, nan]
    """
    if unit_of(df) != "dyad":
        raise InputError("this verb needs dyad-years (ccode1, ccode2, year), not state-years")
    y = df["year"].to_numpy(dtype="int64")
    c1, c2 = _codes(df["ccode1"]), _codes(df["ccode2"])
    nsrc = len(prepared.values[0]) if prepared.values else 0
    mat = _value_matrix(prepared.values, nsrc, 0.0 if complete else np.nan)
    outside = (y < coverage[0]) | (y > coverage[1])
    if len(y) and max(int(c1.max()), int(c2.max())) == CODE_SPACE:
        outside |= (c1 == CODE_SPACE) | (c2 == CODE_SPACE)  # not a COW code: missing, never a 0
    any_outside = bool(outside.any())

    def rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        row = _dyad_rows(prepared, y, a, b)
        if any_outside:
            np.putmask(row, outside, nsrc + 1)  # the NaN column
        return row

    row = rows(c1, c2)
    vals = [v.take(row, mode="clip") for v in mat]  # 1-D takes beat one 2-D take on axis 1
    if not is_directed(df):
        rev = rows(c2, c1)
        for v, src_col in zip(vals, mat, strict=True):
            np.fmax(v, src_col.take(rev, mode="clip"), out=v)
    return with_columns(df, dict(zip(names, vals, strict=True)))


# --- the panel's layout: directed dyad-years (patron, client, year) ---


def as_dyads(panel: pd.DataFrame) -> pd.DataFrame:
    """A panel (``patron, client, year``) as directed dyad-years (``ccode1, ccode2, year``).

    Examples
    --------
    >>> as_dyads(pd.DataFrame({"patron": [2], "client": [20], "year": [1950]})).attrs
    {'directed': True}
    """
    d = panel.rename(columns={"patron": "ccode1", "client": "ccode2"})
    d.attrs["directed"] = True
    return d


def from_dyads(d: pd.DataFrame) -> pd.DataFrame:
    """Directed dyad-years back in the panel's names (``patron, client, year``).

    Examples
    --------
    >>> from_dyads(pd.DataFrame({"ccode1": [2], "ccode2": [20], "year": [1950]})).columns.tolist()
    ['patron', 'client', 'year']
    """
    return d.rename(columns={"ccode1": "patron", "ccode2": "client"})


def client_values(panel: pd.DataFrame, src: pd.DataFrame, cols: dict[str, str]) -> pd.DataFrame:
    """The client's state-year values of ``src`` (``ccode, year``) for every panel row.

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [2, 2], "client": [20, 40], "year": [1950, 1950]})
    >>> src = pd.DataFrame({"ccode": [20], "year": [1950], "x": [3.0]})
    >>> client_values(p, src, {"x": "x"})["x"].tolist()
    [3.0, nan]
    """
    frame = pd.DataFrame({"ccode": panel["client"].to_numpy(), "year": panel["year"].to_numpy()})
    return attach_monadic(frame, src, cols)


def patron_client_values(
    panel: pd.DataFrame,
    src: pd.DataFrame,
    cols: list[str],
    coverage: tuple[int, int],
    *,
    complete: bool,
) -> pd.DataFrame:
    """Patron -> client values of a ``donor, ccode, year`` source (summed per dyad-year).

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [2, 2], "client": [20, 40], "year": [1950, 1950]})
    >>> src = pd.DataFrame({"donor": [2, 2], "ccode": [20, 20], "year": [1950, 1950],
    ...                     "aid": [1.0, 2.0]})
    >>> patron_client_values(p, src, ["aid"], (1946, 2020), complete=False)["aid"].tolist()
    [3.0, nan]
    """
    src = src.rename(columns={"donor": "ccode1", "ccode": "ccode2"})
    src = src.groupby(["ccode1", "ccode2", "year"], as_index=False)[cols].sum()
    frame = as_dyads(panel[["patron", "client", "year"]])
    return attach_dyadic(frame, prepare_dyadic(src, cols), cols, coverage, complete)
