"""Reading a launch request: every key of a new experiment checked before anything is written.

The request is what the CLI, the HTTP API and the dashboard's form send to
``launch.launch_experiment`` (its docstring lists the keys). Bad values get
``ValidationError``, naming the field and the value, with the gridworld validators' own
messages for run-spec fields and parameter values.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from app.stats.objectives import LOWER_IS_BETTER, OBJECTIVES
from app.training.slots import MAX_SLOTS
from gridworld.errors import ValidationError
from gridworld.numbers import parse_int, to_number
from gridworld.optimality import Optimality
from gridworld.spec import MAX_SEED, RunSpec, make_env, validate_run_spec

from .pbt_request import PBT_KEYS, PbtSettings, parse_pbt, refuse_pbt_keys
from .space import METHODS, Space, parse_space

REQUEST_KEYS = (
    "name",
    "method",
    "base",
    "space",
    "seeds",
    "budget",
    "objective",
    "threshold",
    "pruner",
    "slots",
    *PBT_KEYS,
)
PRUNERS = ("none", "median", "halving")
"""``median``: Optuna's MedianPruner; ``halving``: its SuccessiveHalvingPruner."""
MAX_SEEDS = 100
MAX_RUNS = 10_000
"""The most runs one experiment launches (settings times seeds)."""
PRUNING_STEPS = 20
"""A pruned sweep's runs checkpoint (and report to the pruner) this many times, unless the
base spec sets ``checkpoint_every``: the pruner compares runs at the same episodes."""


@dataclass(frozen=True)
class Plan:
    """A validated launch request."""

    name: str
    method: str
    base: RunSpec
    """The spec every run starts from (its seed is the first seed)."""
    space: Space
    seeds: tuple[int, ...]
    budget: int
    """How many settings (trials) the experiment launches in all."""
    objective: str
    threshold: float | None
    pruner: str
    slots: int
    """Worker slots the sweep should keep busy (how many TPE settings start at once)."""
    pbt: PbtSettings | None = None
    """Population-based training's settings (method ``pbt``)."""

    @property
    def direction(self) -> Literal["minimize", "maximize"]:
        """Return Optuna's direction for the objective: ``minimize`` or ``maximize``."""
        return "minimize" if self.objective in LOWER_IS_BETTER else "maximize"

    @property
    def needs_study(self) -> bool:
        """Return whether the experiment has an Optuna study (TPE, or any pruned sweep)."""
        return self.method == "tpe" or self.pruner != "none"

    @property
    def initial(self) -> int:
        """Return how many settings are launched at once: all of a grid or random sweep;
        for TPE enough that every slot has a run, plus one setting so that a slot freed
        while a setting's last seed trains still finds a queued run."""
        if self.method != "tpe":
            return self.budget
        return min(self.budget, math.ceil(self.slots / len(self.seeds)) + 1)

    def options(self) -> dict[str, Any]:
        """Return the method and objective settings stored with the experiment."""
        options = {
            "threshold": self.threshold,
            "pruner": self.pruner,
            "slots": self.slots,
            "initial": self.initial,
        }
        return options | (self.pbt.options() if self.pbt else {})


def parse_request(request: object) -> Plan:
    """Check a launch request (see ``launch.launch_experiment`` for its keys).

    Returns:
        The plan.

    Raises:
        ValidationError: the first bad key or value.
    """
    if not isinstance(request, Mapping):
        raise ValidationError("body", request, "not an object", "a JSON object of sweep fields")
    for key, value in request.items():
        if key not in REQUEST_KEYS:
            raise ValidationError(str(key), value, "unknown field", ", ".join(REQUEST_KEYS))
    method = _one_of("method", request.get("method", "grid"), METHODS)
    base = _base(request.get("base", {}))
    space = parse_space(request.get("space", {}), method, base)
    seeds = _seeds(request.get("seeds", 1), base)
    objective = _one_of("objective", request.get("objective", OBJECTIVES[0]), OBJECTIVES)
    threshold = _threshold(request.get("threshold"), objective)
    pruner = _one_of("pruner", request.get("pruner", "none"), PRUNERS)
    if objective == "normalised_score":
        _check_model(base)
    if pruner != "none" and base.checkpoint_every is None:
        base = replace(base, checkpoint_every=max(1, math.ceil(base.episodes / PRUNING_STEPS)))
    pbt, budget, slots = None, request.get("budget"), _slots(request.get("slots"))
    if method == "pbt":
        checks = {"seeds": len(seeds), "objective": objective, "pruner": pruner}
        base, pbt = parse_pbt(request, base, space, checks)
        budget, slots = pbt.population, max(slots, pbt.population)  # all members at once
    else:
        refuse_pbt_keys(request, method)
    return Plan(
        name=_name(request.get("name"), method, base),
        method=method,
        base=base,
        space=space,
        seeds=tuple(seeds),
        budget=_budget(budget, space, len(seeds)),
        objective=objective,
        threshold=threshold,
        pruner=pruner,
        slots=slots,
        pbt=pbt,
    )


def _slots(value: object) -> int:
    """Return the worker slots to keep busy (default: this machine's cores).

    Raises:
        ValidationError: not a whole number from 1 to ``MAX_SLOTS``.
    """
    if value is None:
        return os.cpu_count() or 1
    return parse_int("slots", value, 1, MAX_SLOTS)


def _one_of(field: str, value: object, allowed: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``allowed``.

    Raises:
        ValidationError: it is not (naming ``field``).
    """
    if not isinstance(value, str) or value not in allowed:
        raise ValidationError(field, value, f"unknown {field}", ", ".join(allowed))
    return value


def _base(raw: object) -> RunSpec:
    """Return the base run spec, checked by ``validate_run_spec``.

    Raises:
        ValidationError: not an object, a ``name`` (runs are named after the experiment),
            or the validator's error.
    """
    if not isinstance(raw, Mapping):
        raise ValidationError("base", raw, "not an object", "an object of run-spec fields")
    if "name" in raw:
        raise ValidationError(
            "base.name", raw["name"], "runs are named after their experiment", "the sweep's name"
        )
    return validate_run_spec(raw)


def _seeds(count: object, base: RunSpec) -> list[int]:
    """Return the seeds: ``count`` of them, from the base spec's seed on.

    Raises:
        ValidationError: not a whole number from 1 to ``MAX_SEEDS``, or the last seed past
            ``MAX_SEED``.
    """
    number = parse_int("seeds", count, 1, MAX_SEEDS)
    last = base.seed + number - 1
    if last > MAX_SEED:
        raise ValidationError(
            "seeds",
            count,
            f"seeds {base.seed} to {last} pass the largest seed {MAX_SEED}",
            f"at most {MAX_SEED - base.seed + 1} seeds from seed {base.seed}",
        )
    return list(range(base.seed, last + 1))


def _threshold(value: object, objective: str) -> float | None:
    """Return the return threshold (required by ``episodes_to_threshold``).

    Raises:
        ValidationError: missing for that objective, or not a finite number.
    """
    if value is None:
        if objective == "episodes_to_threshold":
            raise ValidationError(
                "threshold", None, f"missing for the objective {objective}", "a finite number"
            )
        return None
    return to_number("threshold", value, "a finite number")


def _check_model(base: RunSpec) -> None:
    """Refuse the normalised score on an env without a model to plan V* with.

    Raises:
        ValidationError: field ``objective``.
    """
    env = make_env(base)
    try:
        if Optimality.for_env(env) is None:
            raise ValidationError(
                "objective",
                "normalised_score",
                f"{base.env_id} has no model to compute V* from",
                "an env with a toy-text model (GridWorld, FrozenLake, CliffWalking, Taxi)",
            )
    finally:
        env.close()


def _name(value: object, method: str, base: RunSpec) -> str:
    """Return the experiment's name (default: the method and env), checked as a run name is.

    Raises:
        ValidationError: the run-name validator's error (field ``name``).
    """
    name = value if value is not None else f"{method} sweep on {base.env_id}"
    return validate_run_spec({**base.to_dict(), "name": name}).name


def _budget(value: object, space: Space, seeds: int) -> int:
    """Return how many settings to launch: a grid's size (or fewer); random and TPE need one.

    Raises:
        ValidationError: missing for random or TPE, not a whole number from 1 to the grid's
            size (grid), or more than ``MAX_RUNS`` runs with the seeds.
    """
    most = MAX_RUNS // seeds
    if space.method == "grid":
        size = space.grid_size()
        if value is None and size > most:
            raise ValidationError(
                "space",
                space.to_dict(),
                f"a grid of {size} settings x {seeds} seeds is more than {MAX_RUNS} runs",
                f"at most {most} settings, or a budget",
            )
        budget = size if value is None else parse_int("budget", value, 1, size)
    elif value is None:
        raise ValidationError(
            "budget", None, f"missing for {space.method}", f"the number of settings, 1 to {most}"
        )
    else:
        budget = parse_int("budget", value, 1, most)
    if budget > most:
        raise ValidationError(
            "budget",
            budget,
            f"{budget} settings x {seeds} seeds is more than {MAX_RUNS} runs",
            f"at most {most} settings",
        )
    return budget
