"""Multi-resolution rollups: block aggregates for writing, window covers for reading.

Blocks at level ``L`` hold ``10**L`` episodes (levels in ``ROLLUP_LEVELS``). A series
bucket of ``b`` episodes, ``b`` one of 1, 2, 5, 10, 20, 50, 100, ..., is served from the
coarsest level whose block size divides ``b``; the window's ragged edges are covered by finer
levels and, below 100 episodes, by raw rows. So a window costs O(points + levels) rows read,
whatever the run's length.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .records import METRICS
from .schema import ROLLUP_LEVELS

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
