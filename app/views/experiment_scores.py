"""What each run of an experiment scored, and each group's results with their intervals.

A run's score is one of ``app.stats.objectives.OBJECTIVES``, computed from the aligned window
(``experiment_curves.read_aligned``), so it costs the same for a run of a thousand or a
million episodes: the return objectives read the run's bucket means (final return: the last
10% of its buckets; area: their mean; episodes to threshold: the first bucket end where the
moving mean over ``THRESHOLD_WINDOW`` episodes reaches it, so its resolution is one bucket),
the normalised score its latest evaluated checkpoint. A run without episodes has no score
(NaN) and is left out of its group's statistics.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from app.stats.bootstrap import interval_estimates
from app.stats.objectives import (
    LOWER_IS_BETTER,
    THRESHOLD_WINDOW,
    area_under_curve,
    episodes_to_threshold,
    final_return,
)
from app.stats.records import Interval
from app.views.experiment_curves import Aligned
from app.views.experiment_groups import Group
from runstore import Run

OBJECTIVE_LABELS = {
    "final_return": "final return (last 10%)",
    "auc": "area under the return curve (mean return)",
    "episodes_to_threshold": "episodes to threshold",
    "normalised_score": "normalised score V^π/V*",
}
"""How the page names each objective (``app.stats.objectives.OBJECTIVES``)."""


def run_scores(
    aligned: Aligned, runs: Sequence[Run], objective: str, threshold: float | None
) -> np.ndarray:
    """Return each run's score on ``objective`` (see the module docstring).

    Args:
        aligned: the experiment's aligned window (holding every run of ``runs``).
        runs: the runs to score.
        objective: one of ``OBJECTIVE_LABELS``.
        threshold: the mean return ``episodes_to_threshold`` waits for (None: no score).

    Returns:
        One float per run: NaN for a run without episodes (or checkpoint evaluations, for the
        normalised score), ``inf`` episodes for a run that never reached the threshold.
    """
    score = _SCORES[objective]
    returns = aligned.rows("return", runs)
    evaluated = aligned.rows("normalised_score", runs)
    return np.array(
        [
            score(_reached(curve), _reached(normal), aligned.bucket, threshold)
            for curve, normal in zip(returns, evaluated, strict=True)
        ],
        dtype=np.float64,
    )


def higher_is_better(objective: str, scores: np.ndarray) -> np.ndarray:
    """Return ``scores`` oriented so that higher wins (negated for an objective where lower
    does), as ``app.stats.comparisons`` takes them."""
    return -scores if objective in LOWER_IS_BETTER else scores


def _reached(row: np.ndarray) -> np.ndarray:
    """Return the values of a matrix row where the run has one."""
    return row[~np.isnan(row)]


def _final(curve: np.ndarray, _: np.ndarray, __: int, ___: float | None) -> float:
    return final_return(curve) if curve.size else math.nan


def _area(curve: np.ndarray, _: np.ndarray, __: int, ___: float | None) -> float:
    return area_under_curve(curve) if curve.size else math.nan


def _to_threshold(curve: np.ndarray, _: np.ndarray, bucket: int, threshold: float | None) -> float:
    if not curve.size or threshold is None:
        return math.nan
    window = max(1, math.ceil(THRESHOLD_WINDOW / bucket))
    return episodes_to_threshold(curve, threshold, window) * bucket


def _normalised(_: np.ndarray, evaluated: np.ndarray, __: int, ___: float | None) -> float:
    return float(evaluated[-1]) if evaluated.size else math.nan


_SCORES: dict[str, Callable[[np.ndarray, np.ndarray, int, float | None], float]] = {
    "final_return": _final,
    "auc": _area,
    "episodes_to_threshold": _to_threshold,
    "normalised_score": _normalised,
}


@dataclass(frozen=True)
class GroupResult:
    """One line of the results table."""

    group: Group
    scores: np.ndarray
    """The objective of each of the group's runs (NaN: no score yet)."""
    iqm: Interval
    """The objective's IQM with its 95% bootstrap interval."""
    mean: Interval
    """The objective's mean with its 95% bootstrap interval."""
    to_threshold: Interval
    """The IQM of the runs' episodes to threshold, with its interval (NaN: no threshold)."""
    finished: int
    """Runs of the group that trained to their target."""
    pruned: int
    """Runs of the group its pruner ended early."""

    @property
    def planned(self) -> int:
        """Return the runs (seeds) the group has in all."""
        return len(self.group.runs)


def group_results(
    aligned: Aligned, groups: Sequence[Group], objective: str, threshold: float | None
) -> list[GroupResult]:
    """Return each group's results: objective IQM and mean and episodes to threshold, each
    with its 95% stratified-bootstrap interval, and its seeds finished and pruned.

    Args:
        aligned: the experiment's aligned window.
        groups: the groups, in table order.
        objective: the objective scored.
        threshold: the mean return for episodes to threshold (None: that column is empty).
    """
    names = [str(group.number) for group in groups]
    scores = {
        name: run_scores(aligned, g.runs, objective, threshold)
        for name, g in zip(names, groups, strict=True)
    }
    reached = {
        name: run_scores(aligned, g.runs, "episodes_to_threshold", threshold)
        for name, g in zip(names, groups, strict=True)
    }
    iqm, mean = interval_estimates(scores, "iqm"), interval_estimates(scores, "mean")
    to_threshold = interval_estimates(reached, "iqm")
    return [
        GroupResult(
            group=group,
            scores=scores[name],
            iqm=iqm[name],
            mean=mean[name],
            to_threshold=to_threshold[name],
            finished=sum(run.status == "finished" for run in group.runs),
            pruned=sum(run.status == "pruned" for run in group.runs),
        )
        for name, group in zip(names, groups, strict=True)
    ]
