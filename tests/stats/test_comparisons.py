"""Probability of improvement and performance profiles against their definitions (Agarwal et
al. 2021): pairs and runs counted by hand, and scipy's Mann–Whitney U."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from app.stats import (
    bootstrap_ci,
    performance_profile,
    performance_profile_band,
    probability_of_improvement,
    probability_of_improvement_ci,
)

UNTIMED = settings(deadline=None)
"""Hypothesis without its per-example deadline: on a shared machine time is not the property."""
# few distinct values, so ties are common
RUNS = hnp.arrays(np.float64, st.integers(1, 12), elements=st.integers(0, 5).map(float))


def test_probability_of_improvement_by_counting_pairs():
    x, y = [1.0, 2.0, 3.0], [2.0, 2.0, 4.0]
    # x=1 beats none of 2, 2, 4; x=2 ties 2 and 2 (0.5 each), loses to 4; x=3 beats 2 and 2
    assert probability_of_improvement(x, y) == (0 + (0.5 + 0.5) + (1 + 1)) / 9
    # y=2 beats 1, ties 2, loses to 3 (twice); y=4 beats all three
    assert probability_of_improvement(y, x) == ((1 + 0.5) * 2 + 3) / 9
    assert probability_of_improvement([5.0, 6.0], [1.0, 2.0, 3.0]) == 1.0


@UNTIMED
@given(RUNS, RUNS)
def test_probability_of_improvement_is_mann_whitney_u_over_the_pairs(x, y):
    u = stats.mannwhitneyu(x, y).statistic
    assert probability_of_improvement(x, y) == pytest.approx(u / (len(x) * len(y)))
    assert probability_of_improvement(x, y) + probability_of_improvement(y, x) == pytest.approx(1)


def test_runs_without_a_score_are_left_out_of_the_pairs():
    assert probability_of_improvement([1.0, np.nan, 3.0], [2.0]) == 0.5
    assert math.isnan(probability_of_improvement([np.nan], [2.0]))


def test_the_interval_of_the_probability_of_improvement():
    rng = np.random.default_rng(8)
    x, y = rng.normal(1.0, 1.0, 10), rng.normal(0.0, 1.0, 10)
    interval = probability_of_improvement_ci(x, y)
    assert interval.point == probability_of_improvement(x, y)
    assert 0.0 <= interval.low < interval.point < interval.high <= 1.0
    assert probability_of_improvement_ci(x, y) == interval  # fixed seed


def test_the_interval_is_the_two_strata_bootstrap_of_the_pairs():
    # the same interval by resampling x's and y's runs as two strata of bootstrap_ci
    rng = np.random.default_rng(10)
    x, y = rng.normal(0.5, 1.0, 8), rng.normal(0.0, 1.0, 12)

    def pairs_won(sample: np.ndarray, axis: int) -> np.ndarray:
        xs, ys = sample[..., : len(x), None], sample[..., None, len(x) :]
        return ((xs > ys) + 0.5 * (xs == ys)).mean(axis=(-2, -1))

    ours = probability_of_improvement_ci(x, y, resamples=20_000)
    reference = bootstrap_ci([x, y], pairs_won, resamples=20_000, seed=3)
    assert ours.point == pytest.approx(reference.point)
    assert ours.low == pytest.approx(reference.low, abs=0.02)
    assert ours.high == pytest.approx(reference.high, abs=0.02)


def test_a_group_against_itself_is_even_and_separated_groups_are_certain():
    runs = np.arange(10.0)
    assert probability_of_improvement_ci(runs, runs).point == 0.5
    certain = probability_of_improvement_ci(runs + 100.0, runs)
    assert certain.to_dict() == {"low": 1.0, "high": 1.0, "point": 1.0}


def test_performance_profile_by_counting_runs_above_each_tau():
    scores = [0.1, 0.5, 0.5, 0.9]
    # tau 0: all four above; 0.5: only 0.9 (strictly above); 1: none; -1: all
    np.testing.assert_array_equal(
        performance_profile(scores, [-1.0, 0.0, 0.5, 1.0]), [1.0, 1.0, 0.25, 0.0]
    )
    assert np.isnan(performance_profile([np.nan], [0.0, 1.0])).all()


@UNTIMED
@given(RUNS, hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(-1, 6)))
def test_the_profile_is_non_increasing_in_tau(scores, taus):
    profile = performance_profile(scores, np.sort(taus))
    assert np.all(np.diff(profile) <= 0)


def test_the_profile_band_holds_the_profile():
    scores = np.random.default_rng(9).uniform(0.0, 1.0, 10)
    taus = np.linspace(0.0, 1.0, 21)
    band = performance_profile_band(scores, taus)
    np.testing.assert_array_equal(band.centre, performance_profile(scores, taus))
    assert np.all(band.low <= band.centre) and np.all(band.centre <= band.high)
    assert np.all((band.low >= 0) & (band.high <= 1))
    # below every score all runs are above tau in every resample: no uncertainty there
    assert band.low[0] == band.high[0] == (scores > 0.0).mean()
    # in the middle it has some
    assert band.high[10] - band.low[10] > 0.3
