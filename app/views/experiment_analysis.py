"""Comparisons over an experiment's groups: probability of improvement, performance profiles
and the objective against each hyperparameter (Agarwal et al. 2021; Sutton & Barto's
step-size figures).

Each takes the groups' results (``experiment_scores.group_results``): one score per run, so
none of it depends on the runs' length.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.stats.bootstrap import interval_estimates
from app.stats.comparisons import performance_profile_band, probability_of_improvement_ci
from app.stats.objectives import LOWER_IS_BETTER
from app.stats.records import Band, Interval
from app.views.experiment_groups import run_settings, setting_key, varying
from app.views.experiment_scores import GroupResult, higher_is_better
from app.views.kept import Kept
from runstore import Run

PROFILE_TAUS = 60
"""Thresholds τ a performance profile is drawn at."""
_PROFILES: Kept[Band] = Kept(256)
"""Profile bands computed lately, by their scores and thresholds."""


@dataclass(frozen=True)
class Improvement:
    """P(X > Y): how likely a run of group X scores better than a run of group Y."""

    x: GroupResult
    y: GroupResult
    interval: Interval
    """The probability with its 95% bootstrap interval."""


def improvement(
    results: Sequence[GroupResult], objective: str, pair: tuple[int, int] | None
) -> Improvement | None:
    """Return the probability of improvement of one group over another.

    Args:
        results: the groups' results.
        objective: the objective scored (where lower wins, "better" means lower).
        pair: the two group numbers (X, Y); None or a number no group has: the first two.

    Returns:
        The comparison, or None with fewer than two groups.
    """
    by_number = {result.group.number: result for result in results}
    if pair is None or not set(pair) <= by_number.keys():
        if len(results) < 2:
            return None
        pair = (results[0].group.number, results[1].group.number)
    x, y = by_number[pair[0]], by_number[pair[1]]
    interval = probability_of_improvement_ci(
        higher_is_better(objective, x.scores), higher_is_better(objective, y.scores)
    )
    return Improvement(x, y, interval)


@dataclass(frozen=True)
class Profiles:
    """Every group's performance profile over the same thresholds."""

    taus: np.ndarray
    bands: list[tuple[GroupResult, Band]]
    """Per group: the share of its runs beyond each τ, with a 95% bootstrap band."""
    above: bool
    """True: the share scoring above τ; False (lower wins): the share below it."""


def profiles(results: Sequence[GroupResult], objective: str) -> Profiles:
    """Return each group's performance profile over ``PROFILE_TAUS`` thresholds spanning the
    finite scores of every run (none: an empty ``taus``)."""
    scores = np.concatenate([result.scores for result in results]) if results else np.array([])
    finite = scores[np.isfinite(scores)]
    if not finite.size:
        return Profiles(np.array([]), [], objective not in LOWER_IS_BETTER)
    low, high = float(finite.min()), float(finite.max())
    pad = 0.05 * (high - low) or max(1e-3, 0.05 * abs(low))
    taus = np.linspace(low - pad, high + pad, PROFILE_TAUS)
    sign = -1.0 if objective in LOWER_IS_BETTER else 1.0
    bands = [(result, _profile_band(sign * result.scores, sign * taus)) for result in results]
    return Profiles(taus, bands, sign > 0)


def _profile_band(scores: np.ndarray, taus: np.ndarray) -> Band:
    """Return ``performance_profile_band``, kept under the scores and thresholds (a group
    whose runs did not move keeps its band while the thresholds stay)."""
    key = (scores.tobytes(), taus.tobytes())
    return _PROFILES.get(key, lambda: performance_profile_band(scores, taus))


@dataclass(frozen=True)
class Sensitivity:
    """The objective against one hyperparameter's values, pooled over the other settings."""

    parameter: str
    values: list[Any]
    """The parameter's values, ascending."""
    intervals: list[Interval]
    """Per value: the centre of its runs' scores with its 95% bootstrap interval."""


def sensitivities(results: Sequence[GroupResult], centre: str) -> list[Sensitivity]:
    """Return one sensitivity per numeric setting that varies among the runs.

    Args:
        results: the groups' results (their runs and scores).
        centre: the centre drawn (``app.stats.centres.CENTRES``).

    Returns:
        The sensitivities, by parameter name.
    """
    runs, scores = scored_runs(results)
    settings = [run_settings(run) for run in runs]
    found = []
    for name in varying(runs):
        values = sorted(
            {setting_key(s.get(name)): s.get(name) for s in settings}.values(), key=_order
        )
        if len(values) < 2 or not all(_is_number(value) for value in values):
            continue
        pooled = {
            setting_key(value): scores[[s.get(name) == value for s in settings]] for value in values
        }
        intervals = interval_estimates(pooled, centre)
        found.append(Sensitivity(name, values, [intervals[setting_key(value)] for value in values]))
    return found


def scored_runs(results: Sequence[GroupResult]) -> tuple[list[Run], np.ndarray]:
    """Return every run of the groups and its score, in group order."""
    runs = [run for result in results for run in result.group.runs]
    scores = np.concatenate([result.scores for result in results]) if results else np.array([])
    return runs, scores


def _is_number(value: object) -> bool:
    """Return whether a setting is a finite number (not a flag)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _order(value: Any) -> tuple[int, Any]:
    """Sort numbers by value, before anything else (as text)."""
    return (0, value) if _is_number(value) else (1, str(value))
