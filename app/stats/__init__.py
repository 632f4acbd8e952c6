"""Statistics for groups of runs, after Agarwal et al., "Deep Reinforcement Learning at the
Edge of the Statistical Precipice" (NeurIPS 2021, the ``rliable`` library): centres (mean,
median, IQM), stratified-bootstrap intervals, per-bucket bands for group curves, probability
of improvement, performance profiles, and the objectives a run is scored by.

Pure numpy and scipy: no Dash, no store. Pages and sweeps pass arrays in and get frozen
dataclasses (``Interval``, ``Band``) back.
"""

from app.stats.bands import BANDS, group_band
from app.stats.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_METHOD,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    METHODS,
    bootstrap_ci,
    interval_estimates,
)
from app.stats.centres import CENTRES, centre, iqm
from app.stats.comparisons import (
    performance_profile,
    performance_profile_band,
    probability_of_improvement,
    probability_of_improvement_ci,
)
from app.stats.objectives import (
    LOWER_IS_BETTER,
    OBJECTIVES,
    area_under_curve,
    episodes_to_threshold,
    final_return,
    normalised_score,
)
from app.stats.records import Band, Interval, format_interval, format_value

__all__ = [
    "BANDS",
    "CENTRES",
    "DEFAULT_CONFIDENCE",
    "DEFAULT_METHOD",
    "DEFAULT_RESAMPLES",
    "DEFAULT_SEED",
    "LOWER_IS_BETTER",
    "METHODS",
    "OBJECTIVES",
    "Band",
    "Interval",
    "area_under_curve",
    "bootstrap_ci",
    "centre",
    "episodes_to_threshold",
    "final_return",
    "format_interval",
    "format_value",
    "group_band",
    "interval_estimates",
    "iqm",
    "normalised_score",
    "performance_profile",
    "performance_profile_band",
    "probability_of_improvement",
    "probability_of_improvement_ci",
]
