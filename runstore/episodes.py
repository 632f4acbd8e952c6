"""Episode rows: append a checked batch (with rollups and run progress), truncate, read."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import Any

from sqlalchemy import Connection, Dialect, Insert, Select, delete, select, update

from . import rollups
from ._clock import now
from ._guards import check_int, is_int
from .batches import metric_columns
from .errors import BatchError, RunNotFound
from .records import EPISODE_FIELDS, EpisodeRecord
from .runs import fetch
from .schema import CheckpointRow, EpisodeRow, RunRow

MAX_EPISODE_LIMIT = 10_000
"""The most episode rows one ``RunStore.episodes`` call returns."""
SUCCESS = EPISODE_FIELDS.index("success")
COUNTS = EPISODE_FIELDS.index("action_counts")
table = EpisodeRow.__table__


def driver_insert(dialect: Dialect) -> str:
    """Return the driver-level INSERT of one episode row.

    Its parameters are positional, in the order ``run_id, *EPISODE_FIELDS``: executing it
    with tuples skips SQLAlchemy's per-row parameter processing, which the episode columns
    (integers, floats, text) do not need.
    """
    preparer = dialect.identifier_preparer
    names = ("run_id", *EPISODE_FIELDS)
    marker = "?" if dialect.paramstyle == "qmark" else "%s"  # sqlite3; psycopg
    return (
        f"INSERT INTO {preparer.format_table(table)}"
        f" ({', '.join(map(preparer.quote, names))})"
        f" VALUES ({', '.join([marker] * len(names))})"
    )


def append(
    conn: Connection,
    run_id: int,
    columns: Mapping[str, list[Any]],
    *,
    insert: str,
    upsert: Insert,
) -> None:
    """Write a checked batch: its episodes, their rollups, and the run's progress and heartbeat.

    Args:
        conn: a write transaction.
        run_id: the run.
        columns: the batch from ``batches.columns_of``.
        insert: the statement from ``driver_insert``.
        upsert: the statement from ``rollups.upsert_statement``.

    Raises:
        RunNotFound: no such run.
        BatchError: the batch does not start right after the run's last episode.
    """
    if not is_int(run_id):
        raise RunNotFound(run_id)
    done = conn.scalar(  # PostgreSQL: lock the run (SQLite: BEGIN IMMEDIATE has)
        select(RunRow.episodes_done).where(RunRow.id == run_id).with_for_update()
    )
    if done is None:
        raise RunNotFound(run_id)
    episodes = columns["episode"]
    if episodes[0] != done + 1:
        kind = "duplicate" if episodes[0] <= done else "gap"
        raise BatchError(
            f"run {run_id}: the batch starts at episode {episodes[0]} but the run has"
            f" {done} episodes ({kind}); the next episode must be {done + 1}"
        )
    conn.exec_driver_sql(
        insert, list(zip(repeat(run_id), *(columns[name] for name in EPISODE_FIELDS)))
    )
    conn.execute(upsert, rollups.rollup_rows(run_id, episodes[0], metric_columns(columns)))
    conn.execute(
        update(RunRow)
        .where(RunRow.id == run_id)
        .values(episodes_done=episodes[-1], env_steps=columns["env_steps"][-1], heartbeat_at=now())
    )


def truncate(conn: Connection, run_id: int, after_episode: int) -> None:
    """Delete the run's episodes and checkpoints after ``after_episode``; fix rollups and progress.

    Raises:
        RunNotFound: no such run.
    """
    if after_episode >= fetch(conn, run_id).episodes_done:
        return
    keep = max(after_episode, 0)
    conn.execute(delete(EpisodeRow).where(EpisodeRow.run_id == run_id, EpisodeRow.episode > keep))
    conn.execute(
        delete(CheckpointRow).where(CheckpointRow.run_id == run_id, CheckpointRow.episode > keep)
    )
    rollups.truncate(conn, run_id, keep)
    steps = conn.scalar(
        select(EpisodeRow.env_steps).where(EpisodeRow.run_id == run_id, EpisodeRow.episode == keep)
    )
    conn.execute(
        update(RunRow).where(RunRow.id == run_id).values(episodes_done=keep, env_steps=steps or 0)
    )


def query(conn: Connection, run_id: int, start: int, limit: int) -> list[EpisodeRecord]:
    """Return up to ``limit`` episodes of the run from episode ``start`` on.

    Raises:
        RunNotFound: no such run.
        InvalidQuery: ``start`` < 1 or ``limit`` outside 1..``MAX_EPISODE_LIMIT``.
    """
    check_int("start", start, 1, None)
    check_int("limit", limit, 1, MAX_EPISODE_LIMIT)
    fetch(conn, run_id)
    return read(conn, run_id, start, limit)


def read(conn: Connection, run_id: int, start: int, limit: int) -> list[EpisodeRecord]:
    """Return up to ``limit`` episodes of the run from ``start`` on (arguments unchecked)."""
    return [_record(row) for row in conn.execute(page(run_id, start, limit)).all()]


def page(run_id: int, start: int, limit: int) -> Select[Any]:
    """Return the SELECT of ``EPISODE_FIELDS`` of up to ``limit`` episodes from ``start`` on."""
    return (
        select(*(table.c[name] for name in EPISODE_FIELDS))
        .where(table.c.run_id == run_id, table.c.episode >= start)
        .order_by(table.c.episode)
        .limit(limit)
    )


def _record(row: Sequence[Any]) -> EpisodeRecord:
    """Return an EpisodeRecord from a row of ``page`` (success a bool, counts a tuple)."""
    values = list(row)
    values[SUCCESS] = bool(values[SUCCESS])
    values[COUNTS] = tuple(json.loads(values[COUNTS]))
    return EpisodeRecord(*values)
