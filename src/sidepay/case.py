"""One patron-client timeline from the real panel, drawn to PNG or SVG (``sidepay case``).

Examples
--------
>>> draw_case("USA", "PAK", out="x.pdf")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
sidepay.errors.InputError: out= must end in .png or .svg; got 'x.pdf'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sidepay.atomic import atomic_path
from sidepay.errors import InputError
from sidepay.options import CaseOptions
from sidepay.outpaths import check_out_file


def draw_case(
    patron: str | int,
    client: str | int,
    *,
    out: str | os.PathLike[str] | None = None,
    years: str | tuple[int, int] = (1946, 2020),
    mirror: str | os.PathLike[str] | None = None,
) -> Path:
    """Build the real panel and draw one case timeline to PNG or SVG.

    Parameters
    ----------
    patron, client
        COW abbreviations, codes or names (``"USA"``, ``770``).
    out
        ``.png`` or ``.svg`` file; default ``case-<PATRON>-<CLIENT>.png``.
    years
        Calendar span ``"FIRST:LAST"`` or a pair.
    mirror
        A folder laid out like the shared data mirror.

    Returns
    -------
    pathlib.Path
        The file written (atomically).
    """
    opts = CaseOptions(patron, client, out=out, years=years, mirror=mirror)  # type: ignore[arg-type]
    from sidepay.config import data_context
    from sidepay.data.panel import build_panel
    from sidepay.data.readers.states import cow_states
    from sidepay.report.cases import case_timeline, resolve_state

    context = data_context(mirror=opts.mirror)
    states = cow_states(context=context)
    p_code, p_abb = resolve_state(opts.patron, states)
    c_code, c_abb = resolve_state(opts.client, states)
    if p_code == c_code:
        raise InputError(f"patron and client are the same state ({p_abb}); give two states")
    path = opts.out or check_out_file(f"case-{p_abb}-{c_abb}.png", (".png", ".svg"))
    panel = build_panel(opts.years, patrons=[p_code], context=context)
    lo, hi = opts.years
    try:
        fig = case_timeline(panel, p_code, c_code, names={p_code: p_abb, c_code: c_abb})
    except InputError:
        raise InputError(
            f"no {p_abb}-{c_abb} rows in {lo}:{hi}: the patron must be a state and "
            "the client a minor power (not a COW major power) in the system in those years"
        ) from None
    _refuse_uncovered(panel, p_code, c_code, f"{p_abb}-{c_abb}", opts.years, fig)
    _save(fig, path)
    return path


#: what the chart draws: side payments, divergence, the alliance, domestic change
CHART_MEASURES = (
    "aid_econ", "aid_mil", "aid_other", "arms_tiv", "side_payment", "divergence",
    "allied", "W", "regime_change", "leader_change",
)  # fmt: skip


def _refuse_uncovered(
    panel: Any, patron: int, client: int, pair: str, years: tuple[int, int], fig: Any
) -> None:
    """Refuse a chart on which every measure is missing: no source covers those years."""
    rows = panel[(panel["patron"] == patron) & (panel["client"] == client)]
    measured = [c for c in CHART_MEASURES if c in rows.columns]
    if measured and rows[measured].notna().to_numpy().any():
        return
    import matplotlib.pyplot as plt

    plt.close(fig)
    lo, hi = years
    raise InputError(
        f"years= {lo}:{hi}: no source covers {pair} in those years (every measure the "
        f"chart draws, {', '.join(measured or CHART_MEASURES)}, is missing); give years "
        "inside the sources' coverage (see `sidepay data list`)",
        param="years",
    )


def _save(fig: Any, path: Path) -> None:
    """Write a figure atomically; SVG without a date, PNG stamped with the software."""
    import matplotlib.pyplot as plt

    svg = path.suffix.lower() == ".svg"
    try:
        with atomic_path(path, suffix=path.suffix) as tmp:
            fig.savefig(
                tmp,
                dpi=150,
                bbox_inches="tight",
                metadata={"Date": None} if svg else {"Software": "sidepay"},
            )
    finally:
        plt.close(fig)
