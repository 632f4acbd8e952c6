"""A group's learning curve: per bucket, the centre of its runs and a band around it.

The input is one matrix of runs × buckets over the same bucket edges for every run (NaN where
a run has not reached a bucket), so the cost grows with the number of buckets drawn, never
with the runs' length.
"""

from __future__ import annotations

import numpy as np

from app.stats.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_METHOD,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    check_method,
    check_resamples,
    percentile_bounds,
    resample_counts,
    tail_level,
)
from app.stats.centres import centre_of_sorted, check_centre, rank_weights, sorted_columns, weighted
from app.stats.records import Band

BANDS = ("ci95", "std", "minmax", "none")
"""``ci95``: 95% bootstrap confidence interval of the centre; ``std``: centre ± the runs'
sample standard deviation; ``minmax``: the lowest and highest run; ``none``: no band."""


def group_band(
    matrix: np.ndarray,
    centre_how: str,
    band: str,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    method: str = DEFAULT_METHOD,
) -> Band:
    """Return a group curve's centre and band per bucket.

    Args:
        matrix: float array [runs, buckets], NaN where a run has no value in a bucket.
        centre_how: one of ``CENTRES``.
        band: one of ``BANDS``.
        resamples: bootstrap resamples (``ci95``).
        seed: the bootstrap's seed (``ci95``): the same matrix gives the same band.
        method: how ``ci95`` reads its percentiles (``bootstrap.METHODS``).

    Returns:
        ``Band(centre, low, high)``, one value per bucket. ``centre`` leaves out runs with no
        value in the bucket (NaN without any). The band's edges are NaN where fewer than two
        runs have a value (``std``, ``ci95``: no spread to measure) and everywhere for
        ``none``. ``ci95`` is the bootstrap over the bucket's runs (Agarwal et al. 2021),
        read as ``method`` says.

    Raises:
        ValueError: for an unknown centre or band, or a matrix that is not 2-d.
    """
    check_centre(centre_how)
    check_method(method)
    check_resamples(resamples)
    if band not in BANDS:
        raise ValueError(f"band={band!r} is not one of {', '.join(BANDS)}")
    values = np.asarray(matrix, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"matrix has shape {values.shape}, not runs × buckets")
    if not len(values):
        empty = np.full(values.shape[1], np.nan)
        return Band(empty, empty, empty)
    ordered, valid = sorted_columns(values)
    middle = centre_of_sorted(ordered, valid, centre_how)
    if band == "ci95":
        low, high = _bootstrap_edges(ordered, valid, centre_how, resamples, seed, method)
    elif band == "std":
        spread = _sample_std(values, valid)
        low, high = middle - spread, middle + spread
    elif band == "minmax":
        last = np.take_along_axis(ordered, np.maximum(valid - 1, 0)[None, :], axis=0)[0]
        low, high = ordered[0], np.where(valid > 0, last, np.nan)
    else:
        low = high = np.full(values.shape[1], np.nan)
    return Band(middle, low, high)


def _bootstrap_edges(
    ordered: np.ndarray, valid: np.ndarray, how: str, resamples: int, seed: int, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return the confidence interval's edges of each bucket's centre.

    All buckets with the same number of values m share one draw of resample counts: the
    counts say how often each *rank* of the bucket is drawn, which is a resample of its runs
    (a run is drawn exactly when its rank is), so each bucket gets the exact bootstrap of its
    own runs and the whole distribution is one matrix product per m (milliseconds for
    10 runs × 1,000 buckets).
    """
    rng = np.random.default_rng(seed)
    low = np.full(ordered.shape[1], np.nan)
    high = low.copy()
    for m in (int(m) for m in np.unique(valid[valid >= 2])):
        columns = valid == m
        weights, total = rank_weights(resample_counts(rng, resamples, m), how)
        distribution = weighted(weights, total, ordered[:m, columns])
        level = tail_level(DEFAULT_CONFIDENCE, [m], method)
        low[columns], high[columns] = percentile_bounds(distribution, level)
    return low, high


def _sample_std(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Return each column's sample standard deviation (ddof 1) over its non-NaN values,
    NaN where fewer than two (or where an infinite value leaves no finite spread)."""
    present = ~np.isnan(values)
    # 0/0 in columns of fewer than two values and inf - inf are NaN by design, not errors
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(present, values, 0.0).sum(axis=0) / valid
        squares = np.where(present, (values - mean) ** 2, 0.0).sum(axis=0)
        spread = np.sqrt(squares / (valid - 1))
    return np.where(valid >= 2, spread, np.nan)
