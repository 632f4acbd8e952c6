"""Centres of a group's runs: mean, median and the interquartile mean (IQM).

Each centre is a weighted sum of the sorted values (order statistics), with weights that
depend only on how many times each rank was drawn. A sample is "each rank once"; a bootstrap
resample is "rank j drawn c_j times". So one function gives both the point estimate and, as
one matrix product for every bucket at once, a whole bootstrap distribution (``bands``).

NaN means "this run has no value here" (it has not reached the bucket yet) and is left out;
±inf is a value (an episodes-to-threshold that was never reached) and sorts as such.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

CENTRES = ("mean", "median", "iqm")
"""The centres a group's curve and the results table offer."""

TRIM = 0.25
"""The share cut from each end for the IQM (Agarwal et al. 2021: the middle 50% of runs)."""


def check_centre(how: str) -> None:
    """Raise ValueError unless ``how`` is one of ``CENTRES``."""
    if how not in CENTRES:
        raise ValueError(f"centre={how!r} is not one of {', '.join(CENTRES)}")


def sorted_columns(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort each column of a runs × buckets matrix.

    Args:
        matrix: float array [runs, buckets], NaN where a run has no value.

    Returns:
        The matrix sorted ascending down each column with NaN last, and the number of values
        (non-NaN entries) per column.
    """
    return np.sort(matrix, axis=0), np.count_nonzero(~np.isnan(matrix), axis=0)


def rank_weights(counts: np.ndarray, how: str) -> tuple[np.ndarray, int]:
    """Return the weights that turn ``m`` sorted values into the centre of a resample.

    Args:
        counts: int array [resamples, m]: how many times each of the m sorted values (rank 0
            the smallest) was drawn; each row sums to m. All ones: the sample itself.
        how: one of ``CENTRES``.

    Returns:
        Integer-valued float weights [resamples, m] and their total per row: the centre is
        ``weights @ values / total`` (dividing last, as a mean does, so the IQM of integers
        comes out exact). The resample, sorted, is rank j repeated ``counts[j]`` times; a
        centre averages the sorted resample over a range of positions: all of them (mean);
        the middle one or two (median); ``k .. m-k-1`` with ``k = floor(m/4)`` (IQM, as
        ``scipy.stats.trim_mean(x, 0.25)`` cuts). Rank j's weight is how many positions of
        that range its copies occupy.
    """
    check_centre(how)
    m = counts.shape[1]
    cum = np.cumsum(counts, axis=1)
    before = cum - counts

    def overlap(first: int, stop: int) -> np.ndarray:
        return np.clip(np.minimum(cum, stop) - np.maximum(before, first), 0, None)

    if how == "mean":
        return counts.astype(np.float64), m
    if how == "median":
        middle = overlap((m - 1) // 2, (m + 1) // 2) + overlap(m // 2, m // 2 + 1)
        return middle.astype(np.float64), 2
    cut = int(TRIM * m)
    return overlap(cut, m - cut).astype(np.float64), m - 2 * cut


def weighted(weights: np.ndarray, total: int, values: np.ndarray) -> np.ndarray:
    """Return weighted means of values that may be infinite.

    Args:
        weights: float array [resamples, m] (from ``rank_weights``).
        total: what each row of weights sums to.
        values: float array [m, buckets], no NaN.

    Returns:
        ``weights @ values / total`` [resamples, buckets], where a zero weight on an
        infinite value counts as nothing (a plain product gives ``0 * inf = nan``): a mean
        that gives weight to +inf is +inf, to -inf is -inf, to both is NaN.
    """
    infinite = np.isinf(values)
    if not infinite.any():
        return _product(weights, values) / total
    mean = _product(weights, np.where(infinite, 0.0, values)) / total
    up = _product(weights, values == np.inf) > 0
    down = _product(weights, values == -np.inf) > 0
    mean = np.where(up, np.inf, mean)
    return np.where(down, np.where(up, np.nan, -np.inf), mean)


def _product(weights: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Return ``weights @ values`` laid out resample-contiguous (each bucket's resamples
    adjacent in memory), which the percentile partition along resamples reads fastest."""
    return (values.T @ weights.T).T


def centre_of_sorted(ordered: np.ndarray, valid: np.ndarray, how: str) -> np.ndarray:
    """Return the centre of each column from ``sorted_columns``'s output.

    Args:
        ordered: float array [runs, buckets], each column sorted with NaN last.
        valid: the number of values in each column.
        how: one of ``CENTRES``.

    Returns:
        Float array [buckets]: the centre of each column's values, NaN for a column without.
    """
    check_centre(how)
    out = np.full(ordered.shape[1], np.nan)
    for m in np.unique(valid[valid > 0]):
        columns = valid == m
        ones = np.ones((1, int(m)), dtype=np.int64)
        out[columns] = weighted(*rank_weights(ones, how), ordered[:m, columns])[0]
    return out


def centre(values: ArrayLike, how: str, axis: int = 0) -> np.ndarray:
    """Return the mean, median or IQM along one axis, leaving NaN out.

    Args:
        values: an array of scores; runs along ``axis``.
        how: one of ``CENTRES`` (``iqm`` is the 25% trimmed mean, Agarwal et al., "Deep RL at
            the Edge of the Statistical Precipice", NeurIPS 2021).
        axis: the axis of runs.

    Returns:
        An array of the other axes' shape (0-d for a 1-d input): the centre of the non-NaN
        values along ``axis``, NaN where there are none. Without NaN it equals ``np.mean``,
        ``np.median`` and ``scipy.stats.trim_mean(values, 0.25, axis)``.
    """
    array = np.moveaxis(np.asarray(values, dtype=np.float64), axis, 0)
    flat = array.reshape(array.shape[0], math.prod(array.shape[1:]))
    return centre_of_sorted(*sorted_columns(flat), how).reshape(array.shape[1:])


def iqm(values: ArrayLike, axis: int = 0) -> np.ndarray | float:
    """Return the interquartile mean: the mean of the middle 50% of the sorted values.

    Agarwal et al. (NeurIPS 2021) recommend it over the mean (one outlier run moves it
    little) and the median (it uses half the runs, not one or two). It cuts
    ``floor(n/4)`` values from each end, as ``scipy.stats.trim_mean(values, 0.25)`` does.

    Args:
        values: an array of scores; runs along ``axis`` (NaN: no value, left out).
        axis: the axis of runs.

    Returns:
        A float for a 1-d input, else an array of the other axes' shape; NaN without values.
    """
    result = centre(values, "iqm", axis)
    return float(result) if result.ndim == 0 else result
