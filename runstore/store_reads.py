"""The run store's reading of episodes: raw episodes, series, summaries, exports and the
recorded steps of some (trajectories).

``RunStore`` inherits these; each opens one read transaction (an export one per page) and
reads through ``lineage``, so a fork's episodes up to its fork episode are its parent's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager

from sqlalchemy import Connection, Engine

from . import export, lineage, runs, trajectories
from .engine import transaction
from .records import EpisodeRecord, RunSummary, Series
from .trajectories import TrajectoryInfo, TrajectoryRecord


class EpisodeReads:
    """``RunStore``'s reads of a run's episodes and the figures made of them."""

    _engine: Engine

    def _read(self) -> AbstractContextManager[Connection]:
        """Return a read transaction context."""
        return transaction(self._engine, write=False)

    def episodes(self, run_id: int, start: int = 1, limit: int = 1000) -> list[EpisodeRecord]:
        """Return up to ``limit`` raw episodes from episode ``start`` on, in order.

        Raises:
            InvalidQuery: ``start`` < 1 or ``limit`` outside 1..10000.
        """
        with self._read() as conn:
            return lineage.episodes_of(conn, run_id, start, limit)

    def series(
        self,
        run_id: int,
        metric: str,
        start: int | None = None,
        end: int | None = None,
        points: int = 1000,
        *,
        align: bool = False,
    ) -> Series:
        """Return a decimated window of one metric: per-bucket count, mean, min and max.

        Equal to ``GROUP BY (episode - 1) // bucket`` over the raw episodes of ``start`` to
        ``end`` (default: all so far), ``bucket`` the smallest of 1, 2, 5, 10, 20, ... that
        gives at most ``points`` (1..10000) buckets; from 50 on read from rollups, so the
        cost does not grow with the run's length. Empty lists when the window has no episodes.
        With ``align`` the bucket is chosen for ``start``..``end`` as asked, not for the
        episodes the run has so far: runs read over one window share their bucket edges,
        whatever their progress (an experiment's groups).

        Raises:
            InvalidQuery: unknown metric, ``start`` < 1, ``end`` < ``start``, bad ``points``.
        """
        with self._read() as conn:
            return lineage.series_of(conn, run_id, metric, start, end, points, align)

    def summary(self, run_id: int, window: int = 100) -> RunSummary:
        """Return recent figures of a run (see ``RunSummary``), read from its last ``window``
        episodes and rollups.

        Raises:
            InvalidQuery: ``window`` outside 1..10000.
        """
        with self._read() as conn:
            return lineage.summary_of(conn, run_id, window)

    def iter_csv(self, run_id: int) -> Iterator[str]:
        """Return a generator of CSV text: a header, then one line per episode (an unknown
        run raises at once, before any text)."""
        with self._read() as conn:
            runs.fetch(conn, run_id)
        return export.csv_chunks(lineage.pages(self._engine, run_id))

    def iter_json(self, run_id: int) -> Iterator[str]:
        """Return a generator of one JSON document: run, params, changes, checkpoints,
        trajectories and episodes (an unknown run raises at once, before any text)."""
        with self._read() as conn:
            head, recorded = export.json_head(conn, run_id)
        return export.json_chunks(head, recorded, lineage.pages(self._engine, run_id))

    def trajectories(self, run_id: int) -> list[TrajectoryInfo]:
        """Return the run's recorded trajectories (its own episodes'), without their steps,
        by episode."""
        with self._read() as conn:
            return trajectories.infos(conn, run_id)

    def trajectory(self, run_id: int, episode: int) -> TrajectoryRecord:
        """Return the run's trajectory of ``episode``: its kind, the episode's length and
        its steps' columns (name to array).

        Raises:
            InvalidQuery: ``episode`` is not an episode number.
            TrajectoryNotFound: that episode's steps were not recorded (or were dropped
                from the ring since).
        """
        with self._read() as conn:
            return trajectories.load(conn, run_id, episode)
