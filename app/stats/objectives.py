"""What a run scored: one number per run, from its episode returns or its checkpoint figures.

These are the objectives a sweep optimises and the results table aggregates over seeds.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

OBJECTIVES = ("final_return", "auc", "episodes_to_threshold", "normalised_score")
LOWER_IS_BETTER = frozenset({"episodes_to_threshold"})
"""Objectives where the smaller number wins (negate them for ``comparisons``)."""

FINAL_SHARE = 10
"""``final_return`` averages the last 1/FINAL_SHARE of the episodes (10%)."""
THRESHOLD_WINDOW = 100
"""Episodes the moving mean of ``episodes_to_threshold`` spans by default (Gym's "solved"
convention: FrozenLake-v1 is solved at a mean success of 0.78 over 100 consecutive episodes)."""
ZERO_VALUE = 1e-12
"""|V*(start)| at or below this is zero: there is no scale to measure a policy against."""


def _returns(returns: ArrayLike) -> np.ndarray:
    """Return the returns as a flat float array, oldest episode first."""
    return np.asarray(returns, dtype=np.float64).ravel()


def final_return(returns: ArrayLike) -> float:
    """Return the mean return over the last 10% of the episodes (at least the last one).

    Args:
        returns: the run's return per episode, oldest first.

    Returns:
        The mean of the last ``max(1, ceil(n / 10))`` returns; NaN for a run without episodes.
    """
    values = _returns(returns)
    if not values.size:
        return math.nan
    return float(values[-max(1, math.ceil(values.size / FINAL_SHARE)) :].mean())


def area_under_curve(returns: ArrayLike) -> float:
    """Return the area under the return curve per episode: the mean return over all episodes.

    The plain sum (or trapezoid) grows with the number of episodes, so a pruned or still
    running run would not compare with a finished one; divided by the length it does, and
    it still rewards learning early (the trapezoid divided by its length differs from the
    mean only in giving the first and last episode half weight).

    Args:
        returns: the run's return per episode, oldest first.

    Returns:
        The mean return; NaN for a run without episodes.
    """
    values = _returns(returns)
    return float(values.mean()) if values.size else math.nan


def episodes_to_threshold(
    returns: ArrayLike, threshold: float, window: int = THRESHOLD_WINDOW
) -> float:
    """Return how many episodes the run took until its moving mean return reached a threshold.

    Args:
        returns: the run's return per episode, oldest first (episode 1 first).
        threshold: the mean return to reach.
        window: the episodes the moving mean spans; only full windows count.

    Returns:
        The first episode e (counted from 1, e >= window) whose last ``window`` returns have
        a mean >= ``threshold``, as a float; ``inf`` when the run never got there (fewer
        than ``window`` episodes included). Infinity, not NaN: a run that never reached the
        threshold is worse than every run that did, and must not drop out of the group
        (which would flatter it). Ranks, medians, the IQM (while fewer than a quarter of
        the runs never reach it), P(improvement) and profiles all handle it; the mean is
        then infinite, and ``records.format_value`` shows it as ∞.

    Raises:
        ValueError: for a window below 1.
    """
    if window < 1:
        raise ValueError(f"window={window!r} is not a positive number of episodes")
    values = _returns(returns)
    if values.size < window:
        return math.inf
    sums = np.concatenate(([0.0], np.cumsum(values)))
    means = (sums[window:] - sums[:-window]) / window
    reached = np.flatnonzero(means >= threshold)
    return float(reached[0] + window) if reached.size else math.inf


def normalised_score(v_pi_start: float, v_star_start: float) -> float:
    """Return the greedy policy's value at the start as a share of the optimal one.

    1 is optimal and smaller is worse, whatever the sign of the rewards:

    - V* > 0 (FrozenLake: the chance of reaching the goal): ``V^π / V*``, in [0, 1] when
      rewards are non-negative.
    - V* < 0 (CliffWalking: -1 a step, V* = -13): ``V* / V^π``, the optimal cost over the
      policy's (``V^π / V*`` would be 1.54 for a 20-step path, more for worse ones). In
      (0, 1] since V^π <= V* < 0, and 0 for a policy that never reaches the goal
      (V^π = -inf without a time limit and with γ = 1).
    - V* = 0 (within ``ZERO_VALUE``; e.g. the goal lies beyond the time limit): 1 when V^π
      is 0 too, else NaN: there is no scale to measure a shortfall against.

    Args:
        v_pi_start: V^π(start), the greedy policy's exact value at the start.
        v_star_start: V*(start), the optimal value there (same γ and time limit).

    Returns:
        The normalised score; NaN for a NaN or infinite V*, a NaN V^π, or a V^π >= 0 beside
        a negative V* (not a value a policy can have).
    """
    v_pi, v_star = float(v_pi_start), float(v_star_start)
    if math.isnan(v_pi) or not math.isfinite(v_star):
        return math.nan
    if abs(v_star) <= ZERO_VALUE:
        return 1.0 if abs(v_pi) <= ZERO_VALUE else math.nan
    if v_star > 0:
        return v_pi / v_star
    return abs(v_star / v_pi) if v_pi < 0 else math.nan  # abs: -13 / -inf is -0.0
