"""Q-learning hyperparameters and the one validator every entry point uses.

Ranges (``HYPERPARAM_RANGES``):

=============  ==============  =======  ==========================================
field          allowed         default  meaning
=============  ==============  =======  ==========================================
alpha          0 < x <= 1      0.1      learning rate
gamma          0 <= x <= 1     0.99     discount factor
epsilon        0 <= x <= 1     1.0      exploration rate at the start
epsilon_decay  0 < x <= 1      0.999    epsilon is multiplied by this after each episode
epsilon_min    0 <= x <= 1     0.05     epsilon never decays below this (<= epsilon)
alpha_decay    0 < x <= 1      1.0      alpha is multiplied by this after each episode (1: none)
alpha_min      0 <= x <= 1     0.0      alpha never decays below this (<= alpha)
=============  ==============  =======  ==========================================

Numbers may come as numeric strings (a CLI argument, a form field); booleans, other strings,
NaN and infinities are refused. ``Hyperparams`` checks itself on construction, so an invalid
set cannot exist, however it was built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from functools import partial
from typing import Any

from .errors import ErrorList, ValidationError
from .numbers import to_number


@dataclass(frozen=True)
class Range:
    """An interval of allowed values; ``low_open``/``high_open`` exclude an end."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def contains(self, x: float) -> bool:
        """Return whether ``x`` lies in the interval."""
        above = x > self.low if self.low_open else x >= self.low
        below = x < self.high if self.high_open else x <= self.high
        return above and below

    def __str__(self) -> str:
        left = "<" if self.low_open else "<="
        right = "<" if self.high_open else "<="
        return f"{self.low:g} {left} x {right} {self.high:g}"


HYPERPARAM_RANGES: dict[str, Range] = {
    "alpha": Range(0.0, 1.0, low_open=True),
    "gamma": Range(0.0, 1.0),
    "epsilon": Range(0.0, 1.0),
    "epsilon_decay": Range(0.0, 1.0, low_open=True),
    "epsilon_min": Range(0.0, 1.0),
    "alpha_decay": Range(0.0, 1.0, low_open=True),
    "alpha_min": Range(0.0, 1.0),
}
"""The allowed interval of every hyperparameter (see the module docstring for meanings)."""

HYPERPARAM_MEANINGS: dict[str, str] = {
    "alpha": "learning rate",
    "gamma": "discount factor",
    "epsilon": "exploration rate at the start",
    "epsilon_decay": "epsilon is multiplied by this after each episode",
    "epsilon_min": "epsilon never decays below this (<= epsilon)",
    "alpha_decay": "alpha is multiplied by this after each episode (1: none)",
    "alpha_min": "alpha never decays below this (<= alpha)",
}
"""What each hyperparameter does, in words (the command line's help)."""

FLOORS = (("epsilon_min", "epsilon"), ("alpha_min", "alpha"))
"""(floor, value) pairs where the floor may not exceed the value it bounds."""


@dataclass(frozen=True)
class Hyperparams:
    """The knobs of tabular Q-learning (see the module docstring for ranges).

    Raises:
        ValidationError: on construction, when a field is not a finite number in its range
            or a floor (``epsilon_min``, ``alpha_min``) exceeds its value.
    """

    alpha: float = 0.1
    gamma: float = 0.99
    epsilon: float = 1.0
    epsilon_decay: float = 0.999
    epsilon_min: float = 0.05
    alpha_decay: float = 1.0
    alpha_min: float = 0.0

    def __post_init__(self) -> None:
        errors = ErrorList()
        for name in HYPERPARAM_NAMES:
            value = getattr(self, name)
            object.__setattr__(self, name, errors.check(partial(_checked, name, value), value))
        errors.raise_any()
        for floor, ceiling in FLOORS:
            low, high = getattr(self, floor), getattr(self, ceiling)
            if low > high:
                raise ValidationError(
                    floor, low, f"greater than {ceiling}={high!r}", f"0 <= {floor} <= {ceiling}"
                )

    def updated(self, changes: Mapping[str, Any]) -> Hyperparams:
        """Return these hyperparameters with ``changes`` applied, validated as a whole.

        Args:
            changes: field name to new value (numbers or numeric strings).

        Returns:
            The new hyperparameters.

        Raises:
            ValidationError: a change is unknown or out of range.
        """
        return validate_hyperparams(changes, base=self)

    def to_dict(self) -> dict[str, float]:
        """Return the fields as a plain, JSON-safe dict of floats.

        Returns:
            Field name to value.
        """
        return asdict(self)


HYPERPARAM_NAMES = tuple(f.name for f in fields(Hyperparams))
"""The field names, in declaration order."""


def _checked(name: str, value: object) -> float:
    """Return ``value`` as a float within ``name``'s range, or raise ValidationError.

    Args:
        name: the hyperparameter.
        value: what to check.

    Returns:
        The value as a float.
    """
    allowed = str(HYPERPARAM_RANGES[name])
    number = to_number(name, value, allowed)
    if not HYPERPARAM_RANGES[name].contains(number):
        raise ValidationError(name, value, "out of range", allowed)
    return number


def validate_hyperparams(
    mapping: Mapping[str, Any], base: Hyperparams | None = None
) -> Hyperparams:
    """Check a (partial) mapping of hyperparameters and return the complete set.

    Args:
        mapping: field name to value; fields not given keep their value in ``base``.
        base: the values to start from (the defaults when None).

    Returns:
        The validated hyperparameters.

    Raises:
        ValidationError: an unknown field (the message lists the known ones), a value that
            is not a finite number (bools and non-numeric strings included), a value out of
            its range, or ``epsilon_min > epsilon`` / ``alpha_min > alpha``; every bad field
            at once (``ValidationErrors``) when there are several.
    """
    if not isinstance(mapping, Mapping):
        raise ValidationError("hyperparams", mapping, "not a mapping", "an object of fields")
    values: dict[str, float] = {}
    errors = ErrorList()
    for name, value in mapping.items():
        if name not in HYPERPARAM_RANGES:
            known = ", ".join(HYPERPARAM_NAMES)
            errors.add(ValidationError(str(name), value, "unknown hyperparameter", known))
        else:
            values[name] = errors.check(partial(_checked, name, value), 0.0)
    errors.raise_any()
    return replace(base or Hyperparams(), **values)
