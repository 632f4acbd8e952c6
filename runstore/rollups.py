"""Multi-resolution rollups: block aggregates and their SQL for writing, window covers for reading.

Blocks of size ``s`` (``ROLLUP_SIZES``: 50, 100, 200, 500, 1000, ... a million episodes)
hold each metric's count, sum, min and max over ``s`` episodes. A series bucket of ``b``
episodes, ``b`` one of 1, 2, 5, 10, 20, 50, 100, ..., is served from blocks of size ``b``
(past a million, the largest size dividing ``b``): one row per bucket. The window's ragged
edges are covered by the decade below (blocks of 1000 for 2000 and 5000, of 100 for 200, 500
and 1000, ...) and, within 100 episodes, by the episodes. Buckets of 1 to 20 episodes read
the episodes of the window (at most 20 per bucket). So a window costs O(points + sizes) rows
read, whatever the run's length.

Blocks of 100 episodes are summed from the episodes with ``math.fsum``; blocks of 50 add
their episodes up first to last, as SQL's ``SUM`` over episode rows (and the series of raw
episodes) does, so that a bucket of 50 reads the mean it read before it had rollups. A
block of ``m`` x 10**k episodes is summed from blocks of 10**k (its ``PARENT``), a decade
from the decade below, the parts' sums added in block order: a 200-block's sum is exactly
the sum of its two 100-blocks' sums, added as SQL's ``SUM`` adds them. (A block written by
several batches adds up their parts.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, Dialect, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from .levels import STAT_NAMES, Aggregate, Level, coarser_level, episode_level
from .records import METRICS
from .schema import ROLLUP_SIZES, ROLLUP_STATS, rollups

NICE_BUCKETS = tuple(sorted(m * 10**k for k in range(10) for m in (1, 2, 5)))
"""Bucket sizes ``series`` may choose."""


FROM_EPISODES = (50, 100)
"""The sizes aggregated from the episodes themselves (each divides the last)."""
EXACT_SUMS = (100,)
"""Of those, the sizes whose sums are exactly rounded (``math.fsum``); the others' are added
first to last."""
TAIL = max(FROM_EPISODES)
DECADES = tuple(size for size in ROLLUP_SIZES if 10 ** round(math.log10(size)) == size)
PARENT = {
    size: max(d for d in DECADES if d < size and size % d == 0)
    for size in ROLLUP_SIZES
    if size not in FROM_EPISODES
}
"""The size each other block is built from: 10**k for 2 and 5 x 10**k, the decade below
for a decade. It also covers the edges of a window served by that size."""
FIGURES = ("count", *(f"{metric}_{stat}" for metric in METRICS for stat in ROLLUP_STATS))


INCREMENT_COLUMNS = ("run_id", "size", "block", "count", *STAT_NAMES)
"""The order of ``rollup_params``'s values."""


def rollup_rows(
    run_id: int, first: int, columns: Mapping[str, Sequence[float] | np.ndarray]
) -> list[dict[str, Any]]:
    """Return the rollup increments of a contiguous batch of episodes, for every size.

    Args:
        run_id: the run the episodes belong to.
        first: the batch's first episode; the others follow it with no gap.
        columns: each of ``METRICS`` to its values (floats) in episode order.

    Returns:
        One dict per (size, block) touched: ``run_id``, ``size``, ``block``, ``count`` and
        ``<metric>_sum/_min/_max`` of the batch's episodes in that block.
    """
    return [
        {"run_id": run_id, "size": size, **agg}
        for size, level in rollup_levels(first, columns).items()
        for agg in level.aggregates()
    ]


def rollup_params(
    run_id: int, first: int, columns: Mapping[str, Sequence[float] | np.ndarray]
) -> list[tuple[Any, ...]]:
    """Return ``rollup_rows`` as the parameters of ``upsert_statement``: one tuple per
    (size, block), its values in ``INCREMENT_COLUMNS`` order."""
    params: list[tuple[Any, ...]] = []
    for size, level in rollup_levels(first, columns).items():
        figures = level.figures().tolist()
        keys = zip(level.blocks.tolist(), level.counts.tolist(), strict=True)
        params += [(run_id, size, *key, *values) for key, values in zip(keys, figures, strict=True)]
    return params


def rollup_levels(
    first: int, columns: Mapping[str, Sequence[float] | np.ndarray]
) -> dict[int, Level]:
    """Return the aggregates of a contiguous batch of episodes from ``first`` on (each of
    ``METRICS`` to its values), size by size of ``ROLLUP_SIZES``."""
    values = np.column_stack([np.asarray(columns[metric], dtype=float) for metric in METRICS])
    built: dict[int, Level] = {}
    for size in ROLLUP_SIZES:
        if size in PARENT:
            built[size] = coarser_level(built[PARENT[size]], size // PARENT[size])
        else:
            built[size] = episode_level(values, first, size, exact=size in EXACT_SUMS)
    return built


def coarser(aggs: Sequence[Aggregate], factor: int) -> list[Aggregate]:
    """Combine block aggregates of one size (consecutive blocks, in order) into those of a
    size ``factor`` times larger (``coarser_level``)."""
    return coarser_level(Level.of(aggs), factor).aggregates() if aggs else []


def upsert_statement(dialect: str) -> str:
    """Return the driver-level INSERT .. ON CONFLICT that adds ``rollup_params`` increments
    to their blocks.

    Its parameters are positional, in ``INCREMENT_COLUMNS`` order: executing it with the
    increments (tuples) skips SQLAlchemy's per-row parameter processing, which a batch's
    dozens of increments (floats and ints) do not need.

    Args:
        dialect: ``"sqlite"`` or ``"postgresql"``.

    Returns:
        The statement's SQL, for ``Connection.exec_driver_sql``.
    """
    stmt: postgresql.Insert | sqlite.Insert
    least: Callable[..., Any]
    greatest: Callable[..., Any]
    compiler: Dialect
    if dialect == "postgresql":
        stmt, least, greatest = postgresql.insert(rollups), func.least, func.greatest
        compiler = postgresql.psycopg.dialect(paramstyle="format")
    else:
        stmt, least, greatest = sqlite.insert(rollups), func.min, func.max
        compiler = sqlite.dialect(paramstyle="qmark")
    new = stmt.excluded
    changes: dict[str, Any] = {"count": rollups.c.count + new.count}
    for metric in METRICS:
        total, low, high = (f"{metric}_{stat}" for stat in ROLLUP_STATS)
        changes[total] = rollups.c[total] + new[total]
        changes[low] = least(rollups.c[low], new[low])
        changes[high] = greatest(rollups.c[high], new[high])
    upsert = stmt.on_conflict_do_update(index_elements=["run_id", "size", "block"], set_=changes)
    compiled = upsert.compile(dialect=compiler)
    if tuple(compiled.positiontup or ()) != INCREMENT_COLUMNS:
        raise ValueError(f"rollup columns in an unexpected order: {compiled.positiontup}")
    return str(compiled)


def truncate(
    conn: Connection, run_id: int, keep: int, first: int, tail: Mapping[str, Sequence[float]]
) -> None:
    """Drop the run's blocks past episode ``keep``; rebuild the ones left partly filled.

    Run inside the transaction that deletes the episodes after ``keep``, after it has.

    Args:
        conn: the write transaction.
        run_id: the run.
        keep: the last episode kept.
        first: the first episode of ``tail``: that of the partly filled block of ``TAIL``,
            ``keep // TAIL * TAIL + 1``, or a fork's first episode if later.
        tail: each of ``METRICS`` to its values over the run's episodes ``first .. keep``
            (empty when ``keep`` ends a block of ``TAIL`` or comes before ``first``).
    """
    ends = (rollups.c.block + 1) * rollups.c.size  # a block's last episode
    conn.execute(delete(rollups).where(rollups.c.run_id == run_id, ends > keep))
    partial: dict[int, Aggregate] = {}
    for size in ROLLUP_SIZES:
        if not keep % size:
            continue
        start = keep // size * size + 1  # the block's first episode
        if size in PARENT:
            parts = _full_blocks(conn, run_id, PARENT[size], start - 1, keep)
            parts += [partial[PARENT[size]]] if PARENT[size] in partial else []
            if parts:
                partial[size] = coarser(parts, size // PARENT[size])[0]
        elif tail[METRICS[0]][max(start - first, 0) :]:
            begin = max(start, first)
            part = [np.asarray(tail[metric][begin - first :], dtype=float) for metric in METRICS]
            level = episode_level(np.column_stack(part), begin, size, exact=size in EXACT_SUMS)
            partial[size] = level.aggregates()[0]
    if partial:
        conn.execute(
            insert(rollups),
            [{"run_id": run_id, "size": size, **agg} for size, agg in partial.items()],
        )


def _full_blocks(
    conn: Connection, run_id: int, size: int, after: int, keep: int
) -> list[Aggregate]:
    """Return the run's full blocks of ``size`` between episode ``after`` and ``keep``, in
    block order, as aggregates."""
    query = (
        select(rollups.c.block, *(rollups.c[name] for name in FIGURES))
        .where(
            rollups.c.run_id == run_id,
            rollups.c.size == size,
            rollups.c.block.between(after // size, keep // size - 1),
        )
        .order_by(rollups.c.block)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def choose_bucket(start: int, end: int, points: int) -> int:
    """Return the smallest nice bucket size that splits episodes start..end into ≤ points buckets.

    Buckets are aligned to episode 1 (bucket ``k`` holds episodes ``k*b+1 .. (k+1)*b``), so
    the window may touch one more bucket than ``span / b``.
    """
    for size in NICE_BUCKETS:
        if (end - 1) // size - (start - 1) // size + 1 <= points:
            return size
    return NICE_BUCKETS[-1]


def serving_size(bucket: int) -> int | None:
    """Return the largest rollup size dividing ``bucket``: ``bucket`` itself up to a million
    (None below 100: the episodes are read)."""
    sizes = [size for size in ROLLUP_SIZES if bucket % size == 0]
    return max(sizes) if sizes else None


@dataclass(frozen=True)
class Piece:
    """Part of a window: rollup blocks ``first..last`` of ``size``, or raw episodes."""

    size: int | None
    """None: raw episodes ``first..last``."""
    first: int
    last: int


def cover(start: int, end: int, size: int | None, done: int) -> list[Piece]:
    """Return pieces that cover episodes start..end exactly, coarsest blocks first.

    Args:
        start: first episode of the window.
        end: last episode of the window (≤ ``done``).
        size: the block size to use (None: raw episodes only); the edges use its decade.
        done: episodes the run has; the block holding episode ``done`` may be partly filled
            and still counts as inside a window that ends at ``done``.

    Returns:
        Disjoint pieces whose union is exactly start..end.
    """
    if start > end:
        return []
    if size is None:
        return [Piece(None, start, end)]
    first = -(-(start - 1) // size)
    last = (end - 1) // size if end == done else end // size - 1
    finer = PARENT.get(size)  # a decade's edges: the decade below; 2x and 5x: their decade
    if first > last:
        return cover(start, end, finer, done)
    return [
        Piece(size, first, last),
        *cover(start, first * size, finer, done),
        *cover((last + 1) * size + 1, end, finer, done),
    ]
