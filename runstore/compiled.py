"""Compiled helpers of the write path: a column's byte planes with their entropies, its
distinct values and an integer column's range (``blocks``), and a batch's block aggregates
(``levels``), each in one pass over the values.

They do what a few numpy operations (and ``math.fsum``) would, without numpy's cost per
call, which on columns of a thousand values is most of it, and without the GIL, so that a
writer thread's work runs beside the training thread's. Their callers import this module on
a process's first write, not with the store: a process that only reads (the dashboard, the
CLI's listings) never loads numba. Compiled code is cached on disk where numba finds a
writable folder (``__pycache__`` beside this file, or ``NUMBA_CACHE_DIR``); elsewhere each
process compiles it again, which a warning says.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit

log = logging.getLogger(__name__)


def _compiled(function: Callable[..., Any]) -> Any:
    """Return ``function`` compiled without the GIL, cached on disk where that is possible."""
    try:
        return njit(cache=True, nogil=True)(function)
    except RuntimeError as exc:  # numba found no writable cache folder
        log.warning("compiling the block encoder without a cache: %s", exc)
        return njit(nogil=True)(function)


@_compiled
def split_planes(data: np.ndarray, itemsize: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """Return the byte planes of packed values, each plane's entropy, and whether every value
    is the same.

    Args:
        data: the values' bytes end to end (a uint8 array, ``itemsize`` bytes per value).
        itemsize: bytes per value.

    Returns:
        (planes, bits, same): a C-contiguous uint8 array of one row per byte position
        (every value's first byte, then every second byte, ...), float64 bits of
        information per byte of each row (its entropy, 0 to 8), and whether every value has
        the same bytes (True for no values).
    """
    count = data.size // itemsize
    planes = np.empty((itemsize, count), np.uint8)
    counts = np.zeros((itemsize, 256), np.int64)
    for i in range(count):
        for plane in range(itemsize):
            byte = data[i * itemsize + plane]
            planes[plane, i] = byte
            counts[plane, byte] += 1
    bits = np.zeros(itemsize)
    same = True
    for plane in range(itemsize):
        same = same and (count == 0 or counts[plane, planes[plane, 0]] == count)
        for byte in range(256):
            if counts[plane, byte]:
                share = counts[plane, byte] / count
                bits[plane] -= share * math.log2(share)
    return planes, bits, same


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SHIFT, _ONE, _SLOTS = np.uint64(56), np.uint64(1), np.uint64(255)


@_compiled
def palette(words: np.ndarray, most: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct values of a uint64 array (floats' bits: -0.0 is not 0.0) in the
    order they first appear, and each value's index among them.

    Args:
        words: the values.
        most: the most distinct values wanted, at most 128.

    Returns:
        (distinct values, uint8 indexes), or two empty arrays once more than ``most``
        distinct values are found (the scan stops there).
    """
    keys = np.empty(256, np.uint64)  # open addressing, at most half full
    slots = np.full(256, -1, np.int64)
    found = np.empty(most, np.uint64)
    indexes = np.empty(words.size, np.uint8)
    n = 0
    for i in range(words.size):
        word = words[i]
        h = (word * _GOLDEN) >> _SHIFT
        while slots[h] >= 0 and keys[h] != word:
            h = (h + _ONE) & _SLOTS
        if slots[h] < 0:
            if n == most:
                return found[:0], indexes[:0]
            keys[h], slots[h], found[n] = word, n, word
            n += 1
        indexes[i] = slots[h]
    return found[:n], indexes


@_compiled
def int_range(values: np.ndarray) -> tuple[int, int]:
    """Return the least and the greatest value of a non-empty int64 array."""
    low = high = values[0]
    for value in values:
        if value < low:
            low = value
        elif value > high:
            high = value
    return low, high


@_compiled
def block_aggregates(
    values: np.ndarray, starts: np.ndarray, exact: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return each block's sum, minimum and maximum of each column.

    Args:
        values: one row per episode, one column per metric (float64, finite).
        starts: where each block begins among the rows (the first at 0, increasing).
        exact: sums exactly rounded (as ``math.fsum`` sums), else added first to last
            from 0.0 (as SQL's ``SUM`` adds rows).

    Returns:
        (sums, lows, highs), each blocks x metrics. A sum is infinite or NaN only where the
        exact sum overflowed on the way (``math.fsum`` raises there).
    """
    rows, metrics = values.shape
    blocks = starts.size
    sums = np.empty((blocks, metrics))
    lows = np.empty((blocks, metrics))
    highs = np.empty((blocks, metrics))
    partials = np.empty(rows + 1)
    for block in range(blocks):
        begin = starts[block]
        end = starts[block + 1] if block + 1 < blocks else rows
        for metric in range(metrics):
            low = high = values[begin, metric]
            total = 0.0
            for row in range(begin, end):
                value = values[row, metric]
                low = min(low, value)
                high = max(high, value)
                if not exact:
                    total += value
            if exact:
                total = _exact_sum(values[begin:end, metric], partials)
            sums[block, metric], lows[block, metric], highs[block, metric] = total, low, high
    return sums, lows, highs


@_compiled
def _exact_sum(values: np.ndarray, partials: np.ndarray) -> float:
    """Return the exactly rounded sum of finite values, step for step as CPython's
    ``math.fsum`` works it out (Shewchuk's non-overlapping partials, then rounding half to
    even across them); ``partials`` has room for one more value than ``values`` holds.
    Infinite or NaN where an intermediate sum overflows."""
    count = 0
    for value in values:
        x = value
        kept = 0
        for k in range(count):
            y = partials[k]
            if abs(x) < abs(y):
                x, y = y, x
            hi = x + y
            lo = y - (hi - x)
            if lo != 0.0:
                partials[kept] = lo
                kept += 1
            x = hi
        count = kept
        if x != 0.0:
            if not math.isfinite(x):
                return x
            partials[count] = x
            count += 1
    if count == 0:
        return 0.0
    count -= 1
    hi = partials[count]
    lo = 0.0
    while count > 0:
        x = hi
        count -= 1
        y = partials[count]
        hi = x + y
        lo = y - (hi - x)
        if lo != 0.0:
            break
    below = partials[count - 1] if count > 0 else 0.0
    if (lo < 0.0 and below < 0.0) or (lo > 0.0 and below > 0.0):
        y = lo * 2.0
        x = hi + y
        if y == x - hi:
            hi = x
    return hi


@functools.cache
def warm() -> None:
    """Compile every helper for the argument types the write path passes, or load it from the
    cache, once per process; return nothing.

    The store calls it before it takes a write lock: a first compile takes seconds, and
    inside the transaction it held the lock that long, so a heartbeat waiting on the lock
    let the writer's own lease lapse (its run read crashed, free to be taken over).
    """
    floats = np.zeros((1, 1))
    palette(floats[0].view(np.uint64), 1)
    split_planes(floats[0].view(np.uint8), floats.itemsize)
    int_range(np.zeros(1, np.int64))
    block_aggregates(floats, np.zeros(1, np.int64), True)
