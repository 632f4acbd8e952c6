"""Block aggregates as arrays: the arithmetic of the rollups (``rollups`` writes and reads them).

A ``Level`` holds the aggregates of blocks of one size: each block's count, and each
metric's sum, minimum and maximum. ``episode_level`` builds one from the episodes,
``coarser_level`` one from a finer level, adding sums in a fixed order so that the result
does not depend on how episodes were cut into batches.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .records import METRICS
from .schema import ROLLUP_STATS

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

    @classmethod
    def concatenated(cls, levels: Sequence[Level]) -> Level:
        """Return the blocks of several levels of one size, one after the other."""
        if len(levels) == 1:
            return levels[0]
        return cls(
            *(
                np.concatenate([getattr(level, name) for level in levels])
                for name in ("blocks", "counts", "sums", "lows", "highs")
            )
        )

    def sliced(self, begin: int, end: int | None) -> Level:
        """Return the blocks at positions ``begin`` up to (not including) ``end``."""
        cut = slice(begin, end)
        return Level(
            self.blocks[cut], self.counts[cut], self.sums[cut], self.lows[cut], self.highs[cut]
        )

    def between(self, first: int, last: int) -> Level:
        """Return the blocks numbered ``first`` to ``last`` (blocks ascend)."""
        begin, end = np.searchsorted(self.blocks, [first, last + 1]).tolist()
        return self.sliced(begin, end)

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


def episode_level(values: np.ndarray, first: int, size: int, *, exact: bool) -> Level:
    """Return the aggregates, by blocks of ``size``, of the episodes from ``first`` on.

    Args:
        values: the episodes' metrics, one row per episode and one column per metric of
            ``METRICS`` (float64).
        first: the first episode.
        size: the block size.
        exact: sums exactly rounded (as ``math.fsum`` rounds), else added first to last.
    """
    from . import compiled  # here, not above: only a process that writes loads numba

    starts = block_starts(first, len(values), size)
    counts = np.diff(np.append(starts, len(values)))
    sums, lows, highs = compiled.block_aggregates(np.ascontiguousarray(values), starts, exact)
    overflowed = np.argwhere(~np.isfinite(sums)).tolist() if exact else []
    for block, metric in overflowed:  # math.fsum raises OverflowError, as it always did
        begin = starts[block]
        sums[block, metric] = math.fsum(values[begin : begin + counts[block], metric].tolist())
    blocks = (first - 1) // size + np.arange(len(starts), dtype=np.int64)
    return Level(blocks, counts.astype(np.int64), sums, lows, highs)


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
