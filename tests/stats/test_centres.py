"""Mean, median and IQM against their definitions: hand-worked arrays, scipy's trim_mean, and
properties that hold for every sample."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from app.stats import CENTRES, centre, iqm
from app.stats.centres import rank_weights

UNTIMED = settings(deadline=None)
"""Hypothesis without its per-example deadline: on a shared machine time is not the property."""
FINITE = st.floats(-1e6, 1e6, allow_nan=False)
SAMPLES = hnp.arrays(np.float64, st.integers(1, 40), elements=FINITE)
REFERENCES = {
    "mean": np.mean,
    "median": np.median,
    "iqm": lambda sample: stats.trim_mean(sample, 0.25),
}
"""Each centre as numpy and scipy define it."""


def test_iqm_of_one_to_eight_is_the_mean_of_three_to_six():
    # n = 8: floor(8 / 4) = 2 cut from each end, leaving 3, 4, 5, 6
    assert iqm(np.arange(1, 9)) == (3 + 4 + 5 + 6) / 4


def test_iqm_cuts_floor_of_a_quarter_from_each_end():
    # n = 10: 2 cut from each end (3..8 stay); n = 7: 1 cut (2..6 stay); n = 3: none cut
    assert iqm(np.arange(1, 11)) == sum(range(3, 9)) / 6
    assert iqm([7, 1, 6, 2, 5, 3, 4]) == sum(range(2, 7)) / 5
    assert iqm([1, 2, 30]) == 11
    # the outlier is cut: the IQM of [1, 2, 3, 100] is the mean of 2 and 3
    assert iqm([100, 1, 3, 2]) == 2.5


@UNTIMED
@given(SAMPLES)
def test_iqm_equals_scipy_trim_mean(sample):
    assert iqm(sample) == pytest.approx(stats.trim_mean(sample, 0.25), rel=1e-9, abs=1e-6)


@UNTIMED
@given(SAMPLES)
def test_each_centre_lies_between_the_smallest_and_largest_value(sample):
    slack = 1e-9 * max(1.0, float(np.abs(sample).max()))  # the rounding of a float mean
    for how in CENTRES:
        assert sample.min() - slack <= centre(sample, how) <= sample.max() + slack


@UNTIMED
@given(SAMPLES, st.randoms(use_true_random=False))
def test_centres_do_not_depend_on_the_order_of_runs(sample, random):
    shuffled = sample.copy()
    random.shuffle(shuffled)
    for how in CENTRES:
        assert centre(shuffled, how) == pytest.approx(centre(sample, how), rel=1e-9, abs=1e-6)


def test_mean_and_median_equal_numpy_along_any_axis():
    values = np.random.default_rng(3).normal(size=(4, 7, 5))
    for axis in range(3):
        np.testing.assert_allclose(centre(values, "mean", axis), values.mean(axis=axis))
        np.testing.assert_allclose(centre(values, "median", axis), np.median(values, axis=axis))
        np.testing.assert_allclose(iqm(values, axis), stats.trim_mean(values, 0.25, axis=axis))


def test_median_of_even_and_odd_counts_by_hand():
    assert centre([4, 1, 3, 2], "median") == 2.5
    assert centre([5, 1, 3], "median") == 3


def test_runs_without_a_value_are_left_out_and_a_bucket_without_any_is_nan():
    # runs x buckets: bucket 0 has 4 values, bucket 1 has 2 (two runs have not reached it),
    # bucket 2 has none
    matrix = np.array(
        [[1.0, 10.0, np.nan], [2.0, 20.0, np.nan], [3.0, np.nan, np.nan], [4.0, np.nan, np.nan]]
    )
    np.testing.assert_array_equal(centre(matrix, "mean"), [2.5, 15.0, np.nan])
    np.testing.assert_array_equal(centre(matrix, "median"), [2.5, 15.0, np.nan])
    # IQM of 1..4 cuts one from each end: (2 + 3) / 2; of two values cuts none
    np.testing.assert_array_equal(centre(matrix, "iqm"), [2.5, 15.0, np.nan])


def test_no_runs_have_no_centre():
    assert np.isnan(iqm([]))
    assert np.isnan(centre(np.empty((0, 3)), "median")).all()


def test_an_infinite_value_that_is_cut_leaves_the_iqm_finite():
    never = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, np.inf]  # one run never reached the threshold
    assert iqm(never) == (3 + 4 + 5 + 6) / 4
    assert centre(never, "median") == 4.5
    assert centre(never, "mean") == np.inf
    assert np.isnan(centre([-np.inf, np.inf], "mean"))


def test_the_weights_of_a_resample_average_its_sorted_copies():
    # sorted sample [a, b, c, d] drawn as a, a, a, d: the resample sorted is [a, a, a, d];
    # its IQM (cut 1 each end) is the mean of positions 1 and 2: a, a; its median (a + a) / 2
    counts = np.array([[3, 0, 0, 1]])
    assert _shares(counts, "iqm") == [1, 0, 0, 0]
    assert _shares(counts, "median") == [1, 0, 0, 0]
    assert _shares(counts, "mean") == [0.75, 0, 0, 0.25]
    # drawn as a, b, b, c: sorted [a, b, b, c]; IQM: positions 1, 2 (b, b); median (b + b) / 2
    assert _shares(np.array([[1, 2, 1, 0]]), "iqm") == [0, 1, 0, 0]
    # of [a, b, c, d, e], drawn as a, b, c, c, d: IQM cuts 1 from each end: b, c, c
    assert _shares(np.array([[1, 1, 2, 1, 0]]), "iqm") == [0, 1 / 3, 2 / 3, 0, 0]


def _shares(counts: np.ndarray, how: str) -> list[float]:
    """Return the one resample's weights as shares of their total."""
    weights, total = rank_weights(counts, how)
    return list(weights[0] / total)


@settings(max_examples=50, deadline=None)
@given(SAMPLES, st.integers(0, 2**32 - 1))
def test_the_weights_give_the_centre_of_the_resample_itself(sample, seed):
    ordered = np.sort(sample)
    draw = np.random.default_rng(seed).integers(0, len(sample), size=len(sample))
    counts = np.bincount(draw, minlength=len(sample))[None, :]
    resample = ordered[draw]
    for how, reference in REFERENCES.items():
        weights, total = rank_weights(counts, how)
        by_weights = float(weights[0] @ ordered / total)
        assert by_weights == pytest.approx(reference(resample), rel=1e-9, abs=1e-6)


def test_an_unknown_centre_is_refused_by_name():
    with pytest.raises(ValueError, match="centre='mode' is not one of mean, median, iqm"):
        centre([1.0, 2.0], "mode")
