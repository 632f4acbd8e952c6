"""Population-based training's decisions (Jaderberg et al., 2017), with Ray Tune's defaults.

At every interval boundary a member is ranked against the members that reached the same
boundary by its mean return over the interval's episodes. Exploit is truncation selection:
a member in the bottom ``QUANTILE_FRACTION`` copies the checkpoint of a member drawn from
the top ``QUANTILE_FRACTION`` (``select_source``). Explore perturbs the copied setting
(``explore``): a range parameter is redrawn from the space with ``RESAMPLE_PROBABILITY``,
else multiplied by one of ``PERTURBATION_FACTORS`` and clipped to the range gridworld's
validator allows; a list parameter is redrawn with the same probability, else moves to a
neighbouring value of the list (Ray Tune does both the same way). Floors stay within
their values (``epsilon_min`` <= ``epsilon``).

The functions are pure: the caller passes the random generator, which it seeds from the
experiment's seed, the member and the episode, so a decision does not depend on which
worker makes it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from gridworld.hyperparams import FLOORS, HYPERPARAM_RANGES

from .space import Choice, Space

QUANTILE_FRACTION = 0.25
RESAMPLE_PROBABILITY = 0.25
PERTURBATION_FACTORS = (1.2, 0.8)


def quantile_size(members: int) -> int:
    """Return how many members form the top (and the bottom) quantile of a population.

    Returns:
        ``ceil(members * QUANTILE_FRACTION)``, at most half the members (so that the two
        quantiles never overlap); 0 for fewer than two members.
    """
    return min(math.ceil(members * QUANTILE_FRACTION), members // 2)


def select_source(member: int, scores: Mapping[int, float], rng: np.random.Generator) -> int | None:
    """Return the member that ``member`` copies, if it is in the bottom quantile.

    Args:
        member: the member deciding.
        scores: every ranked member's score (the higher the better), ``member`` included;
            ties rank by member id.
        rng: draws the source among the top quantile.

    Returns:
        A member of the top quantile, drawn uniformly; None when ``member`` is not in the
        bottom quantile (it keeps training as it is).
    """
    ranked = sorted(scores, key=lambda key: (scores[key], key))
    size = quantile_size(len(ranked))
    if size == 0 or member not in ranked[:size]:
        return None
    top = ranked[-size:]
    return top[int(rng.integers(len(top)))]


def explore(current: Mapping[str, Any], space: Space, rng: np.random.Generator) -> dict[str, Any]:
    """Return new values of the space's parameters, perturbed from ``current``.

    Args:
        current: the copied member's values (its hyperparameters, or at least the space's
            parameters and the values their floors bound).
        space: the experiment's space (what a redraw draws from, the lists' values).
        rng: the random generator.

    Returns:
        The space's parameters' new values (see the module docstring), every one allowed
        by its validator, floors included.
    """
    found: dict[str, Any] = {}
    for parameter in space.parameters:
        value = current[parameter.name]
        if isinstance(parameter, Choice):
            found[parameter.name] = _neighbour(parameter, value, rng)
        elif rng.random() < RESAMPLE_PROBABILITY:
            found[parameter.name] = parameter.draw(rng)
        else:
            factor = PERTURBATION_FACTORS[int(rng.integers(len(PERTURBATION_FACTORS)))]
            found[parameter.name] = clip(parameter.name, float(value) * factor)
    return _within_floors(found, current)


def _neighbour(parameter: Choice, value: Any, rng: np.random.Generator) -> Any:
    """Return a list parameter's next value: a redraw, else a neighbour of ``value``."""
    values = parameter.values
    if rng.random() < RESAMPLE_PROBABILITY or value not in values:
        return values[int(rng.integers(len(values)))]
    index = values.index(value) + (1 if rng.random() < 0.5 else -1)
    return values[min(max(index, 0), len(values) - 1)]


def clip(name: str, value: float) -> float:
    """Return ``value`` within the range the validator allows ``name``.

    An open end (``alpha > 0``) is never reached by a factor's product of an allowed
    value, so clipping to the closed interval is enough.
    """
    allowed = HYPERPARAM_RANGES[name]
    return min(max(value, allowed.low), allowed.high)


def _within_floors(found: dict[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``found`` with no floor above its value: a floor moved above its value is
    lowered to it; a value moved below its (unchanged) floor is raised to it."""
    for floor, ceiling in FLOORS:
        low = found.get(floor, current.get(floor))
        high = found.get(ceiling, current.get(ceiling))
        if low is None or high is None or low <= high:
            continue
        if floor in found:
            found[floor] = high
        else:
            found[ceiling] = low
    return found
