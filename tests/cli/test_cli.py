"""The command-line shell: user errors are one line and exit code 2."""

from __future__ import annotations

import subprocess
import sys

from sidepay.cli import main


def test_unknown_command_is_one_line_exit_2(capsys) -> None:
    code = main(["no-such-command"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "no-such-command" in err


def test_unknown_option_via_subprocess_has_no_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sidepay.cli", "model", "--no-such-option"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_help_exits_0() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sidepay.cli", "--help"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert "simulate" in proc.stdout


def test_years_with_underscores_or_superscripts_refused(capsys, tmp_path) -> None:
    """int() takes '1_990' and unicodedata digits; the CLI takes ASCII digits only."""
    for years in ("1_990:1991", "1946:202\u00b2", "\u0661\u0669\u0669\u0660"):
        out = tmp_path / "rep"
        assert main(["run", "--world", "simulated", "--years", years, "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("sidepay: error: --years must be FIRST:LAST") and err.count("\n") == 1
        assert repr(years) in err and not out.exists()


def test_cache_folder_blank_or_a_file_is_one_line(capsys, tmp_path, monkeypatch) -> None:
    (tmp_path / "f").write_text("x")
    for value, fragment in ((str(tmp_path / "f"), "is a file"), ("   ", "is blank")):
        monkeypatch.setenv("SIDEPAY_DATA_DIR", value)
        assert main(["data", "list"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("sidepay: error: SIDEPAY_DATA_DIR") and fragment in err
        assert err.count("\n") == 1


def test_bad_estimate_choice_is_one_line_exit_2(tmp_path) -> None:
    """Subprocess: checked before any work, so no progress bar, traceback or folder."""
    out = tmp_path / "rep"
    proc = subprocess.run(
        [sys.executable, "-m", "sidepay.cli", "run", "--world", "simulated", "--estimate",
         "maintenance", "--out", str(out)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr and proc.stdout == ""
    assert lines[0] == (
        "sidepay: error: --estimate must be one of none, formation, both; got 'maintenance'"
    )
    assert not out.exists() and list(tmp_path.iterdir()) == []
