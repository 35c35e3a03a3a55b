"""Options checked once: the parsers every job uses, whoever calls it (CLI or Python).

Each parser takes the value a caller gave and the *parameter name* it came in as, and
raises one :class:`~sidepay.errors.InputError` naming that parameter (``years=``); the
command line shows its own flag instead (:func:`sidepay.errors.for_cli`). Nothing here
imports numpy or pandas, so the command line can check its input before any heavy import.

One name per concept: ``years`` is always a calendar span ``(first, last)``, inclusive;
the length of a simulated history is ``periods``.

Examples
--------
>>> parse_years("1946:2020"), parse_years((1960, 1970)), parse_years("1990")
((1946, 2020), (1960, 1970), (1990, 1990))
>>> parse_count("7", "reps", low=1)
7
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from sidepay.errors import bad_param

#: calendar years any source of the real panel can cover (COW's state system starts in 1816)
YEAR_MIN, YEAR_MAX = 1816, 2030

#: which worlds a job runs on
WorldChoice = Literal["real", "simulated", "both"]
WORLD_CHOICES: tuple[str, ...] = ("real", "simulated", "both")

#: what ``sidepay run`` estimates (``sidepay.estimate.summary.report_estimation``): nothing,
#: the formation stage (with its profile intervals, the case prices and the forecast
#: scores), or both stages (adds the maintenance stage by simulated moments: minutes)
EstimateChoice = Literal["none", "formation", "both"]
ESTIMATE_CHOICES: tuple[str, ...] = ("none", "formation", "both")

_ASCII_INT = re.compile(r"[0-9]+")


def _strict_int(text: str) -> int | None:
    """``int(text)`` for plain ASCII digits only (no ``_``, signs or superscripts)."""
    text = text.strip()
    return int(text) if _ASCII_INT.fullmatch(text) else None


def parse_years(value: str | Sequence[int] | range, param: str = "years") -> tuple[int, int]:
    """A calendar span ``(first, last)``, inclusive, from ``"FIRST:LAST"``, ``"YEAR"`` or a pair.

    Parameters
    ----------
    value
        ``"1946:2020"``, ``"1990"``, ``(1946, 2020)`` or a ``range``/list of years.
    param
        The parameter name used in the error message.

    Returns
    -------
    tuple of int
        ``(first, last)`` with ``YEAR_MIN <= first <= last <= YEAR_MAX``.

    Raises
    ------
    InputError
        Not a span of ASCII-digit years in range, or first after last.

    Examples
    --------
    >>> parse_years(" 1950 : 1950 ")
    (1950, 1950)
    >>> parse_years(range(1950, 1960))
    (1950, 1959)
    >>> parse_years("1990:1950")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: years= must satisfy 1816 <= FIRST <= LAST <= 2030; got 1990:1950
    >>> parse_years("1946:202²")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: years= must be FIRST:LAST ...
    """
    if isinstance(value, str):
        parts = [_strict_int(p) for p in value.split(":")]
        if not 1 <= len(parts) <= 2 or any(p is None for p in parts):
            raise bad_param(
                param,
                f"must be FIRST:LAST (or one YEAR) with years in {YEAR_MIN}..{YEAR_MAX}, "
                f"e.g. 1946:2020; got {value!r}",
            )
        lo, hi = cast(int, parts[0]), cast(int, parts[-1])
    else:
        try:
            ys = [operator.index(y) for y in value if not isinstance(y, bool)]
        except TypeError:
            raise bad_param(
                param, f"must be a pair (first, last) of whole years; got {value!r}"
            ) from None
        if (isinstance(value, tuple) and len(value) != 2) or not ys or len(ys) != len(value):
            raise bad_param(param, f"must be a pair (first, last) of whole years; got {value!r}")
        lo, hi = (ys[0], ys[1]) if isinstance(value, tuple) else (min(ys), max(ys))
    if not YEAR_MIN <= lo <= hi <= YEAR_MAX:
        raise bad_param(
            param, f"must satisfy {YEAR_MIN} <= FIRST <= LAST <= {YEAR_MAX}; got {lo}:{hi}"
        )
    return lo, hi


def parse_count(value: object, param: str, *, low: int = 0, high: int | None = None) -> int:
    """A whole number in ``[low, high]`` (a ``bool`` is refused; strings need ASCII digits).

    Examples
    --------
    >>> parse_count(3, "reps", low=1), parse_count("12", "seed")
    (3, 12)
    >>> parse_count(0, "reps", low=1)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: reps= must be a whole number >= 1; got 0
    >>> parse_count(True, "seed")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: seed= must be a whole number >= 0; got True
    """
    allowed = f">= {low}" if high is None else f"in {low}..{high}"
    number: int | None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str):
        number = _strict_int(value)
    else:
        number = None
    if number is None or number < low or (high is not None and number > high):
        raise bad_param(param, f"must be a whole number {allowed}; got {value!r}")
    return number


def parse_seed(value: object, param: str = "seed") -> int:
    """A seed: a whole number >= 0 (numpy's ``SeedSequence`` takes any such).

    Examples
    --------
    >>> parse_seed(1)
    1
    """
    return parse_count(value, param, low=0)


def parse_choice(value: object, choices: Sequence[str], param: str) -> str:
    """One of ``choices``.

    Examples
    --------
    >>> parse_choice("both", WORLD_CHOICES, "world")
    'both'
    >>> parse_choice("moon", WORLD_CHOICES, "world")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: world= must be one of real, simulated, both; got 'moon'
    """
    if not isinstance(value, str) or value not in choices:
        raise bad_param(param, f"must be one of {', '.join(choices)}; got {value!r}")
    return value


def parse_world(value: object, param: str = "world") -> WorldChoice:
    """Which worlds to run: ``"real"``, ``"simulated"`` or ``"both"``.

    Examples
    --------
    >>> parse_world("real")
    'real'
    """
    return cast(WorldChoice, parse_choice(value, WORLD_CHOICES, param))


def _optional_path(value: object, param: str) -> Path | None:
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        raise bad_param(param, "is empty; give a path")
    return Path(cast(str, value)).expanduser()


def parse_mirror(value: object, param: str = "mirror") -> Path | None:
    """The data mirror folder (a folder laid out like the shared data mirror), or ``None``.

    Examples
    --------
    >>> parse_mirror(None) is None
    True
    >>> parse_mirror("/nonexistent")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: mirror= /nonexistent is not a folder; ...
    """
    path = _optional_path(value, param)
    if path is not None and not path.is_dir():
        raise bad_param(
            param, f"{path} is not a folder; give a folder laid out like the shared data mirror"
        )
    return path


#: replications of the default simulated world in ``run`` and ``test`` (the engine's own
#: default is 100; 20 keeps ``sidepay run`` within its time budget, ``reps=`` raises it)
REPORT_REPS = 20


@dataclass(frozen=True)
class RunOptions:
    """What ``sidepay run`` / :func:`sidepay.run_all` does, checked once on construction.

    Examples
    --------
    >>> o = RunOptions(out="rep", years="1950:1960", world="simulated")
    >>> o.years, o.world, o.reps, o.estimate
    ((1950, 1960), 'simulated', 20, 'formation')
    >>> RunOptions(seed=-1)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: seed= must be a whole number >= 0; got -1
    """

    out: Path = Path("sidepay-report")
    mirror: Path | None = None
    years: tuple[int, int] = (1946, 2020)
    seed: int = 1
    world: WorldChoice = "both"
    reps: int = REPORT_REPS
    periods: int | None = None
    quiet: bool = False
    estimate: EstimateChoice = "formation"

    def __post_init__(self) -> None:
        from sidepay.outpaths import check_out_dir

        _set(self, "years", parse_years(cast(Any, self.years)))
        _set(self, "world", parse_world(self.world))
        _set(self, "estimate", parse_choice(self.estimate, ESTIMATE_CHOICES, "estimate"))
        _set(self, "seed", parse_seed(self.seed))
        _set(self, "reps", parse_count(self.reps, "reps", low=1))
        if self.periods is not None:
            _set(self, "periods", parse_count(self.periods, "periods", low=1))
        _set(self, "out", check_out_dir(self.out))
        if self.world != "simulated":
            _set(self, "mirror", parse_mirror(self.mirror))


@dataclass(frozen=True)
class TestOptions:
    """What ``sidepay test`` / :func:`sidepay.run_tests` does, checked once.

    ``world`` is ``"real"`` or ``"simulated"``; ``panel`` tests a saved panel file instead
    of building one.

    Examples
    --------
    >>> TestOptions(world="simulated", reps=2).reps
    2
    >>> TestOptions(world="both")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: world= must be one of real, simulated; got 'both'
    """

    __test__ = False  # not a pytest test class

    world: str = "real"
    only: tuple[str, ...] | None = None
    panel: Path | None = None
    mirror: Path | None = None
    seed: int = 1
    reps: int = REPORT_REPS
    out: Path | None = None

    def __post_init__(self) -> None:
        from sidepay.outpaths import check_out_dir

        _set(self, "world", parse_choice(self.world, ("real", "simulated"), "world"))
        _set(self, "seed", parse_seed(self.seed))
        _set(self, "reps", parse_count(self.reps, "reps", low=1))
        if self.only is not None:
            items = self.only.split(",") if isinstance(self.only, str) else self.only
            _set(self, "only", tuple(s.strip().upper() for s in items if s.strip()))
        if self.panel is not None:
            panel = _optional_path(self.panel, "panel")
            if panel is None or not panel.is_file():
                raise bad_param(
                    "panel", f"{self.panel}: no such file; give a Parquet or CSV panel file"
                )
            _set(self, "panel", panel)
        if self.out is not None:
            _set(self, "out", check_out_dir(self.out, "out", marker=None))
        if self.panel is None and self.world == "real":
            _set(self, "mirror", parse_mirror(self.mirror))


@dataclass(frozen=True)
class CaseOptions:
    """What ``sidepay case`` / :func:`sidepay.draw_case` draws, checked once.

    Examples
    --------
    >>> CaseOptions("USA", "PAK").out is None  # the default name uses the COW abbreviations
    True
    >>> CaseOptions("USA", "PAK", out="x.pdf")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    sidepay.errors.InputError: out= must end in .png or .svg; got 'x.pdf'
    """

    patron: str | int
    client: str | int
    out: Path | None = None
    years: tuple[int, int] = (1946, 2020)
    mirror: Path | None = None

    def __post_init__(self) -> None:
        from sidepay.outpaths import check_out_file

        _set(self, "years", parse_years(cast(Any, self.years)))
        if self.out is not None:
            _set(self, "out", check_out_file(self.out, (".png", ".svg")))
        _set(self, "mirror", parse_mirror(self.mirror))


def _set(obj: object, name: str, value: object) -> None:
    """Normalise a field of a frozen options object in ``__post_init__``."""
    object.__setattr__(obj, name, value)
