"""`sidepay data pull | list | cite` through sidepay.cli.main."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sidepay.cli import main

MIRROR = os.environ["SIDEPAY_MIRROR"]


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("SIDEPAY_DATA_DIR", str(cache))
    return cache


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_pull_from_mirror(fresh_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["data", "pull", "--only", "cow_majors", "--only", "polity5", "--mirror", MIRROR])
    assert rc == 0
    assert "2 sources verified" in capsys.readouterr().out
    assert (fresh_cache / "peacesciencer" / "cow_majors.rda").is_file()
    assert (fresh_cache / "democracyData" / "polity5.rda").is_file()


def test_pull_bad_input_exits_2_one_line(
    fresh_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "pull", "--only", "polity6", "--mirror", MIRROR]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sidepay: error: unknown data source 'polity6'") and "\n" not in err
    assert main(["data", "pull", "--only", "cow_majors", "--mirror", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip()
    assert "is not a folder" in err and "\n" not in err
    assert err.startswith("sidepay: error: --mirror ")


def test_pull_without_mirror_or_network(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SIDEPAY_MIRROR", raising=False)
    monkeypatch.setenv("SIDEPAY_BASE_URL", _closed_port_url())
    assert main(["data", "pull", "--only", "cow_majors", "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "sidepay data pull --only cow_majors --mirror DIR" in err
    assert not (fresh_cache / "peacesciencer" / "cow_majors.rda").exists()


def test_list_shows_cached_state(fresh_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "pull", "--only", "cow_states", "--mirror", MIRROR]) == 0
    capsys.readouterr()
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 3}
    assert "yes" in rows["cow_states"]
    assert "yes" not in rows["cow_nmc"]
    assert "mirror-only" in rows["sipri_tiv_tables_zip"]


def test_cite(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "cite", "archigos", "cow_nmc"]) == 0
    out = capsys.readouterr().out
    assert "@article{goemans2009introducing," in out
    assert "@incollection{singer1972capability," in out
    assert out.count("@article{miller2022peacesciencer,") == 1
    assert main(["data", "cite"]) == 0
    assert capsys.readouterr().out.count("\n@") >= 49


def test_subprocess_entry_point(fresh_cache: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sidepay.cli", "data", "cite", "no_such_source"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "unknown data source" in proc.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["data", "panel", "--years", "1950:1951", "--out", "{tmp}/p.parquet"],
        ["data", "panel", "--years", "1950", "--patrons", "USA", "--out", "{tmp}/p.csv"],
        ["data", "pull", "--only", "cow_states", "--no-progress"],
        ["data", "pull", "--only", "cow_states", "--no-progress", "--mirror", "{tmp}/empty"],
    ],
)
def test_commands_without_data_network_or_mirror_say_what_to_run(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No cache, no mirror (unset or an empty folder), no network: one line, exit 2."""
    cache = tmp_path / "cache"
    (tmp_path / "empty").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "SIDEPAY_MIRROR"}
    env.update(SIDEPAY_DATA_DIR=str(cache), SIDEPAY_BASE_URL=_closed_port_url())
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    proc = subprocess.run(
        [sys.executable, "-m", "sidepay.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith("sidepay: error:") and "sidepay data pull" in err
    if args[1] == "panel":
        assert "sidepay data pull --mirror DIR" in err  # the panel needs every source
    # nothing half-written: no output file, nothing (not even an empty folder) in the cache
    assert not list(tmp_path.glob("p.*"))
    assert not cache.exists() or not [p for p in cache.rglob("*") if p.name != ".verified.json"]


def test_list_and_cite_work_without_data(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SIDEPAY_MIRROR"}
    env["SIDEPAY_DATA_DIR"] = str(tmp_path / "cache")
    run = [sys.executable, "-m", "sidepay.cli", "data"]
    listed = subprocess.run([*run, "list"], capture_output=True, text=True, check=False, env=env)
    assert listed.returncode == 0 and "cow_states" in listed.stdout
    assert not any("│ yes" in line for line in listed.stdout.splitlines())
    cite = subprocess.run([*run, "cite", "cow_nmc"], capture_output=True, text=True, env=env)
    assert cite.returncode == 0 and "@incollection{singer1972capability," in cite.stdout
