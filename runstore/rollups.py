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
Aggregate = dict[str, Any]
"""A block's ``block`` number, ``count`` and ``<metric>_sum/_min/_max``."""


@dataclass(frozen=True)
class Level:
    """Block aggregates of one size, as arrays: one row per block, one column per metric."""

    blocks: np.ndarray
    """Block numbers (int64), ascending."""
    counts: np.ndarray
    """Episodes per block (int64)."""
    sums: np.ndarray
    """Each block's sum of each of ``METRICS`` (float64, blocks x metrics)."""
    lows: np.ndarray
    highs: np.ndarray

    @classmethod
    def of(cls, aggs: Sequence[Aggregate]) -> Level:
        """Return the level of aggregates (``Aggregate`` dicts) in block order."""
        stat = {
            name: np.array([[agg[f"{m}_{name}"] for m in METRICS] for agg in aggs], dtype=float)
            for name in ROLLUP_STATS
        }
        blocks = np.array([agg["block"] for agg in aggs], dtype=np.int64)
        counts = np.array([agg["count"] for agg in aggs], dtype=np.int64)
        return cls(blocks, counts, stat["sum"], stat["min"], stat["max"])

    def figures(self) -> np.ndarray:
        """Return each block's figures after ``count`` in ``STAT_NAMES`` order (a row each)."""
        return np.stack((self.sums, self.lows, self.highs), axis=2).reshape(len(self.blocks), -1)

    def aggregates(self) -> list[Aggregate]:
        """Return the blocks as ``Aggregate`` dicts, in block order."""
        figures = self.figures()
        return [
            {"block": block, "count": count, **dict(zip(STAT_NAMES, values, strict=True))}
            for block, count, values in zip(
                self.blocks.tolist(), self.counts.tolist(), figures.tolist(), strict=True
            )
        ]


STAT_NAMES = tuple(f"{metric}_{stat}" for metric in METRICS for stat in ROLLUP_STATS)
"""An aggregate's figures after ``count``, metric by metric (``Level.figures``'s order)."""
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
            built[size] = episode_level(values, first, size)
    return built


def episode_level(values: np.ndarray, first: int, size: int) -> Level:
    """Return the aggregates, by blocks of ``size``, of the episodes from ``first`` on.

    Args:
        values: the episodes' metrics, one row per episode and one column per metric of
            ``METRICS`` (float64).
        first: the first episode.
        size: one of ``FROM_EPISODES``.
    """
    n = len(values)
    starts = block_starts(first, n, size)
    counts = np.diff(np.append(starts, n))
    lows = np.minimum.reduceat(values, starts, axis=0)
    highs = np.maximum.reduceat(values, starts, axis=0)
    if size in EXACT_SUMS:
        sums = exact_sums(values, starts, counts, lows == highs)
    else:
        sums = sums_in_order(values, first, size)
    blocks = (first - 1) // size + np.arange(len(starts), dtype=np.int64)
    return Level(blocks, counts.astype(np.int64), sums.reshape(len(starts), -1), lows, highs)


def exact_sums(
    values: np.ndarray, starts: np.ndarray, counts: np.ndarray, constant: np.ndarray
) -> np.ndarray:
    """Return each block's sum of each metric, exactly rounded (as ``math.fsum`` sums).

    Args:
        values: one row per episode, one column per metric.
        starts: where each block begins among the rows.
        counts: the rows of each block.
        constant: (blocks x metrics) whether the block's values of the metric are all one.

    Returns:
        The sums (blocks x metrics). A constant's is its product with the count (rounded
        once, as the exact sum is), integers' are their sum in any order (exact while
        below 2**53); only the others go through ``math.fsum``.
    """
    integral = np.logical_and.reduceat(values == np.floor(values), starts, axis=0)
    integral &= np.add.reduceat(np.abs(values), starts, axis=0) < 2.0**53
    sums = np.where(
        integral, np.add.reduceat(values, starts, axis=0), counts[:, None] * values[starts]
    )
    begins, ends = starts.tolist(), (starts + counts).tolist()
    columns: dict[int, list[float]] = {}
    for block, metric in np.argwhere(~(integral | constant)).tolist():
        if metric not in columns:
            columns[metric] = values[:, metric].tolist()
        sums[block, metric] = math.fsum(columns[metric][begins[block] : ends[block]])
    return sums


def block_starts(first: int, n: int, size: int) -> np.ndarray:
    """Return where each block of ``size`` begins among ``n`` episodes from ``first`` on
    (positions from 0; the first block may begin before them: 0)."""
    starts = np.arange(-((first - 1) % size), n, size)
    starts[0] = 0
    return starts


def sums_in_order(values: np.ndarray, first: int, size: int) -> np.ndarray:
    """Return the sums, block by block of ``size``, of the values of episodes ``first..``
    (one value per episode, or one row of values), each added first to last as SQL's
    ``SUM`` adds rows (``np.add.reduceat`` adds in pairs)."""
    skipped = (first - 1) % size  # episodes of the first block before ``first``
    blocks = -(-(skipped + len(values)) // size)
    padded = np.zeros((blocks * size, *values.shape[1:]))
    padded[skipped : skipped + len(values)] = values
    return np.cumsum(padded.reshape(blocks, size, *values.shape[1:]), axis=1)[:, -1]


def coarser_level(level: Level, factor: int) -> Level:
    """Combine block aggregates of one size (consecutive blocks, in order) into those of a
    size ``factor`` times larger: counts and sums added in block order (from the first
    part's), extremes of extremes."""
    low, high = int(level.blocks[0]) // factor, int(level.blocks[-1]) // factor
    if low == high:  # one larger block (every batch of a block or less, past its size)
        sums = level.sums if len(level.blocks) == 1 else np.cumsum(level.sums, axis=0)[-1:]
        return Level(
            np.array([low], dtype=np.int64),
            level.counts.sum(keepdims=True),
            sums,
            level.lows.min(axis=0, keepdims=True),
            level.highs.max(axis=0, keepdims=True),
        )
    children = np.arange(low, high + 1, dtype=np.int64)
    at = level.blocks - low * factor  # each part's place among the children's parts
    shape = (len(children), factor, level.sums.shape[1])

    def combined(parts: np.ndarray, neutral: float) -> np.ndarray:
        padded = np.full((len(children) * factor, shape[2]), neutral)
        padded[at] = parts
        return padded.reshape(shape)

    # -0.0 is the neutral of addition (x + -0.0 == x, the sign of a zero too)
    sums = np.cumsum(combined(level.sums, -0.0), axis=1)[:, -1]
    counts = np.zeros(len(children) * factor, dtype=np.int64)
    counts[at] = level.counts
    return Level(
        children,
        counts.reshape(shape[:2]).sum(axis=1),
        sums,
        combined(level.lows, math.inf).min(axis=1),
        combined(level.highs, -math.inf).max(axis=1),
    )


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
            partial[size] = episode_level(np.column_stack(part), begin, size).aggregates()[0]
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
