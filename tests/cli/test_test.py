"""`sidepay test`: results table, JSON, table files, one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from sidepay.cli import main


@pytest.fixture(scope="module")
def panel_file(tmp_path_factory: pytest.TempPathFactory, dgp: ModuleType) -> Path:
    path = tmp_path_factory.mktemp("panel") / "panel.parquet"
    dgp.make_panel(seed=4, n_clients=80, years=30).to_parquet(path)
    return path


def test_json_and_table_files(panel_file: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code = main(
        ["test", "--panel", str(panel_file), "--only", "H2,H5", "--json", "--out", str(out)]
    )
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["hypothesis"] for r in rows] == ["H2", "H5"]
    assert rows[0]["verdict"] == "supported" and rows[0]["estimate"] > 0
    assert json.loads((out / "hypotheses.json").read_text()) == rows
    for suffix in ("html", "tex", "md"):
        assert (out / f"tables.{suffix}").read_text().strip()
        assert (out / "tables" / f"H5.{suffix}").is_file()
    assert "log_rival_payment" in (out / "tables.md").read_text()
    assert not list(out.glob(".*.tmp"))


def test_rich_table(panel_file: Path, capsys) -> None:
    assert main(["test", "--panel", str(panel_file), "--only", "H3"]) == 0
    text = capsys.readouterr().out
    assert "H3" in text and "supported" in text


def test_inconclusive_reason_is_printed(panel_file: Path, tmp_path: Path, capsys) -> None:
    p = pd.read_parquet(panel_file).drop(columns=["W"])
    f = tmp_path / "p.parquet"
    p.to_parquet(f)
    assert main(["test", "--panel", str(f), "--only", "H2"]) == 0
    assert "the panel lacks column(s) W" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--world", "mars"], "--world must be one of real, simulated; got 'mars'"),
        (["--only", "H9"], "unknown hypothesis H9"),
        (["--seed", "-1", "--world", "simulated"], "--seed must be a whole number >= 0"),
        (["--panel", "/no/such/file.parquet"], "no such file"),
        (["--mirror", "/no/such/dir"], "not a folder"),
    ],
)
def test_bad_input_one_line_exit_2(args: list[str], message: str, capsys) -> None:
    assert main(["test", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert message in err


def test_simulated_world(capsys) -> None:
    code = main(["test", "--world", "simulated", "--seed", "3", "--only", "H2,H3", "--json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["world"] for r in rows] == ["simulated", "simulated"]
    assert all(r["n_obs"] > 0 for r in rows)


def test_no_traceback_via_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sidepay.cli", "test", "--only", "H0"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert (
        proc.stderr.strip()
        == "sidepay: error: unknown hypothesis H0; allowed: H1, H2, H3, H4, H5, H6, H7, H8"
    )


def test_multi_part_hypothesis_prints_each_part(panel_file: Path, capsys) -> None:
    assert main(["test", "--panel", str(panel_file), "--only", "H4"]) == 0
    text = capsys.readouterr().out
    assert "H4 supported overall; its parts:" in text
    assert "H4a Divergence raises the cause-specific hazard of termination:" in text
    assert "H4b Payments rise with divergence within continuing spells:" in text


def test_multiverse_json_from_the_cli(tmp_path, dgp) -> None:  # type: ignore[no-untyped-def]
    """`sidepay test --panel P --only H7 --multiverse --json` prints the issue's shape."""
    import json as _json
    import subprocess as _sp
    import sys as _sys

    path = tmp_path / "p.parquet"
    dgp.make_panel(seed=1).to_parquet(path)
    out = _sp.run([_sys.executable, "-m", "sidepay", "test", "--panel", str(path), "--only",
                   "H7", "--multiverse", "--json"], capture_output=True, text=True, timeout=600)  # fmt: skip
    assert out.returncode == 0, out.stderr
    doc = _json.loads(out.stdout)
    (h7,) = doc["hypotheses"]
    assert h7["id"] == "H7" and h7["primary"]["hypothesis"] == "H7"
    assert len(h7["specifications"]) == 36
    assert set(h7["summary"]) >= {"supported", "contrary", "inconclusive"}
