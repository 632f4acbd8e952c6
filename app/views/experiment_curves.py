"""An experiment's runs over one window with the same bucket edges, and its group curves.

Every run is read over episodes 1 .. the longest target with the same bucket width
(``RunStore.series(..., align=True)``), so bucket ``k`` holds episodes ``k*b+1 .. (k+1)*b``
of every run and a group's runs stack into one matrix (NaN where a run has not got to yet).
A read costs ``GROUP_POINTS`` buckets per run and metric, whatever the runs' length. The
normalised score comes from checkpoint evaluations: in each bucket, the score of the latest
evaluated checkpoint by the bucket's end.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from app.stats.bands import group_band
from app.stats.objectives import normalised_score
from app.stats.records import Band
from app.views.experiment_groups import Group
from runstore import CheckpointInfo, Run, RunStore, Series

CURVE_METRICS: dict[str, str] = {
    "return": "Return per episode",
    "success": "Success rate",
    "normalised_score": "Normalised score V^π(start) / V*(start)",
}
"""The group curves, in page order, with their titles."""
STORE_METRICS = ("return", "success")
"""Curves read from the store's episode series (the other one from checkpoints)."""
GROUP_POINTS = 150
"""Buckets over the longest target: a chart of five groups with bands stays a few dozen KB."""


@dataclass(frozen=True)
class Aligned:
    """An experiment's runs over one window, one row per run and one column per bucket."""

    bucket: int
    """Episodes per bucket: column ``k`` holds episodes ``k*bucket+1 .. (k+1)*bucket``."""
    run_ids: tuple[int, ...]
    """The runs, in row order."""
    matrices: Mapping[str, np.ndarray]
    """Metric (``CURVE_METRICS``) → float array [runs, buckets], NaN where a run has no
    value (not got there yet, or not evaluated yet)."""

    @property
    def buckets(self) -> int:
        """Return the number of columns."""
        return next(iter(self.matrices.values())).shape[1] if self.matrices else 0

    def starts(self) -> np.ndarray:
        """Return the first episode of each bucket."""
        return np.arange(self.buckets) * self.bucket + 1

    def rows(self, metric: str, runs: Sequence[Run]) -> np.ndarray:
        """Return the matrix rows of ``metric`` for ``runs`` (each one of ``run_ids``)."""
        index = {run_id: row for row, run_id in enumerate(self.run_ids)}
        return self.matrices[metric][[index[run.id] for run in runs]]


def window_end(runs: Sequence[Run]) -> int:
    """Return the window's last episode: the longest target (or progress) among ``runs``."""
    return max([1, *(max(run.target_episodes, run.episodes_done) for run in runs)])


def read_aligned(store: RunStore, runs: Sequence[Run], points: int = GROUP_POINTS) -> Aligned:
    """Read every curve metric of ``runs`` over one window with shared bucket edges.

    Args:
        store: the run store.
        runs: the runs (an experiment's).
        points: buckets over the window (its bucket width is the smallest nice one that fits).

    Returns:
        The runs' matrices of every ``CURVE_METRICS`` metric.

    Raises:
        RunNotFound: a run was deleted meanwhile.
    """
    end = window_end(runs)
    series = {
        metric: [store.series(run.id, metric, 1, end, points, align=True) for run in runs]
        for metric in STORE_METRICS
    }
    bucket = series["return"][0].bucket if runs else 1
    width = (end - 1) // bucket + 1
    matrices = {
        metric: np.array([series_row(one, bucket, width) for one in found]).reshape(-1, width)
        for metric, found in series.items()
    }
    scores = [
        checkpoint_row(store.checkpoints(run.id), run.episodes_done, bucket, width) for run in runs
    ]
    matrices["normalised_score"] = np.array(scores).reshape(-1, width)
    return Aligned(bucket, tuple(run.id for run in runs), matrices)


def series_row(series: Series, bucket: int, width: int) -> np.ndarray:
    """Return a series' bucket means in ``width`` columns of ``bucket`` episodes (NaN where it
    has none).

    Raises:
        ValueError: the series was read with another bucket width.
    """
    if series.episode and series.bucket != bucket:
        raise ValueError(f"series bucket {series.bucket} is not the window's {bucket}")
    row = np.full(width, math.nan)
    columns = (np.asarray(series.episode, dtype=np.int64) - 1) // bucket
    row[columns] = series.mean
    return row


def checkpoint_row(
    infos: Sequence[CheckpointInfo], done: int, bucket: int, width: int
) -> np.ndarray:
    """Return a run's normalised score per bucket, from its checkpoint evaluations.

    Args:
        infos: the run's checkpoints, oldest first.
        done: the run's episodes so far (no value past the bucket holding the last one).
        bucket: episodes per bucket.
        width: the number of buckets.

    Returns:
        Per bucket, the normalised score of the latest evaluated checkpoint at or before
        the bucket's last episode; NaN before the first one and past the run's progress.
    """
    episodes, scores = checkpoint_scores(infos)
    row = np.full(width, math.nan)
    if not episodes.size or done < 1:
        return row
    reached = min(width, (done - 1) // bucket + 1)
    ends = (np.arange(reached) + 1) * bucket
    latest = np.searchsorted(episodes, ends, side="right") - 1
    row[:reached] = np.where(latest >= 0, scores[np.maximum(latest, 0)], math.nan)
    return row


def checkpoint_scores(infos: Sequence[CheckpointInfo]) -> tuple[np.ndarray, np.ndarray]:
    """Return the episodes and normalised scores of the evaluated checkpoints, oldest first.

    A checkpoint counts when its evaluation has ``v_greedy`` and ``v_opt`` (the trainer's
    ``Optimality.score``); one saved without an evaluation is skipped.
    """
    scored = [
        (info.episode, normalised_score(info.evaluation["v_greedy"], info.evaluation["v_opt"]))
        for info in infos
        if info.evaluation and {"v_greedy", "v_opt"} <= info.evaluation.keys()
    ]
    episodes = np.array([episode for episode, _ in scored], dtype=np.int64)
    return episodes, np.array([score for _, score in scored], dtype=np.float64)


@dataclass(frozen=True)
class GroupCurve:
    """One group's curve of one metric."""

    group: Group
    band: Band
    """Centre and band edges per bucket."""
    seeds: np.ndarray
    """The group's runs' rows [runs, buckets] (the thin per-seed lines)."""


def group_curves(
    aligned: Aligned, groups: Sequence[Group], metric: str, centre: str, band: str
) -> list[GroupCurve]:
    """Return each group's curve of ``metric`` with ``centre`` and ``band``
    (``app.stats``: ``CENTRES``, ``BANDS``)."""
    curves = []
    for group in groups:
        rows = aligned.rows(metric, group.runs)
        curves.append(GroupCurve(group, group_band(rows, centre, band), rows))
    return curves
