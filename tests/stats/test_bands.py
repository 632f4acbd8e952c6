"""A group curve's centre and band per bucket: by hand, against bootstrap_ci, and with runs
that have not reached every bucket."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from app.stats import BANDS, CENTRES, Band, bootstrap_ci, centre, group_band

NAN = np.nan

# 4 runs x 4 buckets: run 3 stopped after bucket 1, runs 2 and 3 after bucket 2; nobody has
# reached bucket 3
MATRIX = np.array(
    [
        [1.0, 4.0, 7.0, NAN],
        [2.0, 6.0, 9.0, NAN],
        [3.0, 8.0, NAN, NAN],
        [6.0, NAN, NAN, NAN],
    ]
)


def test_minmax_and_std_by_hand_leave_out_runs_without_a_value():
    band = group_band(MATRIX, "mean", "minmax")
    np.testing.assert_array_equal(band.centre, [3.0, 6.0, 8.0, NAN])
    np.testing.assert_array_equal(band.low, [1.0, 4.0, 7.0, NAN])
    np.testing.assert_array_equal(band.high, [6.0, 8.0, 9.0, NAN])
    band = group_band(MATRIX, "mean", "std")
    # bucket 0: deviations -2, -1, 0, 3 -> sum of squares 14, over 3; bucket 1: 4 + 0 + 4, over 2
    spread = np.array([np.sqrt(14 / 3), 2.0, np.sqrt(2.0), NAN])
    np.testing.assert_allclose(band.low, band.centre - spread)
    np.testing.assert_allclose(band.high, band.centre + spread)


def test_the_std_band_centres_on_the_chosen_centre():
    band = group_band(MATRIX, "median", "std")
    np.testing.assert_array_equal(band.centre, [2.5, 6.0, 8.0, NAN])
    assert band.high[0] - band.centre[0] == pytest.approx(np.nanstd(MATRIX[:, 0], ddof=1))


def test_one_run_in_a_bucket_has_a_centre_but_no_interval():
    for band in ("ci95", "std"):
        curve = group_band(MATRIX[:1], "iqm", band)
        np.testing.assert_array_equal(curve.centre, [1.0, 4.0, 7.0, NAN])
        assert np.isnan(curve.low).all() and np.isnan(curve.high).all()


@pytest.mark.parametrize("band", BANDS)
def test_a_group_without_runs_or_values_has_an_empty_curve(band):
    for matrix in (np.empty((0, 3)), np.full((2, 3), NAN)):
        curve = group_band(matrix, "median", band)
        assert all(np.isnan(edge).all() and edge.shape == (3,) for edge in vars(curve).values())


def test_no_band_has_only_its_centre():
    curve = group_band(MATRIX, "mean", "none")
    np.testing.assert_array_equal(curve.centre, [3.0, 6.0, 8.0, NAN])
    assert np.isnan(curve.low).all() and np.isnan(curve.high).all()


@pytest.mark.parametrize("how", CENTRES)
def test_each_buckets_interval_is_the_bootstrap_of_its_own_runs(how):
    # the band draws ranks once for all buckets; bootstrap_ci draws runs for one bucket.
    # Both are the bootstrap of that bucket's runs: equal up to Monte-Carlo error
    rng = np.random.default_rng(4)
    matrix = rng.normal(0.0, 1.0, size=(12, 3))
    matrix[9:, 2] = NAN  # bucket 2: 9 runs
    band = group_band(matrix, how, "ci95", resamples=20_000)
    for bucket in range(3):
        column = matrix[:, bucket]
        one = bootstrap_ci(column, partial(centre, how=how), resamples=20_000, seed=9)
        width = one.high - one.low
        assert band.centre[bucket] == pytest.approx(one.point, rel=1e-12)
        assert band.low[bucket] == pytest.approx(one.low, abs=0.06 * width)
        assert band.high[bucket] == pytest.approx(one.high, abs=0.06 * width)


def test_the_interval_holds_the_centre_and_stays_within_the_runs():
    matrix = np.random.default_rng(5).exponential(1.0, size=(10, 200))
    matrix[6:, 150:] = NAN
    for how in CENTRES:
        band = group_band(matrix, how, "ci95")
        assert np.all(band.low <= band.centre) and np.all(band.centre <= band.high)
        assert np.all(np.nanmin(matrix, axis=0) <= band.low)
        assert np.all(band.high <= np.nanmax(matrix, axis=0))


def test_a_run_that_never_reached_the_threshold_counts_as_infinitely_slow():
    # episodes to threshold of 8 seeds, one never (inf): the IQM cuts it, the max is inf
    episodes = np.array([[100.0], [120.0], [130.0], [150.0], [160.0], [170.0], [180.0], [np.inf]])
    band = group_band(episodes, "iqm", "ci95")
    assert band.centre[0] == (130 + 150 + 160 + 170) / 4
    assert np.isfinite(band.low[0]) and band.low[0] <= band.centre[0] <= band.high[0]
    assert group_band(episodes, "mean", "minmax").high[0] == np.inf


def test_a_fixed_seed_gives_the_same_band():
    matrix = np.random.default_rng(6).normal(size=(10, 50))
    first = group_band(matrix, "iqm", "ci95", seed=3)
    again = group_band(matrix, "iqm", "ci95", seed=3)
    np.testing.assert_array_equal(first.low, again.low)
    np.testing.assert_array_equal(first.high, again.high)
    assert not np.array_equal(group_band(matrix, "iqm", "ci95", seed=4).low, first.low)


def test_the_band_is_read_only_and_turns_into_lists():
    band = group_band(MATRIX, "mean", "minmax")
    assert isinstance(band, Band)
    with pytest.raises(ValueError, match="read-only"):
        band.low[0] = 0.0
    data = band.to_dict()
    assert data["high"][:3] == [6.0, 8.0, 9.0] and np.isnan(data["high"][3])
    assert list(data) == ["centre", "low", "high"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((MATRIX, "mode", "ci95"), "centre='mode' is not one of mean, median, iqm"),
        ((MATRIX, "mean", "sem"), f"band='sem' is not one of {', '.join(BANDS)}"),
        ((MATRIX[0], "mean", "std"), r"matrix has shape \(4,\), not runs × buckets"),
    ],
)
def test_bad_arguments_are_refused_by_name(args, message):
    with pytest.raises(ValueError, match=message):
        group_band(*args)
