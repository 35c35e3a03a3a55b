"""Sweep storage: the folder layout, Parquet parts, the manifest, and reading back.

A sweep folder holds::

    OUT/manifest.json                 grid, fingerprint, one entry per task (status, rows, error)
    OUT/points.parquet                point index -> axis values
    OUT/panel/<task>.parquet          panel rows (schema + truth columns) with a ``point`` column
    OUT/events/<task>.parquet         the event log of the same replications

Each part is written atomically and tagged with its sweep's fingerprint and task name
(Parquet schema metadata), so that a resumed sweep can tell a finished part from a stale
or foreign one by reading its footer only. Planning is ``sidepay.sim.grid``, running is
``sidepay.sim.sweep_run``.

Examples
--------
>>> sweep_parts("/nonexistent", "panel")
[]
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sidepay.atomic import atomic_path, write_text_atomic
from sidepay.errors import InputError, bad_param
from sidepay.sim.grid import SweepGrid, SweepTask

__all__ = [
    "KINDS",
    "MANIFEST",
    "load_manifest",
    "part_key",
    "part_path",
    "part_rows",
    "read_sweep",
    "save_manifest",
    "sweep_parts",
    "task_record",
    "write_part",
    "write_points",
]

MANIFEST = "manifest.json"
KINDS = ("panel", "events")
_META_KEY = b"sidepay_sweep"


def part_path(out: Path, kind: str, task: SweepTask | str) -> Path:
    """Where the ``kind`` part of ``task`` goes.

    Examples
    --------
    >>> part_path(Path("out"), "panel", SweepTask(1, 0, 2)).as_posix()
    'out/panel/point-00001_reps-000000-000002.parquet'
    """
    name = task if isinstance(task, str) else task.name
    return out / kind / f"{name}.parquet"


def write_part(frame: pd.DataFrame, path: Path, meta: dict[str, str]) -> None:
    """Write ``frame`` atomically as a Parquet part tagged with ``meta``.

    Only text columns are dictionary-encoded: on the float columns of a panel it costs
    time and space (measured: half the CPU of pyarrow's defaults for a smaller file;
    docs/sweeps.md).
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema_meta = dict(table.schema.metadata or {})
    schema_meta[_META_KEY] = json.dumps(meta, sort_keys=True).encode()
    table = table.replace_schema_metadata(schema_meta)
    text = [
        f.name
        for f in table.schema
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="lz4", use_dictionary=text)


def part_rows(path: Path, fingerprint: str, task: str) -> int | None:
    """Rows of a finished part: it exists, its footer and every row group's column
    chunk statistics read, and it belongs to this sweep and task; else None.

    Parts are written atomically, so a torn part comes only from outside (a partial copy);
    reading the footer catches that without decoding the data.
    """
    try:
        meta = pq.read_metadata(path)
        tag = json.loads((meta.metadata or {})[_META_KEY])
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None
    if tag.get("fingerprint") != fingerprint or tag.get("task") != task:
        return None
    return int(meta.num_rows)


def task_record(task: SweepTask) -> dict[str, Any]:
    """A task's manifest entry before it has run."""
    return {
        "point": task.point,
        "rep_start": task.rep_start,
        "reps": task.reps,
        "status": "pending",
    }


def load_manifest(out: Path) -> dict[str, Any] | None:
    """The manifest of the sweep folder ``out`` (None if there is none yet)."""
    path = out / MANIFEST
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise bad_param(
            "out_dir", f"{path} is not a readable sweep manifest; use a new folder"
        ) from None
    if not isinstance(data, dict) or "fingerprint" not in data:
        raise bad_param("out_dir", f"{path} is not a sweep manifest; use a new folder")
    return data


def save_manifest(out: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically, stamped with the time of writing."""
    manifest["updated"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    write_text_atomic(out / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))


def write_points(grid: SweepGrid, out: Path) -> None:
    """``points.parquet``: each point's index and axis values."""
    rows = [{"point": p.index, **p.values} for p in grid.points()]
    frame = pd.DataFrame(rows, columns=["point", *grid.axes])
    frame["point"] = frame["point"].astype("int64")
    write_part(frame, out / "points.parquet", {"fingerprint": "", "task": "points"})


def sweep_parts(out_dir: str | Path, kind: str = "panel") -> list[Path]:
    """The finished Parquet parts of a sweep, sorted by (point, replication).

    Examples
    --------
    >>> sweep_parts("/nonexistent", "panel")
    []
    """
    if kind not in KINDS:
        raise bad_param("kind", f"must be one of {', '.join(KINDS)}; got {kind!r}")
    folder = Path(out_dir) / kind
    named = [(part_key(p), p) for p in folder.glob("point-*.parquet") if p.is_file()]
    return [p for key, p in sorted((k, p) for k, p in named if k is not None)]


_PART_NAME = re.compile(r"point-([0-9]+)_reps-([0-9]+)-([0-9]+)\.parquet")


def part_key(path: Path) -> tuple[int, int, int] | None:
    """(point, first replication, end) of a part's file name; None if it is not one.

    Any number of digits: the names are zero-padded to 5 and 6 digits, and longer numbers
    are simply longer, so parts are sorted by these numbers, not by their names.

    Examples
    --------
    >>> part_key(Path("point-123456_reps-000010-000020.parquet"))
    (123456, 10, 20)
    >>> part_key(Path("point-x.parquet")) is None
    True
    """
    m = _PART_NAME.fullmatch(path.name)
    return None if m is None else (int(m.group(1)), int(m.group(2)), int(m.group(3)))


def read_sweep(
    out_dir: str | Path,
    kind: str = "panel",
    *,
    points: list[int] | None = None,
    columns: list[str] | None = None,
    with_values: bool = False,
) -> pd.DataFrame:
    """Read a sweep's parts (optionally some points and columns) into one frame.

    With ``with_values`` the axis values of each row's point (``points.parquet``) are
    added as columns named like the axes (``params.rho``). For sweeps larger than memory,
    iterate over ``sweep_parts`` instead, or open the folder as a dataset
    (``pyarrow.dataset.dataset(out_dir / "panel")``, polars ``scan_parquet``).

    Examples
    --------
    >>> try:
    ...     read_sweep("/nonexistent")
    ... except InputError as e:
    ...     print(str(e).split(";")[0])
    no finished panel parts in /nonexistent
    """
    parts = sweep_parts(out_dir, kind)
    if points is not None:
        wanted = set(points)
        parts = [p for p in parts if (part_key(p) or (-1,))[0] in wanted]
    if not parts:
        raise InputError(f"no finished {kind} parts in {out_dir}; run the sweep first")
    if columns is not None and "point" not in columns:
        columns = ["point", *columns]
    frames = [pq.read_table(p, columns=columns).to_pandas() for p in parts]
    frame = pd.concat(frames, ignore_index=True)
    if with_values:
        values = pd.read_parquet(Path(out_dir) / "points.parquet")
        frame = frame.merge(values, on="point", how="left", validate="many_to_one")
    return frame
