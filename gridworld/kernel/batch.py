"""A chunk of consecutive episodes, column by column, as either kernel returns them."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from ..agents import NonFiniteQError
from ..episode import EpisodeStats
from ..trajectory import Trajectory

STATS_FIELDS = tuple(f.name for f in fields(EpisodeStats))
"""The columns, in ``EpisodeStats`` order."""
ROW_COLUMNS = tuple(name for name in STATS_FIELDS if name not in ("terminated", "truncated"))
"""The columns a run-store row holds (``EpisodeStats.to_row``'s)."""
STORE_NAMES = {"ret": "return"}
"""The run-store names of the columns that ``EpisodeStats`` names otherwise."""


@dataclass(frozen=True)
class EpisodeBatch:
    """Consecutive episodes' statistics as columns (one list or numpy array per
    ``EpisodeStats`` field, ``action_counts`` a list of lists or a 2-d array), and the error
    that ended the chunk early, if any."""

    columns: dict[str, Any]
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
        columns = {
            name: values.tolist() if isinstance(values, np.ndarray) else values
            for name, values in self.columns.items()
        }
        columns["action_counts"] = [tuple(counts) for counts in columns["action_counts"]]
        return [
            EpisodeStats(*values)
            for values in zip(*(columns[n] for n in STATS_FIELDS), strict=True)
        ]

    def store_columns(
        self, first: int, env_steps: np.ndarray, wall_times: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Return the episodes as run-store columns: ``EpisodeStats.to_row``'s fields and
        the trainer's ``episode`` (from ``first`` on), ``env_steps`` and ``wall_time``.

        Returns:
            Each field to a numpy array of one value per episode, in order
            (``action_counts``: one row per episode); the kernel's own arrays where it
            returned arrays (training waits for this: nothing is copied then).
        """
        columns = {
            STORE_NAMES.get(name, name): np.asarray(self.columns[name]) for name in ROW_COLUMNS
        }
        columns["episode"] = np.arange(first, first + len(self), dtype=np.int64)
        columns["env_steps"], columns["wall_time"] = env_steps, wall_times
        return columns
