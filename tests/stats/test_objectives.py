"""The objectives a run is scored by, on hand-worked return arrays and value figures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.stats import (
    area_under_curve,
    episodes_to_threshold,
    final_return,
    normalised_score,
)


def test_final_return_averages_the_last_tenth_of_the_episodes():
    returns = np.arange(1.0, 21.0)  # 20 episodes: the last 2 are 19 and 20
    assert final_return(returns) == 19.5
    # 15 episodes: 10% is 1.5, rounded up to 2: the last two are 14 and 15
    assert final_return(np.arange(1.0, 16.0)) == 14.5
    # fewer than 10 episodes: the last one
    assert final_return([0.0, 0.0, 1.0]) == 1.0
    assert math.isnan(final_return([]))


def test_the_area_under_the_curve_is_the_mean_return():
    assert area_under_curve([0.0, 0.0, 1.0, 1.0]) == 0.5
    # a run twice as long at the same returns scores the same
    assert area_under_curve([0.0, 0.0, 1.0, 1.0] * 2) == 0.5
    # learning earlier scores higher
    assert area_under_curve([0.0, 1.0, 1.0, 1.0]) > area_under_curve([0.0, 0.0, 0.0, 1.0])
    assert math.isnan(area_under_curve([]))


def test_episodes_to_threshold_is_the_end_of_the_first_window_that_reaches_it():
    returns = [0, 0, 1, 0, 1, 1, 1, 0]
    # windows of 3 ending at episodes 3..8 have means 1/3, 1/3, 2/3, 2/3, 1, 2/3
    assert episodes_to_threshold(returns, 2 / 3, window=3) == 5.0
    assert episodes_to_threshold(returns, 1.0, window=3) == 7.0
    assert episodes_to_threshold(returns, 0.0, window=3) == 3.0  # only full windows count
    assert episodes_to_threshold(returns, 1.0, window=1) == 3.0


def test_a_run_that_never_reaches_the_threshold_took_infinitely_long():
    assert episodes_to_threshold([0.0, 1.0, 0.0], 1.0, window=2) == math.inf
    assert episodes_to_threshold([1.0, 1.0], 0.5, window=3) == math.inf  # shorter than a window
    assert episodes_to_threshold(np.ones(500), 0.78) == 100.0  # default window: 100
    with pytest.raises(ValueError, match="window=0 is not a positive number of episodes"):
        episodes_to_threshold([1.0], 1.0, window=0)


def test_the_normalised_score_of_a_positive_optimum_is_the_ratio():
    # FrozenLake: V* is the chance of reaching the goal
    assert normalised_score(0.37, 0.74) == 0.5
    assert normalised_score(0.0, 0.74) == 0.0
    assert normalised_score(0.74, 0.74) == 1.0


def test_the_normalised_score_of_a_negative_optimum_is_the_cost_ratio():
    # CliffWalking: -1 a step, the optimal path costs 13; a safe path of 17 steps
    assert normalised_score(-17.0, -13.0) == pytest.approx(13 / 17)
    assert normalised_score(-13.0, -13.0) == 1.0
    # a greedy policy that never reaches the goal (gamma = 1, no time limit)
    assert normalised_score(-math.inf, -13.0) == 0.0
    assert math.copysign(1.0, normalised_score(-math.inf, -13.0)) == 1.0
    # not a value a policy can have beside a negative optimum
    assert math.isnan(normalised_score(0.0, -13.0))


def test_the_normalised_score_of_a_zero_optimum():
    # nothing to be had (the goal beyond the time limit): a policy that gets it is optimal
    assert normalised_score(0.0, 0.0) == 1.0
    assert math.isnan(normalised_score(-1.0, 0.0))
    assert math.isnan(normalised_score(0.5, math.nan))
    assert math.isnan(normalised_score(math.nan, 0.5))
