"""National trade totals: COW Trade 4.0 imports and exports (peacesciencer's ``add_cow_trade``).

The registered file (``cow_trade_sy``) is COW's *national* totals, state-years 1870-2014,
in millions of current US dollars. peacesciencer's dyadic trade flows (``cow_trade_ddy``)
are a separate download that is not registered here, so on dyad-years and on the panel this
verb gives each side's national totals (``imports1`` ... or ``patron_imports`` ...), not
the flow between the two.

What it measures: a state's openness and economic size, a proxy for the patron's capacity
to pay and the client's dependence on trade; it does not measure trade between patron and
client (the economic tie the theory's side payments may ride on).

Examples
--------
>>> s = pd.DataFrame({"ccode": [2, 2], "year": [1870, 1869]})
>>> add_cow_trade(s)["imports"].tolist()
[450.0, nan]
"""

from __future__ import annotations

import pandas as pd

from sidepay.data.acquire import read_rda
from sidepay.data.context import DataContext
from sidepay.data.custom import key_frame, put_back
from sidepay.data.merge import attach_monadic

__all__ = ["TRADE_YEARS", "add_cow_trade"]

TRADE_YEARS = (1870, 2014)
"""COW Trade 4.0 national totals coverage."""


def add_cow_trade(df: pd.DataFrame, *, context: DataContext | None = None) -> pd.DataFrame:
    """Add national ``imports`` and ``exports`` (millions of current USD, COW Trade 4.0).

    State-years get ``imports, exports``; dyad-years ``imports1, exports1, imports2,
    exports2``; the panel ``patron_imports, patron_exports, client_imports,
    client_exports``. Missing where COW records no value (a measure: never a 0) and outside
    1870-2014.

    Examples
    --------
    >>> p = pd.DataFrame({"patron": [2], "client": [20], "year": [2000]})
    >>> bool(add_cow_trade(p)["patron_imports"].iloc[0] > 1e6)
    True
    """
    raw = read_rda("cow_trade_sy", context=context)
    src = pd.DataFrame(
        {
            "ccode": raw["ccode"].to_numpy(dtype="int64"),
            "year": raw["year"].to_numpy(dtype="int64"),
            "imports": raw["imports"].to_numpy(dtype="float64"),
            "exports": raw["exports"].to_numpy(dtype="float64"),
        }
    )
    src = src[(src["year"] >= TRADE_YEARS[0]) & (src["year"] <= TRADE_YEARS[1])]
    out = attach_monadic(key_frame(df), src, {"imports": "imports", "exports": "exports"})
    return put_back(df, out, monadic=["imports", "exports"])
