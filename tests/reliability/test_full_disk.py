"""Fault class 5 (issue 14, Medium 6): a full disk, on a real small tmpfs.

The machine lets root mount a tmpfs of a few hundred KB (``mount -t tmpfs -o size=256k``);
where it does not, those tests skip, and the file-size limit (``RLIMIT_FSIZE`` in a child
process, which makes writes fail with EFBIG) covers the same code path. Each writer must
stop with one line, leave nothing half-written, and keep what was there before.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reliability_kit import can_mount, one_line_error, run_cli, small_disk

from sidepay.data.cache import cached_frame
from sidepay.data.context import DataContext
from sidepay.errors import DiskFullError

MIRROR = Path(__file__).resolve().parents[3] / "shared" / "data"
needs_mount = pytest.mark.skipif(not can_mount(), reason="needs root to mount a tmpfs")


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


@needs_mount
def test_data_pull_on_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with small_disk(tmp_path / "disk", "256k") as disk:
        monkeypatch.setenv("SIDEPAY_DATA_DIR", str(disk / "cache"))
        argv = ["data", "pull", "--only", "cow_majors", "--only", "cow_nmc", "--mirror",
                str(MIRROR), "--no-progress"]  # fmt: skip
        code, _out, err = run_cli(argv, capsys)
        line = one_line_error(code, err)
        assert "is full" in line and "nothing was half-written" in line
        cache = disk / "cache"
        assert _hidden(cache) == []  # no .part-* file
        assert (cache / "peacesciencer" / "cow_majors.rda").is_file()  # the one that fit
        assert not (cache / "peacesciencer" / "cow_nmc.rda").exists()


@needs_mount
def test_frame_cache_on_a_full_disk(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "256k") as disk:
        ctx = DataContext(cache_dir=disk / "cache")
        rng = np.random.default_rng(1)
        big = pd.DataFrame({"x": rng.random(200_000)})  # 1.6 MB of doubles
        with pytest.raises(DiskFullError, match="while caching the frame 'big'") as exc:
            cached_frame("big", lambda: big, ["cow_majors"], context=ctx)
        assert "\n" not in str(exc.value)
        assert list((disk / "cache" / "frames").iterdir()) == []


@needs_mount
def test_run_on_a_full_disk_keeps_the_previous_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with small_disk(tmp_path / "disk", "256k") as disk:
        old = disk / "rep"
        old.mkdir()
        (old / ".sidepay-report").write_text("")
        (old / "index.html").write_text("the previous report")
        argv = ["run", "--world", "simulated", "--reps", "1", "--periods", "5", "--quiet",
                "--out", str(old)]  # fmt: skip
        code, _out, err = run_cli(argv, capsys)
        line = one_line_error(code, err, expected=(1, 2))
        assert "No space left on device" in line
        assert sorted(p.name for p in disk.iterdir()) == ["rep"]  # no temporary folder left
        assert (old / "index.html").read_text() == "the previous report"


def test_file_size_limit_gives_one_line(tmp_path: Path) -> None:
    """The equivalent without a mount: RLIMIT_FSIZE makes every larger write fail (EFBIG)."""
    script = textwrap.dedent("""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
        from sidepay.cli import main
        sys.exit(main(sys.argv[1:]))
    """)
    cache = tmp_path / "cache"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "data",
            "pull",
            "--only",
            "cow_nmc",
            "--mirror",
            str(MIRROR),
            "--no-progress",
        ],
        env={**os.environ, "SIDEPAY_DATA_DIR": str(cache)},
        capture_output=True,
        text=True,
        check=False,
    )
    line = one_line_error(done.returncode, done.stderr)
    assert "File too large" in line
    assert _hidden(cache) == [] and not (cache / "peacesciencer" / "cow_nmc.rda").exists()
