"""`sidepay run` / `sidepay case` orchestration: options, atomic output, one-line errors."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sidepay.atomic import write_text_atomic
from sidepay.cli import main
from sidepay.errors import InputError
from sidepay.options import parse_world, parse_years
from sidepay.outpaths import MARKER, atomic_directory, check_out_dir
from sidepay.study import run_all


@pytest.mark.parametrize(
    "bad",
    ["1946-2020", "2020:1946", "1700:1800", "a:b", "1946:2020:1", "1946:202²", "1_990:1991", ""],
)
def test_parse_years_rejects_with_one_line(bad: str) -> None:
    with pytest.raises(InputError) as err:
        parse_years(bad)
    assert "\n" not in str(err.value) and "years=" in str(err.value)
    assert err.value.param == "years"


def test_parse_years_and_world_accept_the_documented_forms() -> None:
    assert parse_years("1946:2020") == (1946, 2020)
    assert parse_years(" 1950 : 1950 ") == (1950, 1950)
    assert parse_years("1946") == (1946, 1946)  # one year, as `data panel` always took
    assert [parse_world(w) for w in ("real", "simulated", "both")] == ["real", "simulated", "both"]
    with pytest.raises(InputError, match="world= must be one of real, simulated, both"):
        parse_world("Real")


def test_out_dir_refuses_to_replace_a_folder_that_is_not_a_report(tmp_path: Path) -> None:
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("precious")
    with pytest.raises(InputError, match="is not a sidepay report"):
        check_out_dir(mine)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(InputError, match="is a file"):
        check_out_dir(tmp_path / "afile")
    with pytest.raises(InputError, match="parent folder"):
        check_out_dir(tmp_path / "missing" / "report")
    (tmp_path / "empty").mkdir()
    assert check_out_dir(tmp_path / "empty") == (tmp_path / "empty").absolute()
    (mine / MARKER).write_text("")
    assert check_out_dir(mine) == mine.absolute()


def test_atomic_directory_keeps_the_old_report_when_building_fails(tmp_path: Path) -> None:
    out = tmp_path / "report"
    with atomic_directory(out) as tmp:
        write_text_atomic(tmp / "index.html", "old")
    with pytest.raises(RuntimeError), atomic_directory(out) as tmp:
        write_text_atomic(tmp / "index.html", "new, half")
        raise RuntimeError("stage failed")
    assert (out / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no temp left behind
    with atomic_directory(out) as tmp:
        write_text_atomic(tmp / "index.html", "new")
    assert (out / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    assert oct((out / "index.html").stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_run_all_checks_options_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="seed="):
        run_all(tmp_path / "r", seed=-1, world="simulated", quiet=True)
    with pytest.raises(InputError, match="reps="):
        run_all(tmp_path / "r", reps=0, world="simulated", quiet=True)
    with pytest.raises(InputError, match="estimate= must be one of none, formation, both"):
        run_all(tmp_path / "r", estimate="maintenance", world="simulated", quiet=True)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("estimate", "says"),
    [("none", "Not estimated in this run (<code>--estimate none</code>)"),
     ("formation", "which this run did not build\n(<code>--world simulated</code>)")],
)  # fmt: skip
def test_run_without_estimates_says_why_and_writes_no_estimation_json(
    tmp_path: Path, estimate: str, says: str
) -> None:
    """``--estimate none``, or no real panel to estimate on: a note in the section."""
    out = tmp_path / "r"
    summary = run_all(out, world="simulated", reps=1, periods=5, quiet=True, estimate=estimate)
    assert "estimation.json" not in summary.files and not (out / "estimation.json").exists()
    page = (out / "index.html").read_text()
    assert '<a href="#estimation">Structural estimates</a>' in page and says in page
    assert not any(k.startswith("estimate:") for k in summary.timings)  # no stage ran


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["run", "--world", "moon"], "--world must be one of"),
        (["run", "--years", "2020:1990"], "--years"),
        (["run", "--seed", "x"], "seed"),
        (["case", "USA", "ATLANTIS"], "unknown state 'ATLANTIS'"),
        (["case", "USA", "PAK", "--out", "x.pdf"], "--out must end in .png or .svg"),
        (["case", "USA", "USA"], "the same state"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(
    argv: list[str],
    needle: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and needle in err
    assert list(tmp_path.iterdir()) == []


class _NotFound(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # a download server that has nothing
        self.send_error(404)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def empty_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_run_without_data_says_what_to_do_in_one_line(tmp_path: Path, empty_server: str) -> None:
    """No cache, an empty mirror, and a download server that has nothing: exit 2, one line."""
    env = {
        **os.environ,
        "SIDEPAY_DATA_DIR": str(tmp_path / "cache"),
        "SIDEPAY_MIRROR": str(tmp_path / "empty-mirror"),
        "SIDEPAY_BASE_URL": empty_server,
    }
    (tmp_path / "empty-mirror").mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "sidepay.cli", "run", "--out", str(tmp_path / "r"), "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "--mirror DIR" in lines[0] and "--world simulated" in lines[0]
    # short and actionable: how many are missing, the one pull command (issue 13 item 7)
    from sidepay.data.sources import SOURCES

    assert f"{len(SOURCES)} of {len(SOURCES)} data sources are missing" in lines[0]
    assert "`sidepay data pull`" in lines[0] and len(lines[0]) < 320
    assert not (tmp_path / "r").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".r.")] == []


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["run", "--out", "afile", "--world", "simulated"], "is a file"),
        (["run", "--out", "mine", "--world", "simulated"], "is not a sidepay report"),
        (["run", "--out", "no/such/dir", "--world", "simulated"], "does not exist"),
        (["run", "--out", "r", "--mirror", "no-such-mirror"], "--mirror"),
        (["run", "--out", "r", "--years", "1700:1800"], "--years"),
        (["run", "--out", "r", "--reps", "0", "--world", "simulated"], "--reps"),
        (["run", "--out", "r", "--seed", "-3", "--world", "simulated"], "--seed"),
        (["case", "USA", "PAK", "--out", "no/such/dir/x.png"], "does not exist"),
        (["case", "USA", "PAK", "--years", "1990:1980"], "--years"),
        (["case", "PAK", "USA", "--out", "x.png"], "not a COW major power"),
    ],
)
def test_cli_bad_paths_are_one_line_exit_2_and_write_nothing(
    argv: list[str], needle: str, tmp_path: Path
) -> None:
    """Subprocess, so that progress bars or a traceback would show on stderr."""
    (tmp_path / "afile").write_text("x")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    proc = subprocess.run(
        [sys.executable, "-m", "sidepay.cli", *argv], cwd=tmp_path, capture_output=True,
        text=True, check=False, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stderr.strip() == proc.stderr.strip().splitlines()[0] and needle in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout and proc.stdout == ""
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_bad_source_date_epoch_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
        run_all(tmp_path / "r", world="simulated", quiet=True)
    assert list(tmp_path.iterdir()) == []
