"""Alliance events on a panel in the :mod:`sidepay.schema` columns (real or simulated).

:func:`detect_events` works on any frame with ``patron, client, year, allied`` (and
``rep`` for simulated worlds); it uses ``spell_start``/``spell_end``/``spell_manner`` when
the real-data builder provides them and falls back on year-to-year changes of ``allied``
otherwise. Definitions (also in ``docs/data.md``):

- **formation**: the first year of an alliance spell;
- **termination**: the last year of a spell that ends inside the data's coverage (a spell
  still in force at the end of coverage is censored: missing, not 0), with
  ``termination_manner`` where the alliance data say how it ended (ATOP: abrogation,
  expiry, replaced, other);
- **realignment** (by alliance): the end of a tie of (g, c) (its termination year t)
  followed by the formation of a tie of (r, c) with another patron r != g in a year
  f with t <= f <= t + ``window`` (default 3), where the (r, c) tie is in force then (it is
  allied in year f and does not itself end in year t) and the client has no tie with g in
  year max(f, t + 1) (a client back with g has not moved: Portugal 1946-49, whose new tie
  is NATO, the United States included). Run on the panel of every great
  power and on security ties (the panel's default), the new tie is a security tie with a
  different great power;
- **main_supplier**: the patron with the largest 3-year sum of ``arms_tiv`` (or
  ``side_payment``) to the client, when that sum is at least ``arms_min`` (default 10 TIV
  millions); missing otherwise;
- **realignment_arms** (second measure): a *sustained* switch of main supplier from g to
  r != g: r is main in year t, g was the main supplier in the last year before t that has
  one (at most ``window`` years before), and r is main in more than half of the
  ``arms_sustain`` years t, t+1, ... (default 5; a switch the data cannot yet confirm is not
  flagged); marked on g's last year as main supplier. ``realignment_arms_bloc`` = 1 when g
  and r sit in different Cold War blocs (:data:`BLOCS`; 0 after 1991);
- **payment_increase / payment_decrease**: the side payment rose / fell from the year before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sidepay.errors import InputError

_NEEDED = ("patron", "client", "year", "allied")

#: Cold War blocs of the great powers (1946-1991): the West, the Soviet bloc, and China
#: in the Soviet bloc until the Sino-Soviet split (1960), on its own afterwards.
BLOCS: dict[int, str] = {
    2: "west",
    200: "west",
    220: "west",
    255: "west",
    740: "west",
    325: "west",
    365: "soviet",
}
COLD_WAR_END = 1991


def _bloc(patron: np.ndarray, year: np.ndarray) -> np.ndarray:
    b = np.array([BLOCS.get(int(p), f"other-{int(p)}") for p in patron], dtype=object)
    china = patron == 710
    b[china] = np.where(year[china] <= 1960, "soviet", "china")
    return b


def _neighbours(df: pd.DataFrame, group: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the previous-year and next-year rows of the same dyad (-1 if none).

    ``df`` must be sorted by ``group`` then year.
    """
    g = df[group].to_numpy()
    y = df["year"].to_numpy()
    same = np.all(g[1:] == g[:-1], axis=1) if len(df) > 1 else np.zeros(0, bool)
    consecutive = same & (y[1:] == y[:-1] + 1)
    n = len(df)
    prev = np.full(n, -1)
    nxt = np.full(n, -1)
    idx = np.arange(n)
    prev[1:][consecutive] = idx[:-1][consecutive]
    nxt[:-1][consecutive] = idx[1:][consecutive]
    return prev, nxt


def _flags(values: np.ndarray, known: np.ndarray) -> pd.Series:
    s = pd.Series(values.astype("int8"), dtype="Int8")
    s[~known] = pd.NA
    return s


def _run_start(df: pd.DataFrame, allied1: np.ndarray, prev: np.ndarray) -> np.ndarray:
    """First year of the allied run each row belongs to (``spell_start`` when given)."""
    year = df["year"].to_numpy()
    prev_allied = np.where(prev >= 0, allied1[np.maximum(prev, 0)], False)
    first = allied1 & ~prev_allied
    run = np.cumsum(first) - 1
    start = np.where(
        allied1, year[np.flatnonzero(first)][np.maximum(run, 0)] if first.any() else year, year
    )
    if "spell_start" in df.columns:
        given = pd.to_numeric(df["spell_start"]).to_numpy(dtype="float64", na_value=np.nan)
        start = np.where(np.isnan(given), start, given)
    return np.asarray(start, dtype="float64")


def _rolling3(pay: np.ndarray, prev: np.ndarray) -> np.ndarray:
    """Sum of this and the two previous years' payments (missing years count as nothing)."""
    p1 = np.where(prev >= 0, prev, 0)
    p2 = np.where((prev >= 0) & (prev[p1] >= 0), prev[p1], 0)
    a = np.nan_to_num(pay)
    b = np.where(prev >= 0, np.nan_to_num(pay[p1]), 0.0)
    c = np.where((prev >= 0) & (prev[p1] >= 0), np.nan_to_num(pay[p2]), 0.0)
    total = a + b + c
    seen = ~np.isnan(pay)
    return np.where(seen, total, np.nan)


def detect_events(
    panel: pd.DataFrame,
    window: int = 3,
    *,
    arms_sustain: int = 5,
    arms_min: float = 10.0,
) -> pd.DataFrame:
    """Add formation, termination (with manner), realignment and payment-change events.

    Parameters
    ----------
    panel : DataFrame
        Rows (patron, client, year) with ``allied``; optional ``rep``, ``spell_start``,
        ``spell_end``, ``spell_manner``, ``side_payment``, ``arms_tiv``.
    window : int
        k: years after the end of a tie within which a new tie with another patron makes a
        realignment, and the largest gap between two main suppliers (>= 0; default 3).
    arms_sustain : int
        Years from a switch of main supplier in more than half of which the new supplier
        must be main (>= 1; default 5).
    arms_min : float
        Least 3-year arms volume (TIV millions) that makes a patron a main supplier.

    Returns
    -------
    DataFrame
        The panel (same rows and order) with ``formation``, ``termination``,
        ``termination_manner``, ``realignment``, ``main_supplier``, ``realignment_arms``,
        ``realignment_arms_bloc``, ``payment_increase``, ``payment_decrease``.

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [365] * 4 + [2] * 4, "client": 520,
    ...                   "year": [1975, 1976, 1977, 1978] * 2,
    ...                   "allied": [1, 1, 0, 0, 0, 0, 0, 1]})
    >>> e = detect_events(p, window=2)
    >>> e.loc[e.patron == 365, "termination"].tolist()
    [0, 1, 0, 0]
    >>> int(e.loc[(e.patron == 365) & (e.year == 1976), "realignment"].iloc[0])
    1
    """
    missing = [c for c in _NEEDED if c not in panel.columns]
    if missing:
        raise InputError(
            f"detect_events needs columns {', '.join(_NEEDED)}; missing {', '.join(missing)}"
        )
    if not isinstance(window, int) or window < 0:
        raise InputError(f"window must be a whole number of years >= 0; got {window!r}")
    if not isinstance(arms_sustain, int) or arms_sustain < 1:
        raise InputError(f"arms_sustain must be a whole number of years >= 1; got {arms_sustain!r}")
    if not arms_min >= 0:
        raise InputError(f"arms_min must be a volume >= 0; got {arms_min!r}")
    group = ["rep", "patron", "client"] if "rep" in panel.columns else ["patron", "client"]
    order = np.lexsort([panel["year"].to_numpy(), *[panel[c].to_numpy() for c in reversed(group)]])
    df = panel.iloc[order].reset_index(drop=True)
    prev, nxt = _neighbours(df, group)
    allied = pd.to_numeric(df["allied"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    a_known = ~np.isnan(allied)
    a1 = allied == 1
    year = df["year"].to_numpy()

    prev_a = np.where(prev >= 0, allied[np.maximum(prev, 0)], np.nan)
    next_a = np.where(nxt >= 0, allied[np.maximum(nxt, 0)], np.nan)
    if "spell_start" in df.columns:
        start = pd.to_numeric(df["spell_start"]).to_numpy(dtype="float64", na_value=np.nan)
        form = a1 & (start == year)
        form_known = a_known
    else:
        form = a1 & (prev_a == 0)
        form_known = a_known & (~a1 | ~np.isnan(prev_a))
    if "spell_end" in df.columns:
        end = pd.to_numeric(df["spell_end"]).to_numpy(dtype="float64", na_value=np.nan)
        term = a1 & (end == year)
        term_known = a_known & (~a1 | ~np.isnan(end) | (next_a == 1))
    else:
        term = a1 & (next_a == 0)
        term_known = a_known & (~a1 | ~np.isnan(next_a))
    df["formation"] = _flags(form, form_known)
    df["termination"] = _flags(term, term_known)
    manner = (
        df["spell_manner"] if "spell_manner" in df.columns else pd.Series(pd.NA, index=df.index)
    )
    df["termination_manner"] = manner.astype("string").where(pd.Series(term))

    # realignment by alliance: a termination with another patron's formation nearby
    rep = df["rep"].to_numpy() if "rep" in df.columns else np.zeros(len(df), dtype=np.int64)
    ends = pd.DataFrame(
        {
            "i": np.flatnonzero(term),
            "rep": rep[term],
            "client": df["client"].to_numpy()[term],
            "patron": df["patron"].to_numpy()[term],
            "year": year[term],
            "began": _run_start(df, a1, prev)[term],
        }
    )
    starts = pd.DataFrame(
        {
            "rep": rep[form],
            "client": df["client"].to_numpy()[form],
            "patron": df["patron"].to_numpy()[form],
            "year": year[form],
        }
    )
    pairs = ends.merge(starts, on=["rep", "client"], suffixes=("", "_new"))
    gap = pairs["year_new"] - pairs["year"]
    pairs = pairs[
        (pairs["patron_new"] != pairs["patron"])
        # the new tie follows the end of the old one (a tie already in force before the old
        # one's last year is no move: Burma's 1960 treaty with China and the Laos accords)
        & (gap >= 0)
        & (gap <= window)
        & (pairs["year_new"] > pairs["began"])
    ]
    # a patron whose own alliance with the client ends the same year is not where the client
    # went: a multilateral pact that collapses for all its members is no realignment
    gone = ends[["rep", "client", "patron", "year"]].rename(columns={"patron": "patron_new"})
    pairs = pairs.merge(
        gone, on=["rep", "client", "patron_new", "year"], how="left", indicator=True
    )
    pairs = pairs[pairs["_merge"] == "left_only"]
    # the client has moved: no tie with the old patron when the new one forms (Portugal
    # left its wartime agreement with the US in 1946 and joined NATO, the US included, in
    # 1949: no move from the US to France)
    tie = pd.Series(
        a1,
        index=pd.MultiIndex.from_arrays(
            [rep, df["client"].to_numpy(), df["patron"].to_numpy(), year]
        ),
    )
    tie = tie[~tie.index.duplicated()]
    # in the year after the old tie's last year at the earliest (a new tie signed in the
    # year the old one ends is a move)
    seen = np.maximum(pairs["year_new"].to_numpy(), pairs["year"].to_numpy() + 1)
    back = tie.reindex(
        pd.MultiIndex.from_arrays([pairs["rep"], pairs["client"], pairs["patron"], seen]),
        fill_value=False,
    ).to_numpy()
    pairs = pairs[~back.astype(bool)]
    realign = np.zeros(len(df), dtype=bool)
    realign[pairs["i"].to_numpy()] = True
    df["realignment"] = _flags(realign, term_known)

    # payments
    pay_col = (
        "arms_tiv"
        if "arms_tiv" in df.columns
        else ("side_payment" if "side_payment" in df.columns else None)
    )
    if "side_payment" in df.columns:
        pay = pd.to_numeric(df["side_payment"]).to_numpy(dtype="float64", na_value=np.nan)
        before = np.where(prev >= 0, pay[np.maximum(prev, 0)], np.nan)
        known = ~np.isnan(pay) & ~np.isnan(before)
        df["payment_increase"] = _flags(pay > before, known)
        df["payment_decrease"] = _flags(pay < before, known)
    if pay_col is not None:
        df = _arms_realignment(df, pay_col, prev, rep, window, arms_sustain, arms_min)
    return df.iloc[np.argsort(order)].set_index(panel.index)


def _sustained_switches(
    rep: np.ndarray,
    client: np.ndarray,
    year: np.ndarray,
    patron: np.ndarray,
    window: int,
    sustain: int,
) -> tuple[list[int], list[int]]:
    """Rows (of the sorted main-supplier table) of each old supplier's last year and the
    new supplier's first year, for switches that are sustained.

    A new main supplier that is not main in more than half of the ``sustain`` years from
    its first is a blip: the incumbent stays (Egypt: the USSR to 1976, France main in
    1977-78 only, the United States from 1979: one switch, USSR -> US).
    """
    main_of = dict(
        zip(
            zip(rep.tolist(), client.tolist(), year.tolist(), strict=True),
            patron.tolist(),
            strict=True,
        )
    )
    old_rows: list[int] = []
    new_rows: list[int] = []
    inc = -1  # row of the incumbent's latest year as main supplier
    for i in range(len(year)):
        if i == 0 or rep[i] != rep[i - 1] or client[i] != client[i - 1]:
            inc = i
            continue
        if patron[i] == patron[inc]:
            inc = i
            continue
        r, c, t, g = int(rep[i]), int(client[i]), int(year[i]), int(patron[i])
        hits = sum(main_of.get((r, c, t + k)) == g for k in range(sustain))
        if hits <= sustain / 2:
            continue  # a blip: the incumbent stays
        if t - int(year[inc]) <= max(window, 1):
            old_rows.append(inc)
            new_rows.append(i)
        inc = i
    return old_rows, new_rows


def _arms_realignment(
    df: pd.DataFrame,
    col: str,
    prev: np.ndarray,
    rep: np.ndarray,
    window: int,
    sustain: int,
    least: float,
) -> pd.DataFrame:
    pay = pd.to_numeric(df[col]).to_numpy(dtype="float64", na_value=np.nan)
    roll = _rolling3(pay, prev)
    cand = pd.DataFrame(
        {
            "rep": rep,
            "client": df["client"].to_numpy(),
            "year": df["year"].to_numpy(),
            "patron": df["patron"].to_numpy(),
            "roll": roll,
        }
    )
    cand = cand[(cand["roll"] > 0) & (cand["roll"] >= least)].sort_values(
        ["rep", "client", "year", "roll", "patron"], ascending=[True, True, True, False, True]
    )
    main = cand.drop_duplicates(["rep", "client", "year"])[["rep", "client", "year", "patron"]]
    main = main.reset_index(drop=True)
    r_, c_, y_, p_ = (main[c].to_numpy() for c in ("rep", "client", "year", "patron"))
    old_i, new_i = _sustained_switches(r_, c_, y_, p_, window, sustain)
    old, new = main.iloc[old_i], main.iloc[new_i]
    key = pd.MultiIndex.from_frame(
        pd.DataFrame({"rep": rep, "client": df["client"].to_numpy(), "year": df["year"].to_numpy()})
    )
    m_idx = pd.MultiIndex.from_frame(main[["rep", "client", "year"]])
    sup = pd.Series(p_, index=m_idx).reindex(key).to_numpy()
    df["main_supplier"] = pd.array(sup, dtype="Int64")
    rows = pd.MultiIndex.from_arrays(
        [rep, df["client"].to_numpy(), df["year"].to_numpy(), df["patron"].to_numpy()]
    )
    mv = pd.MultiIndex.from_frame(old[["rep", "client", "year", "patron"]])
    df["realignment_arms"] = _flags(rows.isin(mv), ~np.isnan(pay))
    t_new = new["year"].to_numpy()
    cross = (_bloc(old["patron"].to_numpy(), t_new) != _bloc(new["patron"].to_numpy(), t_new)) & (
        t_new <= COLD_WAR_END
    )
    mv_bloc = pd.MultiIndex.from_frame(old[["rep", "client", "year", "patron"]][cross])
    df["realignment_arms_bloc"] = _flags(rows.isin(mv_bloc), ~np.isnan(pay))
    return df
