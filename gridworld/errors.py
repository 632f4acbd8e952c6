"""The one error type every gridworld validator raises, and how several are raised at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

Value = TypeVar("Value")


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


class ValidationErrors(ValidationError):
    """Several refused values of one request, reported together (one per bad field).

    Its own ``field``, ``value``, ``reason`` and ``allowed`` are the first error's, so a
    caller that shows one error still names a field; ``str()`` is every message, one per
    line.

    Attributes:
        errors: the refused values, in the request's field order.
    """

    def __init__(self, errors: Sequence[ValidationError]) -> None:
        self.errors = tuple(errors)
        first = self.errors[0]
        super().__init__(first.field, first.value, first.reason, first.allowed)
        self.args = ("\n".join(str(error) for error in self.errors),)


def each_error(error: ValidationError) -> tuple[ValidationError, ...]:
    """Return the single errors ``error`` holds: its ``errors``, or itself alone."""
    return error.errors if isinstance(error, ValidationErrors) else (error,)


class ErrorList:
    """Collects the errors of a request's fields, so that every bad field is reported at
    once instead of the first one only."""

    def __init__(self) -> None:
        self._errors: list[ValidationError] = []

    def add(self, error: ValidationError) -> None:
        """Keep ``error`` (each of its errors, when it holds several)."""
        self._errors.extend(each_error(error))

    def check(self, parse: Callable[[], Value], fallback: Value) -> Value:
        """Return what ``parse()`` returns; keep its ValidationError and return ``fallback``
        instead (it stands in for the value until ``raise_any`` refuses the request)."""
        try:
            return parse()
        except ValidationError as error:
            self.add(error)
            return fallback

    def __bool__(self) -> bool:
        return bool(self._errors)

    def raise_any(self) -> None:
        """Raise what was kept, if anything.

        Raises:
            ValidationError: the one error kept, or ``ValidationErrors`` of several.
        """
        if len(self._errors) == 1:
            raise self._errors[0]
        if self._errors:
            raise ValidationErrors(self._errors)
