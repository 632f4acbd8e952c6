"""A chunk of consecutive episodes, column by column, as either kernel returns them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from ..agents import NonFiniteQError
from ..episode import EpisodeStats

STATS_FIELDS = tuple(f.name for f in fields(EpisodeStats))
"""The columns, in ``EpisodeStats`` order."""
ROW_FIELDS = {name: name for name in STATS_FIELDS if name not in ("terminated", "truncated")}
"""Column to run-store row key, as ``EpisodeStats.to_row`` names them."""
ROW_FIELDS["ret"] = "return"


@dataclass(frozen=True)
class EpisodeBatch:
    """Consecutive episodes' statistics as columns (one list per ``EpisodeStats`` field,
    ``action_counts`` a list of lists), and the error that ended the chunk early, if any."""

    columns: dict[str, list[Any]]
    error: NonFiniteQError | None = None
    """An update of the episode after the last one here went non-finite: the run fails."""

    @classmethod
    def from_stats(
        cls, stats: list[EpisodeStats], error: NonFiniteQError | None = None
    ) -> EpisodeBatch:
        """Return the batch of ``stats`` (episodes in order).

        Returns:
            The batch.
        """
        columns: dict[str, list[Any]] = {name: [] for name in STATS_FIELDS}
        for episode in stats:
            for name in STATS_FIELDS:
                columns[name].append(getattr(episode, name))
        columns["action_counts"] = [list(counts) for counts in columns["action_counts"]]
        return cls(columns, error)

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

    def rows(self) -> list[dict[str, Any]]:
        """Return the episodes as run-store rows (``EpisodeStats.to_row`` for each).

        Returns:
            One dict per episode, in order, without episode, env_steps and wall_time.
        """
        keys = tuple(ROW_FIELDS.values())
        values = zip(*(self.columns[name] for name in ROW_FIELDS), strict=True)
        return [dict(zip(keys, row, strict=True)) for row in values]
