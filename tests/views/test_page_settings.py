"""Page settings read from a query string or a control's value."""

from __future__ import annotations

import pytest

from app.views.query import MAX_SMOOTH, choice, number_in, smoothing


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0.3", 0.3), (3, 3.0), ("-9", 0.0), ("99", 10.0), ("nan", 1.5), ("x", 1.5), (None, 1.5)],
)
def test_a_number_is_read_and_clipped_or_takes_its_default(raw, expected):
    assert number_in(raw, 1.5, 0.0, 10.0) == expected


def test_huge_numbers_are_clipped_and_non_numbers_refused():
    assert number_in(10**400, 0.0, -1.0, 1.0) == 0.0  # too large for a float: the default
    assert number_in("1e400", 0.0, -1.0, 1.0) == 1.0
    assert number_in(True, 0.5, 0.0, 1.0) == 0.5
    assert number_in([1], 0.5, 0.0, 1.0) == 0.5


def test_smoothing_is_an_ema_weight_below_one():
    assert smoothing(None) == 0.0
    assert smoothing(0.6) == 0.6
    assert smoothing(1) == MAX_SMOOTH < 1


def test_a_choice_is_one_of_the_allowed_values():
    assert choice("b", ("a", "b"), "a") == "b"
    assert choice("c", ("a", "b"), "a") == "a"
    assert choice(None, ("a", "b"), "a") == "a"
