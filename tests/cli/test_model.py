"""`sidepay model solve` and `sidepay model statics` through sidepay.cli.main."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from sidepay.cli import main
from sidepay.theory.formation import solve_formation


def test_solve_json_matches_the_library(capsys):
    assert (
        main(["model", "solve", "--W", "0.8", "--divergence", "0.7", "--beta", "0.5", "--json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    eq = solve_formation(W=0.8, d=0.7, x=0.5, sigma=0.5, T=0.1, v=1.0, k=0.5, beta=0.5)
    assert out["equilibrium"]["outcome"] == "bought alliance"
    assert out["equilibrium"]["payment"] == pytest.approx(float(eq.payment), abs=1e-15)
    assert out["parameters"]["W"] == 0.8 and out["parameters"]["d"] == 0.7


def test_solve_table(capsys):
    """T = 1 covers the deficit: a pure trade with a zero payment, shown in the table."""
    assert main(["model", "solve", "--threat", "1.0"]) == 0
    rows = {
        " ".join(cells[0].split()): cells[1].strip()
        for line in capsys.readouterr().out.splitlines()
        if (cells := [c for c in line.split("│") if c.strip()]) and len(cells) == 2
    }
    assert rows["outcome"] == "pure trade"
    assert float(rows["required payment"]) == 0.0
    assert float(rows["deficit"]) == pytest.approx(0.4 * 0.6 * 0.5 - 0.5 * 1.0, abs=1e-5)


def test_solve_params_file_and_override(tmp_path, capsys):
    f = tmp_path / "p.toml"
    f.write_text("W = 1.0\nd = 1.0\nv = 0.1\n")
    assert main(["model", "solve", "--params", str(f), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["equilibrium"]["outcome"] == "no alliance"
    assert main(["model", "solve", "--params", str(f), "--value", "5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["equilibrium"]["outcome"] == "bought alliance"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["model", "solve", "--W", "2"], "parameter 'W' = 2.0 is not allowed: must be in (0, 1]"),
        (["model", "solve", "--divergence", "nan"], "parameter 'd' = nan"),
        (["model", "solve", "--W", "abc"], "--W"),
        (["model", "solve", "--nope", "1"], "--nope"),
        (["model", "statics", "--vary", "mu_r", "--out", "OUT"], "--vary 'mu_r' is not allowed"),
        (
            ["model", "statics", "--vary", "W", "--from", "0.5", "--to", "0.1", "--out", "OUT"],
            "--from must be < --to",
        ),
        (
            ["model", "statics", "--vary", "W", "--points", "1", "--out", "OUT"],
            "--points must be a whole number in 2..10000000; got '1'",
        ),
        (["model", "statics", "--vary", "d", "--to", "3", "--out", "OUT"], "parameter 'd' = 3.0"),
    ],
)
def test_bad_input_one_line_exit_2(argv, fragment, capsys, tmp_path):
    argv = [str(tmp_path / "o") if a == "OUT" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_toml_file_exit_2(tmp_path, capsys):
    f = tmp_path / "bad.toml"
    f.write_text("W = [\n")
    assert main(["model", "solve", "--params", str(f)]) == 2
    assert "is not valid TOML" in capsys.readouterr().err
    f.write_text("lambda = 3\n")
    assert main(["model", "solve", "--params", str(f)]) == 2
    assert "unknown parameter 'lambda'" in capsys.readouterr().err


def test_statics_writes_csv_png_svg(tmp_path, capsys):
    out = tmp_path / "st"
    assert (
        main(
            [
                "model",
                "statics",
                "--vary",
                "W",
                "--from",
                "0.05",
                "--to",
                "1",
                "--points",
                "200",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    names = sorted(p.name for p in out.iterdir())
    assert names == ["statics_W.csv", "statics_W.png", "statics_W.svg"]
    rows = list(csv.DictReader((out / "statics_W.csv").open()))
    assert len(rows) == 200
    a = np.array([float(r["required_payment"]) for r in rows])
    assert np.all(np.diff(a) >= 0)  # P2 in the output
    assert (out / "statics_W.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (out / "statics_W.svg").read_bytes()[:2000]


def test_statics_same_input_same_csv_bytes(tmp_path):
    for name in ("a", "b"):
        assert (
            main(
                ["model", "statics", "--vary", "d", "--points", "30", "--out", str(tmp_path / name)]
            )
            == 0
        )
    assert (tmp_path / "a" / "statics_d.csv").read_bytes() == (
        tmp_path / "b" / "statics_d.csv"
    ).read_bytes()
    assert (tmp_path / "a" / "statics_d.svg").read_bytes() == (
        tmp_path / "b" / "statics_d.svg"
    ).read_bytes()


def test_out_is_a_file_exit_2(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    assert main(["model", "statics", "--vary", "W", "--points", "5", "--out", str(f)]) == 2
    assert "is a file; give a folder" in capsys.readouterr().err


@pytest.mark.parametrize("out", ["", "  "])
def test_statics_empty_out_refused_not_the_current_folder(out, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["model", "statics", "--vary", "W", "--points", "5", "--out", out]) == 2
    err = capsys.readouterr().err
    assert err == "sidepay: error: --out is empty; give a folder\n"
    assert list(tmp_path.iterdir()) == []


def test_solve_json_is_strict(capsys):
    argv = ["model", "solve", "--json", "--threat", "0", "--goods", "1e308", "--income", "1e308"]
    assert main([*argv, "--eta", "1e308"]) == 0
    text = capsys.readouterr().out
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text)["equilibrium"]["hazard_alone"] is None
    big = ["--threat", "1e308", "--value", "1e308", "--cost", "1e308", "--goods", "1e308"]
    assert main(["model", "solve", "--json", *big]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "overflows 64-bit floats" in err


def test_subprocess_exit_code():
    proc = subprocess.run(
        [sys.executable, "-m", "sidepay.cli", "model", "solve", "--W", "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("sidepay: error: parameter 'W'")


def test_propositions_command(capsys):
    assert main(["model", "propositions", "--only", "P2,p8", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [e["id"] for e in out] == ["P2", "P8"] and all(e["holds"] for e in out)
    assert main(["model", "propositions", "--only", "P9"]) == 2
    assert "is not a proposition" in capsys.readouterr().err


def test_propositions_command_exit_1_when_one_fails(tmp_path, capsys):
    f = tmp_path / "p.toml"
    f.write_text("s_l_small = 1.0\ns_l_large = 1.0\nmu_r = 0.1\ns_r = 0.05\n")
    assert main(["model", "propositions", "--only", "P7", "--params", str(f)]) == 1
    assert "NO" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"\xff\xfe W = 1", "not valid TOML: not UTF-8 text"),
        (b"[model]\nW = 0.5\n[other]\nx = 1\n", "mixes a [model] table with other"),
        (b"W = inf\n", "parameter 'W' = inf"),
        (b"W = -0.5\n", "parameter 'W' = -0.5"),
        (b"[model]\nW = {a = 1}\n", "parameter 'W'"),
        (b"x = true\n", "parameter 'x' = True"),
    ],
)
def test_bad_params_file_one_line_exit_2(tmp_path, capsys, content, fragment):
    f = tmp_path / "p.toml"
    f.write_bytes(content)
    for argv in (["model", "solve"], ["model", "statics", "--vary", "W", "--out", "o"]):
        argv = [*argv, "--params", str(f)]
        argv = [str(tmp_path / "o") if a == "o" else a for a in argv]
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["model", "solve", "--W", "inf"],
        ["model", "solve", "--divergence", "-inf"],
        ["model", "solve", "--divergence", "1e400"],
        ["model", "solve", "--params", "MISSING"],
        ["model", "solve", "--params", "DIR"],
        ["model", "statics", "--vary", "W", "--from", "nan", "--out", "OUT"],
        ["model", "statics", "--vary", "T", "--to", "inf", "--out", "OUT"],
        ["model", "statics", "--vary", "W", "--params", "DIR", "--out", "OUT"],
        ["model", "statics", "--vary", "W", "--points", "5", "--out", "FILE/sub"],
        ["model", "statics", "--vary", "h_cap", "--from", "0.01", "--out", "OUT"],
    ],
)
def test_more_bad_input_one_line_exit_2(argv, tmp_path, capsys):
    """inf, overflow, a missing file, a folder for a file, a file for a folder; no clamping."""
    (tmp_path / "FILE").write_text("x")
    names = {"MISSING": "none.toml", "DIR": ".", "OUT": "out", "FILE/sub": "FILE/sub"}
    argv = [str(tmp_path / names[a]) if a in names else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("sidepay: error: ") and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()


def test_subprocess_bad_toml_has_no_traceback(tmp_path):
    f = tmp_path / "bin.toml"
    f.write_bytes(b"\xff\xfe")
    proc = subprocess.run(
        [sys.executable, "-m", "sidepay.cli", "model", "solve", "--params", str(f)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_statics_figure_stays_small_on_a_fine_grid(tmp_path):
    """50k grid points: the CSV has them all, the figure draws runs and <= ~4000 points."""
    out = tmp_path / "fine"
    assert main(["model", "statics", "--vary", "v", "--points", "50000", "--out", str(out)]) == 0
    with (out / "statics_v.csv").open() as fh:
        assert sum(1 for _ in fh) == 50_001
    assert (out / "statics_v.svg").stat().st_size < 1_000_000
