"""A run's pace: how many episodes per second it may play, or full speed.

The pace does not change what a run learns (a paced run plays the same episodes as an
unpaced one with the same seed); it only spreads them out in time so that a person can
watch. It lives beside the hyperparameters, never among them: ``validate_pace`` is the one
check every entry point (CLI ``--pace`` and ``pace``, HTTP, the pages) calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ValidationError
from .hyperparams import Range
from .numbers import to_number

PACE = "pace"
"""The name of a pace: the run spec's field, and the parameter its changes are recorded as."""
FULL_SPEED = "full"
"""The stored and typed word for no pace (the spec's ``pace=None``)."""
PACE_RANGE = Range(0.0, 100_000.0, low_open=True)
"""Episodes per second a pace may ask for."""
PACE_ALLOWED = f"episodes per second, {PACE_RANGE}, or {FULL_SPEED!r} for full speed"
"""What a pace accepts, in the words of its messages."""


def validate_pace(value: object, field: str = PACE) -> float | None:
    """Return a pace as episodes per second, or None for full speed.

    Args:
        value: a number or numeric text in ``PACE_RANGE``; ``"full"``, None or empty text
            for full speed.
        field: the name the message gives the value.

    Returns:
        The pace as a float, or None (full speed).

    Raises:
        ValidationError: not a number or ``"full"``, or out of ``PACE_RANGE``.
    """
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", FULL_SPEED)):
        return None
    number = to_number(field, value, PACE_ALLOWED)
    if not PACE_RANGE.contains(number):
        raise ValidationError(field, value, "out of range", PACE_ALLOWED)
    return number


def current_pace(params: Mapping[str, Any], initial: float | None) -> float | None:
    """Return the pace a run trains at now: the latest applied pace change its current
    parameters record, else ``initial`` (its spec's).

    Raises:
        ValidationError: the recorded pace is not a pace.
    """
    return validate_pace(params.get(PACE, initial))


def stored_pace(pace: float | None) -> float | str:
    """Return a pace as a parameter change records it: the number, or ``"full"``."""
    return FULL_SPEED if pace is None else pace


def pace_text(pace: float | None) -> str:
    """Return a pace in words: ``50 episodes/s`` or ``full speed``."""
    return "full speed" if pace is None else f"{pace:g} episodes/s"
