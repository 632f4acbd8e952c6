"""Multi-resolution rollups: block aggregates and their SQL for writing, window covers for reading.

Blocks at level ``L`` hold ``10**L`` episodes (levels in ``ROLLUP_LEVELS``). A series
bucket of ``b`` episodes, ``b`` one of 1, 2, 5, 10, 20, 50, 100, ..., is served from the
coarsest level whose block size divides ``b``; the window's ragged edges are covered by finer
levels and, below 100 episodes, by raw rows. So a window costs O(points + levels) rows read,
whatever the run's length.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Insert, delete, func, insert, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from .records import METRICS
from .schema import ROLLUP_LEVELS, ROLLUP_STATS, EpisodeRow, rollups

NICE_BUCKETS = tuple(sorted(m * 10**k for k in range(10) for m in (1, 2, 5)))
"""Bucket sizes ``series`` may choose: multiples of a rollup block size from 100 on."""


def rollup_rows(
    run_id: int, first: int, columns: Mapping[str, Sequence[float]]
) -> list[dict[str, Any]]:
    """Return the rollup increments of a contiguous batch of episodes, for every level.

    Args:
        run_id: the run the episodes belong to.
        first: the batch's first episode; the others follow it with no gap.
        columns: each of ``METRICS`` to its values (floats) in episode order.

    Returns:
        One dict per (level, block) touched: ``run_id``, ``level``, ``block``, ``count`` and
        ``<metric>_sum/_min/_max`` of the batch's episodes in that block.
    """
    finest = 10 ** ROLLUP_LEVELS[0]
    out: list[dict[str, Any]] = []
    level_aggs: list[dict[str, Any]] = []
    n = len(columns[METRICS[0]])
    i = 0
    while i < n:
        block = (first + i - 1) // finest
        j = min(n, (block + 1) * finest - first + 1)
        agg: dict[str, Any] = {"block": block, "count": j - i}
        for metric in METRICS:
            chunk = columns[metric][i:j]
            agg[f"{metric}_sum"] = math.fsum(chunk)
            agg[f"{metric}_min"] = min(chunk)
            agg[f"{metric}_max"] = max(chunk)
        level_aggs.append(agg)
        i = j
    for level in ROLLUP_LEVELS:
        out.extend({"run_id": run_id, "level": level, **agg} for agg in level_aggs)
        level_aggs = _coarser(level_aggs)
    return out


def _coarser(aggs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Combine block aggregates of one level into those of the next (10x larger) level."""
    merged: dict[int, dict[str, Any]] = {}
    for agg in aggs:
        block = agg["block"] // 10
        into = merged.get(block)
        if into is None:
            merged[block] = {**agg, "block": block}
            continue
        into["count"] += agg["count"]
        for metric in METRICS:
            into[f"{metric}_sum"] += agg[f"{metric}_sum"]
            into[f"{metric}_min"] = min(into[f"{metric}_min"], agg[f"{metric}_min"])
            into[f"{metric}_max"] = max(into[f"{metric}_max"], agg[f"{metric}_max"])
    return list(merged.values())


def upsert_statement(dialect: str) -> Insert:
    """Return the INSERT .. ON CONFLICT that adds ``rollup_rows`` increments to their blocks.

    Args:
        dialect: ``"sqlite"`` or ``"postgresql"``.

    Returns:
        The statement, to execute with the increments as parameters.
    """
    stmt: postgresql.Insert | sqlite.Insert
    least: Callable[..., Any]
    greatest: Callable[..., Any]
    if dialect == "postgresql":
        stmt, least, greatest = postgresql.insert(rollups), func.least, func.greatest
    else:
        stmt, least, greatest = sqlite.insert(rollups), func.min, func.max
    new = stmt.excluded
    changes: dict[str, Any] = {"count": rollups.c.count + new.count}
    for metric in METRICS:
        total, low, high = (f"{metric}_{stat}" for stat in ROLLUP_STATS)
        changes[total] = rollups.c[total] + new[total]
        changes[low] = least(rollups.c[low], new[low])
        changes[high] = greatest(rollups.c[high], new[high])
    return stmt.on_conflict_do_update(index_elements=["run_id", "level", "block"], set_=changes)


def truncate(conn: Connection, run_id: int, keep: int) -> None:
    """Drop the run's blocks past episode ``keep``; rebuild the one left partly filled.

    Run inside the transaction that deletes the episodes after ``keep``, after it has.
    """
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


def _rebuild_block(run_id: int, level: int, start: int, end: int) -> Insert:
    """Return an INSERT .. SELECT that aggregates episodes start..end into their rollup block."""
    e = EpisodeRow.__table__.c
    functions: tuple[Callable[..., Any], ...] = (func.sum, func.min, func.max)
    aggregates = [
        func.count().label("count"),
        *(
            agg(e[metric]).label(f"{metric}_{stat}")
            for metric in METRICS
            for stat, agg in zip(ROLLUP_STATS, functions, strict=True)
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


def choose_bucket(start: int, end: int, points: int) -> int:
    """Return the smallest nice bucket size that splits episodes start..end into ≤ points buckets.

    Buckets are aligned to episode 1 (bucket ``k`` holds episodes ``k*b+1 .. (k+1)*b``), so
    the window may touch one more bucket than ``span / b``.
    """
    for size in NICE_BUCKETS:
        if (end - 1) // size - (start - 1) // size + 1 <= points:
            return size
    return NICE_BUCKETS[-1]


def serving_level(bucket: int) -> int | None:
    """Return the coarsest rollup level whose block size divides ``bucket`` (None: use raw rows)."""
    levels = [level for level in ROLLUP_LEVELS if bucket % 10**level == 0]
    return max(levels) if levels else None


@dataclass(frozen=True)
class Piece:
    """Part of a window: rollup blocks ``first..last`` at ``level``, or raw episodes."""

    level: int | None
    """None: raw episodes ``first..last``."""
    first: int
    last: int


def cover(start: int, end: int, level: int | None, done: int) -> list[Piece]:
    """Return pieces that cover episodes start..end exactly, coarsest blocks first.

    Args:
        start: first episode of the window.
        end: last episode of the window (≤ ``done``).
        level: the coarsest level to use (None: raw episodes only).
        done: episodes the run has; the block holding episode ``done`` may be partly filled
            and still counts as inside a window that ends at ``done``.

    Returns:
        Disjoint pieces whose union is exactly start..end.
    """
    if start > end:
        return []
    if level is None or level < ROLLUP_LEVELS[0]:
        return [Piece(None, start, end)]
    size = 10**level
    first = -(-(start - 1) // size)
    last = (end - 1) // size if end == done else end // size - 1
    finer = level - 1 if level - 1 >= ROLLUP_LEVELS[0] else None
    if first > last:
        return cover(start, end, finer, done)
    return [
        Piece(level, first, last),
        *cover(start, first * size, finer, done),
        *cover((last + 1) * size + 1, end, finer, done),
    ]
