"""Intervals as tables show them: finite numbers as everywhere, never-reached as ∞."""

from __future__ import annotations

import dataclasses
import math

import pytest

from app.stats import Interval, format_interval, format_value


def test_an_interval_shows_its_point_and_edges():
    assert format_interval(Interval(0.12345, 0.5, 0.25)) == "0.25 [0.1235, 0.5]"
    assert Interval(1.0, 2.0, 1.5).to_dict() == {"low": 1.0, "high": 2.0, "point": 1.5}


def test_never_reached_shows_as_infinity_and_no_value_as_a_dash():
    assert format_interval(Interval(120.0, math.inf, 150.0)) == "150 [120, ∞]"
    assert format_value(-math.inf) == "−∞"
    assert format_interval(Interval(math.nan, math.nan, 4.0)) == "4"
    assert format_interval(Interval(math.nan, math.nan, math.nan)) == "–"


def test_an_interval_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Interval(1.0, 2.0, 1.5).low = 0.0  # type: ignore[misc]
