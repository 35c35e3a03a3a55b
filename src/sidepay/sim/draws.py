"""The engine's random numbers: counter-based draws, a pure function of (key, period, client, slot).

Every random number of the maintenance dynamics is computed, not streamed: draw number
``c`` of a replication with key ``key`` is ``mix64(key + (c + 1) * GAMMA)``, the output of
SplitMix64 (Steele, Lea & Flood 2014; the generator Java's ``SplittableRandom`` uses)
at position ``c`` of the stream seeded with ``key``. The counter of a dyad's draw is

    c = ((t * N + n) * S + slot),   S = 2 K + 2,

for period ``t`` (burn-in periods included, counted from 0), client ``n`` of the world's
``N`` small states, and ``slot`` ``g`` (drift normal of great power ``g``), ``K`` (the
uniform of regime and leader change), ``K + 1`` (the uniform of formation offers) or
``K + 2 + g`` (the jump normal of great power ``g``, used only when a regime or leader
changes). Normals use numpy's own ziggurat (its 256-layer tables, as numba ships them) on
that 64-bit word; the rare rejections continue from a local SplitMix64 stream seeded
with the word. Uniforms are ``(word >> 11) * 2**-53``, as numpy's ``random()``.

So the compiled kernel draws inline, without arrays or calls through a bit generator
(``sidepay.sim.kernel``); the numpy ``step`` and the per-dyad oracle get the very same
numbers from :func:`fill_shocks` (tested bit for bit), and a client's numbers do not
depend on which other clients are simulated with it, nor on how replications are split.
The replication's key comes from ``SeedSequence([seed, rep], spawn_key=(0,))``
(:func:`rep_key`), a child of the stream that draws the replication's small states.

Examples
--------
>>> key = rep_key(1, 0)
>>> u = np.empty((1, 3)); e = np.empty((1, 2, 3)); j = np.empty((1, 2, 3)); o = np.empty((1, 3))
>>> fill_shocks(np.array([key]), 5, 0, 3, e, j, u, o)
>>> bool(uniform(key, counter(5, 1, 3, 2, 2)) == u[0, 1])
True
>>> bool(normal(key, counter(5, 2, 3, 2, 1)) == e[0, 1, 2])
True
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numba.np.random import _constants as _zig
from numpy.typing import NDArray

__all__ = ["GAMMA", "counter", "fill_shocks", "mix64", "normal", "rep_key", "uniform"]

_U = np.uint64
#: SplitMix64's increment (the golden ratio in 64 bits) and its two multipliers.
GAMMA = _U(0x9E3779B97F4A7C15)
_M1 = _U(0xBF58476D1CE4E5B9)
_M2 = _U(0x94D049BB133111EB)
_S30, _S27, _S31, _S11, _S8, _S1 = _U(30), _U(27), _U(31), _U(11), _U(8), _U(1)
_ONE = _U(1)
_BYTE = _U(0xFF)
_MANT = _U(0x000FFFFFFFFFFFFF)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
# (words below 2**53 are converted to float through int64: exact, and one instruction)
# numpy's ziggurat tables for doubles (numba's copy of numpy's ziggurat_constants.h)
_KI = np.asarray(_zig.ki_double, dtype=np.uint64)
_WI = np.asarray(_zig.wi_double, dtype=np.float64)
_FI = np.asarray(_zig.fi_double, dtype=np.float64)
_NOR_R = float(_zig.ziggurat_nor_r)
_NOR_INV_R = float(_zig.ziggurat_nor_inv_r)
_SIGN = np.array([1.0, -1.0])


def rep_key(seed: int, rep: int) -> np.uint64:
    """The 64-bit key of replication ``rep``'s dynamics: depends only on (seed, rep).

    Examples
    --------
    >>> bool(rep_key(1, 3) == rep_key(1, 3)), bool(rep_key(1, 3) == rep_key(1, 4))
    (True, False)
    """
    seq = np.random.SeedSequence([seed, rep], spawn_key=(0,))
    return _U(seq.generate_state(1, np.uint64)[0])


@njit(cache=True, inline="always")
def counter(t: int, n: int, N: int, K: int, slot: int) -> np.uint64:
    """The counter of draw ``slot`` of client ``n`` (of ``N``) in period ``t``."""
    return _U(((t * N + n) * (2 * K + 2)) + slot)


@njit(cache=True, inline="always")
def mix64(z: np.uint64) -> np.uint64:
    """SplitMix64's finaliser (Stafford's variant 13)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def _word(key: np.uint64, c: np.uint64) -> np.uint64:
    # (both cast: a Python int would make numba mix uint64 and int64 into float64)
    return mix64(_U(key) + (_U(c) + _ONE) * GAMMA)


@njit(cache=True, inline="always")
def uniform(key: np.uint64, c: np.uint64) -> float:
    """Uniform on [0, 1) from draw ``c`` (53 bits, as numpy's ``random()``)."""
    return float(np.int64(_word(key, c) >> _S11)) * _TO_UNIT


@njit(cache=True)
def _normal_tail(r: np.uint64, rabs: np.uint64, idx: int, x: float) -> float:
    """numpy's ziggurat after a rejected fast path, continuing from the word ``r``."""
    s = r
    while True:
        if idx == 0:
            while True:
                s = s + GAMMA
                u1 = float(np.int64(mix64(s) >> _S11)) * _TO_UNIT
                s = s + GAMMA
                u2 = float(np.int64(mix64(s) >> _S11)) * _TO_UNIT
                xx = -_NOR_INV_R * math.log1p(-u1)
                yy = -math.log1p(-u2)
                if yy + yy > xx * xx:
                    return -(_NOR_R + xx) if (rabs >> _S8) & _ONE else _NOR_R + xx
        s = s + GAMMA
        u = float(np.int64(mix64(s) >> _S11)) * _TO_UNIT
        if (_FI[idx - 1] - _FI[idx]) * u + _FI[idx] < math.exp(-0.5 * x * x):
            return x
        # a fresh word, as numpy's loop draws one
        s = s + GAMMA
        r = mix64(s)
        idx = int(r & _BYTE)
        r = r >> _S8
        sign = r & _ONE
        rabs = (r >> _S1) & _MANT
        x = float(np.int64(rabs)) * _WI[idx]
        if sign:
            x = -x
        if rabs < _KI[idx]:
            return x


@njit(cache=True, inline="always")
def normal(key: np.uint64, c: np.uint64) -> float:
    """Standard normal from draw ``c``: numpy's ziggurat on the draw's 64-bit word."""
    r = _word(key, c)
    idx = int(r & _BYTE)
    w = r >> _S8
    rabs = (w >> _S1) & _MANT
    # the sign without a branch (half of them would be mispredicted): -x is x * -1.0
    x = float(np.int64(rabs)) * _WI[idx] * _SIGN[int(w & _ONE)]
    if rabs < _KI[idx]:  # 99.3% of draws
        return x
    return _normal_tail(r, rabs, idx, x)


@njit(cache=True)
def fill_shocks(
    keys: NDArray[np.uint64],
    t: int,
    n_off: int,
    N: int,
    e_drift: NDArray[np.float64],
    e_jump: NDArray[np.float64],
    u_change: NDArray[np.float64],
    u_offer: NDArray[np.float64],
) -> None:
    """Period ``t``'s draws for replications with ``keys`` and clients ``n_off ..`` (of
    ``N``): ``e_drift``, ``e_jump`` (R, K, n) and ``u_change``, ``u_offer`` (R, n), every
    jump normal included (``Shocks`` with ``e_jump``): the numbers the kernel draws."""
    R, K, n_cols = e_drift.shape
    for r in range(R):
        key = keys[r]
        for j in range(n_cols):
            n = n_off + j
            for g in range(K):
                e_drift[r, g, j] = normal(key, counter(t, n, N, K, g))
                e_jump[r, g, j] = normal(key, counter(t, n, N, K, K + 2 + g))
            u_change[r, j] = uniform(key, counter(t, n, N, K, K))
            u_offer[r, j] = uniform(key, counter(t, n, N, K, K + 1))
