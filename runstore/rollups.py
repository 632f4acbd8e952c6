"""Multi-resolution rollups: block aggregates for writing and truncating, window covers for reading.

Blocks of size ``s`` (``ROLLUP_SIZES``: 50, 100, 200, 500, 1000, ... a million episodes)
hold each metric's count, sum, min and max over ``s`` episodes; ``packs`` stores them, 32
blocks of a size to a row. A series bucket of ``b`` episodes, ``b`` one of 1, 2, 5, 10, 20,
50, 100, ..., is served from blocks of size ``b`` (past a million, the largest size dividing
``b``): one block per bucket. The window's ragged edges are covered by the decade below
(blocks of 1000 for 2000 and 5000, of 100 for 200, 500 and 1000, ...) and, within 100
episodes, by the episodes. Buckets of 1 to 20 episodes read the episodes of the window (at
most 20 per bucket). So a window costs O(points + sizes) blocks read, in O(points / 32 +
sizes) rows, whatever the run's length.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection

from . import packs
from .levels import Aggregate, Level, coarser_level, episode_level
from .records import METRICS
from .schema import PACK, ROLLUP_SIZES

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


def write(
    conn: Connection,
    run_id: int,
    first: int,
    columns: Mapping[str, Sequence[float] | np.ndarray],
    upsert: str,
) -> None:
    """Add a contiguous batch of episodes from ``first`` on (each of ``METRICS`` to its
    values) to the run's rollups of every size; ``upsert`` is ``packs.upsert_statement``'s."""
    packs.write(conn, run_id, rollup_levels(first, columns), upsert)


MOST_PARTS = 10
"""The most blocks of its ``PARENT`` a block is built from."""


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
    near = [(size, max(keep // size - MOST_PARTS, 0), keep // size) for size in ROLLUP_SIZES]
    stored = packs.read(conn, run_id, near)  # the packs the cut falls in, and the parts
    packs.delete_after(conn, run_id, keep)
    partial: dict[int, Level] = {}
    for size in ROLLUP_SIZES:  # ascending: a size's parent comes before it
        if keep % size:
            start = keep // size * size + 1  # the partly filled block's first episode
            part = _partial(size, start, keep, stored, partial, first, tail)
            if part is not None:
                partial[size] = part
    rows: list[tuple[Any, ...]] = []
    for size in ROLLUP_SIZES:
        kept = _stored(stored, size, keep // size // PACK * PACK, keep // size - 1)
        kept += [partial[size]] if size in partial else []
        if kept:
            level = Level.concatenated(kept)
            rows += packs.rows(run_id, size, int(level.blocks[0]), packs.table(level))
    if rows:
        conn.exec_driver_sql(packs.upsert_statement(conn.dialect.name), rows)


def _partial(
    size: int,
    start: int,
    keep: int,
    stored: Mapping[int, Level],
    partial: Mapping[int, Level],
    first: int,
    tail: Mapping[str, Sequence[float]],
) -> Level | None:
    """Return the partly filled block of ``size`` (episodes ``start..keep``) rebuilt: from
    its parent's full blocks and partly filled one, or from the tail's episodes (None if the
    run has none of its episodes)."""
    if size in PARENT:
        parent = PARENT[size]
        parts = _stored(stored, parent, (start - 1) // parent, keep // parent - 1)
        parts += [partial[parent]] if parent in partial else []
        return coarser_level(Level.concatenated(parts), size // parent) if parts else None
    if not tail[METRICS[0]][max(start - first, 0) :]:
        return None
    begin = max(start, first)
    part = [np.asarray(tail[metric][begin - first :], dtype=float) for metric in METRICS]
    return episode_level(np.column_stack(part), begin, size, exact=size in EXACT_SUMS)


def _stored(stored: Mapping[int, Level], size: int, first: int, last: int) -> list[Level]:
    """Return the stored blocks ``first..last`` of ``size`` as a list of one level, or an
    empty list if there are none."""
    level = stored[size].between(first, last) if size in stored else None
    return [level] if level is not None and len(level.blocks) else []


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
