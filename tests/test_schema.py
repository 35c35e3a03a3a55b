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


def test_validate_panel_names_column_dtype_and_finding() -> None:
    import pytest

    from sidepay.errors import InputError, for_cli
    from sidepay.schema import validate_panel

    ok = pd.DataFrame({"patron": [2, 2], "client": [770, 770], "year": [1950, 1951]})
    validate_panel(ok)
    validate_panel(conform(ok.assign(allied=[1, None], W=[0.5, None], spell_id=["a", None])))
    validate_panel(ok.assign(allied=[1.0, 0.0], W=[1, 2], extra=["any", "thing"]))
    validate_panel(ok.assign(W=[None, None]))  # all missing (object dtype): no wrong kind
    with pytest.raises(InputError) as err:
        validate_panel(ok.drop(columns=["year"]).assign(W=["0.5", "x"]), param="frame")
    assert str(err.value) == (
        "frame= lacks column year (int64); column W must be float64 (numeric); "
        "found object dtype holding string values such as '0.5'"
    )
    assert err.value.param == "frame" and for_cli(err.value).startswith("--frame lacks")
    with pytest.raises(InputError, match=r"column allied must be Int8 .*found category"):
        validate_panel(ok.assign(allied=pd.Categorical(["1", "0"])))
    with pytest.raises(InputError, match="panel= has column W more than once"):
        validate_panel(pd.concat([ok, ok.assign(W=0.5)[["W"]], ok.assign(W=1.0)[["W"]]], axis=1))
    with pytest.raises(InputError, match="panel= must be a pandas DataFrame; got list"):
        validate_panel([1, 2])
    validate_panel(ok.drop(columns=["year"]), required=())
