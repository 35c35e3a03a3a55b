"""``sidepay.export``: every format read back by its own reader (Stata by pandas, R by R)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sidepay.errors import InputError
from sidepay.export import FORMATS, write_table
from sidepay.schema import COLUMNS

R = shutil.which("Rscript")
needs_r = pytest.mark.skipif(R is None, reason="R is not installed (CI installs it)")


@pytest.fixture()
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patron": [2, 365, 2],
            "client": [20, 40, 770],
            "year": [1950, 1951, 1952],
            "patron_name": ["United States of America", "Russia", "United States of America"],
            "allied": pd.array([1, None, 0], dtype="Int8"),
            "spell_start": pd.array([1949, None, 1954], dtype="Int64"),
            "regime_type": pd.array(["party", None, "militär"], dtype="string"),
            "divergence": [1.5, np.nan, 2.25],
            "cat": pd.Categorical(["a", None, "b"]),
            "flag": [True, False, True],
        }
    )


def test_dta_reads_back_with_labels(tmp_path: Path, table: pd.DataFrame) -> None:
    out = write_table(table, tmp_path / "p.dta")
    assert out.read_bytes().startswith(b"<stata_dta><header><release>118</release>")
    raw = pd.read_stata(out, convert_categoricals=False)
    assert raw.patron.tolist() == [2, 365, 2] and raw.year.tolist() == [1950, 1951, 1952]
    assert raw.allied.iloc[0] == 1 and np.isnan(raw.allied.iloc[1]) and raw.allied.iloc[2] == 0
    assert raw.divergence.iloc[2] == 2.25 and np.isnan(raw.divergence.iloc[1])
    assert raw.regime_type.tolist() == ["party", "", "militär"]  # Stata's missing string
    with pd.io.stata.StataReader(out) as reader:
        labels = reader.variable_labels()
        values = reader.value_labels()
    assert labels["allied"] == f"{COLUMNS['allied'].description} [0/1]"
    assert labels["patron"].startswith(COLUMNS["patron"].description)
    allied_labels = next(v for k, v in values.items() if "allied" in k)
    assert allied_labels == {0: "no", 1: "yes"}
    patron_labels = next(v for k, v in values.items() if "patron" in k)
    assert patron_labels == {2: "United States of America", 365: "Russia"}
    named = pd.read_stata(out)
    assert named.patron.astype(str).tolist()[1] == "Russia"


@needs_r
def test_rds_reads_back_in_r_with_types_and_na(tmp_path: Path, table: pd.DataFrame) -> None:
    out = write_table(table, tmp_path / "p.rds")
    script = (
        f"x <- readRDS('{out}');"
        "cat(jsonlite_free <- paste0('{',"
        "'\"classes\":[', paste0('\"', sapply(x, function(c) class(c)[1]), '\"', collapse=','), '],',"
        "'\"nrow\":', nrow(x), ',',"
        "'\"allied_na\":[', paste(tolower(is.na(x$allied)), collapse=','), '],',"
        "'\"div_na\":', tolower(is.na(x$divergence[2])), ',',"
        "'\"div_nan\":', tolower(is.nan(x$divergence[2])), ',',"
        "'\"text_na\":', tolower(is.na(x$regime_type[2])), ',',"
        "'\"text\":\"', x$regime_type[3], '\",',"
        "'\"year_sum\":', sum(x$year), ',',"
        "'\"spell\":', x$spell_start[3], ',',"
        "'\"levels\":\"', paste(levels(x$cat), collapse=' '), '\",',"
        "'\"label\":\"', attr(x$allied, 'label'), '\"}'))"
    )
    proc = subprocess.run([R, "-e", script], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout[proc.stdout.index("{") :])
    assert got["classes"] == [
        "integer", "integer", "integer", "character", "integer", "integer",
        "character", "numeric", "factor", "logical",
    ]  # fmt: skip
    assert got["nrow"] == 3 and got["allied_na"] == [False, True, False]
    assert got["div_na"] is True and got["div_nan"] is False  # NA_real_, not NaN
    assert got["text_na"] is True and got["text"] == "militär"
    assert got["year_sum"] == 1950 + 1951 + 1952 and got["spell"] == 1954
    assert got["levels"] == "a b"
    assert got["label"] == f"{COLUMNS['allied'].description} [0/1]"


def test_csv_and_parquet_read_back(tmp_path: Path, table: pd.DataFrame) -> None:
    pq = pd.read_parquet(write_table(table, tmp_path / "p.parquet"))
    pd.testing.assert_frame_equal(pq, table)
    csv = pd.read_csv(write_table(table, tmp_path / "p.csv"))
    assert csv.year.tolist() == table.year.tolist() and csv.allied.isna().tolist()[1]


@pytest.mark.parametrize("suffix", FORMATS)
def test_same_table_same_bytes(tmp_path: Path, table: pd.DataFrame, suffix: str) -> None:
    a = write_table(table, tmp_path / f"a{suffix}").read_bytes()
    b = write_table(table, tmp_path / f"b{suffix}").read_bytes()
    assert a == b


def test_other_suffixes_and_bad_names_are_refused_and_leave_nothing(
    tmp_path: Path, table: pd.DataFrame
) -> None:
    with pytest.raises(InputError, match=r"\.dta or \.rds or \.csv or \.parquet") as err:
        write_table(table, tmp_path / "p.xlsx")
    assert "\n" not in str(err.value)
    with pytest.raises(InputError, match="not Stata variable names"):
        write_table(table.rename(columns={"flag": "a flag"}), tmp_path / "p.dta")
    assert list(tmp_path.iterdir()) == []


def test_cli_panel_out_dta_and_rds(tmp_path: Path) -> None:
    env = dict(os.environ)
    run = [sys.executable, "-m", "sidepay.cli", "data", "panel", "--years", "1990:1991"]
    for name in ("p.dta", "p.rds"):
        proc = subprocess.run(
            [*run, "--out", str(tmp_path / name)], capture_output=True, text=True, env=env
        )
        assert proc.returncode == 0, proc.stderr
    dta = pd.read_stata(tmp_path / "p.dta", convert_categoricals=False)
    assert {"patron_name", "patron_abb", "client_name", "client_abb"} <= set(dta.columns)
    usa = dta[(dta.patron == 2) & (dta.client == 20) & (dta.year == 1990)]
    assert usa.patron_abb.item() == "USA" and usa.client_name.item() == "Canada"
    if R is not None:
        proc = subprocess.run(
            [R, "-e", f"x <- readRDS('{tmp_path / 'p.rds'}'); cat(nrow(x), class(x$patron))"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.stdout.split()[-2:] == [str(len(dta)), "integer"], proc.stderr
    bad = subprocess.run(
        [*run, "--out", str(tmp_path / "p.xlsx")], capture_output=True, text=True, env=env
    )
    assert bad.returncode == 2 and "--out" in bad.stderr and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_simulate_run_writes_stata_r_and_csv(tmp_path: Path) -> None:
    from sidepay.sim.engine import write_simulation
    from sidepay.sim.world import default_world

    world = default_world().updated({"small_states.n": 4})
    ref, ref_events, n, m = write_simulation(world, tmp_path / "s.parquet", periods=3, reps=2)
    want = pd.read_parquet(ref)
    for suffix in (".dta", ".rds", ".csv"):
        panel, events, rows, n_events = write_simulation(
            world, tmp_path / f"s{suffix}", periods=3, reps=2
        )
        assert (rows, n_events) == (n, m) and events.name == f"s.events{suffix}"
        if suffix == ".dta":
            got = pd.read_stata(panel, convert_categoricals=False)
            assert np.allclose(got.side_payment, want.side_payment, equal_nan=True)
            assert got.year.tolist() == want.year.tolist()
        elif suffix == ".csv":
            assert pd.read_csv(events).shape == pd.read_parquet(ref_events).shape
    if R is not None:
        script = f"x <- readRDS('{tmp_path / 's.rds'}'); cat(nrow(x), sum(x$side_payment))"
        proc = subprocess.run([R, "-e", script], capture_output=True, text=True, check=False)
        count, total = proc.stdout.split()[-2:]
        assert int(count) == n and float(total) == pytest.approx(want.side_payment.sum())


def test_run_writes_its_panels_for_stata_and_r(tmp_path: Path) -> None:
    out = tmp_path / "report"
    argv = ["run", "--world", "simulated", "--reps", "1", "--out", str(out), "--quiet"]
    proc = subprocess.run(
        [sys.executable, "-m", "sidepay.cli", *argv], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    parquet = pd.read_parquet(out / "panel_simulated.parquet")
    dta = pd.read_stata(out / "panel_simulated.dta", convert_categoricals=False)
    assert list(dta.columns) == list(parquet.columns) and len(dta) == len(parquet)
    assert (dta.patron.to_numpy() == parquet.patron.to_numpy()).all()
    if R is not None:
        script = f"x <- readRDS('{out / 'panel_simulated.rds'}'); cat(nrow(x), ncol(x))"
        proc = subprocess.run([R, "-e", script], capture_output=True, text=True, check=False)
        assert proc.stdout.split()[-2:] == [str(len(parquet)), str(parquet.shape[1])]
