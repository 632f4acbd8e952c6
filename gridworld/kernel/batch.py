"""A chunk of consecutive episodes, column by column, as either kernel returns them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from ..agents import NonFiniteQError
from ..episode import EpisodeStats
from ..trajectory import Trajectory

STATS_FIELDS = tuple(f.name for f in fields(EpisodeStats))
"""The columns, in ``EpisodeStats`` order."""
ROW_COLUMNS = tuple(name for name in STATS_FIELDS if name not in ("terminated", "truncated"))
"""The columns a run-store row holds (``EpisodeStats.to_row``'s), in ``rows`` order."""


@dataclass(frozen=True)
class EpisodeBatch:
    """Consecutive episodes' statistics as columns (one list per ``EpisodeStats`` field,
    ``action_counts`` a list of lists), and the error that ended the chunk early, if any."""

    columns: dict[str, list[Any]]
    error: NonFiniteQError | None = None
    """An update of the episode after the last one here went non-finite: the run fails."""
    trajectories: dict[int, Trajectory] = field(default_factory=dict)
    """The steps of the episodes asked to be recorded, by index in the batch (0: its first)."""

    @classmethod
    def from_stats(
        cls,
        stats: list[EpisodeStats],
        error: NonFiniteQError | None = None,
        trajectories: dict[int, Trajectory] | None = None,
    ) -> EpisodeBatch:
        """Return the batch of ``stats`` (episodes in order) and the ``trajectories`` of some.

        Returns:
            The batch.
        """
        columns: dict[str, list[Any]] = {name: [] for name in STATS_FIELDS}
        for episode in stats:
            for name in STATS_FIELDS:
                columns[name].append(getattr(episode, name))
        columns["action_counts"] = [list(counts) for counts in columns["action_counts"]]
        return cls(columns, error, trajectories or {})

    def __len__(self) -> int:
        """Return how many episodes the batch holds."""
        return len(self.columns["length"])

    def stats(self) -> list[EpisodeStats]:
        """Return the episodes as ``EpisodeStats``, in order.

        Returns:
            One per episode.
        """
        columns = dict(self.columns)
        columns["action_counts"] = [tuple(counts) for counts in columns["action_counts"]]
        return [
            EpisodeStats(*values)
            for values in zip(*(columns[n] for n in STATS_FIELDS), strict=True)
        ]

    def rows(
        self, episodes: Iterable[int], env_steps: Iterable[int], wall_times: Iterable[float]
    ) -> list[dict[str, Any]]:
        """Return the episodes as run-store rows: ``EpisodeStats.to_row`` and the trainer's
        ``episode``, ``env_steps`` and ``wall_time``, one value of each per episode.

        Returns:
            One dict per episode, in order (dict displays over one zip: training waits
            for this, and it is twice as fast as ``dict(zip(keys, values))``).
        """
        columns = [self.columns[name] for name in ROW_COLUMNS]
        values = zip(*columns, episodes, env_steps, wall_times, strict=True)
        return [
            {
                "return": v[0],
                "length": v[1],
                "success": v[2],
                "epsilon": v[3],
                "alpha": v[4],
                "gamma": v[5],
                "mean_q": v[6],
                "max_q": v[7],
                "mean_abs_td": v[8],
                "action_counts": v[9],
                "episode": v[10],
                "env_steps": v[11],
                "wall_time": v[12],
            }
            for v in values
        ]
