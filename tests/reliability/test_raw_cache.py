"""Fault class 2 (issue 14, High 2): raw cache and mirror files with wrong bytes.

Real registered sources copied from the real mirror; every damaged copy must be re-hashed
and replaced, every damaged mirror file refused, with one line and nothing half-written.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from reliability_kit import one_line_error, run_cli

from sidepay.data.acquire import fetch, is_cached
from sidepay.data.context import DataContext
from sidepay.data.sources import SOURCES

MIRROR = Path(__file__).resolve().parents[3] / "shared" / "data"
NAME = "cow_majors"


def _ctx(tmp_path: Path, mirror: Path | None = MIRROR) -> DataContext:
    return DataContext(cache_dir=tmp_path / "cache", mirror=mirror, download=False)


def _leftovers(root: Path) -> list[str]:
    return [p.name for p in root.rglob(".part-*")]


def test_same_size_same_mtime_wrong_bytes_is_refetched(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path)
    path = fetch(NAME, context=ctx)
    good = path.read_bytes()
    st = path.stat()
    damaged = bytearray(good)
    damaged[len(damaged) // 2] ^= 0x01  # one bit of rot
    path.write_bytes(bytes(damaged))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # what `cp -p` leaves
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    assert not is_cached(NAME, context=ctx)
    assert fetch(NAME, context=ctx).read_bytes() == good


def test_data_pull_reports_verified_only_after_rehash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = _ctx(tmp_path)
    path = fetch(NAME, context=ctx)
    good = path.read_bytes()
    st = path.stat()
    path.write_bytes(bytes(len(good)))  # all zeros, same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    (ctx.cache_dir / ".verified.json").write_text("[1, 2, 3]")  # an old memo, a JSON list
    monkeypatch.setenv("SIDEPAY_DATA_DIR", str(ctx.cache_dir))
    code, out, err = run_cli(["data", "pull", "--only", NAME, "--mirror", str(MIRROR)], capsys)
    assert code == 0, err
    assert "1 sources verified" in out
    assert path.read_bytes() == good


def test_mirror_file_of_wrong_size_refused_before_copying(tmp_path: Path) -> None:
    source = SOURCES[NAME]
    mirror = tmp_path / "mirror"
    big = mirror / source.relpath
    big.parent.mkdir(parents=True)
    with open(big, "wb") as fh:  # a 2 GB sparse file: copying it would take seconds
        fh.truncate(2 * 1024**3)
    ctx = _ctx(tmp_path, mirror)
    t0 = time.perf_counter()
    with pytest.raises(Exception, match=r"has 2147483648 bytes, expected \d+; not copied") as exc:
        fetch(NAME, context=ctx)
    assert time.perf_counter() - t0 < 5  # refused on its size, not after a 2 GB copy
    assert "\n" not in str(exc.value)
    assert _leftovers(ctx.cache_dir) == []
    assert not (ctx.cache_dir / source.relpath).exists()


def test_mirror_file_same_size_wrong_bytes_refused(tmp_path: Path) -> None:
    source = SOURCES[NAME]
    mirror = tmp_path / "mirror"
    bad = mirror / source.relpath
    bad.parent.mkdir(parents=True)
    bad.write_bytes(bytes(source.bytes))
    ctx = _ctx(tmp_path, mirror)
    with pytest.raises(Exception, match="sha256") as exc:
        fetch(NAME, context=ctx)
    assert "\n" not in str(exc.value)
    assert _leftovers(ctx.cache_dir) == [] and not (ctx.cache_dir / source.relpath).exists()


def test_mirror_entry_that_is_a_folder_or_unreadable(tmp_path: Path) -> None:
    source = SOURCES[NAME]
    mirror = tmp_path / "mirror"
    (mirror / source.relpath).mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(Exception, match="has no") as exc:
        fetch(NAME, context=_ctx(tmp_path, mirror))
    assert "\n" not in str(exc.value)


def test_cache_entry_that_is_a_folder(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path)
    (ctx.cache_dir / SOURCES[NAME].relpath).mkdir(parents=True)
    assert not is_cached(NAME, context=ctx)
    with pytest.raises(Exception) as exc:  # cannot be replaced: one line, not a traceback
        fetch(NAME, context=ctx)
    assert "\n" not in str(exc.value) and "cannot be copied" in str(exc.value)


def test_the_panel_build_never_reads_a_damaged_raw_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: a damaged .rda that pyreadr dies on; now re-fetched first."""
    source = SOURCES[NAME]
    ctx = _ctx(tmp_path)
    path = fetch(NAME, context=ctx)
    st = path.stat()
    path.write_bytes(b"RDX3\n" + bytes(source.bytes - 5))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    from sidepay.data.acquire import read_rda

    majors = read_rda(NAME, context=ctx)
    assert 2 in majors["ccode"].tolist()
    # with no mirror to repair it: one line, exit 2
    monkeypatch.setenv("SIDEPAY_DATA_DIR", str(ctx.cache_dir))
    monkeypatch.delenv("SIDEPAY_MIRROR", raising=False)
    monkeypatch.setenv("SIDEPAY_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    path.write_bytes(bytes(source.bytes))
    code, _out, err = run_cli(["data", "pull", "--only", NAME], capsys)
    line = one_line_error(code, err)
    assert "could not be obtained" in line
