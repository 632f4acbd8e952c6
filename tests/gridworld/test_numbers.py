"""The one whole-number parser every entry point uses."""

from __future__ import annotations

import pytest

from gridworld.errors import ValidationError
from gridworld.numbers import parse_int


@pytest.mark.parametrize(
    ("value", "expected"),
    [(7, 7), (7.0, 7), ("7", 7), (" 42 ", 42), ("+3", 3), ("-0", 0), ("0010", 10)],
)
def test_whole_numbers_are_read(value, expected):
    assert parse_int("episodes", value, -5, 100) == expected


@pytest.mark.parametrize(
    "value",
    ["1_000", "١٠٠", "1e3", "1.0", "", " ", "0x10", "seven", 2.5, float("nan"), True, None, [1]],
)
def test_other_values_are_not_whole_numbers(value):
    with pytest.raises(ValidationError) as caught:
        parse_int("episodes", value, 0, 10**6)
    assert caught.value.field == "episodes"
    assert "not a whole number" in str(caught.value)
    assert "allowed: an integer from 0 to 1000000" in str(caught.value)


@pytest.mark.parametrize("value", [0, -1, 101, 10**30, "9" * 25, "-5"])
def test_numbers_outside_the_range_are_refused(value):
    with pytest.raises(ValidationError, match="out of range; allowed: an integer from 1 to 100"):
        parse_int("seed", value, 1, 100)


def test_overlong_digit_text_is_refused_before_conversion():
    with pytest.raises(ValidationError, match="not a whole number"):
        parse_int("run_id", "1" * 5000, 1, 10)
