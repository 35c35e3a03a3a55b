"""The arguments of a simulation run: its counts, its horizon and its random streams.

What every entry point of :mod:`sidepay.sim.engine` checks before any work: the counts of
a run (:func:`check_run_arguments`), the horizon ``periods`` (with its deprecated
``years=`` spelling) and the random stream of each replication (:func:`rep_generator`).

Examples
--------
>>> check_run_arguments(75, 2, 1, 3)
(75, 2, 1, 3, 0)
"""

from __future__ import annotations

import warnings

import numpy as np

from sidepay.errors import bad_param
from sidepay.options import parse_count, parse_seed
from sidepay.sim.memory import MAX_PERIODS, MAX_REPS

__all__ = ["check_run_arguments", "rep_generator"]


def rep_generator(seed: int, rep: int) -> np.random.Generator:
    """The random stream of replication ``rep``: depends only on (seed, rep).

    Examples
    --------
    >>> float(rep_generator(1, 3).random()) == float(rep_generator(1, 3).random())
    True
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, rep])))


def check_run_arguments(
    periods: int, reps: int, seed: int, rep_start: int = 0, burn_in: int = 0
) -> tuple[int, int, int, int, int]:
    """Validate a run's counts; return them as ints (periods, reps, seed, rep_start, burn_in).

    Raises :class:`~sidepay.errors.InputError` (one line, naming the parameter) unless
    ``1 <= periods <= MAX_PERIODS``, ``1 <= reps <= MAX_REPS``, ``0 <= burn_in <=
    MAX_PERIODS`` and ``seed``, ``rep_start >= 0``, all whole numbers.

    Examples
    --------
    >>> check_run_arguments(75, 2, 1)
    (75, 2, 1, 0, 0)
    >>> check_run_arguments(75, 0, 1, 0)
    Traceback (most recent call last):
    ...
    sidepay.errors.InputError: reps= must be a whole number in 1..1000000; got 0
    """

    def count(value: object, name: str, low: int, high: int | None = None) -> int:
        if isinstance(value, np.integer) and not isinstance(value, bool):
            value = int(value)
        return parse_count(value, name, low=low, high=high)

    return (
        count(periods, "periods", 1, MAX_PERIODS),
        count(reps, "reps", 1, MAX_REPS),
        parse_seed(int(seed) if isinstance(seed, np.integer) else seed),
        count(rep_start, "rep_start", 0),
        count(burn_in, "burn_in", 0, MAX_PERIODS),
    )


def _periods(periods: int | None, years: int | None, where: str) -> int:
    """``periods``, or the deprecated ``years=`` spelling of it (one release)."""
    if years is None:
        return 75 if periods is None else periods
    if periods is not None:
        raise bad_param("years", "is the old name of periods=; pass periods= only")
    warnings.warn(
        f"{where}(years=...) is deprecated: the simulation horizon is periods=",
        DeprecationWarning,
        stacklevel=3,
    )
    return years
