"""RunStore: the run store's API over SQLite or PostgreSQL."""

from __future__ import annotations

import io
import json
import math
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from . import export
from .engine import make_engine, transaction
from .errors import (
    BatchError,
    CheckpointNotFound,
    InvalidQuery,
    RunNotFound,
)
from .migrate import prepare_schema
from .records import (
    EPISODE_FIELDS,
    METRICS,
    PARAM_SOURCES,
    REQUESTABLE_STATUSES,
    STATUSES,
    Checkpoint,
    CheckpointInfo,
    Control,
    ParamChange,
    Run,
    Series,
)
from .rollups import Piece, choose_bucket, cover, rollup_rows, serving_level
from .schema import (
    ROLLUP_LEVELS,
    ROLLUP_STATS,
    CheckpointRow,
    EpisodeRow,
    ParamChangeRow,
    RunRow,
    rollups,
)

MAX_POINTS = 10_000
MAX_EPISODE_LIMIT = 10_000
FLOAT_FIELDS = (
    "return",
    "epsilon",
    "alpha",
    "gamma",
    "mean_q",
    "max_q",
    "mean_abs_td",
    "wall_time",
)
INT_FIELDS = ("length", "env_steps")
TERMINAL_STATUSES = ("finished", "stopped", "crashed", "error")
episodes_table = EpisodeRow.__table__


def _now() -> datetime:
    """Return the current UTC time."""
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    """Return ``value`` as an aware UTC datetime (SQLite hands back naive ones)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


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
        self._dialect = self._engine.dialect.name
        self._rollup_upsert = self._build_rollup_upsert()
        self._insert_episodes = self._build_episode_insert()
        try:
            prepare_schema(self._engine, url)
        except BaseException:
            self._engine.dispose()
            raise

    def __getstate__(self) -> dict[str, str]:
        return {"url": self.url}

    def __setstate__(self, state: dict[str, str]) -> None:
        self.__init__(state["url"])

    def __repr__(self) -> str:
        return f"RunStore({self.url!r})"

    def close(self) -> None:
        """Release the store's database connections."""
        self._engine.dispose()

    def _read(self) -> Any:
        """Return a read transaction context."""
        return transaction(self._engine, write=False)

    def _write(self) -> Any:
        """Return a write transaction context."""
        return transaction(self._engine, write=True)

    def _build_rollup_upsert(self) -> Any:
        """Return the INSERT .. ON CONFLICT statement that adds batch aggregates to rollups."""
        dialect_insert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
        least = func.least if self._dialect == "postgresql" else func.min
        greatest = func.greatest if self._dialect == "postgresql" else func.max
        stmt = dialect_insert(rollups)
        new = stmt.excluded
        changes: dict[str, Any] = {"count": rollups.c.count + new.count}
        for metric in METRICS:
            s, lo, hi = (f"{metric}_{stat}" for stat in ROLLUP_STATS)
            changes[s] = rollups.c[s] + new[s]
            changes[lo] = least(rollups.c[lo], new[lo])
            changes[hi] = greatest(rollups.c[hi], new[hi])
        return stmt.on_conflict_do_update(index_elements=["run_id", "level", "block"], set_=changes)

    def _build_episode_insert(self) -> str:
        """Return the driver-level INSERT of one episode row.

        Its parameters are positional, in the order ``run_id, *EPISODE_FIELDS``: executing it
        with tuples skips SQLAlchemy's per-row parameter processing, which the episode
        columns (integers, floats, text) do not need.
        """
        preparer = self._engine.dialect.identifier_preparer
        names = ("run_id", *EPISODE_FIELDS)
        marker = "?" if self._engine.dialect.paramstyle == "qmark" else "%s"  # sqlite3; psycopg
        return (
            f"INSERT INTO {preparer.format_table(episodes_table)}"
            f" ({', '.join(map(preparer.quote, names))})"
            f" VALUES ({', '.join([marker] * len(names))})"
        )

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
        with self._write() as conn:
            return conn.execute(
                insert(RunRow)
                .values(
                    name=name,
                    env_id=env_id,
                    env_config=dict(env_config),
                    hyperparams=dict(hyperparams),
                    current_params=dict(hyperparams),
                    spec=dict(spec),
                    seed=seed,
                    target_episodes=target_episodes,
                    episodes_done=0,
                    env_steps=0,
                    status="queued",
                    warnings=[],
                    created_at=_now(),
                )
                .returning(RunRow.id)
            ).scalar_one()

    def get_run(self, run_id: int) -> Run:
        """Return the run with id ``run_id``.

        Raises:
            RunNotFound: no such run.
        """
        with self._read() as conn:
            return self._run(conn, run_id)

    def list_runs(self) -> list[Run]:
        """Return every run, newest first."""
        with self._read() as conn:
            rows = conn.execute(select(RunRow.__table__).order_by(RunRow.id.desc())).mappings()
            return [_run_record(row) for row in rows]

    def delete_run(self, run_id: int) -> None:
        """Delete a run with its episodes, rollups, changes and checkpoints.

        Raises:
            RunNotFound: no such run.
        """
        with self._write() as conn:
            self._run(conn, run_id)
            for table in (
                episodes_table,
                rollups,
                ParamChangeRow.__table__,
                CheckpointRow.__table__,
            ):
                conn.execute(delete(table).where(table.c.run_id == run_id))
            conn.execute(delete(RunRow).where(RunRow.id == run_id))

    def _run(self, conn: Connection, run_id: int) -> Run:
        """Return the run inside an open transaction, or raise RunNotFound."""
        if not _is_run_id(run_id):
            raise RunNotFound(run_id)
        row = conn.execute(select(RunRow.__table__).where(RunRow.id == run_id)).mappings().first()
        if row is None:
            raise RunNotFound(run_id)
        return _run_record(row)

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
        if status not in STATUSES:
            raise InvalidQuery("status", status, ", ".join(STATUSES))
        now = _now()
        with self._write() as conn:
            run = self._run(conn, run_id)
            values: dict[str, Any] = {"status": status}
            if status == "running":
                values.update(heartbeat_at=now, pid=pid, host=host, error=None, finished_at=None)
                if run.started_at is None:
                    values["started_at"] = now
            elif status == "queued":
                values.update(error=None, finished_at=None)
            else:
                values["finished_at"] = now
            if error is not None:
                values["error"] = error
            if run.requested_status is not None and (
                run.requested_status == status or status != "running"
            ):
                values["requested_status"] = None
            conn.execute(update(RunRow).where(RunRow.id == run_id).values(**values))

    def add_warning(self, run_id: int, warning: str) -> None:
        """Append a warning to the run (shown by the dashboard, kept with the run)."""
        with self._write() as conn:
            run = self._run(conn, run_id)
            conn.execute(
                update(RunRow).where(RunRow.id == run_id).values(warnings=[*run.warnings, warning])
            )

    def heartbeat(self, run_id: int) -> None:
        """Stamp the run's heartbeat with the current time."""
        with self._write() as conn:
            conn.execute(update(RunRow).where(RunRow.id == run_id).values(heartbeat_at=_now()))

    def mark_stale_runs(self, max_age_s: float) -> list[int]:
        """Mark ``running`` runs whose heartbeat is older than ``max_age_s`` as ``crashed``.

        Returns:
            The ids of the runs marked.
        """
        now = _now()
        marked = []
        with self._write() as conn:
            rows = conn.execute(
                select(
                    RunRow.id, RunRow.heartbeat_at, RunRow.pid, RunRow.host, RunRow.episodes_done
                ).where(RunRow.status == "running")
            ).all()
            for run_id, beat, pid, host, done in rows:
                age = (now - _utc(beat)).total_seconds() if beat else math.inf
                if age <= max_age_s:
                    continue
                latest = conn.scalar(
                    select(func.max(CheckpointRow.episode)).where(CheckpointRow.run_id == run_id)
                )
                conn.execute(
                    update(RunRow)
                    .where(RunRow.id == run_id)
                    .values(
                        status="crashed",
                        finished_at=now,
                        requested_status=None,
                        error=f"the worker (pid {pid} on {host}) stopped sending heartbeats"
                        f" {age:.0f} s ago at episode {done}; resume continues after the last"
                        f" checkpoint (episode {latest or 0})",
                    )
                )
                marked.append(run_id)
        return marked

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
        columns = _clean_columns(rows)
        episodes = columns["episode"]
        first = episodes[0]
        if episodes != list(range(first, first + len(episodes))):
            for offset, episode in enumerate(episodes):
                if episode != first + offset:
                    raise BatchError(
                        f"run {run_id}: episode {episode} follows episode"
                        f" {first + offset - 1} in the batch (a gap or a duplicate)"
                    )
        with self._write() as conn:
            if self._dialect == "sqlite" and not _is_run_id(run_id):
                raise RunNotFound(run_id)  # SQLite would match "1" or True to run 1
            done = conn.scalar(  # PostgreSQL: lock the run (SQLite: BEGIN IMMEDIATE has)
                select(RunRow.episodes_done).where(RunRow.id == run_id).with_for_update()
            )
            if done is None:
                raise RunNotFound(run_id)
            if first != done + 1:
                kind = "duplicate" if first <= done else "gap"
                raise BatchError(
                    f"run {run_id}: the batch starts at episode {first} but the run has"
                    f" {done} episodes ({kind}); the next episode must be {done + 1}"
                )
            conn.exec_driver_sql(
                self._insert_episodes,
                list(zip(repeat(run_id), *(columns[name] for name in EPISODE_FIELDS))),
            )
            metrics = {
                name: columns[name] if name in FLOAT_FIELDS else list(map(float, columns[name]))
                for name in METRICS
            }
            conn.execute(self._rollup_upsert, rollup_rows(run_id, first, metrics))
            conn.execute(
                update(RunRow)
                .where(RunRow.id == run_id)
                .values(
                    episodes_done=episodes[-1],
                    env_steps=columns["env_steps"][-1],
                    heartbeat_at=_now(),
                )
            )

    def truncate_episodes(self, run_id: int, after_episode: int) -> None:
        """Delete the run's episodes after ``after_episode`` (and later checkpoints), and
        rebuild the rollup blocks they touched from the episodes that remain.

        Raises:
            RunNotFound: no such run.
        """
        with self._write() as conn:
            run = self._run(conn, run_id)
            if after_episode >= run.episodes_done:
                return
            keep = max(after_episode, 0)
            conn.execute(
                delete(episodes_table).where(
                    episodes_table.c.run_id == run_id, episodes_table.c.episode > keep
                )
            )
            conn.execute(
                delete(CheckpointRow).where(
                    CheckpointRow.run_id == run_id, CheckpointRow.episode > keep
                )
            )
            for level in ROLLUP_LEVELS:
                size = 10**level
                conn.execute(
                    delete(rollups).where(
                        rollups.c.run_id == run_id,
                        rollups.c.level == level,
                        rollups.c.block >= keep // size,
                    )
                )
                start = (keep // size) * size + 1
                if start <= keep:
                    conn.execute(_rebuild_block(run_id, level, start, keep))
            steps = conn.scalar(
                select(episodes_table.c.env_steps).where(
                    episodes_table.c.run_id == run_id, episodes_table.c.episode == keep
                )
            )
            conn.execute(
                update(RunRow)
                .where(RunRow.id == run_id)
                .values(episodes_done=keep, env_steps=steps or 0)
            )

    def episodes(self, run_id: int, start: int = 1, limit: int = 1000) -> list[dict[str, Any]]:
        """Return up to ``limit`` raw episode rows from episode ``start`` on.

        Raises:
            RunNotFound: no such run.
            InvalidQuery: ``start`` < 1 or ``limit`` outside 1..10000.
        """
        _check_int("start", start, 1, None)
        _check_int("limit", limit, 1, MAX_EPISODE_LIMIT)
        with self._read() as conn:
            self._run(conn, run_id)
            return self._episode_rows(conn, run_id, start, limit)

    def _episode_rows(
        self, conn: Connection, run_id: int, start: int, limit: int
    ) -> list[dict[str, Any]]:
        """Return episode rows start.. (at most ``limit``) as dicts keyed by EPISODE_FIELDS."""
        rows = conn.execute(
            select(*(episodes_table.c[name] for name in EPISODE_FIELDS))
            .where(episodes_table.c.run_id == run_id, episodes_table.c.episode >= start)
            .order_by(episodes_table.c.episode)
            .limit(limit)
        ).all()
        out = []
        for row in rows:
            record = dict(zip(EPISODE_FIELDS, row, strict=True))
            record["success"] = bool(record["success"])
            record["action_counts"] = json.loads(record["action_counts"])
            out.append(record)
        return out

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
        if metric not in METRICS:
            raise InvalidQuery("metric", metric, ", ".join(METRICS))
        _check_int("points", points, 1, MAX_POINTS)
        first = 1 if start is None else _check_int("start", start, 1, None)
        if end is not None:
            _check_int("end", end, first, None, f"an integer >= start ({first})")
        with self._read() as conn:
            done = self._run(conn, run_id).episodes_done
            last = done if end is None else min(end, done)
            if first > last:
                return Series(metric, first, last, 1)
            bucket = choose_bucket(first, last, points)
            buckets: dict[int, list[float]] = {}
            for piece in cover(first, last, serving_level(bucket), done):
                for key, count, total, low, high in self._piece(
                    conn, run_id, metric, piece, bucket
                ):
                    into = buckets.get(key)
                    if into is None:
                        buckets[key] = [count, total, low, high]
                    else:
                        into[0] += count
                        into[1] += total
                        into[2] = min(into[2], low)
                        into[3] = max(into[3], high)
        keys = sorted(buckets)
        return Series(
            metric=metric,
            start=first,
            end=last,
            bucket=bucket,
            episode=[max(first, key * bucket + 1) for key in keys],
            mean=[buckets[key][1] / buckets[key][0] for key in keys],
            min=[float(buckets[key][2]) for key in keys],
            max=[float(buckets[key][3]) for key in keys],
            count=[int(buckets[key][0]) for key in keys],
        )

    def _piece(
        self, conn: Connection, run_id: int, metric: str, piece: Piece, bucket: int
    ) -> list[tuple[int, float, float, float, float]]:
        """Return (bucket key, count, sum, min, max) rows for one piece of a window."""
        if piece.level is None:
            column = episodes_table.c[metric]
            key = (episodes_table.c.episode - 1) // bucket
            stmt = (
                select(key, func.count(), func.sum(column), func.min(column), func.max(column))
                .where(
                    episodes_table.c.run_id == run_id,
                    episodes_table.c.episode.between(piece.first, piece.last),
                )
                .group_by(key)
            )
        else:
            size = 10**piece.level
            key = rollups.c.block * size // bucket
            stmt = (
                select(
                    key,
                    func.sum(rollups.c.count),
                    func.sum(rollups.c[f"{metric}_sum"]),
                    func.min(rollups.c[f"{metric}_min"]),
                    func.max(rollups.c[f"{metric}_max"]),
                )
                .where(
                    rollups.c.run_id == run_id,
                    rollups.c.level == piece.level,
                    rollups.c.block.between(piece.first, piece.last),
                )
                .group_by(key)
            )
        # PostgreSQL sums integers as NUMERIC (Decimal); normalise so buckets add up.
        return [
            (int(key), int(count), float(total), float(low), float(high))
            for key, count, total, low, high in conn.execute(stmt).all()
        ]

    def summary(self, run_id: int, window: int = 100) -> dict[str, Any]:
        """Return recent figures of a run, read from its last ``window`` episodes and rollups.

        Returns:
            ``episodes`` (done), ``recent_return`` (mean return of the last ``window``
            episodes, None without episodes), ``best_return`` (best mean return of any
            100-episode block, or the recent mean for shorter runs), ``recent_success``
            (success rate), ``recent_length``, ``action_share`` (share of each action) and
            the last episode's ``epsilon``, ``alpha``, ``mean_q``, ``max_q``, ``mean_abs_td``.
        """
        _check_int("window", window, 1, MAX_EPISODE_LIMIT)
        with self._read() as conn:
            done = self._run(conn, run_id).episodes_done
            rows = self._episode_rows(conn, run_id, max(1, done - window + 1), window)
            level = ROLLUP_LEVELS[0]
            best = conn.scalar(
                select(func.max(rollups.c.return_sum / rollups.c.count)).where(
                    rollups.c.run_id == run_id,
                    rollups.c.level == level,
                    rollups.c.count == 10**level,
                )
            )
        if not rows:
            return {"episodes": done, "recent_return": None, "best_return": None}
        n = len(rows)
        recent = sum(row["return"] for row in rows) / n
        actions = [
            sum(counts) for counts in zip(*(row["action_counts"] for row in rows), strict=True)
        ]
        total_actions = sum(actions) or 1
        last = rows[-1]
        return {
            "episodes": done,
            "recent_return": recent,
            "best_return": recent if best is None else max(best, recent),
            "recent_success": sum(row["success"] for row in rows) / n,
            "recent_length": sum(row["length"] for row in rows) / n,
            "action_share": [count / total_actions for count in actions],
            **{key: last[key] for key in ("epsilon", "alpha", "mean_q", "max_q", "mean_abs_td")},
        }

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
        if source not in PARAM_SOURCES:
            raise InvalidQuery("source", source, ", ".join(PARAM_SOURCES))
        if not changes:
            raise InvalidQuery("changes", dict(changes), "at least one parameter")
        now = _now()
        with self._write() as conn:
            run = self._run(conn, run_id)
            ids = [
                conn.execute(
                    insert(ParamChangeRow)
                    .values(
                        run_id=run_id,
                        param=param,
                        old_value=run.current_params.get(param),
                        new_value=value,
                        source=source,
                        requested_at=now,
                    )
                    .returning(ParamChangeRow.id)
                ).scalar_one()
                for param, value in changes.items()
            ]
            return self._changes(conn, run_id, ParamChangeRow.id.in_(ids))

    def take_pending_params(self, run_id: int, episode: int) -> list[ParamChange]:
        """Mark the run's pending changes applied at ``episode`` and fold them into its
        current parameters; return them (oldest first; a later change to the same
        parameter wins)."""
        now = _now()
        with self._write() as conn:
            run = self._run(conn, run_id)
            pending = self._changes(conn, run_id, ParamChangeRow.applied_episode.is_(None))
            if not pending:
                return []
            current = dict(run.current_params)
            for change in pending:
                conn.execute(
                    update(ParamChangeRow)
                    .where(ParamChangeRow.id == change.id)
                    .values(
                        old_value=current.get(change.param), applied_episode=episode, applied_at=now
                    )
                )
                current[change.param] = change.new_value
            conn.execute(update(RunRow).where(RunRow.id == run_id).values(current_params=current))
            return self._changes(conn, run_id, ParamChangeRow.id.in_([c.id for c in pending]))

    def param_changes(self, run_id: int) -> list[ParamChange]:
        """Return every parameter change of the run, oldest first.

        Raises:
            RunNotFound: no such run.
        """
        with self._read() as conn:
            self._run(conn, run_id)
            return self._changes(conn, run_id, True)

    def _changes(self, conn: Connection, run_id: int, condition: Any) -> list[ParamChange]:
        """Return the run's change rows matching ``condition``, oldest first."""
        rows = conn.execute(
            select(ParamChangeRow.__table__)
            .where(ParamChangeRow.run_id == run_id, condition)
            .order_by(ParamChangeRow.id)
        ).mappings()
        return [
            ParamChange(
                **{
                    **row,
                    "requested_at": _utc(row["requested_at"]),
                    "applied_at": _utc(row["applied_at"]),
                }
            )
            for row in rows
        ]

    def request_status(self, run_id: int, status: str) -> None:
        """Ask the run's worker to move to ``status`` ("running", "paused" or "stopped").

        Raises:
            RunNotFound: no such run.
            InvalidQuery: a status that cannot be requested.
        """
        if status not in REQUESTABLE_STATUSES:
            raise InvalidQuery("status", status, ", ".join(REQUESTABLE_STATUSES))
        with self._write() as conn:
            self._run(conn, run_id)
            conn.execute(update(RunRow).where(RunRow.id == run_id).values(requested_status=status))

    def poll_control(self, run_id: int) -> Control:
        """Return the requested status and the number of pending changes, in one query.

        Raises:
            RunNotFound: no such run.
        """
        pending = (
            select(func.count())
            .where(ParamChangeRow.run_id == run_id, ParamChangeRow.applied_episode.is_(None))
            .scalar_subquery()
        )
        with self._read() as conn:
            row = conn.execute(
                select(RunRow.requested_status, pending).where(RunRow.id == run_id)
            ).first()
        if row is None:
            raise RunNotFound(run_id)
        return Control(requested_status=row[0], pending_params=int(row[1]))

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
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(q), allow_pickle=False)
        blob = zlib.compress(buffer.getvalue(), 6)
        with self._write() as conn:
            self._run(conn, run_id)
            conn.execute(
                delete(CheckpointRow).where(
                    CheckpointRow.run_id == run_id, CheckpointRow.episode == episode
                )
            )
            conn.execute(
                insert(CheckpointRow).values(
                    run_id=run_id,
                    episode=episode,
                    q=blob,
                    agent_state=dict(agent_state),
                    evaluation=dict(evaluation) if evaluation is not None else None,
                    created_at=_now(),
                )
            )

    def checkpoints(self, run_id: int) -> list[CheckpointInfo]:
        """Return the run's checkpoints (without Q-tables), oldest first.

        Raises:
            RunNotFound: no such run.
        """
        with self._read() as conn:
            self._run(conn, run_id)
            rows = conn.execute(
                select(CheckpointRow.episode, CheckpointRow.created_at, CheckpointRow.evaluation)
                .where(CheckpointRow.run_id == run_id)
                .order_by(CheckpointRow.episode)
            ).all()
        return [
            CheckpointInfo(episode, _utc(created), evaluation)
            for episode, created, evaluation in rows
        ]

    def load_checkpoint(self, run_id: int, episode: int | str = "latest") -> Checkpoint:
        """Return the run's checkpoint at ``episode`` (or its latest).

        Raises:
            RunNotFound: no such run.
            CheckpointNotFound: no checkpoint there.
        """
        with self._read() as conn:
            self._run(conn, run_id)
            query = select(CheckpointRow.__table__).where(CheckpointRow.run_id == run_id)
            if episode == "latest":
                query = query.order_by(CheckpointRow.episode.desc()).limit(1)
            elif isinstance(episode, int) and not isinstance(episode, bool):
                query = query.where(CheckpointRow.episode == episode)
            else:
                raise InvalidQuery("episode", episode, "an episode number or 'latest'")
            row = conn.execute(query).mappings().first()
        if row is None:
            raise CheckpointNotFound(run_id, episode)
        q = np.load(io.BytesIO(zlib.decompress(row["q"])), allow_pickle=False)
        return Checkpoint(
            row["episode"], q, row["agent_state"], row["evaluation"], _utc(row["created_at"])
        )

    # -- exports ----------------------------------------------------------------------

    def iter_csv(self, run_id: int) -> Iterator[str]:
        """Return a generator of CSV text: a header, then one line per episode.

        Raises:
            RunNotFound: no such run (raised at once, before any text).
        """
        self.get_run(run_id)
        return export.csv_chunks(self._episode_pages(run_id))

    def iter_json(self, run_id: int) -> Iterator[str]:
        """Return a generator of one JSON document: run, params, changes, checkpoints, episodes.

        Raises:
            RunNotFound: no such run (raised at once, before any text).
        """
        run = self.get_run(run_id)
        head = {
            "run": run.to_dict(),
            "hyperparams": run.hyperparams,
            "param_changes": [change.to_dict() for change in self.param_changes(run_id)],
            "checkpoints": [info.to_dict() for info in self.checkpoints(run_id)],
        }
        return export.json_chunks(head, self._episode_pages(run_id))

    def _episode_pages(self, run_id: int, page: int = 5000) -> Iterator[list[dict[str, Any]]]:
        """Yield the run's episodes in pages (keyset pagination; bounded memory)."""
        start = 1
        while True:
            with self._read() as conn:
                rows = self._episode_rows(conn, run_id, start, page)
            if not rows:
                return
            yield rows
            start = rows[-1]["episode"] + 1


def _rebuild_block(run_id: int, level: int, start: int, end: int) -> Any:
    """Return an INSERT .. SELECT that aggregates episodes start..end into their rollup block."""
    e = episodes_table.c
    aggregates = [
        func.count().label("count"),
        *(
            agg(e[metric]).label(f"{metric}_{stat}")
            for metric in METRICS
            for stat, agg in zip(ROLLUP_STATS, (func.sum, func.min, func.max), strict=True)
        ),
    ]
    block = (e.episode - 1) // 10**level
    query = (
        select(e.run_id, literal(level).label("level"), block.label("block"), *aggregates)
        .where(e.run_id == run_id, e.episode.between(start, end))
        .group_by(e.run_id, block)
    )
    return insert(rollups).from_select(
        ["run_id", "level", "block", *(a.name for a in aggregates)], query
    )


def _run_record(row: Mapping[str, Any]) -> Run:
    """Return a Run from a runs-table row mapping."""
    data = dict(row)
    for key in ("created_at", "started_at", "finished_at", "heartbeat_at"):
        data[key] = _utc(data[key])
    data["warnings"] = list(data["warnings"] or [])
    return Run(**data)


def _check_int(
    field: str, value: object, low: int, high: int | None, allowed: str | None = None
) -> int:
    """Return ``value`` if it is an int within [low, high]; else raise InvalidQuery."""
    if allowed is None:
        allowed = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidQuery(field, value, allowed)
    if value < low or (high is not None and value > high):
        raise InvalidQuery(field, value, allowed)
    return value


def _is_run_id(value: object) -> bool:
    """Return whether ``value`` can be a run id: an int, not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def _json_ints(values: Iterable[Any]) -> str:
    """Return the JSON text ``json.dumps([int(v) for v in values])`` gives, three times faster."""
    return f"[{', '.join(map(str, map(int, values)))}]"


def _clean_columns(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Return a batch's values ready to insert, one list per ``EPISODE_FIELDS`` name.

    Converts column by column, as ``_clean_row`` does row by row. If anything is amiss (a
    missing field, a bad or non-finite value, an episode below 1), the batch is checked again
    row by row, so that the BatchError names the first bad episode and field, as ever.

    Raises:
        BatchError: as ``_clean_row``.
    """
    try:
        columns: dict[str, list[Any]] = {
            name: list(map(float, map(itemgetter(name), rows))) for name in FLOAT_FIELDS
        }
        for name in ("episode", *INT_FIELDS):
            columns[name] = list(map(int, map(itemgetter(name), rows)))
        columns["success"] = list(map(int, map(bool, map(itemgetter("success"), rows))))
        columns["action_counts"] = list(map(_json_ints, map(itemgetter("action_counts"), rows)))
        # A sum is finite when every term is (and may overflow when they are: rechecked).
        valid = min(columns["episode"]) >= 1 and all(
            math.isfinite(sum(columns[name])) for name in FLOAT_FIELDS
        )
    except Exception:  # the row-by-row check raises what the first bad row deserves
        valid = False
    if valid:
        return columns
    clean = [_clean_row(row) for row in rows]
    return {name: [row[name] for row in clean] for name in EPISODE_FIELDS}


def _clean_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return an episode row ready to insert, or raise BatchError naming the episode/field."""
    episode = row.get("episode")
    try:
        clean = {"episode": int(episode)}
        for name in FLOAT_FIELDS:
            value = float(row[name])
            if not math.isfinite(value):
                raise BatchError(f"episode {episode}: {name}={row[name]!r} is not a finite number")
            clean[name] = value
        for name in INT_FIELDS:
            clean[name] = int(row[name])
        clean["success"] = 1 if row["success"] else 0
        clean["action_counts"] = _json_ints(row["action_counts"])
    except KeyError as exc:
        raise BatchError(f"episode {episode}: field {exc.args[0]!r} is missing") from None
    except (TypeError, ValueError) as exc:
        if isinstance(exc, BatchError):
            raise
        raise BatchError(f"episode {episode}: a field is not a number ({exc})") from None
    if clean["episode"] < 1:
        raise BatchError(f"episode {episode}: episodes are numbered from 1")
    return clean
