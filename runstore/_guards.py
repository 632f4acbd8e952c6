"""The store's own argument guards: a caller passed a wrong type or an out-of-range number.

These check values the caller has already parsed (user text is parsed in gridworld and app);
they raise InvalidQuery or answer a yes/no, and never convert.
"""

from __future__ import annotations

import math
from typing import TypeGuard

from .errors import InvalidQuery


def check_int(
    field: str, value: object, low: int, high: int | None, allowed: str | None = None
) -> int:
    """Return ``value`` if it is an int (not a bool) within [low, high].

    Args:
        field: the argument's name, for the message.
        value: what the caller passed.
        low: the smallest value allowed.
        high: the largest value allowed (None: no upper bound).
        allowed: what the message says is allowed (default: the range).

    Returns:
        ``value``, unchanged.

    Raises:
        InvalidQuery: ``value`` is not such an int.
    """
    if allowed is None:
        allowed = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"
    if not is_int(value):
        raise InvalidQuery(field, value, allowed)
    if value < low or (high is not None and value > high):
        raise InvalidQuery(field, value, allowed)
    return value


def is_int(value: object) -> TypeGuard[int]:
    """Return whether ``value`` is an int and not a bool (which Python counts as one).

    A run id or an episode number must pass this before it reaches SQL: SQLite would match
    ``"1"`` or ``True`` to row 1.
    """
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[int | float]:
    """Return whether ``value`` is a finite int or float (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
