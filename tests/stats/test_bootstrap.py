"""The stratified bootstrap interval against scipy's, the t interval and hand-built strata."""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from app.stats import CENTRES, bootstrap_ci, centre, interval_estimates, iqm
from app.stats.bootstrap import tail_level

SAMPLE = np.random.default_rng(12).normal(5.0, 2.0, size=20)
"""A fixed sample of 20 runs."""


def _standard_error(sample: np.ndarray) -> float:
    return float(sample.std(ddof=1) / math.sqrt(len(sample)))


@pytest.mark.parametrize("statistic", [np.mean, np.median])
def test_the_percentile_interval_agrees_with_scipy(statistic):
    ours = bootstrap_ci(SAMPLE, statistic, resamples=20_000, seed=1, method="percentile")
    theirs = stats.bootstrap(
        (SAMPLE,), statistic, n_resamples=20_000, method="percentile", rng=2
    ).confidence_interval
    # each edge is a 2.5% quantile of 20,000 draws: its Monte-Carlo error is about 0.02
    # standard errors, so 0.1 is some four times the error of the difference
    tolerance = 0.1 * _standard_error(SAMPLE)
    assert ours.low == pytest.approx(theirs.low, abs=tolerance)
    assert ours.high == pytest.approx(theirs.high, abs=tolerance)
    assert ours.point == statistic(SAMPLE)


def test_the_expanded_interval_of_a_mean_is_the_t_interval():
    # Hesterberg's widening makes the percentile interval of a mean the Student t interval
    ours = bootstrap_ci(SAMPLE, np.mean, resamples=50_000, seed=1)
    low, high = stats.t.interval(0.95, len(SAMPLE) - 1, SAMPLE.mean(), _standard_error(SAMPLE))
    tolerance = 0.1 * _standard_error(SAMPLE)
    assert ours.low == pytest.approx(low, abs=tolerance)
    assert ours.high == pytest.approx(high, abs=tolerance)


def test_the_expanded_tail_level_by_hand():
    # n = 10: sqrt(10/9) * t(0.975, 9) = 1.0541 * 2.2622 = 2.3846; Φ(-2.3846) = 0.00855
    assert tail_level(0.95, [10]) == pytest.approx(0.00855, abs=1e-5)
    assert tail_level(0.95, [10], "percentile") == pytest.approx(0.025)
    # strata of 10, 1 and 30 runs: the smallest that varies (10) widens, with 9 + 29
    # degrees of freedom (a stratum of one run is the same in every resample)
    widened = math.sqrt(10 / 9) * stats.t.ppf(0.975, 9 + 29)
    assert tail_level(0.95, [10, 1, 30]) == pytest.approx(stats.norm.sf(widened))
    # the widening fades with more runs: at n = 1,000 it is nearly the plain 2.5%
    assert tail_level(0.95, [1000]) == pytest.approx(0.025, abs=5e-4)
    assert math.isnan(tail_level(0.95, [1, 1]))


def test_each_stratum_keeps_its_size_in_every_resample():
    # stratum a: three runs below 10; stratum b: five runs at or above 10. Resampled within
    # each stratum, every resample holds exactly five runs >= 10, so the share is constant
    a, b = np.array([0.0, 1.0, 2.0]), np.array([10.0, 11.0, 12.0, 13.0, 14.0])
    seen: list[np.ndarray] = []

    def share_high(sample: np.ndarray, axis: int) -> np.ndarray:
        seen.append(sample)
        return np.mean(sample >= 10, axis=axis)

    interval = bootstrap_ci([a, b], share_high, resamples=500)
    assert interval == type(interval)(5 / 8, 5 / 8, 5 / 8)
    resamples = seen[1]
    assert resamples.shape == (500, 8)
    assert np.isin(resamples[:, :3], a).all() and np.isin(resamples[:, 3:], b).all()
    # and the draws do vary within each stratum (a resample, not a copy)
    assert len({tuple(row) for row in resamples}) > 400


def test_pooled_runs_without_strata_would_vary():
    # the same runs as one stratum: now the share of runs >= 10 varies between resamples
    pooled = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0, 13.0, 14.0])
    interval = bootstrap_ci(pooled, lambda s, axis: np.mean(s >= 10, axis=axis), resamples=500)
    assert interval.low < 5 / 8 < interval.high


def test_a_score_matrix_is_stratified_by_its_columns():
    # runs x tasks, as rliable takes them: task 0 scores below 10, task 1 at or above, so
    # every resample draws four runs of each task: half of its scores are >= 10
    matrix = np.column_stack([np.arange(4.0), np.arange(10.0, 14.0)])
    interval = bootstrap_ci(matrix, lambda s, axis: np.mean(s >= 10, axis=axis))
    assert interval.to_dict() == {"low": 0.5, "high": 0.5, "point": 0.5}
    assert bootstrap_ci(matrix, np.mean).point == matrix.mean()


def test_a_fixed_seed_gives_the_same_interval_and_another_seed_another():
    first = bootstrap_ci(SAMPLE, iqm, seed=7)
    assert bootstrap_ci(SAMPLE, iqm, seed=7) == first
    assert bootstrap_ci(SAMPLE, iqm, seed=8) != first


def test_runs_without_a_score_are_left_out():
    with_gaps = np.concatenate([SAMPLE, [np.nan, np.nan]])
    assert bootstrap_ci(with_gaps, np.mean) == bootstrap_ci(SAMPLE, np.mean)


def test_no_runs_give_no_interval_and_one_run_gives_only_its_point():
    none = bootstrap_ci(np.array([np.nan]), np.mean)
    assert all(math.isnan(value) for value in none.to_dict().values())
    one = bootstrap_ci(np.array([4.0]), np.mean)
    assert one.point == 4.0 and math.isnan(one.low) and math.isnan(one.high)


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(2, 30), elements=st.floats(-1e3, 1e3)),
    st.sampled_from(CENTRES),
    st.sampled_from(["expanded", "percentile"]),
)
def test_the_interval_of_a_centre_lies_within_the_runs(sample, how, method):
    interval = bootstrap_ci(sample, partial(centre, how=how), resamples=200, method=method)
    slack = 1e-9 * max(1.0, float(np.abs(sample).max()))
    assert sample.min() - slack <= interval.low <= interval.high <= sample.max() + slack


def test_interval_estimates_give_each_group_its_centre():
    groups = {"a": SAMPLE, "b": SAMPLE + 100.0}
    intervals = interval_estimates(groups, "iqm")
    assert list(intervals) == ["a", "b"]
    assert intervals["a"] == bootstrap_ci(SAMPLE, iqm)
    assert intervals["b"].point == pytest.approx(stats.trim_mean(SAMPLE, 0.25) + 100.0)
    assert intervals["b"].low == pytest.approx(intervals["a"].low + 100.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"confidence": 1.0}, "confidence=1.0 is not between 0 and 1"),
        ({"method": "bca"}, "method='bca' is not one of expanded, percentile"),
        ({"resamples": 0}, "resamples=0 is not a positive number"),
    ],
)
def test_bad_settings_are_refused_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        bootstrap_ci(SAMPLE, np.mean, **kwargs)
