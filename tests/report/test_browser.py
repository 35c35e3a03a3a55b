"""The report page in headless Chromium: it renders, logs no error and requests nothing.

The page comes from the real pipeline (``run_all(world="simulated")``, offline) and is
opened through the DevTools protocol (``websockets``) in ``/usr/bin/chromium`` with a fresh
profile; every network request, console message and exception is recorded. A full-page
screenshot is kept in ``tests/artifacts/report.png`` for a person to look at.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
    "--window-size=1280,900",
]


@dataclass
class PageLoad:
    """What happened while a page loaded."""

    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    log_errors: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    screenshot: bytes = b""


class _Session:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, timeout: float = 60.0, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            msg = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return dict(msg.get("result", {}))
            self.events.append(msg)

    def wait_for(self, method: str, timeout: float = 60.0) -> dict[str, Any]:
        for ev in self.events:
            if ev.get("method") == method:
                return ev
        deadline = time.monotonic() + timeout
        while True:
            msg = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            self.events.append(msg)
            if msg.get("method") == method:
                return msg

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        with contextlib.suppress(TimeoutError):
            while time.monotonic() < deadline:
                self.events.append(json.loads(self.ws.recv(timeout=deadline - time.monotonic())))


@contextlib.contextmanager
def chromium() -> Iterator[str]:
    """Start headless Chromium; yield the page target's websocket address."""
    profile = Path(tempfile.mkdtemp(prefix="sidepay-chromium-"))
    proc = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = int(port_file.read_text().splitlines()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
            targets = json.load(resp)
        page = next(t for t in targets if t.get("type") == "page")
        yield str(page["webSocketDebuggerUrl"])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


def load_page(path: Path, expressions: dict[str, str] | None = None) -> PageLoad:
    """Open ``path`` in headless Chromium and record what happened (and a screenshot)."""
    out = PageLoad()
    with chromium() as ws_url, connect(ws_url, max_size=2**28, open_timeout=20) as ws:
        s = _Session(ws)
        for domain in ("Page", "Network", "Runtime", "Log"):
            s.call(f"{domain}.enable")
        s.call("Page.navigate", url=path.resolve().as_uri())
        s.wait_for("Page.loadEventFired")
        s.drain(1.0)  # late requests (fonts, images) and console messages
        for name, expr in (expressions or {}).items():
            res = s.call("Runtime.evaluate", expression=expr, returnByValue=True)
            out.values[name] = res.get("result", {}).get("value")
        metrics = s.call("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        shot = s.call(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={
                "x": 0,
                "y": 0,
                "width": 1280,
                "height": min(size["height"], 16000),
                "scale": 1,
            },
        )
        out.screenshot = base64.b64decode(shot["data"])
        s.drain(0.3)
    for ev in s.events:
        method, params = ev.get("method"), ev.get("params", {})
        if method == "Network.requestWillBeSent":
            out.requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            out.console.append((params["type"], text))
        elif method == "Runtime.exceptionThrown":
            out.exceptions.append(json.dumps(params["exceptionDetails"])[:500])
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            out.log_errors.append(params["entry"].get("text", ""))
    return out


ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sidepay.study import run_all

    out = tmp_path_factory.mktemp("browser") / "report"
    run_all(out, world="simulated", seed=5, reps=3, quiet=True)
    return out / "index.html"


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")
def test_report_renders_offline_without_errors(report: Path) -> None:
    load = load_page(
        report,
        {
            "title": "document.title",
            "svgs": "document.querySelectorAll('svg.fig').length",
            "sections": "document.querySelectorAll('section.hyp').length",
            "overflow": "document.documentElement.scrollWidth > window.innerWidth",
            "height": "document.body.scrollHeight",
            "broken": "[...document.querySelectorAll('svg.fig')]"
            ".filter(s => s.getBoundingClientRect().width < 100).length",
        },
    )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report.png").write_bytes(load.screenshot)
    assert load.requests == [report.resolve().as_uri()]  # the page itself, nothing else
    assert load.exceptions == []
    assert [m for m in load.console if m[0] in ("error", "warning", "assert")] == []
    assert load.log_errors == []
    assert load.values["title"].startswith("sidepay")
    assert load.values["sections"] >= 8
    assert load.values["svgs"] >= load.values["sections"] + 3  # one per hypothesis + statics
    assert load.values["broken"] == 0
    assert load.values["overflow"] is False
    assert load.screenshot[:8] == b"\x89PNG\r\n\x1a\n" and len(load.screenshot) > 50_000


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")
def test_a_remote_reference_would_be_caught(tmp_path: Path) -> None:
    """The check above can fail: a page that asks another host shows up as a request."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        "</head><body><script>console.error('boom')</script></body></html>"
    )
    load = load_page(page)
    assert any(u.startswith("http://127.0.0.1:9/") for u in load.requests)
    assert ("error", "boom") in load.console


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")
def test_the_real_page_with_a_remote_image_or_script_fails_the_checks(
    report: Path, tmp_path: Path
) -> None:
    """The same page as above, with one remote image and one inline script injected: the
    request is recorded and the page's Content-Security-Policy logs both as errors, so the
    assertions of the first test would fail on it."""
    page = tmp_path / "index.html"
    page.write_text(
        report.read_text(encoding="utf-8").replace(
            "<body>",
            '<body><img src="http://example.invalid/x.png"><script>console.error("x")</script>',
            1,
        ),
        encoding="utf-8",
    )
    load = load_page(page)
    assert "http://example.invalid/x.png" in load.requests
    assert load.requests != [page.resolve().as_uri()]
    assert any("example.invalid" in e for e in load.log_errors)
    assert any("inline script" in e for e in load.log_errors)
    assert ("error", "x") not in load.console  # blocked, not run
