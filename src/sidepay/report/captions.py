"""Words on the report's model figures: which comparative statics, their titles and captions.

Examples
--------
>>> [s.vary for s in STATICS_FIGURES]
['W', 'd', 'T']
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StaticsSpec:
    """One comparative-statics figure: the parameter varied, its range, title, caption."""

    vary: str
    low: float
    high: float
    title: str
    caption: str


STATICS_FIGURES: tuple[StaticsSpec, ...] = (
    StaticsSpec(
        "W",
        0.01,
        1.0,
        "Price of an ally against W",
        "Required side payment and the patron's surplus as the client's winning coalition "
        "grows (P2: cheaper for small coalitions).",
    ),
    StaticsSpec(
        "d",
        0.0,
        1.0,
        "Divergence: trade turns to purchase",
        "Deficit, required payment and patron surplus as interest divergence rises (P1).",
    ),
    StaticsSpec(
        "T",
        0.0,
        1.0,
        "Common threat lowers the price",
        "Required payment falls as the threat the patron absorbs grows (P3).",
    ),
)

#: axis and legend labels of the statics curves
STATICS_LABELS: dict[str, str] = {
    "required_payment": "required side payment a*",
    "patron_surplus": "patron's surplus S",
    "deficit": "leader's deficit D",
    "W": "coalition size W",
    "d": "interest divergence d",
    "T": "external threat T",
}

#: the curves each statics figure shows
STATICS_SHOWN: tuple[str, ...] = ("required_payment", "patron_surplus", "deficit")


def coverage_note(span: tuple[int, int], alliance_end: int) -> list[str]:
    """What the page must say about where the alliance data stop (empty inside coverage).

    Examples
    --------
    >>> coverage_note((1946, 2010), 2018)
    []
    >>> coverage_note((1946, 2020), 2018)[0][:27]
    'Alliance data stop in 2018:'
    """
    if span[1] <= alliance_end:
        return []
    return [
        f"Alliance data stop in {alliance_end}: ATOP 4.01 ends in 2016 and ATOP 5.1's "
        f"directed dyad-years extend alliance status to {alliance_end}, so every estimate "
        f"that needs alliance status uses years up to {alliance_end} at most, and the "
        f"panel's years {alliance_end + 1}–{span[1]} carry missing alliance status (not 'no "
        "alliance'; hatched in the case timelines). Other sources stop earlier still (e.g. "
        "the rivalry data behind threat in 2010, Archigos leader changes in 2015): the "
        "'Sources verified' table gives each source's coverage."
    ]
