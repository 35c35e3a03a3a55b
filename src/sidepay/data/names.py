"""Country names and abbreviations for COW codes (``add_country_names``).

Source: COW State System Membership v2016 (``cow_states``: ``stateabb``, ``statenme``).
A code has one name and one abbreviation across its spells (e.g. 255 is "Germany", GMY,
for the German Empire, the Federal Republic from 1990 and everything between; 260 is the
German Federal Republic before 1990). Codes COW does not list get missing names.

Examples
--------
>>> p = pd.DataFrame({"patron": [2], "client": [770], "year": [1954]})
>>> add_country_names(p)[["patron_abb", "client_name"]].values.tolist()
[['USA', 'Pakistan']]
"""

from __future__ import annotations

import pandas as pd

from sidepay.data.context import DataContext
from sidepay.data.custom import key_frame, put_back, unit_name
from sidepay.data.readers import states

__all__ = ["add_country_names", "country_names"]


def country_names(*, context: DataContext | None = None) -> pd.DataFrame:
    """One row per COW code: ``ccode, abb, name``.

    Examples
    --------
    >>> n = country_names()
    >>> n.loc[n.ccode == 365, ["abb", "name"]].values.tolist()
    [['RUS', 'Russia']]
    """
    spells = states.cow_states(context=context)
    first = spells.drop_duplicates("ccode")
    return pd.DataFrame(
        {
            "ccode": first["ccode"].to_numpy(dtype="int64"),
            "abb": first["stateabb"].astype(str).to_numpy(),
            "name": first["statenme"].astype(str).to_numpy(),
        }
    )


def add_country_names(df: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add country name and abbreviation columns.

    The panel gets ``patron_name, patron_abb, client_name, client_abb``; dyad-years
    ``name1, abb1, name2, abb2``; state-years ``name, abb``. Rows are kept as they are.

    Examples
    --------
    >>> d = pd.DataFrame({"ccode1": [2], "ccode2": [999], "year": [1950]})
    >>> add_country_names(d)[["name1", "name2"]].values.tolist()
    [['United States of America', <NA>]]
    """
    names = country_names(context=context).set_index("ccode")
    keys = key_frame(df)
    sides = [("ccode", "")] if unit_name(df) == "state" else [("ccode1", "1"), ("ccode2", "2")]
    for code, suffix in sides:
        codes = pd.Index(keys[code].to_numpy(dtype="int64"))
        for col in ("name", "abb"):
            keys[col + suffix] = pd.array(
                names[col].reindex(codes).to_numpy(dtype=object), dtype="string"
            )
    return put_back(df, keys, monadic=["name", "abb"])
