"""The one place user-supplied numbers are parsed: floats for hyperparameters and configs,
whole numbers for counts, seeds and ids.

Text comes from CLI arguments, form fields, query strings and URL paths; JSON gives numbers.
Both go through these two functions, so the same value is accepted or refused (with the same
message) whichever door it came in by.
"""

from __future__ import annotations

import math
import re

from .errors import ValidationError

_WHOLE_TEXT = re.compile(r"[+-]?[0-9]+")
"""A whole number written as text: ASCII digits with an optional sign, nothing else."""
_NUMBER_TEXT = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|nan|inf|infinity)",
    re.IGNORECASE,
)
"""A number written as text: ASCII digits, a point, an exponent (or NaN/infinity, which
``to_number`` then refuses as not finite); ``float()`` would also take ``1_0`` and other
scripts' digits."""
_MAX_DIGITS = 30
"""Longer digit strings are refused before conversion (int() of huge text is slow)."""


def to_number(field: str, value: object, allowed: str) -> float:
    """Return ``value`` as a finite float, or raise ValidationError naming ``field``.

    Args:
        field: the field's name, for the message.
        value: an int, a float or a number written in ASCII (``"0.5"``, ``" 5e-1"``).
        allowed: what the field accepts, for the message.

    Returns:
        The value as a float.

    Raises:
        ValidationError: a bool, a non-numeric value, NaN or an infinity.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValidationError(field, value, "not a number", allowed)
    if isinstance(value, str) and not _NUMBER_TEXT.fullmatch(value.strip()):
        raise ValidationError(field, value, "not a number", allowed)
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise ValidationError(field, value, "not a number", allowed) from None
    if not math.isfinite(number):
        raise ValidationError(field, value, "not a finite number", allowed)
    return number


def whole_allowed(low: int, high: int) -> str:
    """Return what ``parse_int(field, value, low, high)`` accepts, in the words of its
    messages (``an integer from 1 to 10``)."""
    return f"an integer from {low} to {high}"


def parse_int(field: str, value: object, low: int, high: int) -> int:
    """Return ``value`` as an int within [low, high], or raise ValidationError naming ``field``.

    Accepted: an int (not a bool), a float with no fractional part, or text of ASCII digits
    with an optional sign and surrounding spaces (``" 42"``). Refused: ``"1_000"``, ``"1e3"``,
    non-ASCII digits, bools, fractions and anything else.

    Args:
        field: the field's name, for the message.
        value: the number or text to parse.
        low: the smallest allowed value.
        high: the largest allowed value.

    Returns:
        The whole number.

    Raises:
        ValidationError: not a whole number, or outside ``low``..``high``.
    """
    allowed = whole_allowed(low, high)
    number: int
    if isinstance(value, bool):
        raise ValidationError(field, value, "not a whole number", allowed)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise ValidationError(field, value, "not a whole number", allowed)
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not _WHOLE_TEXT.fullmatch(text) or len(text) > _MAX_DIGITS:
            raise ValidationError(field, value, "not a whole number", allowed)
        number = int(text)
    else:
        raise ValidationError(field, value, "not a whole number", allowed)
    if not low <= number <= high:
        raise ValidationError(field, value, "out of range", allowed)
    return number
