"""Write a table in the format its file name asks for: Stata, R, CSV or Parquet.

One function, :func:`write_table`, serves ``sidepay data panel --out``, ``sidepay simulate
run --out`` and the panels ``sidepay run`` writes. The suffix picks the format:

``.dta``
    Stata 118 (Stata 14 and later). Variable labels are the schema's descriptions
    (:data:`sidepay.schema.COLUMNS`) with the unit in brackets; 0/1 columns carry the value
    labels ``0 "no" 1 "yes"``; COW codes carry the country names when the table has them
    (``patron`` labelled from ``patron_name``, see :func:`sidepay.data.names.add_country_names`).
    Text missing values are written as Stata's empty string.
``.rds``
    R (``readRDS``), written by the serializer below rather than by ``pyreadr``:
    ``pyreadr.write_rds`` 0.5.8 fails on pandas ``Int8``/``Int16`` columns with ``<NA>``
    (OverflowError), writes ``Int64`` as double and float ``NaN`` as R's ``NaN`` instead of
    ``NA``. Here integers that fit R's 32-bit integer (every pandas integer and nullable
    integer column of the panel) arrive as R ``integer`` with ``NA``; floats as ``double``
    with ``NA_real_``; text as ``character``; categoricals as ``factor``; booleans as
    ``logical``. Each column carries its description as ``attr(x, "label")`` (the convention
    of haven and labelled).
``.csv``, ``.parquet``
    pandas' writers (no index).

Every file is written atomically: a temporary file beside the target, moved into place only
when writing succeeded, and the same table gives the same bytes (the Stata header's time
stamp is fixed at 1 Jan 2000 and the gzip header of ``.rds`` carries no time). Any other
suffix is refused with one line naming the allowed ones.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> t = pd.DataFrame({"patron": [2], "client": [770], "year": [1954],
...                   "allied": pd.array([1], dtype="Int8")})
>>> write_table(t, Path(tempfile.mkdtemp()) / "p.dta").suffix
'.dta'
"""

from __future__ import annotations

import datetime
import gzip
import os
import struct
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sidepay.atomic import atomic_path
from sidepay.errors import InputError, bad_param
from sidepay.outpaths import check_out_file
from sidepay.schema import COLUMNS

__all__ = ["FORMATS", "check_table_path", "column_labels", "value_labels", "write_table"]

FORMATS: tuple[str, ...] = (".dta", ".rds", ".csv", ".parquet")
"""Suffixes :func:`write_table` writes."""

#: a COW code column -> the name column that labels its values in Stata
NAME_COLUMNS: dict[str, str] = {
    "patron": "patron_name",
    "client": "client_name",
    "ccode": "name",
    "ccode1": "name1",
    "ccode2": "name2",
}

_STATA_LABEL_MAX = 80  # characters in a Stata variable label
_STATA_NAME_MAX = 32
_FIXED_STAMP = datetime.datetime(2000, 1, 1)  # Stata's header time stamp


def check_table_path(path: str | os.PathLike[str], *, param: str = "out") -> Path:
    """The output path when its suffix is one of :data:`FORMATS` in a writable folder.

    Examples
    --------
    >>> check_table_path("panel.rds").suffix
    '.rds'
    >>> check_table_path("panel.xlsx")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: out= must end in .dta or .rds or .csv or .parquet; got 'panel.xlsx'
    """
    return check_out_file(path, FORMATS, param=param)


def column_labels(frame: pd.DataFrame, labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """Variable labels: ``labels`` first, then the schema's description and unit.

    Examples
    --------
    >>> got = column_labels(pd.DataFrame({"allied": [1], "x": [2]}), {"x": "my measure"})
    >>> got["allied"] == f"{COLUMNS['allied'].description} [{COLUMNS['allied'].unit}]", got["x"]
    (True, 'my measure')
    """
    extra = dict(labels or {})
    out: dict[str, str] = {}
    for name in frame.columns:
        if name in extra:
            out[name] = extra[name]
        elif name in COLUMNS:
            col = COLUMNS[name]
            out[name] = f"{col.description} [{col.unit}]" if col.unit else col.description
    return out


def _is_binary(series: pd.Series) -> bool:
    if not (pd.api.types.is_integer_dtype(series) or pd.api.types.is_bool_dtype(series)):
        return False
    values = pd.unique(series.dropna().astype("int64"))
    return bool(len(values)) and set(values.tolist()) <= {0, 1}


def value_labels(frame: pd.DataFrame) -> dict[str, dict[int, str]]:
    """Value labels for coded columns: 0/1 columns and COW codes with a name column.

    A column is 0/1 when the schema gives its unit as ``0/1``; a COW code column
    (``patron``, ``client``, ``ccode``, ``ccode1``, ``ccode2``) is labelled with the names
    in its name column (``patron_name``, ...) when the table has one.

    Examples
    --------
    >>> t = pd.DataFrame({"patron": [2, 365], "patron_name": ["United States", "Russia"],
    ...                   "allied": pd.array([1, 0], dtype="Int8")})
    >>> value_labels(t)
    {'patron': {2: 'United States', 365: 'Russia'}, 'allied': {0: 'no', 1: 'yes'}}
    """
    out: dict[str, dict[int, str]] = {}
    for code, name in NAME_COLUMNS.items():
        if code in frame.columns and name in frame.columns:
            pairs = frame[[code, name]].dropna().drop_duplicates(code)
            out[code] = {int(c): str(n) for c, n in zip(pairs[code], pairs[name], strict=True)}
    for name in frame.columns:
        col = COLUMNS.get(name)
        if col is not None and col.unit == "0/1" and _is_binary(frame[name]):
            out[name] = {0: "no", 1: "yes"}
    return out


# --- Stata ---


def _stata_frame(frame: pd.DataFrame) -> pd.DataFrame:
    bad = [
        str(c)
        for c in frame.columns
        if not str(c).isidentifier() or len(str(c)) > _STATA_NAME_MAX or not str(c).isascii()
    ]
    if bad:
        raise InputError(
            f"columns {bad[:5]} are not Stata variable names (ASCII letters, digits and _, "
            f"at most {_STATA_NAME_MAX} characters); rename them or write .parquet, .csv or .rds"
        )
    out = {}
    for name in frame.columns:
        s = frame[name]
        if isinstance(s.dtype, pd.CategoricalDtype):
            out[name] = s  # pandas writes categoricals as labelled integers
        elif pd.api.types.is_bool_dtype(s):
            out[name] = s.astype("Int8")
        elif pd.api.types.is_string_dtype(s) or s.dtype == object:
            # Stata has no missing string: its convention is the empty string
            out[name] = s.astype("string").fillna("").astype(object)
        else:
            out[name] = s
    return pd.DataFrame(out, index=frame.index)


def _write_dta(frame: pd.DataFrame, tmp: Path, labels: dict[str, str]) -> None:
    data = _stata_frame(frame)
    variable_labels = {k: v[:_STATA_LABEL_MAX] for k, v in labels.items()}
    labelled: dict[Any, Any] = dict(value_labels(frame))
    data.to_stata(
        tmp,
        write_index=False,
        version=118,
        variable_labels=variable_labels,
        value_labels=labelled,
        data_label="sidepay",
        time_stamp=_FIXED_STAMP,  # not the clock: the same table gives the same bytes
    )


# --- R (RDS, serialization format version 2, XDR big-endian, gzip) ---

_NILVALUE, _SYMSXP, _LISTSXP, _CHARSXP = 254, 1, 2, 9
_LGLSXP, _INTSXP, _REALSXP, _STRSXP, _VECSXP = 10, 13, 14, 16, 19
_IS_OBJECT, _HAS_ATTR, _HAS_TAG = 1 << 8, 1 << 9, 1 << 10
_UTF8 = 1 << 3 << 12  # the CHARSXP's UTF8_MASK in the levels bits
_NA_INT = -(2**31)
_NA_REAL_BITS = np.uint64(0x7FF00000000007A2)  # R's NA_real_: a NaN with payload 1954
_INT_MIN, _INT_MAX = -(2**31) + 1, 2**31 - 1


def _flags(sxp: int, *, attr: bool = False, obj: bool = False, tag: bool = False) -> bytes:
    return struct.pack(">i", sxp | (_HAS_ATTR * attr) | (_IS_OBJECT * obj) | (_HAS_TAG * tag))


def _charsxp(text: str | None) -> bytes:
    if text is None:
        return struct.pack(">ii", _CHARSXP, -1)  # NA_character_
    raw = text.encode("utf-8")
    flags = _CHARSXP | (_UTF8 if not raw.isascii() else 1 << 6 << 12)  # UTF8 / ASCII mask
    return struct.pack(">ii", flags, len(raw)) + raw


def _strsxp(values: Sequence[str | None], attrs: bytes = b"") -> bytes:
    head = _flags(_STRSXP, attr=bool(attrs)) + struct.pack(">i", len(values))
    return head + b"".join(_charsxp(v) for v in values) + attrs


def _attributes(pairs: list[tuple[str, bytes]]) -> bytes:
    """A pairlist of (tag, serialized value), terminated by R_NilValue."""
    out = b""
    for tag, value in pairs:
        out += _flags(_LISTSXP, tag=True) + struct.pack(">i", _SYMSXP) + _charsxp(tag) + value
    return out + struct.pack(">i", _NILVALUE)


def _label_attr(label: str | None) -> list[tuple[str, bytes]]:
    return [("label", _strsxp([label]))] if label else []


def _texts(series: pd.Series) -> list[str | None]:
    s = series.astype("string")
    return [None if v is pd.NA else str(v) for v in s.tolist()]


def _rds_column(series: pd.Series, label: str | None) -> bytes:
    """One column as an R vector (with its label attribute)."""
    attrs = _label_attr(label)
    n = struct.pack(">i", len(series))
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy(dtype="int64")
        ints = np.where(codes < 0, _NA_INT, codes + 1).astype(">i4")
        levels = _strsxp([str(c) for c in dtype.categories])
        attrs = [("levels", levels), ("class", _strsxp(["factor"])), *attrs]
        return _flags(_INTSXP, attr=True, obj=True) + n + ints.tobytes() + _attributes(attrs)
    tail = _attributes(attrs) if attrs else b""
    if pd.api.types.is_bool_dtype(dtype):
        mask = series.isna().to_numpy()
        vals = series.fillna(False).to_numpy(dtype=bool).astype("int64")
        ints = np.where(mask, _NA_INT, vals).astype(">i4")
        return _flags(_LGLSXP, attr=bool(attrs)) + n + ints.tobytes() + tail
    if pd.api.types.is_integer_dtype(dtype):
        mask = series.isna().to_numpy()
        vals = series.to_numpy(dtype="float64", na_value=np.nan)
        inside = vals[~mask]
        if not len(inside) or (inside.min() >= _INT_MIN and inside.max() <= _INT_MAX):
            ints = np.where(mask, _NA_INT, np.nan_to_num(vals)).astype(">i4")
            return _flags(_INTSXP, attr=bool(attrs)) + n + ints.tobytes() + tail
        dtype = np.dtype("float64")  # beyond R's integers: doubles, as R itself would
    if pd.api.types.is_numeric_dtype(dtype):
        vals = series.to_numpy(dtype="float64", na_value=np.nan)
        bits = np.where(np.isnan(vals), _NA_REAL_BITS, vals.view("uint64")).astype(">u8")
        return _flags(_REALSXP, attr=bool(attrs)) + n + bits.tobytes() + tail
    return _strsxp(_texts(series), tail)  # text, dates and anything else: character


def _rds_bytes(frame: pd.DataFrame, labels: dict[str, str]) -> bytes:
    names = [str(c) for c in frame.columns]
    cols = b"".join(_rds_column(frame[c], labels.get(c)) for c in frame.columns)
    row_names = struct.pack(">iiii", _INTSXP, 2, _NA_INT, -len(frame))  # compact 1..n
    attrs = _attributes(
        [
            ("names", _strsxp(names)),
            ("class", _strsxp(["data.frame"])),
            ("row.names", row_names),
        ]
    )
    head = b"X\n" + struct.pack(">iii", 2, 0x040202, 0x020300)  # format 2, R 4.2.2, min 2.3.0
    body = _flags(_VECSXP, attr=True, obj=True) + struct.pack(">i", len(names)) + cols + attrs
    return head + body


def _write_rds(frame: pd.DataFrame, tmp: Path, labels: dict[str, str]) -> None:
    # mtime=0 and no file name in the gzip header: the same table gives the same bytes
    with (
        tmp.open("wb") as raw,
        gzip.GzipFile("", "wb", compresslevel=6, fileobj=raw, mtime=0) as fh,
    ):
        fh.write(_rds_bytes(frame, labels))


def write_table(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    labels: Mapping[str, str] | None = None,
    param: str = "out",
) -> Path:
    """Write ``frame`` to ``path`` in the format its suffix names, atomically.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (its index is not written).
    path : path-like
        Ends in ``.dta``, ``.rds``, ``.csv`` or ``.parquet``; the folder must exist.
    labels : mapping, optional
        Variable labels for columns the schema does not describe (or to override it);
        used by ``.dta`` and ``.rds``.
    param : str
        The caller's parameter name, for error messages (the CLI maps it to its flag).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputError
        A suffix outside :data:`FORMATS`, a missing or unwritable folder, a column Stata
        cannot name, or a write that failed (nothing is left behind).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> t = pd.DataFrame({"year": [1950, 1951], "x": [1.5, None]})
    >>> out = write_table(t, Path(tempfile.mkdtemp()) / "t.csv")
    >>> out.read_text().splitlines()
    ['year,x', '1950,1.5', '1951,']
    """
    target = check_table_path(path, param=param)
    suffix = target.suffix.lower()
    all_labels = column_labels(frame, labels)
    frame = frame.reset_index(drop=True)
    try:
        with atomic_path(target, suffix=suffix) as tmp:
            if suffix == ".dta":
                _write_dta(frame, tmp, all_labels)
            elif suffix == ".rds":
                _write_rds(frame, tmp, all_labels)
            elif suffix == ".parquet":
                frame.to_parquet(tmp, index=False)
            else:
                frame.to_csv(tmp, index=False)
    except OSError as exc:  # full disk, permissions, a folder in the way
        raise bad_param(param, f"could not write {target}: {exc.strerror or exc}") from None
    except ValueError as exc:  # a value the format cannot hold (e.g. a Stata string > 2 GB)
        if isinstance(exc, InputError):
            raise
        raise bad_param(param, f"could not write {target.name}: {exc}") from None
    return target
