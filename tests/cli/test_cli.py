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
