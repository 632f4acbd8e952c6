"""One run of an experiment read over the experiment's window: its bucket means of the return
and the success rate, and its normalised score per bucket, kept while the run does not move.

A run is read with ``RunStore.series(..., align=True)`` over episodes 1 .. the window's end,
so every run of the window gets the same bucket edges whatever its progress. The normalised
score comes from checkpoint evaluations: in each bucket, the score of the latest evaluated
checkpoint by the bucket's end. A reading is kept (``MAX_KEPT`` of them, least recently used
first out) under the run's revision, which moves with every write to the run: a refresh
reads again only the runs that moved, and the page's two callbacks of one refresh read the
store once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from app.stats.objectives import normalised_score
from app.views.kept import Kept
from runstore import CheckpointInfo, Run, RunStore, Series

CURVE_METRICS: dict[str, str] = {
    "return": "Return per episode",
    "success": "Success rate",
    "normalised_score": "Normalised score V^π(start) / V*(start)",
}
"""The group curves, in page order, with their titles."""
STORE_METRICS = ("return", "success")
"""Curves read from the store's episode series (the other one from checkpoints)."""
MAX_KEPT = 4096
"""Run readings kept (a few KB each)."""


@dataclass(frozen=True)
class RunRows:
    """One run over a window: a row of ``width`` buckets per ``CURVE_METRICS`` metric."""

    bucket: int
    """Episodes per bucket."""
    rows: Mapping[str, np.ndarray]
    """Metric → read-only float array, NaN where the run has no value."""


_KEPT: Kept[RunRows] = Kept(MAX_KEPT)


def run_rows(store: RunStore, run: Run, end: int, points: int) -> RunRows:
    """Return the run's rows over episodes 1 .. ``end`` in ``points`` buckets or fewer.

    Args:
        store: the run store.
        run: the run as just listed (its ``revision`` says whether a kept reading holds).
        end: the window's last episode (the same for every run of the window).
        points: the most buckets over the window.

    Raises:
        RunNotFound: the run was deleted.
    """
    key = (store.url, run.id, run.revision, end, points)
    return _KEPT.get(key, lambda: _read(store, run, end, points))


def _read(store: RunStore, run: Run, end: int, points: int) -> RunRows:
    """Read the run's rows from the store (see ``run_rows``)."""
    series = {m: store.series(run.id, m, 1, end, points, align=True) for m in STORE_METRICS}
    bucket = series["return"].bucket
    width = (end - 1) // bucket + 1
    rows = {metric: series_row(found, bucket, width) for metric, found in series.items()}
    infos = store.checkpoints(run.id)
    rows["normalised_score"] = checkpoint_row(infos, run.episodes_done, bucket, width)
    for row in rows.values():
        row.setflags(write=False)
    return RunRows(bucket, rows)


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
