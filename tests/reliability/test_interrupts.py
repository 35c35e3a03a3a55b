"""Fault class 6 (issue 14, Low): a report folder's write interrupted by SIGKILL.

Real child processes are killed (SIGKILL cannot be caught) inside the write and between
the two renames of the fallback swap; the next run must remove what they left and find
the old or the new report under ``--out``, never neither.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from sidepay.outpaths import atomic_directory


def _old_report(out: Path) -> None:
    out.mkdir()
    (out / ".sidepay-report").write_text("")
    (out / "index.html").write_text("old")


def _child(script: str) -> int:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], check=False)
    return -done.returncode  # the signal that killed it


def test_killed_while_writing_leaves_a_temporary_the_next_run_removes(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    _old_report(out)
    signal_no = _child(f"""
        import os, signal
        from pathlib import Path
        from sidepay.outpaths import atomic_directory
        with atomic_directory(Path({str(out)!r})) as tmp:
            (tmp / "big.bin").write_bytes(b"x" * 2_000_000)
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert signal_no == 9
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith(".rep.tmp-")]
    assert len(left) == 1  # what the issue saw: a hidden folder, here 2 MB
    assert (out / "index.html").read_text() == "old"
    with atomic_directory(out) as tmp:
        (tmp / "index.html").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]
    assert (out / "index.html").read_text() == "new"


def test_killed_between_the_two_renames_is_repaired(tmp_path: Path) -> None:
    """Where the atomic exchange is missing, the swap is two renames; kill between them."""
    out = tmp_path / "rep"
    _old_report(out)
    signal_no = _child(f"""
        import os, signal
        from pathlib import Path
        import sidepay.outpaths as outpaths
        outpaths._exchange = lambda a, b: False  # a system without renameat2
        real_replace = os.replace
        def replace_then_die(src, dst):
            real_replace(src, dst)
            os.kill(os.getpid(), signal.SIGKILL)  # after the first rename only
        with outpaths.atomic_directory(Path({str(out)!r})) as tmp:
            (tmp / "index.html").write_text("new")
            os.replace = replace_then_die
    """)
    assert signal_no == 9
    assert not out.exists()  # the window the issue found: neither report under --out
    with atomic_directory(out) as tmp:  # the next run puts the old one back first
        assert (out / "index.html").read_text() == "old"
        (tmp / "index.html").write_text("newer")
    assert (out / "index.html").read_text() == "newer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_the_swap_never_leaves_out_missing(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    _old_report(out)
    missing: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if not (out / "index.html").exists():
                missing.append(1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for i in range(40):
            with atomic_directory(out) as tmp:
                (tmp / "index.html").write_text(str(i))
    finally:
        stop.set()
        watcher.join()
    assert missing == []
    assert (out / "index.html").read_text() == "39"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_a_live_writers_temporary_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    live = tmp_path / f".rep.tmp-{os.getpid()}-other"  # another run in this process
    live.mkdir()
    dead = tmp_path / ".rep.old-999999999-x"
    (dead / "junk").mkdir(parents=True)
    with atomic_directory(out) as tmp:
        (tmp / "index.html").write_text("new")
    assert live.is_dir() and not dead.exists()
