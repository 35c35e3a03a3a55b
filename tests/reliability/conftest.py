"""Helpers of the fault-injection suite (docs/reliability.md): a real HTTP server that
misbehaves on request, a small real tmpfs for the full disk, and a CLI runner."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from local_http import LocalHTTPServer

from sidepay.cli import main


class FaultServer(LocalHTTPServer):
    """A threaded HTTP server on 127.0.0.1 whose paths choose the fault.

    ``/file/<name>`` serves ``files[name]``; ``/endless`` streams zeros forever (no
    Content-Length); ``/liar/<name>`` announces 10 GB; ``/trickle`` sends one byte every
    ``trickle_gap`` seconds; ``/stall`` accepts and never answers.
    """

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.hits: list[str] = []
        self.trickle_gap = 0.1
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                outer.hits.append(self.path)
                path = self.path
                try:
                    if path.startswith("/file/"):
                        body = outer.files[path.removeprefix("/file/")]
                        self.send_response(200)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    elif path == "/endless":
                        self.send_response(200)
                        self.end_headers()
                        chunk = b"\0" * 65536
                        while not outer.stop.is_set():
                            self.wfile.write(chunk)
                    elif path.startswith("/liar/"):
                        self.send_response(200)
                        self.send_header("Content-Length", str(10 * 1024**3))
                        self.end_headers()
                        self.wfile.write(b"\0" * 1024)
                    elif path == "/trickle":
                        self.send_response(200)
                        self.end_headers()
                        while not outer.stop.is_set():
                            self.wfile.write(b"x")
                            self.wfile.flush()
                            time.sleep(outer.trickle_gap)
                    elif path == "/stall":
                        outer.stop.wait(30)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        super().__init__(Handler)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    s = FaultServer()
    yield s
    s.close()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def small_disk(path: Path, size: str = "256k") -> Iterator[Path]:
    """A real tmpfs of ``size`` at ``path`` (root only); skips the test where mounting fails."""
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); see test_full_disk.py")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)
        shutil.rmtree(path, ignore_errors=True)


def can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the command line in this process; return the exit code, stdout and stderr."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, err: str, expected: int | tuple[int, ...] = 2) -> str:
    """Assert the contract for bad input: the exit code, one error line, no traceback."""
    assert code in (expected if isinstance(expected, tuple) else (expected,)), err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("sidepay: error: "), err
    assert "Traceback" not in err
    return lines[0]


# the test modules import these helpers by name (tests are imported with importlib)
sys.modules.setdefault("reliability_kit", sys.modules[__name__])
