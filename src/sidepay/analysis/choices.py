"""The declared multiverse: the defensible choices behind each hypothesis, as data.

Each hypothesis (each part of H4 and H6) has a :class:`Dimensions` entry: the values each
choice can take, the first value of each being the pre-declared primary specification
(:data:`sidepay.analysis.specs.HYPOTHESES`). :mod:`sidepay.analysis.multiverse` crosses
them and runs every specification. What each choice measures and why it is defensible is
in ``docs/hypotheses.md`` ("The multiverse").

The choices:

* ``payment``: which side payment (a :data:`MEASURES` key: the panel's main measure in
  log1p, levels, per capita or by PPML; US aid; DAC patrons' aid; arms transfers (TIV); the
  any-payment indicator as a linear probability model);
* ``alliance``: which alliances count (``security``: defense or offense, the panel's
  default; ``defense``; ``any`` incl. neutrality, non-aggression and consultation pacts),
  with spells rebuilt per definition (:func:`sidepay.analysis.spells.spells_for`);
* ``fixed_effects``: patron+year or client+year for the price equations H2, H3 (the
  choice the issue found decisive); the declared ones elsewhere (spell+year within
  spells, patron for H1, H7);
* ``period``: all years, the Cold War (to 1989), after it (1990 on);
* ``controls``: the declared set, or none (the key regressor alone);
* ``estimator``: Cox (stratified by patron, as declared) or a discrete-time logit with
  peace-years splines and patron effects for the hazards; logit or linear probability
  for H7;
* ``sample`` (H8): allied client-years (declared) or all client-years with ``allied``
  as a control.

The grid is sized to run in well under a minute on two cores (``benchmarks/
bench_multiverse.py``); PPML enters where the outcome is the payment level with many
zeros (H2, H3).

Examples
--------
>>> DIMENSIONS["H2"].size()
144
>>> DIMENSIONS["H4a"].primary()["estimator"]
'cox'
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["DIMENSIONS", "ERAS", "FIXED_EFFECTS", "MEASURES", "PERIODS", "Dimensions", "Measure"]


@dataclass(frozen=True)
class Measure:
    """A side-payment measure: the panel column, its scale, and what it stands for."""

    column: str
    scale: str  # "log1p", "level", "per_capita" (log1p of <column>_pc), "ppml", "lpm"
    concept: str

    @property
    def source_column(self) -> str:
        """The panel column the measure reads."""
        return f"{self.column}_pc" if self.scale == "per_capita" else self.column


MEASURES: dict[str, Measure] = {
    "main": Measure("side_payment", "log1p", "the panel's main side payment, log1p"),
    "main_level": Measure("side_payment", "level", "the main side payment in levels"),
    "main_per_capita": Measure(
        "side_payment", "per_capita", "the main side payment per head of the client, log1p"
    ),
    "main_ppml": Measure(
        "side_payment", "ppml", "the main side payment by Poisson PML (zeros kept)"
    ),
    "aid_us": Measure("aid_us", "log1p", "US economic and military aid (Greenbook), log1p"),
    "aid_dac": Measure("aid_dac", "log1p", "DAC patrons' bilateral aid, log1p"),
    "arms_tiv": Measure("arms_tiv", "log1p", "arms transfers (SIPRI TIV), log1p"),
    "any_payment": Measure("any_payment", "lpm", "any payment at all (0/1), linear probability"),
}
"""Side-payment measures; ``main`` is the primary one."""

#: the fixed-effects choices and the columns each absorbs
FIXED_EFFECTS: dict[str, tuple[str, ...]] = {
    "patron+year": ("patron", "year"),
    "client+year": ("client_id", "year"),
    "spell+year": ("spell", "year"),
    "patron": ("patron",),
    "none": (),
}

#: periods: the years each keeps (inclusive bounds; None: open)
PERIODS: dict[str, tuple[int | None, int | None]] = {
    "all": (None, None),
    "cold_war": (None, 1989),
    "post_cold_war": (1990, None),
}
#: the era label of a year (the ``split`` variable of the multiple-estimation calls)
ERAS = ("cold_war", "post_cold_war")

_PAY = tuple(MEASURES)
_PAY_REGRESSOR = ("main", "main_per_capita", "aid_us", "aid_dac", "arms_tiv")
_ALLIANCE = ("security", "defense", "any")
_PERIOD = tuple(PERIODS)
_CONTROLS = ("declared", "none")


@dataclass(frozen=True)
class Dimensions:
    """The choices of one hypothesis part; each tuple's first value is the primary one."""

    part: str
    base: str  # the HYPOTHESES spec (or secondary spec id) the choices modify
    payment: tuple[str, ...] = ("main",)
    alliance: tuple[str, ...] = _ALLIANCE
    fixed_effects: tuple[str, ...] = ("declared",)
    period: tuple[str, ...] = _PERIOD
    controls: tuple[str, ...] = _CONTROLS
    estimator: tuple[str, ...] = ("declared",)
    sample: tuple[str, ...] = ("declared",)

    _NAMES = ("payment", "alliance", "fixed_effects", "period", "controls", "estimator", "sample")

    def primary(self) -> dict[str, str]:
        """The pre-declared specification's choices."""
        return {n: getattr(self, n)[0] for n in self._NAMES}

    def specifications(self) -> Iterator[dict[str, str]]:
        """Every combination of choices, the primary one first."""
        values = [getattr(self, n) for n in self._NAMES]
        for combo in itertools.product(*values):
            yield dict(zip(self._NAMES, combo, strict=True))

    def size(self) -> int:
        """Number of specifications."""
        n = 1
        for name in self._NAMES:
            n *= len(getattr(self, name))
        return n


_PAY_NO_PPML = tuple(m for m in _PAY if m != "main_ppml")  # PPML where zeros are many: H2, H3
_HAZARD = dict(controls=_CONTROLS, estimator=("cox", "logit_splines"))
_PRICE = dict(payment=_PAY, fixed_effects=("patron+year", "client+year"), controls=("declared",))
_WITHIN = dict(payment=_PAY_NO_PPML, fixed_effects=("spell+year",), controls=("declared",))

DIMENSIONS: dict[str, Dimensions] = {
    "H1": Dimensions(
        "H1", "H1", payment=_PAY_NO_PPML, fixed_effects=("patron",), controls=("declared",)
    ),
    "H2": Dimensions("H2", "H2", **_PRICE),
    "H3": Dimensions("H3", "H3", **_PRICE),
    "H4a": Dimensions("H4a", "H4", **_HAZARD),
    "H4b": Dimensions("H4b", "H4b", **_WITHIN),
    "H5": Dimensions("H5", "H5", **_HAZARD),
    "H6a": Dimensions("H6a", "H6", **_HAZARD),
    "H6b": Dimensions("H6b", "H6b", **_WITHIN),
    "H7": Dimensions("H7", "H7", fixed_effects=("patron",), estimator=("logit", "lpm")),
    "H8": Dimensions(
        "H8", "H8", payment=_PAY_REGRESSOR, sample=("allied", "all"), controls=("declared",)
    ),
}
"""The multiverse of each hypothesis part (H4 and H6 have two parts each)."""

#: the parts of each hypothesis
PARTS: dict[str, tuple[str, ...]] = {
    h: tuple(p for p in DIMENSIONS if p.rstrip("ab") == h)
    for h in ("H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8")
}
