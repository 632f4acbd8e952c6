"""Comparisons that survive the statistics (Agarwal et al., NeurIPS 2021, section 4).

Probability of improvement: how likely a run of X beats a run of Y. Performance profile: the
share of runs scoring above τ, for every τ (the whole distribution, not one centre). Both
with bootstrap bands over runs. Scores are "higher is better": pass negated scores for an
objective where lower wins (``objectives.LOWER_IS_BETTER``). NaN (a run without a score) is
left out.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from app.stats.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_METHOD,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    percentile_bounds,
    resample_counts,
    tail_level,
)
from app.stats.records import Band, Interval


def _scores(values: ArrayLike) -> np.ndarray:
    """Return the scores as a flat float array with NaN (no score) left out."""
    array = np.asarray(values, dtype=np.float64).ravel()
    return array[~np.isnan(array)]


def _pair_wins(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return [len(x), len(y)]: 1 where x_i > y_j, 0.5 where they tie, else 0."""
    return (x[:, None] > y[None, :]) + 0.5 * (x[:, None] == y[None, :])


def probability_of_improvement(x: ArrayLike, y: ArrayLike) -> float:
    """Return the probability that a run of X scores higher than a run of Y.

    ``P(X > Y) + P(X = Y) / 2`` over all pairs of runs: the Mann–Whitney U statistic of x
    divided by ``len(x) * len(y)`` (Agarwal et al. 2021, section 4.3).

    Args:
        x: the scores of X's runs.
        y: the scores of Y's runs.

    Returns:
        A probability in [0, 1] (0.5: neither is better); NaN when either has no score.
    """
    x, y = _scores(x), _scores(y)
    if not (x.size and y.size):
        return math.nan
    return float(_pair_wins(x, y).mean())


def probability_of_improvement_ci(
    x: ArrayLike,
    y: ArrayLike,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    method: str = DEFAULT_METHOD,
) -> Interval:
    """Return the probability of improvement with its bootstrap confidence interval.

    X's and Y's runs are resampled independently (two strata, as rliable does for a pair).

    Args:
        x: the scores of X's runs.
        y: the scores of Y's runs.
        confidence: the nominal coverage.
        resamples: bootstrap resamples.
        seed: the bootstrap's seed.
        method: how percentiles are read (``bootstrap.METHODS``; ``expanded`` widens by the
            smaller group's size).

    Returns:
        ``Interval(low, high, point)`` with ``point = probability_of_improvement(x, y)``;
        all NaN when either has no score, NaN edges when neither has two runs.
    """
    x, y = _scores(x), _scores(y)
    level = tail_level(confidence, [x.size, y.size], method)
    if not (x.size and y.size):
        return Interval(math.nan, math.nan, math.nan)
    wins = _pair_wins(x, y)
    rng = np.random.default_rng(seed)
    x_counts = resample_counts(rng, resamples, x.size)
    y_counts = resample_counts(rng, resamples, y.size)
    distribution = ((x_counts @ wins) * y_counts).sum(axis=1) / wins.size
    low, high = percentile_bounds(distribution, level)
    return Interval(float(low), float(high), float(wins.mean()))


def _above(scores: np.ndarray, taus: ArrayLike) -> np.ndarray:
    """Return [runs, taus]: 1.0 where the run's score is strictly above τ."""
    return (scores[:, None] > np.asarray(taus, dtype=np.float64).ravel()[None, :]).astype(float)


def performance_profile(scores: ArrayLike, taus: ArrayLike) -> np.ndarray:
    """Return the run-score distribution: the share of runs scoring above each τ.

    Agarwal et al. (2021), section 4.2: ``F(τ) = (1/n) Σ_i 1[score_i > τ]``.

    Args:
        scores: one score per run.
        taus: the thresholds.

    Returns:
        Float array, one share per τ (non-increasing in τ); NaN without scores.
    """
    runs = _scores(scores)
    if not runs.size:
        return np.full(np.size(taus), np.nan)
    return _above(runs, taus).mean(axis=0)


def performance_profile_band(
    scores: ArrayLike,
    taus: ArrayLike,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    method: str = DEFAULT_METHOD,
) -> Band:
    """Return the performance profile with a pointwise bootstrap confidence band.

    Args:
        scores: one score per run.
        taus: the thresholds.
        confidence: the nominal coverage at each τ.
        resamples: bootstrap resamples (the same resamples serve every τ).
        seed: the bootstrap's seed.
        method: how percentiles are read (``bootstrap.METHODS``).

    Returns:
        ``Band(centre, low, high)`` over τ: centre the profile, low/high the interval of the
        share above each τ; all NaN without scores, NaN edges with one run.
    """
    runs = _scores(scores)
    level = tail_level(confidence, [runs.size], method)
    if not runs.size:
        empty = np.full(np.size(taus), np.nan)
        return Band(empty, empty, empty)
    above = _above(runs, taus)
    counts = resample_counts(np.random.default_rng(seed), resamples, runs.size)
    low, high = percentile_bounds(counts @ above / runs.size, level)
    return Band(above.mean(axis=0), low, high)
