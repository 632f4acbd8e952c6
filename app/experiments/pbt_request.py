"""Reading the population-based-training keys of a launch request (``method: pbt``).

``population`` (or ``budget``: the same number) members, each one run of the base spec
seeded ``seed``, ``seed + 1``, ...; ``interval`` episodes between boundaries, at which the
members checkpoint (the base spec's ``checkpoint_every`` is the interval) and decide;
``sync_seconds``, how long a member waits at a boundary for the live members behind it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from gridworld.errors import ValidationError
from gridworld.numbers import parse_int, to_number
from gridworld.spec import MAX_SEED, RunSpec

from .pbt import PERTURBATION_FACTORS, QUANTILE_FRACTION, RESAMPLE_PROBABILITY
from .space import CHOICE_FIELDS, Space

PBT_KEYS = ("population", "interval", "sync_seconds")
MAX_POPULATION = 256
INTERVALS = 20
"""Without ``interval`` (or ``checkpoint_every``), a member decides this many times."""
SYNC_SECONDS = 60.0
"""How long a member waits at a boundary by default."""
MAX_SYNC_SECONDS = 3600.0
REFUSED_OBJECTIVES = ("episodes_to_threshold",)
"""PBT ranks by the mean return over an interval; a first-passage count has no interval."""


@dataclass(frozen=True)
class PbtSettings:
    """A validated PBT request's own settings."""

    population: int
    interval: int
    sync_seconds: float

    def options(self) -> dict[str, Any]:
        """Return the settings stored with the experiment (Ray Tune's defaults too)."""
        return {
            "population": self.population,
            "interval": self.interval,
            "sync_seconds": self.sync_seconds,
            "quantile_fraction": QUANTILE_FRACTION,
            "resample_probability": RESAMPLE_PROBABILITY,
            "perturbation_factors": list(PERTURBATION_FACTORS),
        }


def refuse_pbt_keys(request: Mapping[str, Any], method: str) -> None:
    """Refuse PBT keys in a request of another method.

    Raises:
        ValidationError: naming the first such key.
    """
    for key in PBT_KEYS:
        if key in request:
            raise ValidationError(key, request[key], f"not a {method} setting", "method pbt")


def parse_pbt(
    request: Mapping[str, Any], base: RunSpec, space: Space, checks: Mapping[str, Any]
) -> tuple[RunSpec, PbtSettings]:
    """Check the PBT keys of a request and what PBT asks of the others.

    Args:
        request: the launch request.
        base: the validated base spec.
        space: the validated space.
        checks: the request's validated ``seeds`` (count), ``objective`` and ``pruner``.

    Returns:
        The base spec checkpointing at every boundary, and the settings.

    Raises:
        ValidationError: the first bad key or value.
    """
    _check_others(space, checks)
    population = _population(request, base)
    given = base.checkpoint_every
    interval = parse_int(
        "interval",
        request.get("interval", given or max(1, math.ceil(base.episodes / INTERVALS))),
        1,
        max(1, base.episodes - 1),
    )
    if given is not None and given != interval:
        raise ValidationError(
            "base.checkpoint_every",
            given,
            "PBT members checkpoint at every boundary",
            f"the interval ({interval}) or nothing",
        )
    sync = to_number("sync_seconds", request.get("sync_seconds", SYNC_SECONDS), "a number")
    if not 0 < sync <= MAX_SYNC_SECONDS:
        raise ValidationError(
            "sync_seconds", sync, "out of range", f"0 < x <= {MAX_SYNC_SECONDS:g}"
        )
    return replace(base, checkpoint_every=interval), PbtSettings(population, interval, sync)


def _check_others(space: Space, checks: Mapping[str, Any]) -> None:
    """Refuse what PBT cannot do: several seeds, a pruner, a first-passage objective, or a
    run-spec field (``algorithm``) in the space (a member cannot change its agent).

    Raises:
        ValidationError: naming the field.
    """
    if checks["seeds"] != 1:
        raise ValidationError(
            "seeds", checks["seeds"], "each PBT member is one run", "1 (members get seeds)"
        )
    if checks["pruner"] != "none":
        raise ValidationError("pruner", checks["pruner"], "PBT exploits instead", "none")
    if checks["objective"] in REFUSED_OBJECTIVES:
        raise ValidationError(
            "objective",
            checks["objective"],
            "PBT ranks by the mean return of an interval",
            "final_return, auc or normalised_score",
        )
    for name in space.names:
        if name in CHOICE_FIELDS:
            raise ValidationError(
                f"space.{name}", name, "a member cannot change it", "hyperparameters only"
            )


def _population(request: Mapping[str, Any], base: RunSpec) -> int:
    """Return the population (``population``, or ``budget``; both: the same number).

    Raises:
        ValidationError: neither, or not a whole number from 2 to ``MAX_POPULATION``, they
            differ, or the members' seeds pass ``MAX_SEED``.
    """
    allowed = f"2 to {MAX_POPULATION} members"
    if "population" not in request and "budget" not in request:
        raise ValidationError("population", None, "missing for pbt", allowed)
    values = {
        key: parse_int(key, request[key], 2, MAX_POPULATION)
        for key in ("population", "budget")
        if key in request
    }
    if len(set(values.values())) > 1:
        raise ValidationError("budget", values["budget"], "differs from population", "one number")
    population = next(iter(values.values()))
    if base.seed + population - 1 > MAX_SEED:
        raise ValidationError(
            "population", population, f"seeds from {base.seed} pass {MAX_SEED}", "a smaller one"
        )
    return population
