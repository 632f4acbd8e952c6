"""A Q-table's row statistics in compiled code, as the Python agents compute them: a row's
``sum`` as Python's built-in ``sum`` adds floats (compensated from Python 3.12 on) and its
``max`` as ``max`` picks (the first of equal values).

Helpers take whole arrays and indices, never row views, and the step loop calls as few as it
can: every array handed to a compiled function costs a reference count in and out, which
costs more than the arithmetic of a step.
"""

from __future__ import annotations

import numpy as np
from numba import njit

COMPENSATED_SUM = sum([0.1] * 10) == 1.0
"""Whether this Python's built-in ``sum`` of floats is compensated (Neumaier, 3.12 on)."""


@njit
def _add(total: float, compensation: float, x: float) -> tuple[float, float]:
    """One term of Python's ``sum``: (total + x, the compensation so far)."""
    t = total + x
    if COMPENSATED_SUM:
        if abs(total) >= abs(x):
            compensation += (total - t) + x
        else:
            compensation += (x - t) + total
    return t, compensation


@njit
def _finish(total: float, compensation: float) -> float:
    """The end of Python's ``sum``: the compensation added, unless zero or not finite."""
    if compensation != 0.0 and np.isfinite(compensation):
        return total + compensation
    return total


@njit
def refresh_row(q: np.ndarray, row_sum: np.ndarray, row_max: np.ndarray, state: int) -> None:
    """Set the cached ``sum`` and ``max`` of row ``state`` (``max``: the first largest)."""
    total = compensation = 0.0
    best = q[state, 0]
    for a in range(q.shape[1]):
        total, compensation = _add(total, compensation, q[state, a])
        if q[state, a] > best:
            best = q[state, a]
    row_sum[state] = _finish(total, compensation)
    row_max[state] = best


@njit
def table_stats(row_sum: np.ndarray, row_max: np.ndarray) -> tuple[float, float]:
    """(``sum(row_sums)``, ``max(row_maxima)``), as ``TabularAgent.table_stats`` takes them."""
    total = compensation = 0.0
    best = row_max[0]
    for s in range(row_sum.shape[0]):
        total, compensation = _add(total, compensation, row_sum[s])
        if row_max[s] > best:
            best = row_max[s]
    return _finish(total, compensation), best


@njit
def row_maximum(table: np.ndarray, state: int) -> float:
    """``max`` of row ``state`` (the first largest)."""
    best = table[state, 0]
    for a in range(table.shape[1]):
        if table[state, a] > best:
            best = table[state, a]
    return best
