"""The panel schema shared by the simulated and the real world."""

from __future__ import annotations

import pandas as pd

from sidepay.schema import COLUMNS, KEYS, TRUTH_COLUMNS, conform, empty_panel, missing_columns


def test_keys_are_schema_columns_and_first() -> None:
    assert list(empty_panel().columns[:3]) == list(KEYS)
    assert all(k in COLUMNS for k in KEYS)


def test_truth_columns_do_not_clash_with_panel_columns() -> None:
    assert not set(TRUTH_COLUMNS) & set(COLUMNS)


def test_conform_casts_keeps_missing_and_unknown_columns() -> None:
    df = pd.DataFrame(
        {
            "extra": ["a", "b"],
            "allied": [1.0, None],
            "year": [1950, 1951],
            "client": [770, 770],
            "patron": [2, 2],
        }
    )
    out = conform(df)
    assert list(out.columns) == ["patron", "client", "year", "allied", "extra"]
    assert str(out["allied"].dtype) == "Int8"
    assert out["allied"].isna().tolist() == [False, True]  # missing stays missing, not zero


def test_missing_columns_names_what_is_absent() -> None:
    assert missing_columns(empty_panel(), ["W", "nonexistent"]) == ["nonexistent"]
