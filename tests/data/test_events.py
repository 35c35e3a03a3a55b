"""Event detection on small panels whose events are known by construction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sidepay.data.events import detect_events
from sidepay.errors import InputError


def _panel(rows: dict[int, list[int]], client: int = 520, start: int = 1970) -> pd.DataFrame:
    """One client; ``rows`` maps patron -> allied sequence from ``start``."""
    parts = [
        pd.DataFrame(
            {"patron": p, "client": client, "year": start + np.arange(len(a)), "allied": a}
        )
        for p, a in rows.items()
    ]
    return pd.concat(parts, ignore_index=True)


def test_formation_and_termination_from_allied_sequence() -> None:
    e = detect_events(_panel({2: [0, 1, 1, 0, 1, 1]}))
    assert e["formation"].tolist() == [0, 1, 0, 0, 1, 0]
    # the last year is censored: the spell may go on after the data end
    assert e["termination"].tolist()[:5] == [0, 0, 1, 0, 0]
    assert e["termination"].isna().tolist() == [False] * 5 + [True]


def test_first_year_formation_unknown_without_spell_start() -> None:
    e = detect_events(_panel({2: [1, 1, 0]}))
    assert pd.isna(e["formation"].iloc[0]) and e["formation"].iloc[1] == 0


def test_spell_columns_take_precedence() -> None:
    p = _panel({2: [1, 1, 1]})
    p["spell_start"] = 1960  # began before the panel: no formation in it
    p["spell_end"] = [1972, 1972, 1972]
    p["spell_manner"] = "abrogation"
    e = detect_events(p)
    assert e["formation"].tolist() == [0, 0, 0]
    assert e["termination"].tolist() == [0, 0, 1]
    assert e["termination_manner"].tolist()[:2] == [pd.NA, pd.NA]
    assert e["termination_manner"].iloc[2] == "abrogation"


def test_realignment_within_window_only() -> None:
    near = detect_events(_panel({365: [1, 1, 0, 0, 0], 2: [0, 0, 0, 1, 1]}), window=2)
    ended = near[(near.patron == 365) & (near.year == 1971)]
    assert ended["realignment"].iloc[0] == 1
    far = detect_events(_panel({365: [1, 1, 0, 0, 0, 0, 0], 2: [0] * 6 + [1]}), window=2)
    assert far.loc[(far.patron == 365) & (far.year == 1971), "realignment"].iloc[0] == 0
    # the new patron's rows are not realignments
    assert (near.loc[near.patron == 2, "realignment"].fillna(0) == 0).all()


def test_realignment_needs_another_patron() -> None:
    e = detect_events(_panel({365: [1, 1, 0, 1, 1]}), window=5)
    assert e.loc[e.year == 1971, "termination"].iloc[0] == 1
    assert e.loc[e.year == 1971, "realignment"].iloc[0] == 0


def test_reps_do_not_mix() -> None:
    a = _panel({365: [1, 1, 0, 0]}).assign(rep=0)
    b = _panel({2: [0, 0, 1, 1]}).assign(rep=1)
    e = detect_events(pd.concat([a, b], ignore_index=True), window=3)
    assert e.loc[(e.rep == 0) & (e.year == 1971), "realignment"].iloc[0] == 0


def test_arms_realignment_marks_last_year_of_old_supplier() -> None:
    p = _panel({365: [0] * 8, 2: [0] * 8})
    soviet_tiv = [100, 100, 100, 50, 0, 0, 0, 0]
    us_tiv = [0, 0, 0, 0, 0, 80, 90, 90]
    p["arms_tiv"] = [*soviet_tiv, *us_tiv]
    p["side_payment"] = p["arms_tiv"]
    e = detect_events(p, window=5)
    soviet = e[e.patron == 365].set_index("year")
    # 3-year sums: USSR 250, 150, 50 in 1973-75; the US 80 in 1975: the lead changes in 1975
    assert soviet.loc[1975, "main_supplier"] == 2 and soviet.loc[1974, "main_supplier"] == 365
    assert soviet["realignment_arms"].tolist() == [0, 0, 0, 0, 1, 0, 0, 0]
    # payments: a fall, then nothing known before the first year
    assert soviet["payment_decrease"].isna().tolist()[0]
    assert soviet.loc[1973, "payment_decrease"] == 1 and soviet.loc[1973, "payment_increase"] == 0


def test_missing_payment_gives_missing_change() -> None:
    p = _panel({2: [0, 0, 0]})
    p["side_payment"] = [1.0, np.nan, 2.0]
    e = detect_events(p)
    assert e["payment_increase"].isna().tolist() == [True, True, True]


def test_rows_order_and_index_kept() -> None:
    p = _panel({365: [1, 1, 0], 2: [0, 1, 1]}).sample(frac=1.0, random_state=3)
    e = detect_events(p)
    assert e.index.equals(p.index)
    pd.testing.assert_frame_equal(e[p.columns], p)


def test_bad_input() -> None:
    with pytest.raises(InputError, match="missing allied"):
        detect_events(pd.DataFrame({"patron": [2], "client": [20], "year": [1950]}))
    with pytest.raises(InputError, match="window"):
        detect_events(_panel({2: [1]}), window=-1)


def test_pact_collapsing_for_all_is_no_realignment() -> None:
    # a multilateral pact with both patrons ends in 1972; the US had joined it in 1971
    e = detect_events(_panel({365: [1, 1, 1, 0], 2: [0, 1, 1, 0]}), window=3)
    assert e.loc[(e.patron == 365) & (e.year == 1972), "termination"].iloc[0] == 1
    assert e.loc[(e.patron == 365) & (e.year == 1972), "realignment"].iloc[0] == 0


def test_older_tie_is_no_realignment() -> None:
    # the client allied with China (710) in 1971, then with the US in 1972-73 only
    e = detect_events(_panel({710: [0, 1, 1, 1, 1], 2: [0, 0, 1, 1, 0]}), window=3)
    ended = e[(e.patron == 2) & (e.year == 1973)]
    assert ended["termination"].iloc[0] == 1 and ended["realignment"].iloc[0] == 0
    # a tie formed after the US one began is a realignment
    e = detect_events(_panel({710: [0, 0, 0, 1, 1], 2: [0, 0, 1, 1, 0]}), window=3)
    assert e.loc[(e.patron == 2) & (e.year == 1973), "realignment"].iloc[0] == 1
