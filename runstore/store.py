"""RunStore: the run store's API over SQLite or PostgreSQL.

Each method opens one transaction and hands it to the topic module that does the work:
``runs``, ``episodes`` (with ``batches`` and ``rollups``), ``series``, ``control``,
``checkpoints`` and ``export``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import numpy as np
from sqlalchemy import Connection

from . import _open_files as open_files
from . import batches, checkpoints, control, episodes, export, rollups, runs, series
from .engine import make_engine, transaction
from .migrate import prepare_schema, sqlite_path
from .records import (
    Checkpoint,
    CheckpointInfo,
    Control,
    EpisodeRecord,
    ParamChange,
    Run,
    RunSummary,
    Series,
)


class RunStore:
    """Every run, episode, parameter change and checkpoint, in one SQL database.

    Safe to share between threads; hand it to another process and it travels as its URL
    (the other process opens its own engine).
    """

    def __init__(self, url: str) -> None:
        """Open (and if needed create) the store at ``url``.

        Args:
            url: ``sqlite:///path/to/file.sqlite`` (created if missing) or
                ``postgresql+psycopg://user@host:port/db``.

        Raises:
            SchemaVersionError: the database holds a different schema version.
            StoreError: the URL is invalid or the database cannot be opened.
        """
        self.url = url
        self._engine = make_engine(url)
        self._rollup_upsert = rollups.upsert_statement(self._engine.dialect.name)
        self._insert_episodes = episodes.driver_insert(self._engine.dialect)
        self._path = sqlite_path(self._engine)
        try:
            with open_files.opening(self._path) as first_open:
                prepare_schema(self._engine, url, inspect_file=first_open)
        except BaseException:
            self._engine.dispose()
            raise
        self._open = True

    def __reduce__(self) -> tuple[type[RunStore], tuple[str]]:
        """Pickle as the URL alone: the unpickled store opens its own engine."""
        return type(self), (self.url,)

    def __repr__(self) -> str:
        return f"RunStore({self.url!r})"

    def close(self) -> None:
        """Release the store's database connections (closing twice does nothing more)."""
        self._engine.dispose()
        if self._open:
            self._open = False
            open_files.closed(self._path)

    def _read(self) -> AbstractContextManager[Connection]:
        """Return a read transaction context."""
        return transaction(self._engine, write=False)

    def _write(self) -> AbstractContextManager[Connection]:
        """Return a write transaction context."""
        return transaction(self._engine, write=True)

    # -- runs -------------------------------------------------------------------------

    def create_run(
        self,
        *,
        name: str,
        env_id: str,
        env_config: Mapping[str, Any],
        hyperparams: Mapping[str, Any],
        seed: int,
        target_episodes: int,
        spec: Mapping[str, Any],
    ) -> int:
        """Record a new run with status ``queued``; return its id."""
        fields = {
            "name": name,
            "env_id": env_id,
            "env_config": env_config,
            "hyperparams": hyperparams,
            "seed": seed,
            "target_episodes": target_episodes,
            "spec": spec,
        }
        with self._write() as conn:
            return runs.create(conn, fields)

    def get_run(self, run_id: int) -> Run:
        """Return the run with id ``run_id``.

        Raises:
            RunNotFound: no such run.
        """
        with self._read() as conn:
            return runs.fetch(conn, run_id)

    def list_runs(self) -> list[Run]:
        """Return every run, newest first."""
        with self._read() as conn:
            return runs.list_all(conn)

    def delete_run(self, run_id: int) -> None:
        """Delete a run with its episodes, rollups, changes and checkpoints.

        Raises:
            RunNotFound: no such run.
        """
        with self._write() as conn:
            runs.remove(conn, run_id)

    def set_status(
        self,
        run_id: int,
        status: str,
        *,
        error: str | None = None,
        pid: int | None = None,
        host: str | None = None,
    ) -> None:
        """Record a run's new status.

        ``running`` stamps the start (first time), the heartbeat, pid and host; the
        terminal statuses and ``paused`` stamp ``finished_at``. A requested status that the
        new status fulfils (or makes moot) is cleared.

        Raises:
            RunNotFound: no such run.
            InvalidQuery: unknown status.
        """
        with self._write() as conn:
            runs.set_status(conn, run_id, status, error, pid, host)

    def add_warning(self, run_id: int, warning: str) -> None:
        """Append a warning to the run (shown by the dashboard, kept with the run).

        Raises:
            RunNotFound: no such run.
        """
        with self._write() as conn:
            runs.add_warning(conn, run_id, warning)

    def mark_stale_runs(self, max_age_s: float) -> list[int]:
        """Mark ``running`` runs whose heartbeat is older than ``max_age_s`` as ``crashed``.

        Returns:
            The ids of the runs marked.
        """
        with self._write() as conn:
            return runs.mark_stale(conn, max_age_s)

    # -- episodes ---------------------------------------------------------------------

    def append_episodes(self, run_id: int, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write a batch of consecutive episodes with their rollups, the run's progress and
        its heartbeat, in one transaction.

        Args:
            run_id: the run.
            rows: dicts keyed by ``EPISODE_FIELDS``; the first must be the episode after the
                run's last one, and the rest follow it without gaps.

        Raises:
            RunNotFound: no such run.
            BatchError: a gap, a duplicate, a missing field or a non-finite value (the
                message names the episode and field); nothing of the batch is written.
        """
        if not rows:
            return
        columns = batches.columns_of(run_id, rows)  # checked before the write lock is taken
        with self._write() as conn:
            episodes.append(
                conn, run_id, columns, insert=self._insert_episodes, upsert=self._rollup_upsert
            )

    def truncate_episodes(self, run_id: int, after_episode: int) -> None:
        """Delete the run's episodes after ``after_episode`` (and later checkpoints), and
        rebuild the rollup blocks they touched from the episodes that remain.

        Raises:
            RunNotFound: no such run.
        """
        with self._write() as conn:
            episodes.truncate(conn, run_id, after_episode)

    def episodes(self, run_id: int, start: int = 1, limit: int = 1000) -> list[EpisodeRecord]:
        """Return up to ``limit`` raw episodes from episode ``start`` on, in order.

        Raises:
            RunNotFound: no such run.
            InvalidQuery: ``start`` < 1 or ``limit`` outside 1..10000.
        """
        with self._read() as conn:
            return episodes.query(conn, run_id, start, limit)

    # -- reading metrics --------------------------------------------------------------

    def series(
        self,
        run_id: int,
        metric: str,
        start: int | None = None,
        end: int | None = None,
        points: int = 1000,
    ) -> Series:
        """Return a decimated window of one metric: per-bucket count, mean, min and max.

        The result equals ``GROUP BY (episode - 1) // bucket`` over the window's raw episodes
        (extremes are never lost). ``bucket`` is the smallest of 1, 2, 5, 10, 20, 50, ...
        that keeps the window within ``points`` buckets; buckets of 100 episodes or more are
        read from rollups, so the cost does not grow with the run's length.

        Args:
            run_id: the run.
            metric: one of ``METRICS``.
            start: first episode (default 1).
            end: last episode (default and at most: the episodes done so far).
            points: the most buckets to return, 1..10000.

        Returns:
            The series; empty lists when the window holds no episodes yet (a run with none,
            or a ``start`` past its last episode).

        Raises:
            RunNotFound: no such run.
            InvalidQuery: unknown metric, ``start`` < 1, ``end`` < ``start``, bad ``points``.
        """
        with self._read() as conn:
            return series.decimated(conn, run_id, metric, start, end, points)

    def summary(self, run_id: int, window: int = 100) -> RunSummary:
        """Return recent figures of a run, read from its last ``window`` episodes and rollups.

        Returns:
            Episodes done; the mean return, success rate, mean length and action shares of
            the last ``window`` episodes; the best mean return of any full 100-episode block
            (or the recent mean if higher); the last episode's epsilon, alpha, mean and max
            Q and mean |TD error|. All but the episodes are None while the run has none.

        Raises:
            RunNotFound: no such run.
            InvalidQuery: ``window`` outside 1..10000.
        """
        with self._read() as conn:
            return series.summary(conn, run_id, window)

    # -- control rows -----------------------------------------------------------------

    def request_params(
        self, run_id: int, changes: Mapping[str, Any], source: str
    ) -> list[ParamChange]:
        """Queue hyperparameter changes for the run's worker to apply at its next episode.

        Args:
            run_id: the run.
            changes: parameter name to new value (validated by the caller).
            source: who asked: "ui", "api" or "cli".

        Returns:
            The pending change rows.

        Raises:
            RunNotFound: no such run.
            InvalidQuery: unknown source or no changes.
        """
        with self._write() as conn:
            return control.request_params(conn, run_id, changes, source)

    def take_pending_params(self, run_id: int, episode: int) -> list[ParamChange]:
        """Mark the run's pending changes applied at ``episode`` and fold them into its
        current parameters; return them (oldest first; a later change to the same
        parameter wins).

        Raises:
            RunNotFound: no such run.
        """
        with self._write() as conn:
            return control.take_pending_params(conn, run_id, episode)

    def param_changes(self, run_id: int) -> list[ParamChange]:
        """Return every parameter change of the run, oldest first.

        Raises:
            RunNotFound: no such run.
        """
        with self._read() as conn:
            return control.param_changes(conn, run_id)

    def request_status(self, run_id: int, status: str) -> None:
        """Ask the run's worker to move to ``status`` ("running", "paused" or "stopped").

        Raises:
            RunNotFound: no such run.
            InvalidQuery: a status that cannot be requested.
        """
        with self._write() as conn:
            control.request_status(conn, run_id, status)

    def poll_control(self, run_id: int) -> Control:
        """Return the requested status and the number of pending changes, in one query.

        Raises:
            RunNotFound: no such run.
        """
        with self._read() as conn:
            return control.poll(conn, run_id)

    # -- checkpoints ------------------------------------------------------------------

    def save_checkpoint(
        self,
        run_id: int,
        episode: int,
        q: np.ndarray,
        agent_state: Mapping[str, Any],
        evaluation: Mapping[str, float] | None = None,
    ) -> None:
        """Save (or replace) the run's checkpoint at ``episode``.

        Args:
            run_id: the run.
            episode: the last episode the agent has learned from.
            q: the Q-table, stored as compressed ``.npy`` bytes.
            agent_state: JSON-safe agent state (epsilon, RNG state, ...).
            evaluation: optional figures (V*(start), gap, ...).

        Raises:
            RunNotFound: no such run.
        """
        blob = checkpoints.encode(q)  # compressed before the write lock is taken
        with self._write() as conn:
            checkpoints.save(conn, run_id, episode, blob, agent_state, evaluation)

    def checkpoints(self, run_id: int) -> list[CheckpointInfo]:
        """Return the run's checkpoints (without Q-tables), oldest first.

        Raises:
            RunNotFound: no such run.
        """
        with self._read() as conn:
            return checkpoints.infos(conn, run_id)

    def load_checkpoint(self, run_id: int, episode: int | str = "latest") -> Checkpoint:
        """Return the run's checkpoint at ``episode`` (or its latest).

        Raises:
            RunNotFound: no such run.
            InvalidQuery: ``episode`` is neither an episode number nor ``"latest"``.
            CheckpointNotFound: no checkpoint there.
        """
        with self._read() as conn:
            return checkpoints.load(conn, run_id, episode)

    # -- exports ----------------------------------------------------------------------

    def iter_csv(self, run_id: int) -> Iterator[str]:
        """Return a generator of CSV text: a header, then one line per episode.

        Raises:
            RunNotFound: no such run (raised at once, before any text).
        """
        self.get_run(run_id)
        return export.csv_chunks(export.pages(self._engine, run_id))

    def iter_json(self, run_id: int) -> Iterator[str]:
        """Return a generator of one JSON document: run, params, changes, checkpoints, episodes.

        Raises:
            RunNotFound: no such run (raised at once, before any text).
        """
        with self._read() as conn:
            head = export.json_head(conn, run_id)
        return export.json_chunks(head, export.pages(self._engine, run_id))
