"""How much memory a simulation needs, known before anything is allocated.

A run's peak memory is, to within a few per cent, proportional to the dyad-periods it
holds at once (``benchmarks/bench_memory.py`` measures it against these figures):

* :func:`run_history` keeps ``(8 K + 39)`` bytes per (replication, period, small state)
  (``d`` for ``K`` great powers, ``W``, ``pay``, ``leader_hazard``, ``tenure`` in float64,
  ``spell_start`` int32, ``ally`` int8, two event flags);
* ``simulate`` peaks at :data:`SIMULATE_BYTES_PER_ROW` bytes per panel row of one
  ``run_history`` turned into frames (the History, the panel's columns as they are built,
  the event log), and leaves frames of :data:`FRAME_BYTES_PER_ROW`; it builds about a
  million rows at a time and concatenates them (:func:`chunked_simulate_bytes`), so a
  large run peaks at about :data:`CONCAT_BYTES_PER_ROW` per row;
* ``write_simulation`` holds one chunk of replications at a time, plus its Arrow copy
  (:data:`WRITE_BYTES_PER_ROW` per row of the chunk; measured 1,000-1,200). A chunk is at least one
  replication: clients are independent given the great powers (rival competition couples
  the patrons of one client, never two clients) and their random numbers are counter
  based, so a replication could be split by clients, but the panel's row order (patron,
  then client) would then need a merge pass; that is not implemented, so one replication
  must fit the limit.

The limit is ``max_memory`` (bytes, or a size such as ``"8G"``), by default half the
machine's physical memory (:func:`default_limit`). A run over it is refused with one line
giving the estimate and the limit, before any work.

Examples
--------
>>> parse_memory("8G"), parse_memory("512M"), parse_memory(1024)
(8589934592, 536870912, 1024)
>>> simulate_bytes(2, 150, 75, 20) // 2**20
651
>>> check_memory(10 * 2**30, "8G", "simulate(reps=500)")
Traceback (most recent call last):
...
sidepay.errors.InputError: max_memory= is 8.0 GiB, below the 10.0 GiB that simulate(reps=500) needs (estimated); raise the limit or run fewer replications or small states
"""

from __future__ import annotations

import os
import re

from sidepay.errors import bad_param

__all__ = [
    "CONCAT_BYTES_PER_ROW",
    "FRAME_BYTES_PER_ROW",
    "MAX_GRID_POINTS",
    "MAX_PERIODS",
    "MAX_REPS",
    "SIMULATE_BYTES_PER_ROW",
    "WRITE_BYTES_PER_ROW",
    "check_memory",
    "chunked_simulate_bytes",
    "default_limit",
    "format_bytes",
    "history_bytes",
    "parse_memory",
    "simulate_bytes",
    "write_bytes",
]

#: The most replications one run (or one grid point) accepts; runs are also bounded by memory.
MAX_REPS = 1_000_000
#: The longest history a run accepts, and the longest burn-in.
MAX_PERIODS = 10_000
#: The most parameter points a sweep grid may have.
MAX_GRID_POINTS = 1_000_000
#: Peak bytes of ``simulate`` per panel row (measured: 812-818 at 150 and 3,000 states).
SIMULATE_BYTES_PER_ROW = 820
#: Bytes per row of the panel and event frames ``simulate`` returns (measured: 279).
FRAME_BYTES_PER_ROW = 280
#: Peak bytes per row of concatenating the chunks' frames (measured: 452 at 11.25 M rows).
CONCAT_BYTES_PER_ROW = 460
#: Peak bytes per row of the chunk ``write_simulation`` holds (frames, then Arrow tables).
WRITE_BYTES_PER_ROW = 1_200
#: The interpreter, numpy, pandas, numba and the compiled kernel.
_BASE_BYTES = 300 * 2**20
_UNITS = {"": 1, "B": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_memory(value: object, name: str = "max_memory") -> int:
    """Bytes from an int or a size with a binary unit (``"8G"``, ``"512M"``, ``"1.5G"``).

    Examples
    --------
    >>> parse_memory("1.5G") == 3 * 2**29
    True
    >>> parse_memory("lots")
    Traceback (most recent call last):
    ...
    sidepay.errors.InputError: max_memory= must be a size such as 8G, 512M or a number of bytes; got 'lots'
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            raise bad_param(name, f"must be at least 1 byte; got {value}")
        return value
    text = str(value).strip().upper().removesuffix("IB").removesuffix("B")
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)", text) if text.isascii() else None
    if m is None or float(m.group(1)) <= 0:
        raise bad_param(
            name, f"must be a size such as 8G, 512M or a number of bytes; got {value!r}"
        )
    return int(float(m.group(1)) * _UNITS[m.group(2)])


def default_limit() -> int:
    """Half the machine's physical memory (the default ``max_memory``)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (OSError, ValueError):  # not POSIX: 8 GiB
        return 8 * 2**30


def format_bytes(n: float) -> str:
    """``10.0 GiB``, ``512.0 MiB``.

    Examples
    --------
    >>> format_bytes(3 * 2**29)
    '1.5 GiB'
    """
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} B"


def history_bytes(K: int, N: int, periods: int, reps: int, burn_in: int = 0) -> int:
    """Peak bytes of ``run_history`` (its record, state and statics, its epochs).

    Examples
    --------
    >>> history_bytes(2, 150, 75, 100) // 2**20
    360
    """
    record = (8 * K + 39) * N * periods * reps
    state = (8 * K * 3 + 8 * 10) * N * reps
    return _BASE_BYTES + record + state + 16 * K * (periods + burn_in)


def simulate_bytes(K: int, N: int, periods: int, reps: int, burn_in: int = 0) -> int:
    """Peak bytes of ``simulate`` (History, panel and event frames as they are built)."""
    rows = K * N * periods * reps
    return _BASE_BYTES + SIMULATE_BYTES_PER_ROW * rows + 16 * K * (periods + burn_in)


def chunked_simulate_bytes(
    K: int, N: int, periods: int, reps: int, chunk: int, burn_in: int = 0
) -> int:
    """Peak bytes of ``simulate`` built ``chunk`` replications at a time: the largest of
    a chunk being built beside the frames already made (the last full chunk, or the last
    partial one) and, with more than one chunk, their concatenation.

    Examples
    --------
    >>> chunked_simulate_bytes(2, 150, 75, 100, 44) // 2**20
    1338
    """
    per_rep = K * N * periods
    full, rest = divmod(reps, chunk)
    need = simulate_bytes(K, N, periods, chunk, burn_in)
    need += FRAME_BYTES_PER_ROW * per_rep * (full - 1) * chunk
    if rest:
        last = simulate_bytes(K, N, periods, rest, burn_in)
        need = max(need, last + FRAME_BYTES_PER_ROW * per_rep * full * chunk)
    if reps > chunk:
        need = max(need, _BASE_BYTES + CONCAT_BYTES_PER_ROW * per_rep * reps)
    return need


def write_bytes(K: int, N: int, periods: int, chunk_reps: int, burn_in: int = 0) -> int:
    """Peak bytes of ``write_simulation`` holding ``chunk_reps`` replications at a time."""
    rows = K * N * periods * chunk_reps
    return _BASE_BYTES + WRITE_BYTES_PER_ROW * rows + 16 * K * (periods + burn_in)


def check_memory(needed: int, max_memory: object, what: str, *, param: str = "max_memory") -> int:
    """Refuse (one line) if ``needed`` bytes exceed ``max_memory`` (None: the default).

    The error names ``param``: ``max_memory`` (the limit, which the caller can raise) or
    the size that is too large where the limit is not the caller's (``reps`` of
    ``sidepay run``). Returns the limit in bytes.

    Examples
    --------
    >>> check_memory(2**40, 2**30, "simulate(reps=9)", param="reps")
    Traceback (most recent call last):
    ...
    sidepay.errors.InputError: reps= is too large: simulate(reps=9) needs 1.0 TiB (estimated), above the memory limit of 1.0 GiB; run fewer replications
    """
    limit = default_limit() if max_memory is None else parse_memory(max_memory)
    if needed <= limit:
        return limit
    if param == "max_memory":
        raise bad_param(
            param,
            f"is {format_bytes(limit)}, below the {format_bytes(needed)} that {what} needs "
            "(estimated); raise the limit or run fewer replications or small states",
        )
    raise bad_param(
        param,
        f"is too large: {what} needs {format_bytes(needed)} (estimated), above the memory "
        f"limit of {format_bytes(limit)}; run fewer replications",
    )
