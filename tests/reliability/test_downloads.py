"""Fault class 3 (issue 14, Medium 3): misbehaving download servers, on a real HTTP server.

Endless bodies, lying lengths, trickles, stalls and killed downloads: each is stopped by
a bound (registered size, deadline, socket timeout), with one line and no ``.part-*`` file
left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from reliability_kit import FaultServer, sha

from sidepay.data.acquire import fetch, pull
from sidepay.data.context import DataContext
from sidepay.data.download import DownloadBudget
from sidepay.data.sources import Source
from sidepay.errors import DataUnavailableError, InputError

BODY = b"sidepay" * 57  # 399 bytes: a small source, as the 394-byte one


def _source(name: str, url: str, body: bytes = BODY) -> Source:
    return Source(name=name, title=name, relpath=f"fam/{name}.bin", url=url,
                  sha256=sha(body), bytes=len(body))  # fmt: skip


def _ctx(tmp_path: Path) -> DataContext:
    return DataContext(cache_dir=tmp_path / "cache")


def _parts(ctx: DataContext) -> list[Path]:
    return list(ctx.cache_dir.rglob(".part-*"))


def test_endless_body_stops_at_the_registered_size(server: FaultServer, tmp_path: Path) -> None:
    ctx = _ctx(tmp_path)
    reg = {"endless": _source("endless", server.url("endless"))}
    t0 = time.perf_counter()
    with pytest.raises(DataUnavailableError, match="more than the registered 399 bytes"):
        fetch("endless", sources=reg, context=ctx)
    assert time.perf_counter() - t0 < 10  # was 2.7 GB in 20 s
    assert _parts(ctx) == [] and not (ctx.cache_dir / "fam" / "endless.bin").exists()


def test_announced_length_over_the_size_is_not_read(server: FaultServer, tmp_path: Path) -> None:
    ctx = _ctx(tmp_path)
    reg = {"liar": _source("liar", server.url("liar/x"))}
    with pytest.raises(DataUnavailableError, match="announced 10737418240 bytes"):
        fetch("liar", sources=reg, context=ctx)
    assert _parts(ctx) == []


def test_trickle_stops_at_the_source_deadline(server: FaultServer, tmp_path: Path) -> None:
    server.trickle_gap = 0.05
    ctx = _ctx(tmp_path)
    reg = {"slow": _source("slow", server.url("trickle"), body=b"x" * 10**6)}
    t0 = time.perf_counter()
    with pytest.raises(DataUnavailableError, match="did not finish before its deadline"):
        fetch("slow", sources=reg, context=ctx, timeout=5, deadline=1.0)
    took = time.perf_counter() - t0
    assert took < 4, took  # the deadline, not the size, stopped it; no retry after it
    assert server.hits == ["/trickle"]
    assert _parts(ctx) == []


def test_stalled_server_is_not_retried_and_its_host_skipped(
    server: FaultServer, tmp_path: Path
) -> None:
    ctx = _ctx(tmp_path)
    reg = {f"s{i}": _source(f"s{i}", server.url("stall")) for i in range(5)}
    t0 = time.perf_counter()
    done, failed = pull(None, sources=reg, context=ctx, budget=DownloadBudget(timeout=0.5))
    took = time.perf_counter() - t0
    assert done == [] and sorted(failed) == sorted(reg)
    assert server.hits == ["/stall"]  # one attempt in all: no retry, the host skipped after
    assert "stalled" in failed["s0"] and "gave no answer within 0.5 s" in failed["s4"]
    assert took < 3, took  # was about 120 s per source
    assert all("\n" not in why for why in failed.values())


def test_pull_deadline_stops_the_rest(server: FaultServer, tmp_path: Path) -> None:
    server.files["a"] = BODY
    ctx = _ctx(tmp_path)
    reg = {"a": _source("a", server.url("file/a")), "b": _source("b", server.url("file/a"))}
    budget = DownloadBudget(pull_seconds=0.001)
    time.sleep(0.01)
    done, failed = pull(None, sources=reg, context=ctx, budget=budget)
    assert done == [] and "overall deadline (0.001 s) passed" in failed["a"]
    assert server.hits == []


def test_bad_budget_is_one_line() -> None:
    for field in ("timeout", "source_seconds", "pull_seconds"):
        for bad in (0, -1, float("inf"), float("nan"), "10", True):
            with pytest.raises(InputError, match=f"^{field}= must be a number of seconds"):
                DownloadBudget(**{field: bad})  # type: ignore[arg-type]


def test_killed_download_leaves_no_part_file_for_long(server: FaultServer, tmp_path: Path) -> None:
    """SIGKILL a real pull mid-transfer; the next fetch removes its .part file."""
    server.trickle_gap = 0.02
    ctx = _ctx(tmp_path)
    script = textwrap.dedent(f"""
        from pathlib import Path
        from sidepay.data.acquire import fetch
        from sidepay.data.context import DataContext
        from sidepay.data.sources import Source
        src = Source(name="slow", title="slow", relpath="fam/slow.bin",
                     url={server.url("trickle")!r}, sha256="0" * 64, bytes=10**6)
        fetch("slow", sources={{"slow": src}}, context=DataContext(cache_dir=Path({str(ctx.cache_dir)!r})))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 20
    while not _parts(ctx) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _parts(ctx), "the download never started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    (left,) = _parts(ctx)
    assert left.name.startswith(f".part-{proc.pid}-")
    server.files["good"] = BODY
    reg = {"good": _source("good", server.url("file/good"), BODY)}
    fetch("good", sources=reg, context=ctx)  # same cache folder: the dead pull's file goes
    assert _parts(ctx) == []
    assert (ctx.cache_dir / "fam" / "good.bin").read_bytes() == BODY
