"""The one error type every gridworld validator raises."""

from __future__ import annotations


class ValidationError(ValueError):
    """A value that gridworld refuses, with what was wrong and what is allowed.

    Every entry point (CLI, HTTP, Dash form) shows ``str(error)`` as it is, so the same bad
    value gives the same message everywhere: a number typed as text (``--alpha 2`` on the
    command line, ``2`` in a form) reads ``alpha=2`` as the JSON number 2 does.

    Attributes:
        field: the name of the offending field (``"alpha"``, ``"desc"``, ``"env_id"``...).
        value: the value that was given.
        allowed: what the field accepts, in words.
    """

    def __init__(self, field: str, value: object, reason: str, allowed: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        self.allowed = allowed
        super().__init__(f"{field}={_shown(value)} is invalid: {reason}; allowed: {allowed}")


def _shown(value: object) -> str:
    """Return ``value`` as the message shows it: numeric text bare, anything else as repr."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return repr(value)
        if value.strip() == value and value.lower() not in ("nan", "inf", "-inf", "infinity"):
            return value
    return repr(value)


class MapError(ValidationError):
    """A text map that does not describe a playable grid; the message names the row/column."""

    def __init__(self, desc: object, reason: str) -> None:
        super().__init__(
            "desc",
            desc,
            reason,
            "equal-length rows of S (one start), G (goals), . (floor), # (wall), T (trap),"
            " with every goal reachable from S",
        )
