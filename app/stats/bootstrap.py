"""Confidence intervals by stratified bootstrap over runs (Agarwal et al., NeurIPS 2021).

A stratum is one task's (or group's) runs; a resample draws, within every stratum, as many
runs as it has, with replacement, so each resample keeps the design of the experiment. The
interval is read off the bootstrap distribution of the statistic at two percentiles.

Which percentiles: with the ten or so seeds an RL experiment has, the plain percentile
interval (the 2.5th and 97.5th, as ``rliable`` reads it) is too narrow: on normal data with
n = 10 it covers the true mean about 91% of the time, not 95% (it ignores that the spread is
estimated: the bootstrap's spread is the plug-in one, ``sqrt((n-1)/n)`` of the sample's, and
it uses the normal quantile where Student's t applies). So the default is the *expanded
percentile* interval (Hesterberg, "What Teachers Should Know About the Bootstrap", The
American Statistician 69(4), 2015, section 5): the same percentile interval read at the tail
probability ``Φ(-sqrt(n/(n-1)) · t_{1-α/2, n-1})`` instead of ``α/2`` (n = 10: 0.86%, not
2.5%). For a mean it matches the t interval, reaching 95% on normal data; for the median,
IQM, P(improvement) and profiles it is the same small-sample correction; as n grows it turns
into the plain percentile interval. ``method="percentile"`` gives rliable's reading.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import partial

import numpy as np
from scipy import stats

from app.stats.centres import centre, check_centre
from app.stats.records import Interval

DEFAULT_RESAMPLES = 2000
"""Bootstrap resamples per interval (the issue asks for at least 2,000)."""
DEFAULT_SEED = 0
"""The bootstrap's seed: the same data always give the same interval and the same plot."""
DEFAULT_CONFIDENCE = 0.95
METHODS = ("expanded", "percentile")
"""How the interval is read off the bootstrap distribution (see the module docstring)."""
DEFAULT_METHOD = "expanded"


def tail_level(confidence: float, sizes: Sequence[int], method: str = DEFAULT_METHOD) -> float:
    """Return the probability below the interval's lower edge (and above its upper edge).

    Args:
        confidence: the nominal coverage, in (0, 1).
        sizes: the number of runs in each resampled stratum.
        method: one of ``METHODS``. ``expanded`` widens with the smallest stratum of at least
            two runs (m) and the degrees of freedom of all of them together (sum of n - 1):
            ``Φ(-sqrt(m/(m-1)) · t_{1-α/2, df})``; for one stratum, Hesterberg's formula.

    Returns:
        The tail probability; NaN when no stratum has two runs (nothing to resample: a
        single run gives no interval).

    Raises:
        ValueError: for a confidence outside (0, 1) or an unknown method.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} is not between 0 and 1")
    check_method(method)
    spread = [n for n in sizes if n >= 2]
    if not spread:
        return math.nan
    alpha = (1 - confidence) / 2
    if method == "percentile":
        return alpha
    m = min(spread)
    widened = math.sqrt(m / (m - 1)) * stats.t.ppf(1 - alpha, sum(n - 1 for n in spread))
    return float(stats.norm.sf(widened))


def percentile_bounds(distribution: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the lower and upper percentile of a bootstrap distribution.

    Args:
        distribution: float array [resamples, ...].
        level: the tail probability (``tail_level``); NaN gives NaN edges.

    Returns:
        Two arrays of the remaining shape: the ``level`` quantile read at the resample just
        below (numpy's ``lower`` method) and the ``1 - level`` quantile at the one just above
        (``higher``), NaN where a resample's statistic is NaN. Never interpolating keeps
        infinite statistics (``inf - inf``) out of the edges and errs, by at most one
        resample, on the wide side.
    """
    if math.isnan(level):
        empty = np.full(distribution.shape[1:], np.nan)
        return empty, empty.copy()
    last = len(distribution) - 1
    below = math.floor(level * last)
    above = last - below
    # one partition per edge: faster than one with both (numpy 2.4, 2,000 x 1,000)
    low = np.partition(distribution, below, axis=0)[below]
    high = np.partition(distribution, above, axis=0)[above]
    undefined = np.isnan(distribution).any(axis=0)
    return np.where(undefined, np.nan, low), np.where(undefined, np.nan, high)


def resample_counts(rng: np.random.Generator, resamples: int, size: int) -> np.ndarray:
    """Return how many times each of ``size`` runs is drawn in each bootstrap resample.

    Returns:
        Int array [resamples, size], each row a multinomial draw of ``size`` runs with equal
        probabilities (a resample with replacement, as counts).
    """
    check_resamples(resamples)
    return rng.multinomial(size, np.full(size, 1.0 / size), size=resamples)


def check_method(method: str) -> None:
    """Raise ValueError unless ``method`` is one of ``METHODS``."""
    if method not in METHODS:
        raise ValueError(f"method={method!r} is not one of {', '.join(METHODS)}")


def check_resamples(resamples: int) -> None:
    """Raise ValueError unless ``resamples`` is a positive number of resamples."""
    if resamples < 1:
        raise ValueError(f"resamples={resamples!r} is not a positive number")


def strata_of(scores: Sequence[np.ndarray] | np.ndarray) -> list[np.ndarray]:
    """Return the strata of ``scores`` with NaN (runs without a value) left out.

    Args:
        scores: a 1-d array (one stratum of runs), a 2-d array [runs, tasks] (one stratum
            per task, as rliable's score matrices), or a sequence of 1-d arrays (strata of
            any sizes).

    Returns:
        One float array per stratum.
    """
    if isinstance(scores, np.ndarray):
        columns = [scores] if scores.ndim <= 1 else list(scores.reshape(len(scores), -1).T)
    else:
        columns = list(scores)
    strata = [np.asarray(column, dtype=np.float64).ravel() for column in columns]
    return [stratum[~np.isnan(stratum)] for stratum in strata]


def bootstrap_ci(
    scores: Sequence[np.ndarray] | np.ndarray,
    statistic: Callable[..., np.ndarray | float],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    method: str = DEFAULT_METHOD,
) -> Interval:
    """Return a statistic of the runs with its stratified-bootstrap confidence interval.

    Agarwal et al. (NeurIPS 2021), section 4: resample runs with replacement within each
    stratum, apply the statistic to every resample, read the interval off percentiles.

    Args:
        scores: the runs' scores (see ``strata_of``; NaN left out).
        statistic: called as ``statistic(sample, axis=-1)`` on the pooled runs of all
            strata, once with the sample (1-d) and once with every resample (2-d,
            [resamples, runs]); ``np.mean``, ``iqm`` or ``partial(centre, how=...)`` qualify.
        confidence: the nominal coverage.
        resamples: the number of bootstrap resamples.
        seed: seeds the resampling, so the same scores give the same interval.
        method: ``expanded`` or ``percentile`` (see the module docstring).

    Returns:
        ``Interval(low, high, point)``, point the statistic of the sample; all NaN without
        scores, NaN edges when no stratum has two runs.
    """
    check_resamples(resamples)
    strata = [stratum for stratum in strata_of(scores) if len(stratum)]
    level = tail_level(confidence, [len(stratum) for stratum in strata], method)
    if not strata:
        return Interval(math.nan, math.nan, math.nan)
    point = float(statistic(np.concatenate(strata), axis=-1))
    rng = np.random.default_rng(seed)
    draws = [s[rng.integers(0, len(s), size=(resamples, len(s)))] for s in strata]
    distribution = np.asarray(statistic(np.concatenate(draws, axis=1), axis=-1))
    low, high = percentile_bounds(distribution, level)
    return Interval(float(low), float(high), point)


def interval_estimates(
    groups: Mapping[str, Sequence[np.ndarray] | np.ndarray],
    how: str,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    method: str = DEFAULT_METHOD,
) -> dict[str, Interval]:
    """Return each group's centre with its confidence interval (rliable's
    ``get_interval_estimates``, one centre at a time).

    Args:
        groups: group name → its runs' scores (as ``bootstrap_ci`` takes them).
        how: the centre, one of ``CENTRES``.
        confidence: the nominal coverage.
        resamples: bootstrap resamples per group.
        seed: the bootstrap's seed (the same for every group).
        method: ``expanded`` or ``percentile``.

    Returns:
        Group name → ``Interval``, in the order of ``groups``.
    """
    check_centre(how)
    statistic = partial(centre, how=how)
    return {
        name: bootstrap_ci(
            scores,
            statistic,
            confidence=confidence,
            resamples=resamples,
            seed=seed,
            method=method,
        )
        for name, scores in groups.items()
    }
