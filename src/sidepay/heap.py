"""Keep freed memory in the process for reuse, where the C library allows it (glibc).

The simulator (``sidepay.sim.engine.run_history``, hence ``simulate``, sweeps and the
simulated-moments estimator) builds and frees the same few megabyte-sized arrays again
and again. glibc hands such blocks back to the kernel on ``free`` (``mmap`` above a
threshold, heap trimming above another), so every new array is fresh pages the kernel
must fault in and zero. ``run_history`` therefore calls :func:`retain_freed_memory`,
which raises both thresholds so that freed blocks stay in the heap and are reused. Two
recovery-size SMM fits: 0.85 M page faults and 2.4 s of system time on 5.3 s of user
time before, none after, 0.75x the wall time (``benchmarks/bench_smm.py``, ``heap``
lines). The process keeps its peak
memory until it exits instead of returning it (the peak itself does not grow). It changes
no number the program computes.

``tests/sim/test_heap.py`` counts the page faults of allocating and freeing one array
repeatedly in a fresh process, with and without it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

__all__ = ["retain_freed_memory"]

# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
_LIMIT = (1 << 31) - 1  # the largest value of mallopt's C int: 2 GiB
_TOP_PAD = 64 << 20


@functools.cache
def retain_freed_memory() -> bool:
    """Ask the C library to keep freed blocks up to 2 GiB for reuse (once per process).

    Returns True where it took effect (glibc), False elsewhere (nothing changed).
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS): leave the allocator alone
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return all(
        mallopt(param, value) == 1
        for param, value in (
            (_M_MMAP_THRESHOLD, _LIMIT),
            (_M_TRIM_THRESHOLD, _LIMIT),
            (_M_TOP_PAD, _TOP_PAD),
        )
    )
