"""What the statistics hand out: frozen dataclasses of floats and arrays."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.rules import format_number


@dataclass(frozen=True)
class Interval:
    """A point estimate with its confidence interval."""

    low: float
    high: float
    point: float

    def to_dict(self) -> dict[str, float]:
        """Return ``low``, ``high`` and ``point`` as plain floats (non-finite ones kept as they
        are: the HTTP API turns them into null)."""
        return {"low": self.low, "high": self.high, "point": self.point}


@dataclass(frozen=True, eq=False)
class Band:
    """Per-bucket (or per-τ) centre with the lower and upper edge of its band.

    The three arrays have one shape and are read-only. NaN marks a bucket without a value:
    no run reached it (centre), or it has nothing to spread over (the edges of one run's
    bucket, or of the ``none`` band).
    """

    centre: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def __post_init__(self) -> None:
        for name in ("centre", "low", "high"):
            array = np.array(getattr(self, name), dtype=np.float64)
            array.setflags(write=False)
            object.__setattr__(self, name, array)

    def to_dict(self) -> dict[str, list[Any]]:
        """Return ``centre``, ``low`` and ``high`` as lists of floats (NaN kept as float nan:
        the HTTP API turns it into null)."""
        return {name: getattr(self, name).tolist() for name in ("centre", "low", "high")}


def format_value(value: float) -> str:
    """Return one statistic as tables show it.

    Returns:
        ``format_number``'s text for a finite value, ``∞`` / ``−∞`` for an infinite one (an
        episodes-to-threshold that was never reached), and a dash for NaN (no value).
    """
    if math.isnan(value):
        return format_number(None)
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return format_number(float(value))


def format_interval(interval: Interval) -> str:
    """Return an interval as a results table shows it.

    Returns:
        ``"point [low, high]"`` with each number as ``format_value`` writes it, or only the
        point when the interval has no edges (fewer than two runs).
    """
    point = format_value(interval.point)
    if math.isnan(interval.low) and math.isnan(interval.high):
        return point
    return f"{point} [{format_value(interval.low)}, {format_value(interval.high)}]"
