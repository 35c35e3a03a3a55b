"""Alliance spells from any alliance definition: the one rule, written once.

The panel's own ``spell_id``, ``formation`` and ``termination`` follow the alliance
definition the panel was built with (``allied``: defense or offense pacts). A multiverse
over definitions (``allied_defense``, ``allied_any``, ...) needs spells per definition;
:func:`spells_for` derives them here from an ``allied_<definition>`` column rather than
asking the data layer for one panel per definition.

The rule:

* a **spell** is a run of consecutive allied years of one directed dyad (and replication);
* **formation** is 1 in its first year, unless that year is the panel's first year for the
  dyad (the spell may have begun before: left-truncated, formation missing);
* **termination** is 1 in its last year when the dyad is observed the next year and not
  allied then; 0 in the other years; missing in the last year when the next year is not
  observed (the end is unknown: censored);
* **spell_year** counts years since the spell's first year in the panel (0, 1, ...);
  for a left-truncated spell it starts at 0 in the panel's first year (noted);
* **realignment** is 1 on a termination row when the client is allied (same definition)
  with another patron within the next three years (the data layer's window).

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"patron": 2, "client": 20, "year": range(1950, 1956),
...     "allied_defense": [0, 1, 1, 0, 1, 1]})
>>> s = spells_for(df, "defense")
>>> s[["allied", "formation", "termination", "spell_year"]].values.tolist()
[[0, <NA>, <NA>, <NA>], [1, 1, 0, 0], [1, 0, 1, 1], [0, <NA>, <NA>, <NA>], [1, 1, 0, 0], [1, 0, <NA>, 1]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ALLIANCE_DEFINITIONS", "REALIGNMENT_WINDOW", "spells_for"]

#: alliance definitions of the multiverse and the column each reads ("security" is the
#: panel's own ``allied``; the others need the data layer's ``allied_<definition>``)
ALLIANCE_DEFINITIONS: dict[str, str] = {
    "security": "allied",
    "defense": "allied_defense",
    "any": "allied_any",
}

REALIGNMENT_WINDOW = 3
"""Years after a termination within which a tie with another patron counts as realignment."""


def spells_for(panel: pd.DataFrame, definition: str) -> pd.DataFrame:
    """A copy of ``panel`` whose spell and event columns follow ``definition``.

    ``definition`` is a key of :data:`ALLIANCE_DEFINITIONS`. For ``"security"`` the panel's
    own columns are kept (the data layer derived them, with spell starts before the
    panel's first year); for any other the rule in the module docstring rebuilds
    ``allied``, ``spell_id``, ``spell_start``, ``spell_year``, ``formation``,
    ``termination`` and ``realignment``.

    Raises
    ------
    KeyError
        The panel lacks the definition's column (the caller reports it as inconclusive).
    """
    column = ALLIANCE_DEFINITIONS[definition]
    if column not in panel.columns:
        raise KeyError(column)
    if column == "allied":
        return panel
    out = panel.copy()
    rep = out["rep"].to_numpy(np.int64) if "rep" in out.columns else np.zeros(len(out), np.int64)
    patron = out["patron"].to_numpy(np.int64)
    client = out["client"].to_numpy(np.int64)
    year = out["year"].to_numpy(np.int64)
    dyad = (rep * 10**4 + patron) * 10**4 + client
    order = np.lexsort((year, dyad))
    a = out[column].astype("float64").to_numpy()[order]
    k, y = dyad[order], year[order]
    n = len(a)
    same_prev = np.r_[False, (k[1:] == k[:-1]) & (y[1:] == y[:-1] + 1)]
    same_next = np.r_[same_prev[1:], False]
    prev_a = np.r_[np.nan, a[:-1]]
    next_a = np.r_[a[1:], np.nan]
    allied = a == 1
    first_of_dyad = np.r_[True, k[1:] != k[:-1]]
    starts = allied & ~(same_prev & (prev_a == 1))
    run = np.cumsum(starts)
    start_pos = np.flatnonzero(starts)
    start_year = np.where(allied, y[start_pos[np.maximum(run, 1) - 1]] if n else y, 0)
    spell_year = np.where(allied, y - start_year, np.nan)
    formation = np.where(allied, 0.0, np.nan)
    formation[starts] = np.where(first_of_dyad[starts], np.nan, 1.0)
    termination = np.where(allied, 0.0, np.nan)
    last = allied & ~(same_next & (next_a == 1))
    termination[last] = np.where(same_next[last] & (next_a[last] == 0), 1.0, np.nan)
    realignment = np.where(allied, 0.0, np.nan)
    realignment[last] = _realigned(rep, patron, client, year, out[column], order[last])
    realignment = np.where(termination == 1, realignment, np.where(allied, 0.0, np.nan))
    spell_id = np.where(
        allied,
        pd.Series(patron[order]).astype(str).to_numpy(object)
        + "-"
        + pd.Series(client[order]).astype(str).to_numpy(object)
        + "-"
        + pd.Series(start_year).astype(str).to_numpy(object)
        + "-"
        + definition,
        None,
    )
    back = np.empty(n, np.int64)
    back[order] = np.arange(n)
    out["allied"] = pd.array(np.where(np.isnan(a), np.nan, a)[back], dtype="Int8")
    out["spell_id"] = pd.Series(spell_id[back], index=out.index, dtype="string")
    out["spell_start"] = pd.array(np.where(allied, start_year, np.nan)[back], dtype="Int64")
    out["spell_year"] = pd.array(spell_year[back], dtype="Int64")
    out["formation"] = pd.array(formation[back], dtype="Int8")
    out["termination"] = pd.array(termination[back], dtype="Int8")
    out["realignment"] = pd.array(realignment[back], dtype="Int8")
    return out


def _realigned(
    rep: np.ndarray,
    patron: np.ndarray,
    client: np.ndarray,
    year: np.ndarray,
    allied: pd.Series,
    rows: np.ndarray,
) -> np.ndarray:
    """For each row in ``rows`` (a spell's last year): allied with another patron soon after?"""
    a = allied.astype("float64").to_numpy() == 1
    ties: dict[tuple[int, int, int], set[int]] = {}
    for r, c, t, p in zip(rep[a], client[a], year[a], patron[a], strict=True):
        ties.setdefault((int(r), int(c), int(t)), set()).add(int(p))
    out = np.zeros(len(rows))
    for i, row in enumerate(rows):
        r, c, t, p = int(rep[row]), int(client[row]), int(year[row]), int(patron[row])
        for lag in range(1, REALIGNMENT_WINDOW + 1):
            if ties.get((r, c, t + lag), set()) - {p}:
                out[i] = 1.0
                break
    return out
