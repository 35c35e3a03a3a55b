"""fetch / cache against a real HTTP server on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import hashlib
import http.server
import os
import socket
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from local_http import LocalHTTPServer

import sidepay.data.acquire as fetch_mod
from sidepay.config import data_context
from sidepay.data.acquire import fetch, is_cached, pull, read_rda
from sidepay.data.cache import FrameRepairWarning, cached_frame, frame_path
from sidepay.data.context import DataContext
from sidepay.data.sources import Source
from sidepay.errors import DataUnavailableError, InputError

PAYLOAD = bytes(range(256)) * 400  # 100 KiB, several read chunks


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


class _Server(LocalHTTPServer):
    """A real threaded HTTP server; ``/die/<file>`` sends half the body then closes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.hits: list[str] = []
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):  # type: ignore[no-untyped-def]
                super().__init__(*a, directory=str(root), **kw)

            def log_message(self, *args: object) -> None:  # keep pytest output clean
                pass

            def do_GET(self) -> None:
                outer.hits.append(self.path)
                if self.path.startswith("/die/"):
                    body = (root / self.path.removeprefix("/die/")).read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                super().do_GET()

        super().__init__(Handler)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[_Server, Path]]:
    served = tmp_path / "served"
    (served / "fam").mkdir(parents=True)
    (served / "fam" / "good.bin").write_bytes(PAYLOAD)
    (served / "fam" / "short.bin").write_bytes(PAYLOAD[:1000])
    with zipfile.ZipFile(served / "fam" / "arch.zip", "w") as zf:
        zf.writestr("inner/member.bin", PAYLOAD)
    cache = tmp_path / "cache"
    monkeypatch.setenv("SIDEPAY_DATA_DIR", str(cache))
    monkeypatch.delenv("SIDEPAY_MIRROR", raising=False)
    monkeypatch.delenv("SIDEPAY_BASE_URL", raising=False)
    server = _Server(served)
    yield server, cache
    server.close()


def _src(name: str, url: str | None, relpath: str = "fam/good.bin", **kw: object) -> Source:
    base = Source(
        name=name, title=name, relpath=relpath, url=url, sha256=_sha(PAYLOAD), bytes=len(PAYLOAD)
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def _leftovers(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("*") if p.name.startswith((".part-", ".tmp-"))]


def test_download_success_then_cached_without_network(env: tuple[_Server, Path]) -> None:
    server, cache = env
    reg = {"good": _src("good", server.url("fam/good.bin"))}
    path = fetch("good", sources=reg)
    assert path == cache / "fam" / "good.bin"
    assert path.read_bytes() == PAYLOAD
    assert server.hits == ["/fam/good.bin"]
    assert fetch("good", sources=reg) == path  # from the cache: no new request
    assert server.hits == ["/fam/good.bin"]
    assert is_cached("good", sources=reg)
    assert _leftovers(cache) == []


def test_progress_bar_download(
    env: tuple[_Server, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    server, _cache = env
    reg = {"good": _src("good", server.url("fam/good.bin"))}
    assert fetch("good", sources=reg, progress=True).read_bytes() == PAYLOAD


def test_wrong_hash_never_enters_cache(env: tuple[_Server, Path]) -> None:
    server, cache = env
    reg = {"bad": _src("bad", server.url("fam/good.bin"), sha256="0" * 64)}
    with pytest.raises(DataUnavailableError) as exc:
        fetch("bad", sources=reg)
    msg = str(exc.value)
    assert "\n" not in msg and "sha256" in msg and "sidepay data pull" in msg
    assert not (cache / "fam" / "good.bin").exists()
    assert _leftovers(cache) == []
    assert len(server.hits) == 2  # one retry


def test_truncated_download_rejected(env: tuple[_Server, Path]) -> None:
    server, cache = env
    reg = {"short": _src("short", server.url("fam/short.bin"), relpath="fam/short.bin")}
    with pytest.raises(DataUnavailableError, match="1000 bytes"):
        fetch("short", sources=reg)
    assert not (cache / "fam" / "short.bin").exists()
    assert _leftovers(cache) == []


def test_server_dies_mid_transfer(env: tuple[_Server, Path]) -> None:
    server, cache = env
    reg = {"die": _src("die", server.url("die/fam/good.bin"))}
    with pytest.raises(DataUnavailableError) as exc:
        fetch("die", sources=reg)
    assert "\n" not in str(exc.value)
    assert server.hits == ["/die/fam/good.bin"] * 2
    assert not (cache / "fam" / "good.bin").exists()
    assert _leftovers(cache) == []


@pytest.mark.parametrize("damage", ["flip", "truncate", "flip-keep-stat"])
def test_corrupted_cache_file_is_fetched_again(env: tuple[_Server, Path], damage: str) -> None:
    server, _cache = env
    reg = {"good": _src("good", server.url("fam/good.bin"))}
    path = fetch("good", sources=reg)
    before = path.stat()
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        path.write_bytes(bytes(data[:-10]))
    else:
        data[500] ^= 0xFF
        path.write_bytes(bytes(data))
    if damage == "flip-keep-stat":  # what bit rot or `cp -p` leaves: same size, same mtime
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert not is_cached("good", sources=reg)  # re-hashed, not trusted on its stat
    assert fetch("good", sources=reg).read_bytes() == PAYLOAD
    assert server.hits == ["/fam/good.bin"] * 2
    assert not (_cache / ".verified.json").exists()  # no stat memo is kept


def test_no_network_no_mirror_message(env: tuple[_Server, Path]) -> None:
    _server, cache = env
    with socket.socket() as s:  # a port that nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    reg = {"gone": _src("gone", f"http://127.0.0.1:{port}/fam/good.bin")}
    with pytest.raises(DataUnavailableError) as exc:
        fetch("gone", sources=reg, timeout=5)
    msg = str(exc.value)
    assert "\n" not in msg
    assert "no mirror configured" in msg
    assert "sidepay data pull --only gone --mirror DIR" in msg
    assert _leftovers(cache) == []


def test_mirror_first_then_download_when_mirror_is_bad(
    env: tuple[_Server, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _cache = env
    mirror = tmp_path / "mirror"
    (mirror / "fam").mkdir(parents=True)
    (mirror / "fam" / "good.bin").write_bytes(PAYLOAD)
    (mirror / "fam" / "other.bin").write_bytes(b"corrupt")
    monkeypatch.setenv("SIDEPAY_MIRROR", str(mirror))
    reg = {
        "good": _src("good", server.url("fam/good.bin")),
        "other": _src("other", server.url("fam/good.bin"), relpath="fam/other.bin"),
    }
    assert fetch("good", sources=reg).read_bytes() == PAYLOAD
    assert server.hits == []  # served by the mirror
    assert fetch("other", sources=reg).read_bytes() == PAYLOAD
    assert server.hits == ["/fam/good.bin"]


def test_base_url_override_and_mirror_only(
    env: tuple[_Server, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _cache = env
    reg = {"mo": _src("mo", None, note="zipped locally")}
    with pytest.raises(DataUnavailableError, match="mirror-only"):
        fetch("mo", sources=reg)
    monkeypatch.setenv("SIDEPAY_BASE_URL", server.url("").rstrip("/"))
    assert fetch("mo", sources=reg).read_bytes() == PAYLOAD
    assert server.hits == ["/fam/good.bin"]


def test_archive_member_extracted_and_verified(env: tuple[_Server, Path]) -> None:
    server, cache = env
    reg = {
        "member": _src(
            "member",
            server.url("fam/arch.zip"),
            relpath="fam/member.bin",
            archive_member="inner/member.bin",
        ),
        "missing": _src(
            "missing",
            server.url("fam/arch.zip"),
            relpath="fam/missing.bin",
            archive_member="inner/nope.bin",
        ),
    }
    assert fetch("member", sources=reg).read_bytes() == PAYLOAD
    with pytest.raises(DataUnavailableError, match=r"nope\.bin"):
        fetch("missing", sources=reg)
    assert sorted(p.name for p in (cache / "fam").iterdir()) == ["member.bin"]


def test_pull_reports_failures_and_unknown_names(env: tuple[_Server, Path]) -> None:
    server, _cache = env
    reg = {
        "good": _src("good", server.url("fam/good.bin")),
        "mo": _src("mo", None, relpath="fam/mo.bin"),
    }
    done, failed = pull(None, sources=reg)
    assert done == ["good"] and list(failed) == ["mo"]
    with pytest.raises(InputError, match="unknown data source 'zzz'"):
        pull(["zzz"], sources=reg)


def test_read_rda_real_file_and_errors() -> None:
    majors = read_rda("cow_majors")
    assert {"ccode", "styear", "endyear"} <= set(majors.columns)
    assert 2 in majors["ccode"].tolist()
    with pytest.raises(InputError, match="no object"):
        read_rda("cow_majors", "not_there")
    with pytest.raises(InputError, match="not an R data file"):
        read_rda("chisols")


def test_cached_frame_builds_once_and_recovers(tmp_path: Path) -> None:
    ctx = data_context(cache_dir=tmp_path)
    calls: list[int] = []

    def build() -> pd.DataFrame:
        calls.append(1)
        return pd.DataFrame({"ccode": [2, 200], "year": [1950, 1950], "x": [0.5, None]})

    first = cached_frame("demo", build, ["cow_majors"], version=1, context=ctx)
    again = cached_frame("demo", build, ["cow_majors"], version=1, context=ctx)
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first, again)
    assert pd.isna(again.loc[1, "x"])
    # a new reader version or a different source set is a different cache file
    assert frame_path("demo", ["cow_majors"], 2) != frame_path("demo", ["cow_majors"], 1)
    assert frame_path("demo", ["cow_states"], 1) != frame_path("demo", ["cow_majors"], 1)
    # a corrupted parquet file is rebuilt, never served
    path = frame_path("demo", ["cow_majors"], 1, context=ctx)
    assert path.parent == tmp_path / "frames"
    path.write_bytes(b"PAR1 garbage")
    with pytest.warns(FrameRepairWarning, match="cannot be read"):
        again = cached_frame("demo", build, ["cow_majors"], version=1, context=ctx)
    pd.testing.assert_frame_equal(again, first)
    assert len(calls) == 2
    assert [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")] == []
    with pytest.raises(InputError, match="cache key"):
        cached_frame("bad key/..", build, ["cow_majors"], context=ctx)


def test_explicit_context_needs_no_environment(
    env: tuple[_Server, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A context passed in wins over the environment, which the data layer never reads."""
    server, env_cache = env
    mirror = tmp_path / "mirror"
    (mirror / "fam").mkdir(parents=True)
    (mirror / "fam" / "good.bin").write_bytes(PAYLOAD)
    monkeypatch.setenv("SIDEPAY_MIRROR", str(tmp_path / "not-there"))  # ignored below
    ctx = DataContext(cache_dir=tmp_path / "own-cache", mirror=mirror)
    reg = {"good": _src("good", server.url("fam/good.bin"))}
    assert fetch("good", sources=reg, context=ctx) == tmp_path / "own-cache" / "fam" / "good.bin"
    assert server.hits == [] and not env_cache.exists()
    assert is_cached("good", sources=reg, context=ctx)
    # downloads off: neither mirror nor network, one line that says so
    offline = DataContext(cache_dir=tmp_path / "off", download=False)
    with pytest.raises(DataUnavailableError, match="download=False"):
        fetch("good", sources=reg, context=offline)
    assert server.hits == []
    # base_url is part of the context too
    served = DataContext(cache_dir=tmp_path / "via-base", base_url=server.url(""))
    assert fetch("good", sources=reg, context=served).read_bytes() == PAYLOAD
    assert server.hits == ["/fam/good.bin"]


def test_context_checks_the_mirror_once_and_is_hashable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InputError, match=r"^mirror= .* is not a folder") as info:
        DataContext(cache_dir=tmp_path, mirror=tmp_path / "nope")
    assert info.value.param == "mirror"
    (tmp_path / "afile").write_text("x")
    with pytest.raises(InputError, match="is not a folder"):
        data_context(mirror=tmp_path / "afile", cache_dir=tmp_path)
    monkeypatch.setenv("SIDEPAY_MIRROR", str(tmp_path / "nope"))
    with pytest.raises(InputError, match=r"SIDEPAY_MIRROR=.* is not a folder"):
        data_context(cache_dir=tmp_path)
    monkeypatch.setenv("SIDEPAY_MIRROR", str(tmp_path))
    monkeypatch.setenv("SIDEPAY_DATA_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("SIDEPAY_BASE_URL", "http://127.0.0.1:1/")
    ctx = data_context()
    assert (ctx.mirror, ctx.cache_dir, ctx.base_url) == (
        tmp_path,
        tmp_path / "c",
        "http://127.0.0.1:1",
    )
    assert ctx == data_context() and hash(ctx) == hash(data_context())
    assert {ctx: 1}[
        DataContext(cache_dir=tmp_path / "c", mirror=tmp_path, base_url="http://127.0.0.1:1")
    ] == 1
    assert not hasattr(fetch_mod, "configure")
