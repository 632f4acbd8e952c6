"""What a run of an experiment scored by its objective, read from the store (``app.stats``
defines the objectives; this module reads no more of a run than its objective needs).

- ``final_return`` (the mean return of the last 10% of the episodes) and ``auc`` (the
  mean return over every episode, see ``app.stats.objectives.area_under_curve``) are means
  over a window of episodes: the store's decimated series gives them exactly (the buckets'
  means weighted by their counts) from its rollups, whatever the run's length.
- ``episodes_to_threshold`` needs the moving mean of the raw returns: they are read page by
  page up to the first episode that reaches the threshold (``ThresholdScan`` goes on where
  it stopped, for a run scored at each checkpoint).
- ``normalised_score`` is V^π(start) / V*(start) from the evaluation the trainer stored
  with the checkpoint (the last one, or the one at the episode asked for).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from app.stats.objectives import (
    FINAL_SHARE,
    THRESHOLD_WINDOW,
    episodes_to_threshold,
    normalised_score,
)
from runstore import RunStore

PAGE = 10_000
"""Raw episodes read at a time (the store's largest page)."""
WINDOW_POINTS = 10
"""Buckets a window's mean is read from (their counts weight it: any number is exact)."""


def window_mean(store: RunStore, run_id: int, start: int, end: int) -> float:
    """Return the mean return of episodes ``start`` to ``end`` of a run, from its rollups.

    Returns:
        The mean; NaN when the window holds no episode.
    """
    window = store.series(run_id, "return", start=start, end=end, points=WINDOW_POINTS)
    if not window.count:
        return math.nan
    return float(np.average(window.mean, weights=window.count))


def tail_start(episodes: int) -> int:
    """Return the first episode of the tail ``final_return`` averages (the last 10%, and at
    least the last episode)."""
    return episodes - max(1, math.ceil(episodes / FINAL_SHARE)) + 1


class ThresholdScan:
    """``episodes_to_threshold`` over a run's returns, read page by page as they grow."""

    def __init__(self, store: RunStore, run_id: int, threshold: float, page: int = PAGE) -> None:
        """Start at the run's first episode; read ``page`` episodes at a time."""
        self.store = store
        self.page = page
        self.run_id = run_id
        self.threshold = threshold
        self.scanned = 0
        """Episodes read so far."""
        self.tail = np.empty(0)
        """The last ``THRESHOLD_WINDOW - 1`` returns read (the next window's start)."""
        self.reached = math.inf

    def upto(self, episode: int) -> float:
        """Return the first episode whose moving mean return reached the threshold, among
        the run's first ``episode`` episodes (``inf``: none did)."""
        while math.isinf(self.reached) and self.scanned < episode:
            limit = min(self.page, episode - self.scanned)
            rows = self.store.episodes(self.run_id, start=self.scanned + 1, limit=limit)
            if not rows:
                break
            returns = np.concatenate([self.tail, [row.return_ for row in rows]])
            found = episodes_to_threshold(returns, self.threshold, THRESHOLD_WINDOW)
            offset = self.scanned - len(self.tail)
            self.scanned += len(rows)
            self.tail = returns[max(0, len(returns) - (THRESHOLD_WINDOW - 1)) :]
            if not math.isinf(found):
                self.reached = found + offset
        return self.reached if self.reached <= episode else math.inf


def checkpoint_score(store: RunStore, run_id: int, episode: int | None) -> float:
    """Return the normalised score of the run's checkpoint at ``episode`` (None: its latest).

    Returns:
        ``normalised_score(v_greedy, v_opt)`` of that checkpoint's evaluation; NaN when
        there is no such checkpoint or it was saved without an evaluation.
    """
    infos = store.checkpoints(run_id)
    if episode is not None:
        infos = [info for info in infos if info.episode == episode]
    evaluation: Mapping[str, float] | None = infos[-1].evaluation if infos else None
    if not evaluation:
        return math.nan
    return normalised_score(evaluation["v_greedy"], evaluation["v_opt"])


def score(
    store: RunStore,
    run_id: int,
    objective: str,
    threshold: float | None,
    episode: int | None = None,
) -> float:
    """Return what the run scored by ``objective`` over its first ``episode`` episodes.

    Args:
        store: the run store.
        run_id: the run.
        objective: one of ``app.stats.objectives.OBJECTIVES``.
        threshold: the return threshold of ``episodes_to_threshold``.
        episode: score the run as it was at this episode (a checkpoint); None: all of it.

    Returns:
        The score; NaN when there is nothing to score yet (no episode, no evaluation).

    Raises:
        ValueError: ``episodes_to_threshold`` without a threshold (a launch requires one).
    """
    end = store.get_run(run_id).episodes_done if episode is None else episode
    if objective == "normalised_score":
        return checkpoint_score(store, run_id, episode)
    if end < 1:
        return math.nan
    if objective == "final_return":
        return window_mean(store, run_id, tail_start(end), end)
    if objective == "auc":
        return window_mean(store, run_id, 1, end)
    if threshold is None:
        raise ValueError("episodes_to_threshold needs a threshold")
    return ThresholdScan(store, run_id, threshold).upto(end)
