"""Fault class 1 (issue 14, High 1): damaged parsed frames in the cache's ``frames/`` folder.

Each fault damages a real frame built from the real mirror files, then reads it again:
the damaged file must be rebuilt from the raw files (one FrameRepairWarning) and the frame
returned must equal the clean one, never a different frame.
"""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sidepay.data.cache import FrameRepairWarning
from sidepay.data.context import DataContext
from sidepay.data.readers.aid import aiddata_dyadic
from sidepay.data.readers.capabilities import nmc
from sidepay.data.readers.democracy import regime_years
from sidepay.data.readers.leaders import leader_years

READERS: dict[str, Callable[..., pd.DataFrame]] = {
    "aiddata-dyadic": aiddata_dyadic,
    "nmc": nmc,
    "regime_years": regime_years,
    "leader_years": leader_years,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pd.DataFrame]]:
    """A cache with the four real frames built once, and the clean frames."""
    mirror = Path(__file__).resolve().parents[3] / "shared" / "data"
    cache = tmp_path_factory.mktemp("frames-cache")
    ctx = DataContext(cache_dir=cache, mirror=mirror)
    clean = {key: read(context=ctx) for key, read in READERS.items()}
    return cache, clean


@pytest.fixture
def cache(built: tuple[Path, dict[str, pd.DataFrame]], tmp_path: Path) -> Path:
    """A private copy of the built cache, so that each fault starts clean."""
    copy = tmp_path / "cache"
    shutil.copytree(built[0], copy)
    return copy


def _frame(cache: Path, key: str) -> Path:
    (path,) = (cache / "frames").glob(f"{key}-*.parquet")
    return path


def _read_again(cache: Path, key: str) -> tuple[pd.DataFrame, list[str]]:
    mirror = Path(__file__).resolve().parents[3] / "shared" / "data"
    ctx = DataContext(cache_dir=cache, mirror=mirror)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        frame = READERS[key](context=ctx)
        again = READERS[key](context=ctx)  # repaired once: the second read is silent
    pd.testing.assert_frame_equal(frame, again)
    return frame, [str(w.message) for w in seen if issubclass(w.category, FrameRepairWarning)]


def _rewrite(path: Path, frame: pd.DataFrame, keep_record: bool) -> None:
    """Write ``frame`` over ``path``, optionally copying the old integrity record (a forgery)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if keep_record:
        record = pq.read_schema(path).metadata[b"sidepay.frame"]
        table = table.replace_schema_metadata({**table.schema.metadata, b"sidepay.frame": record})
    pq.write_table(table, path)


def test_flipped_bytes_in_the_aiddata_frame(built, cache) -> None:
    path = _frame(cache, "aiddata-dyadic")
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0x5A for b in data[middle : middle + 64])
    path.write_bytes(bytes(data))
    frame, warned = _read_again(cache, "aiddata-dyadic")
    pd.testing.assert_frame_equal(frame, built[1]["aiddata-dyadic"])
    assert len(warned) == 1 and path.name in warned[0]


def test_valid_frame_of_another_reader_in_its_place(built, cache) -> None:
    shutil.copyfile(_frame(cache, "leader_years"), _frame(cache, "regime_years"))
    frame, warned = _read_again(cache, "regime_years")
    pd.testing.assert_frame_equal(frame, built[1]["regime_years"])
    assert {"W", "polity2", "polyarchy", "regime_change", "regime_type"} <= set(frame.columns)
    assert len(warned) == 1 and "holds the frame 'leader_years'" in warned[0]


@pytest.mark.parametrize("keep_record", [False, True], ids=["plain-rewrite", "record-copied"])
def test_cinc_multiplied_by_100(built, cache, keep_record: bool) -> None:
    path = _frame(cache, "nmc")
    edited = pd.read_parquet(path)
    edited["cinc"] = edited["cinc"] * 100
    _rewrite(path, edited, keep_record)
    frame, warned = _read_again(cache, "nmc")
    pd.testing.assert_frame_equal(frame, built[1]["nmc"])
    reason = "content hash" if keep_record else "no integrity record"
    assert len(warned) == 1 and reason in warned[0]


def test_column_dropped_with_the_record_copied(built, cache) -> None:
    path = _frame(cache, "regime_years")
    _rewrite(path, pd.read_parquet(path).drop(columns=["W"]), keep_record=True)
    frame, warned = _read_again(cache, "regime_years")
    pd.testing.assert_frame_equal(frame, built[1]["regime_years"])
    assert len(warned) == 1 and "columns its reader promises" in warned[0]


def test_dtype_changed_with_the_record_copied(built, cache) -> None:
    path = _frame(cache, "nmc")
    edited = pd.read_parquet(path)
    edited["cinc"] = edited["cinc"].astype("float32")
    _rewrite(path, edited, keep_record=True)
    frame, warned = _read_again(cache, "nmc")
    pd.testing.assert_frame_equal(frame, built[1]["nmc"])
    assert len(warned) == 1 and "dtypes its reader promises" in warned[0]


def test_truncated_and_damaged_record(built, cache) -> None:
    path = _frame(cache, "leader_years")
    path.write_bytes(path.read_bytes()[:-100])
    frame, warned = _read_again(cache, "leader_years")
    pd.testing.assert_frame_equal(frame, built[1]["leader_years"])
    assert len(warned) == 1 and "cannot be read" in warned[0]
    # a record that is JSON but not a record
    table = pq.read_table(path)
    table = table.replace_schema_metadata({b"sidepay.frame": json.dumps([1, 2]).encode()})
    pq.write_table(table, path)
    frame, warned = _read_again(cache, "leader_years")
    pd.testing.assert_frame_equal(frame, built[1]["leader_years"])
    assert len(warned) == 1 and "damaged integrity record" in warned[0]


def test_clean_frames_are_read_silently(built, cache) -> None:
    for key in READERS:
        frame, warned = _read_again(cache, key)
        pd.testing.assert_frame_equal(frame, built[1][key])
        assert warned == []
