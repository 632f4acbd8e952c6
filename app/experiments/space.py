"""A sweep's search space: per parameter a list of values or a range, checked by gridworld.

A space maps parameter names to either a list of values (``[0.05, 0.1, 0.2]``: a grid's
values, a categorical choice for random and TPE) or a range (``{"low": 0.01, "high": 1,
"scale": "log", "steps": 5}``). For ``grid`` a range needs ``steps`` and gives that many
values from ``low`` to ``high``, evenly spaced on a linear or log scale; for ``random`` and
``tpe`` it is a continuous distribution (uniform, or log-uniform with ``scale: log``) and
takes no ``steps``. The parameters are the hyperparameters (``HYPERPARAM_NAMES``) and the
run-spec fields in ``CHOICE_FIELDS`` the running gridlab has (``algorithm``: a list only).

Every value goes through gridworld's validators, so a bad one gets their message, naming the
field and the value (``alpha=0 is invalid: out of range; allowed: 0 < x <= 1``); the space's
own shape errors are ``ValidationError`` too, naming the parameter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from gridworld.errors import ValidationError
from gridworld.hyperparams import FLOORS, HYPERPARAM_NAMES, Hyperparams, validate_hyperparams
from gridworld.numbers import parse_int
from gridworld.spec import SPEC_FIELDS, RunSpec, validate_run_spec

METHODS = ("grid", "random", "tpe", "pbt")
"""The sweep methods a space is drawn by (``pbt`` draws each member's first setting as
``random`` does, and redraws from it when it explores)."""
CHOICE_FIELDS = tuple(name for name in ("algorithm",) if name in SPEC_FIELDS)
"""Run-spec fields (besides hyperparameters) a space may list values of."""
PARAMETERS = (*HYPERPARAM_NAMES, *CHOICE_FIELDS)
"""Every parameter a space may hold."""
SCALES = ("linear", "log")
RANGE_KEYS = ("low", "high", "steps", "scale")
MAX_VALUES = 100
"""The most values one list (or a grid range's ``steps``) may hold."""
SIGNIFICANT_DIGITS = 12
"""A grid range's values are rounded to this many significant digits (0.1, not
0.30000000000000004 - 0.2)."""
_UNBOUND = Hyperparams(alpha=1.0, epsilon=1.0, alpha_min=0.0, epsilon_min=0.0)
"""A base under which no floor binds, so a single value is checked against its own range."""


@dataclass(frozen=True)
class Choice:
    """A parameter taking one of listed values."""

    name: str
    values: tuple[Any, ...]

    def grid(self) -> tuple[Any, ...]:
        """Return the values a grid visits: the list."""
        return self.values

    def to_dict(self) -> list[Any]:
        """Return the stored form: the list of values."""
        return list(self.values)


@dataclass(frozen=True)
class Interval:
    """A parameter ranging from ``low`` to ``high`` (log-spaced with ``log``)."""

    name: str
    low: float
    high: float
    log: bool
    steps: int | None
    """How many values a grid takes from it (None for random and TPE)."""

    def grid(self) -> tuple[float, ...]:
        """Return the ``steps`` grid values from ``low`` to ``high``, both included."""
        spaced = np.geomspace if self.log else np.linspace
        values = spaced(self.low, self.high, self.steps or 1)
        return tuple(float(f"{value:.{SIGNIFICANT_DIGITS}g}") for value in values)

    def draw(self, rng: np.random.Generator) -> float:
        """Return a value drawn uniformly (on the log scale with ``log``) from the range."""
        if self.log:
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        return float(min(max(value, self.low), self.high))  # exp(log(x)) may miss x by a bit

    def to_dict(self) -> dict[str, Any]:
        """Return the stored form: ``low``, ``high``, ``scale`` (and ``steps`` for a grid)."""
        data: dict[str, Any] = {"low": self.low, "high": self.high}
        data["scale"] = "log" if self.log else "linear"
        if self.steps is not None:
            data["steps"] = self.steps
        return data


Parameter = Choice | Interval


@dataclass(frozen=True)
class Space:
    """A validated search space over a base run spec."""

    method: str
    parameters: tuple[Parameter, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Return the parameters' names, in the order they were given."""
        return tuple(parameter.name for parameter in self.parameters)

    def grid_size(self) -> int:
        """Return the number of combinations of the parameters' grid values."""
        return math.prod(len(parameter.grid()) for parameter in self.parameters)

    def combination(self, index: int) -> dict[str, Any]:
        """Return combination ``index`` (0 to ``grid_size() - 1``) of the grid values, in
        the order of ``itertools.product`` (the last parameter varies fastest)."""
        setting: dict[str, Any] = {}
        for parameter in reversed(self.parameters):
            values = parameter.grid()
            index, position = divmod(index, len(values))
            setting[parameter.name] = values[position]
        return {name: setting[name] for name in self.names}

    def draw(self, rng: np.random.Generator) -> dict[str, Any]:
        """Return one setting drawn from ``rng``: a uniform choice from each list, a uniform
        (or log-uniform) value from each range."""
        setting: dict[str, Any] = {}
        for parameter in self.parameters:
            if isinstance(parameter, Choice):
                setting[parameter.name] = parameter.values[int(rng.integers(len(parameter.values)))]
            else:
                setting[parameter.name] = parameter.draw(rng)
        return setting

    def to_dict(self) -> dict[str, Any]:
        """Return the space as stored with its experiment (``parse_space`` reads it back)."""
        return {parameter.name: parameter.to_dict() for parameter in self.parameters}


def apply_setting(spec: RunSpec, setting: Mapping[str, Any]) -> RunSpec:
    """Return ``spec`` with a setting's values (already validated by ``parse_space``).

    Returns:
        The spec with the hyperparameters changed through ``Hyperparams.updated`` and the
        other fields replaced.
    """
    hyperparams = {name: value for name, value in setting.items() if name in HYPERPARAM_NAMES}
    fields = {name: value for name, value in setting.items() if name not in HYPERPARAM_NAMES}
    return replace(spec, hyperparams=spec.hyperparams.updated(hyperparams), **fields)


def parse_space(raw: object, method: str, base: RunSpec) -> Space:
    """Check a search space for ``method`` over the run spec ``base``.

    Args:
        raw: parameter name to a list of values or a range mapping (see the module
            docstring); the stored form of a space reads back the same.
        method: one of ``METHODS``.
        base: the validated base spec (its other values bound the floors).

    Returns:
        The space, with every value converted by its validator.

    Raises:
        ValidationError: the space is not an object, is empty for random or TPE, names an
            unknown parameter, holds a bad value (the validator's message), a malformed
            list or range, or lets a floor exceed its value (``epsilon_min`` above
            ``epsilon``) anywhere in it.
    """
    allowed = f"an object of parameter to a list of values or a range, parameters: {_names()}"
    if not isinstance(raw, Mapping):
        raise ValidationError("space", raw, "not an object", allowed)
    if not raw and method != "grid":
        raise ValidationError("space", raw, f"empty (the {method} method draws from it)", allowed)
    parameters: list[Parameter] = []
    for name, given in raw.items():
        if name not in PARAMETERS:
            raise ValidationError(str(name), given, "unknown parameter", _names())
        if isinstance(given, Mapping):
            parameters.append(_interval(name, given, method))
        else:
            parameters.append(_choice(name, given, base))
    space = Space(method, tuple(parameters))
    _check_floors(space, base)
    return space


def _names() -> str:
    """Return the parameters a space may hold, for messages."""
    return ", ".join(PARAMETERS)


def _choice(name: str, given: object, base: RunSpec) -> Choice:
    """Return a list parameter, each value checked by its validator.

    Raises:
        ValidationError: not a list of 1 to ``MAX_VALUES`` distinct values, or a bad value.
    """
    allowed = f"a list of 1 to {MAX_VALUES} distinct values, or a range object {_range_help()}"
    if not isinstance(given, list | tuple) or not 1 <= len(given) <= MAX_VALUES:
        raise ValidationError(name, given, "not a list of values", allowed)
    values = tuple(_value(name, value, base) for value in given)
    if len(set(values)) != len(values):
        raise ValidationError(name, given, "holds a value twice", allowed)
    return Choice(name, values)


def _value(name: str, value: object, base: RunSpec) -> Any:
    """Return one value of parameter ``name`` as its validator converts it.

    Raises:
        ValidationError: the validator's, naming the field and the value.
    """
    if name in HYPERPARAM_NAMES:
        return getattr(validate_hyperparams({name: value}, base=_UNBOUND), name)
    return getattr(validate_run_spec({**base.to_dict(), name: value}), name)


def _range_help() -> str:
    """Return the keys a range takes, for messages."""
    return "{low, high, steps (grid only), scale: linear or log}"


def _interval(name: str, given: Mapping[str, Any], method: str) -> Interval:
    """Return a range parameter, its ends checked by the hyperparameter validator.

    Raises:
        ValidationError: a field that takes no range, an unknown key, a bad end, ``low``
            not below ``high``, a log scale from 0, ``steps`` missing for a grid or given
            for random or TPE.
    """
    allowed = _range_help()
    if name not in HYPERPARAM_NAMES:
        raise ValidationError(name, dict(given), "takes no range", "a list of values")
    for key in given:
        if key not in RANGE_KEYS:
            raise ValidationError(f"{name}.{key}", given[key], "unknown range key", allowed)
    for key in ("low", "high"):
        if key not in given:
            raise ValidationError(f"{name}.{key}", None, "missing", allowed)
    low = getattr(validate_hyperparams({name: given["low"]}, base=_UNBOUND), name)
    high = getattr(validate_hyperparams({name: given["high"]}, base=_UNBOUND), name)
    if not low < high:
        raise ValidationError(name, dict(given), "low is not below high", "low < high")
    scale = given.get("scale", "linear")
    if scale not in SCALES:
        raise ValidationError(f"{name}.scale", scale, "unknown scale", ", ".join(SCALES))
    if scale == "log" and low <= 0:
        raise ValidationError(f"{name}.low", given["low"], "0 on a log scale", "low > 0")
    steps = given.get("steps")
    if method == "grid":
        if steps is None:
            raise ValidationError(f"{name}.steps", None, "missing for a grid", allowed)
        steps = parse_int(f"{name}.steps", steps, 2, MAX_VALUES)
    elif steps is not None:
        raise ValidationError(
            f"{name}.steps", steps, f"a {method} range is continuous", "steps only for grid"
        )
    return Interval(name, low, high, scale == "log", steps)


def _check_floors(space: Space, base: RunSpec) -> None:
    """Refuse a space in which a floor may exceed its value (e.g. ``epsilon_min`` above
    ``epsilon``): the highest floor it holds against the lowest value, through the validator.

    Raises:
        ValidationError: the validator's message for that pair.
    """
    given = {parameter.name: parameter for parameter in space.parameters}
    for floor, ceiling in FLOORS:
        worst = {}
        if floor in given:
            worst[floor] = max(_ends(given[floor]))
        if ceiling in given:
            worst[ceiling] = min(_ends(given[ceiling]))
        if worst:
            validate_hyperparams(worst, base=base.hyperparams)


def _ends(parameter: Parameter) -> tuple[float, ...]:
    """Return the values that bound a hyperparameter of the space (a range: its ends)."""
    if isinstance(parameter, Interval):
        return parameter.low, parameter.high
    return parameter.values


def parse_text(name: str, text: str) -> list[str] | dict[str, str] | None:
    """Return the space entry a command-line value describes (values stay text: the
    validators convert them).

    ``A,B,C`` is a list; ``LOW:HIGH`` a range for random and TPE, ``LOW:HIGH:STEPS`` one
    for a grid; ``:log`` at the end puts a range on a log scale. A single value (no comma,
    no colon) is no parameter of the space: None (it belongs in the base spec).

    Raises:
        ValidationError: a range with the wrong number of parts (field ``name``).
    """
    if ":" in text:
        parts = text.split(":")
        scale = "linear"
        if parts[-1].strip() in SCALES:
            scale = parts.pop().strip()
        if len(parts) not in (2, 3):
            raise ValidationError(name, text, "not a range", "LOW:HIGH[:STEPS][:log]")
        entry = {"low": parts[0], "high": parts[1], "scale": scale}
        if len(parts) == 3:
            entry["steps"] = parts[2]
        return entry
    if "," in text:
        return [part.strip() for part in text.split(",")]
    return None
