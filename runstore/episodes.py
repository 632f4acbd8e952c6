"""Episodes: append a checked batch (with rollups and run progress), truncate, read back.

A run's episodes are ``first_episode(run) .. runs.episodes_done`` (from 1, or after the
checkpoint a fork starts from: its history before that is its parent's, see ``lineage``),
stored ``BLOCK`` at a time as episode blocks (``blocks``: each field one exact, compressed
blob; a fork's first block skips the episodes before its own). Appending rewrites the run's
last block when it is not full yet; reading decodes the blocks a range touches.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, Insert, Select, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from . import batches, blocks, rollups
from ._clock import now
from ._guards import check_int, is_int
from .batches import FLOAT_FIELDS, Columns, metric_columns
from .blocks import BLOCK
from .errors import BatchError, RunNotFound
from .records import EPISODE_FIELDS, METRICS, EpisodeRecord
from .runs import fetch
from .schema import BLOCK_FIELDS, CheckpointRow, RunRow, episode_blocks

MAX_EPISODE_LIMIT = 10_000
"""The most episode rows one ``RunStore.episodes`` call returns."""
CODECS = {
    **{name: "float" if name in FLOAT_FIELDS else "int" for name in BLOCK_FIELDS},
    "wall_time": "rising",  # the seconds a run has trained, episode by episode
    "action_counts": "lists",
}
"""How each stored field is encoded (``blocks.CODECS``)."""
COUNTS = EPISODE_FIELDS.index("action_counts")
c = episode_blocks.c


def upsert_statement(dialect: str) -> Insert:
    """Return the INSERT .. ON CONFLICT that writes episode blocks, replacing a run's last
    block when it grew.

    Args:
        dialect: ``"sqlite"`` or ``"postgresql"``.

    Returns:
        The statement, to execute with rows from ``_block_rows``.
    """
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(episode_blocks)
    changed = {name: stmt.excluded[name] for name in ("skip", "count", *BLOCK_FIELDS)}
    return stmt.on_conflict_do_update(index_elements=["run_id", "block"], set_=changed)


def ready_to_pack() -> None:
    """Compile the packing helpers (or load them from numba's cache) if this process has not
    yet; return nothing. Called before a write lock is taken: see ``compiled.warm``."""
    from . import compiled  # here, not above: only a process that writes loads numba

    compiled.warm()


def append(
    conn: Connection,
    run_id: int,
    columns: Columns,
    *,
    insert: Insert,
    upsert: str,
) -> None:
    """Write a checked batch: its episodes, their rollups, and the run's progress and heartbeat.

    Args:
        conn: a write transaction.
        run_id: the run.
        columns: the batch from ``batches.checked_columns`` or ``batches.columns_of``.
        insert: the statement from ``upsert_statement``.
        upsert: the SQL from ``packs.upsert_statement``.

    Raises:
        RunNotFound: no such run.
        BatchError: the batch does not start right after the run's last episode.
    """
    if not is_int(run_id):
        raise RunNotFound(run_id)
    # PostgreSQL: lock the run (SQLite: BEGIN IMMEDIATE has)
    found = conn.execute(_LOCK_RUN, {"run": run_id}).first()
    if found is None:
        raise RunNotFound(run_id)
    done, forked = found
    first, last = int(columns["episode"][0]), int(columns["episode"][-1])
    if first != done + 1:
        kind = "duplicate" if first <= done else "gap"
        raise BatchError(
            f"run {run_id}: the batch starts at episode {first} but the run has"
            f" {done} episodes ({kind}); the next episode must be {done + 1}"
        )
    start = max(done // BLOCK * BLOCK, forked or 0) + 1
    merged: Mapping[str, Any] = columns
    if start <= done:  # the run's last block is partial: it is written again, grown
        stored = read_columns(conn, run_id, start, done, BLOCK_FIELDS)
        merged = batches.join_columns([stored, {name: columns[name] for name in BLOCK_FIELDS}])
    conn.execute(insert, _block_rows(run_id, start, merged))
    rollups.write(conn, run_id, first, metric_columns(columns), upsert)
    progress = {"run": run_id, "done": last, "steps": int(columns["env_steps"][-1]), "at": now()}
    conn.execute(_PROGRESS, progress)


_LOCK_RUN = (
    select(RunRow.episodes_done, RunRow.fork_episode)
    .where(RunRow.id == bindparam("run"))
    .with_for_update()
)
_PROGRESS = (
    update(RunRow)
    .where(RunRow.id == bindparam("run"))
    .values(
        episodes_done=bindparam("done"), env_steps=bindparam("steps"), heartbeat_at=bindparam("at")
    )
)
"""The run's lock and its progress after a batch (built once: building a statement and its
cache key costs about as much as the database's work on a small batch)."""


def first_episode(fork_episode: int | None) -> int:
    """Return the first episode a run stores itself: 1, or a fork's ``fork_episode + 1``."""
    return (fork_episode or 0) + 1


def _block_rows(run_id: int, start: int, columns: Mapping[str, Any]) -> list[dict]:
    """Return the episode-block rows of consecutive episodes from ``start`` on.

    Args:
        run_id: the run.
        start: the first episode: a block's first, or the run's first (a fork's).
        columns: each of ``BLOCK_FIELDS`` to its values from episode ``start`` on (lists
            or arrays).

    Returns:
        One row per block: ``run_id``, ``block``, ``skip``, ``count`` and each field's blob.
    """
    n = len(columns[BLOCK_FIELDS[0]])
    rows = []
    i = 0
    while i < n:
        block, skip = divmod(start + i - 1, BLOCK)
        j = min(n, i + BLOCK - skip)
        row = {name: blocks.encode(CODECS[name], columns[name][i:j]) for name in BLOCK_FIELDS}
        rows.append({"run_id": run_id, "block": block, "skip": skip, "count": j - i, **row})
        i = j
    return rows


def truncate(conn: Connection, run_id: int, after_episode: int) -> None:
    """Delete the run's episodes and checkpoints after ``after_episode``; fix rollups and progress.

    Raises:
        RunNotFound: no such run.
    """
    run = fetch(conn, run_id)
    if after_episode >= run.episodes_done:
        return
    keep = max(after_episode, 0)
    own = first_episode(run.fork_episode)
    start = max((keep - 1) // BLOCK * BLOCK + 1, own)  # the block holding episode ``keep``
    kept = read_columns(conn, run_id, start, keep, BLOCK_FIELDS)
    conn.execute(delete(episode_blocks).where(c.run_id == run_id, c.block >= keep // BLOCK))
    if keep % BLOCK and kept["env_steps"]:  # the block holding ``keep`` is cut short
        conn.execute(episode_blocks.insert(), _block_rows(run_id, start, kept))
    conn.execute(
        delete(CheckpointRow).where(CheckpointRow.run_id == run_id, CheckpointRow.episode > keep)
    )
    tail = max(keep // rollups.TAIL * rollups.TAIL + 1, own)  # the start of its last 100
    values = {metric: list(map(float, kept[metric][tail - start :])) for metric in METRICS}
    rollups.truncate(conn, run_id, keep, tail, values)
    steps = kept["env_steps"][-1] if kept["env_steps"] else 0
    conn.execute(
        update(RunRow).where(RunRow.id == run_id).values(episodes_done=keep, env_steps=steps)
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
    records = []
    for row in rows(conn, run_id, start, limit):
        row[COUNTS] = tuple(row[COUNTS])
        records.append(EpisodeRecord(*row))
    return records


def read_dicts(conn: Connection, run_id: int, start: int, limit: int) -> list[dict[str, Any]]:
    """Return up to ``limit`` episodes of the run from ``start`` on as dicts keyed by
    ``EPISODE_FIELDS`` (``success`` a bool, ``action_counts`` a list)."""
    return [dict(zip(EPISODE_FIELDS, row, strict=True)) for row in rows(conn, run_id, start, limit)]


def rows(conn: Connection, run_id: int, start: int, limit: int) -> Iterator[list[Any]]:
    """Yield up to ``limit`` episodes from ``start`` on, each the values of ``EPISODE_FIELDS``
    (``success`` a bool, ``action_counts`` a list)."""
    columns = read_columns(conn, run_id, start, start + limit - 1, EPISODE_FIELDS)
    columns["success"] = list(map(bool, columns["success"]))
    yield from map(list, zip(*columns.values(), strict=True))


def read_columns(
    conn: Connection, run_id: int, first: int, last: int, names: Sequence[str]
) -> dict[str, list[Any]]:
    """Return fields of the run's episodes ``first..last`` (those it has), column by column.

    Args:
        conn: a transaction.
        run_id: the run.
        first: the first episode wanted (≥ 1).
        last: the last one; before ``first``: none.
        names: fields among ``EPISODE_FIELDS`` (``episode``: the episodes' numbers).

    Returns:
        Each name to its values in episode order, from ``first`` (or the run's first
        episode after it) on.
    """
    columns: dict[str, list[Any]] = {name: [] for name in names}
    stored = [name for name in names if name != "episode"]
    for block, skip, count, *blobs in _blocks(conn, run_id, first, last, stored):
        begin = block * BLOCK + skip + 1  # the block's first episode
        low, high = max(first - begin, 0), min(last - begin + 1, count)
        if "episode" in columns:
            columns["episode"].extend(range(begin + low, begin + high))
        for name, blob in zip(stored, blobs, strict=True):
            columns[name].extend(blocks.decode(CODECS[name], blob, count)[low:high])
    return columns


def metric_values(conn: Connection, run_id: int, metric: str, first: int, last: int) -> np.ndarray:
    """Return one metric of the run's episodes ``first..last`` (those it stores) as a
    float64 array."""
    parts = []
    for block, skip, count, blob in _blocks(conn, run_id, first, last, (metric,)):
        begin = block * BLOCK + skip + 1
        parts.append(blocks.decode_array(blob, count)[max(first - begin, 0) : last - begin + 1])
    return np.concatenate(parts) if parts else np.zeros(0)


def _blocks(
    conn: Connection, run_id: int, first: int, last: int, names: Sequence[str]
) -> Sequence[tuple[Any, ...]]:
    """Return (block, skip, count, *blobs of ``names``) of the blocks holding episodes
    first..last."""
    if last < first:
        return []
    bounds = {"run_id": run_id, "first": (first - 1) // BLOCK, "last": (last - 1) // BLOCK}
    return [tuple(row) for row in conn.execute(_blocks_query(tuple(names)), bounds)]


@functools.cache
def _blocks_query(names: tuple[str, ...]) -> Select[Any]:
    """Return the SELECT of ``_blocks`` (built once per set of fields: a series calls it for
    every piece of its window)."""
    return (
        select(c.block, c.skip, c["count"], *(c[name] for name in names))
        .where(
            c.run_id == bindparam("run_id"),
            c.block.between(bindparam("first"), bindparam("last")),
        )
        .order_by(c.block)
    )
