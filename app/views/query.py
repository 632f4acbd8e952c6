"""Page settings read from text: a query string's values and the controls' values."""

from __future__ import annotations

from collections.abc import Collection

MAX_SMOOTH = 0.99
"""Strongest EMA smoothing a page takes (a weight of 1 would draw a flat line)."""


def number_in(raw: object, default: float, low: float, high: float) -> float:
    """Return ``raw`` as a float within [low, high].

    Returns:
        The number, clipped to the bounds; ``default`` when ``raw`` is not a number (or NaN).
    """
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return default
    try:
        value = float(raw)
    except (ValueError, OverflowError):
        return default
    return min(high, max(low, value)) if value == value else default


def choice(raw: object, allowed: Collection[str], default: str) -> str:
    """Return ``raw`` as text when it is one of ``allowed``, else ``default``."""
    text = str(raw) if raw is not None else default
    return text if text in allowed else default


def smoothing(raw: object) -> float:
    """Return a smoothing control's value as an EMA weight, 0 (also for no value) to
    ``MAX_SMOOTH``."""
    return number_in(raw, 0.0, 0.0, MAX_SMOOTH)
