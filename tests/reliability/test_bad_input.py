"""Fault class 4 (issue 14, Medium 4 and Low): bad input through the real command line.

Each case must end in exit 2 with one ``sidepay: error:`` line naming what is wrong, no
traceback, and nothing written, checked before any work starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from reliability_kit import can_mount, one_line_error, run_cli, small_disk


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    f = {
        "file": tmp_path / "afile.txt",
        "folder": tmp_path / "afolder",
        "notes": tmp_path / "notes",
        "text_panel": tmp_path / "notes.txt",
        "garbage_parquet": tmp_path / "garbage.parquet",
        "garbage_csv": tmp_path / "garbage.csv",
        "no_keys": tmp_path / "nokeys.parquet",
        "only_keys": tmp_path / "keys.parquet",
        "big_world": tmp_path / "big.toml",
        "png_folder": tmp_path / "afolder" / "x.png",
    }
    f["file"].write_text("x")
    f["folder"].mkdir()
    f["png_folder"].mkdir()
    f["notes"].mkdir()
    (f["notes"] / "mine.txt").write_text("not a report")
    f["text_panel"].write_text("hello")
    f["garbage_parquet"].write_bytes(b"PAR1" + os.urandom(200))
    f["garbage_csv"].write_bytes(b"\xff\xfe\x00garbage\x00\n\x01")
    pd.DataFrame({"a": [1, 2]}).to_parquet(f["no_keys"])
    pd.DataFrame({"patron": [2], "client": [20], "year": [1950]}).to_parquet(f["only_keys"])
    f["big_world"].write_text("[world]\nseed = 99999999999999999999999\n")
    return f


CASES: list[tuple[list[str], str]] = [
    # output paths: a file, a foreign folder, empty, a missing parent
    (["run", "--world", "simulated", "--out", "{file}"], "--out {file} is a file"),
    (["run", "--world", "simulated", "--out", "{notes}"], "is not a sidepay report"),
    (["run", "--world", "simulated", "--out", ""], "--out is empty"),
    (["run", "--world", "simulated", "--out", "{file}/sub"], "does not exist"),
    (["test", "--world", "simulated", "--out", "{file}"], "--out {file} is a file"),
    (["test", "--world", "simulated", "--out", ""], "--out is empty"),
    (["case", "USA", "PAK", "--out", "{folder}"], "must end in .png or .svg"),
    (["case", "USA", "PAK", "--out", "{png_folder}"], "is a folder"),
    (["case", "USA", "PAK", "--out", ""], "--out is empty"),
    (["case", "USA", "PAK", "--out", "{file}/x.png"], "does not exist"),
    (["model", "statics", "--vary", "W", "--out", ""], "--out is empty"),
    (["model", "statics", "--vary", "W", "--out", "{file}"], "--out {file} is a file"),
    # digits parsed strictly
    (["run", "--world", "simulated", "--years", "1946:202\u00b2"], "--years must be FIRST:LAST"),
    (["run", "--world", "simulated", "--years", "1_990:1991"], "--years must be FIRST:LAST"),
    (["run", "--world", "simulated", "--years", "\u0661\u0669\u0669\u0660"], "--years must"),
    (["case", "USA", "PAK", "--years", "1990:1950"], "--years must satisfy"),
    # panels read through one loader
    (["test", "--panel", "{text_panel}"], "must end in .parquet, .pq or .csv"),
    (["test", "--panel", "{garbage_parquet}"], "cannot read it as a Parquet panel file"),
    (["test", "--panel", "{garbage_csv}"], "--panel"),
    (["test", "--panel", "{no_keys}"], "lacks column patron"),
    (["test", "--panel", "{only_keys}"], "is not a panel"),
    (["test", "--panel", "{folder}/none.parquet"], "no such file"),
    # TOML integers range-checked
    (["simulate", "run", "--world", "{big_world}", "--out", "{folder}/s.parquet"], "out of range"),
    (["model", "solve", "--params", "{big_world}"], "world.seed = 99999999999999999999999"),
    # overflow in the model is refused, never printed as -Infinity
    (
        [
            "model",
            "solve",
            "--json",
            "--threat",
            "1e308",
            "--value",
            "1e308",
            "--cost",
            "1e308",
            "--goods",
            "1e308",
        ],
        "overflows 64-bit floats",
    ),
]


@pytest.mark.parametrize(("argv", "fragment"), CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_bad_input_one_line_exit_2(
    argv: list[str], fragment: str, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    names = {k: str(v) for k, v in files.items()}
    before = sorted(p.name for p in files["folder"].parent.rglob("*"))
    code, _out, err = run_cli([a.format(**names) for a in argv], capsys)
    line = one_line_error(code, err)
    assert fragment.format(**names) in line
    assert sorted(p.name for p in files["folder"].parent.rglob("*")) == before  # nothing written


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("{file}", "SIDEPAY_DATA_DIR={file} is a file"),
        ("{file}/cache", "cannot be created ({file} is a file)"),
    ],
)
def test_cache_folder_of_the_wrong_kind(
    value: str,
    fragment: str,
    files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    names = {k: str(v) for k, v in files.items()}
    monkeypatch.setenv("SIDEPAY_DATA_DIR", value.format(**names))
    for argv in (["data", "list"], ["data", "pull", "--only", "cow_majors"]):
        code, _out, err = run_cli(argv, capsys)
        assert fragment.format(**names) in one_line_error(code, err)


@pytest.mark.skipif(not can_mount(), reason="needs root to mount a read-only tmpfs")
def test_cache_folder_unwritable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ro = tmp_path / "ro"
    with small_disk(ro, "64k"):
        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        monkeypatch.setenv("SIDEPAY_DATA_DIR", str(ro))
        code, _out, err = run_cli(["data", "pull", "--only", "cow_majors"], capsys)
        assert "is not writable" in one_line_error(code, err)
        monkeypatch.setenv("SIDEPAY_DATA_DIR", str(ro / "sub"))
        code, _out, err = run_cli(["data", "list"], capsys)
        assert f"cannot be created ({ro} is not writable)" in one_line_error(code, err)
        code, _out, err = run_cli(["run", "--world", "simulated", "--out", str(ro / "r")], capsys)
        assert "is not writable" in one_line_error(code, err)


def test_source_date_epoch_checked_before_numpy(tmp_path: Path) -> None:
    """numpy parses SOURCE_DATE_EPOCH at import; sidepay checks it first (a real process)."""
    for bad in ("soon", "1e9", "-1", "\u00b9\u00b2"):
        done = subprocess.run(
            [sys.executable, "-m", "sidepay", "model", "solve"],
            env={**os.environ, "SOURCE_DATE_EPOCH": bad},
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
        line = one_line_error(done.returncode, done.stderr)
        assert "SOURCE_DATE_EPOCH must be whole seconds" in line


def test_case_years_no_source_covers(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "c.png"
    code, _out, err = run_cli(["case", "USA", "PAK", "--years", "2030:2030", "--out", str(out)],
                              capsys)  # fmt: skip
    assert "no source covers USA-PAK in those years" in one_line_error(code, err)
    assert not out.exists() and list(tmp_path.iterdir()) == []
