"""Reading a run's metrics back: decimated series windows and the recent summary.

A window's buckets of 50 episodes and more are read from rollup blocks of the bucket's own
size (one block per bucket, 32 blocks to a row); narrower ones from the episode blocks of the
window (one row per thousand episodes). So their cost does not grow with the run's length.
A fork's window reads the fork's own episodes (after its fork episode); ``lineage`` adds its
parent's.

Sums are added in episode (and block) order, as SQL's ``SUM`` over the rows adds them: a
bucket's mean is the same whichever backend, and whichever schema, stored its episodes.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

import numpy as np
from sqlalchemy import Connection

from . import packs
from ._guards import check_int
from .episodes import MAX_EPISODE_LIMIT, first_episode, metric_values, read
from .errors import InvalidQuery
from .levels import block_starts, sums_in_order
from .records import METRICS, RunSummary, Series
from .rollups import Piece, choose_bucket, cover, serving_size
from .runs import fetch

MAX_POINTS = 10_000
"""The most buckets one ``series`` call returns."""
BEST_OF = 100
"""``RunSummary.best_return`` is the best mean return of a full block of this many episodes."""
Bucket = list[Any]
"""A bucket's key, count, sum, min and max."""


def decimated(
    conn: Connection,
    run_id: int,
    metric: str,
    start: int | None,
    end: int | None,
    points: int,
    align: bool = False,
) -> Series:
    """Return a decimated window of one metric (see ``RunStore.series``).

    Returns:
        The series; empty lists when the window holds no episodes.

    Raises:
        RunNotFound: no such run.
        InvalidQuery: unknown metric, ``start`` < 1, ``end`` < ``start``, bad ``points``.
    """
    if metric not in METRICS:
        raise InvalidQuery("metric", metric, ", ".join(METRICS))
    check_int("points", points, 1, MAX_POINTS)
    first = 1 if start is None else check_int("start", start, 1, None)
    if end is not None:
        check_int("end", end, first, None, f"an integer >= start ({first})")
    run = fetch(conn, run_id)
    done = run.episodes_done
    last = done if end is None else min(end, done)
    span = end if align and end is not None else last
    bucket = choose_bucket(first, span, points) if first <= span else 1
    if first > last:
        return Series(metric, first, last, bucket)
    own = max(first, first_episode(run.fork_episode))  # a fork's parent holds the rest
    window = cover(own, last, serving_size(bucket), done)
    blocks = _rollup_blocks(conn, run_id, metric, [p for p in window if p.size is not None])
    pieces = [
        _raw(conn, run_id, metric, piece, bucket)
        if piece.size is None
        else _rolled(blocks[piece.size], piece, bucket)
        for piece in window
    ]
    buckets = pieces[0] if len(pieces) == 1 else _merged(pieces)
    return _series(metric, first, last, bucket, buckets)


def _series(
    metric: str, first: int, last: int, bucket: int, buckets: Sequence[Sequence[Any]]
) -> Series:
    """Return the series of a window's buckets (key, count, sum, min and max each, in key
    order): each bucket's first episode of the window, mean, min, max and count."""
    if not buckets:
        return Series(metric, first, last, bucket)
    keys, counts, sums, lows, highs = zip(*buckets, strict=True)
    episode = np.array(keys, dtype=np.int64) * bucket + 1
    episode[0] = max(first, episode[0])  # keys ascend: only the first bucket starts early
    return Series(
        metric=metric,
        start=first,
        end=last,
        bucket=bucket,
        episode=episode.tolist(),
        mean=(np.array(sums, dtype=float) / np.array(counts, dtype=float)).tolist(),
        min=list(lows),
        max=list(highs),
        count=list(counts),
    )


def _merged(pieces: list[Sequence[Sequence[Any]]]) -> list[Bucket]:
    """Return the buckets of several pieces, those of one key added up in piece order."""
    merged: list[Bucket] = []
    for figures in sorted(itertools.chain(*pieces), key=itemgetter(0)):  # stable: in order
        if merged and merged[-1][0] == figures[0]:
            _add(merged[-1], figures)
        else:
            merged.append(list(figures))
    return merged


def _add(into: Bucket, figures: Sequence[Any]) -> None:
    """Add the (key, count, sum, min, max) of part of a bucket into the bucket's."""
    into[1] += figures[1]
    into[2] += figures[2]
    into[3] = min(into[3], figures[3])
    into[4] = max(into[4], figures[4])


def _raw(
    conn: Connection, run_id: int, metric: str, piece: Piece, bucket: int
) -> list[tuple[Any, ...]]:
    """Return the buckets of a piece of raw episodes, from their episode blocks."""
    values = metric_values(conn, run_id, metric, piece.first, piece.last)
    starts = block_starts(piece.first, len(values), bucket)
    keys = range((piece.first - 1) // bucket, (piece.last - 1) // bucket + 1)
    return list(
        zip(
            keys,
            np.diff(starts, append=len(values)).tolist(),
            sums_in_order(values, piece.first, bucket).tolist(),
            np.minimum.reduceat(values, starts).tolist(),
            np.maximum.reduceat(values, starts).tolist(),
            strict=True,
        )
    )


def _rollup_blocks(
    conn: Connection, run_id: int, metric: str, pieces: Sequence[Piece]
) -> dict[int, list[tuple[Any, ...]]]:
    """Return the rollup blocks of every piece of a window, in one query: per size, rows of
    (block, count, sum, min, max) in block order (with the pieces' packs' other blocks)."""
    found: dict[int, list[tuple[Any, ...]]] = {piece.size: [] for piece in pieces if piece.size}
    if not pieces:
        return found
    ranges = [(piece.size or 0, piece.first, piece.last) for piece in pieces]
    return found | packs.metric_rows(conn, run_id, metric, ranges)


def _rolled(
    blocks: Sequence[tuple[Any, ...]], piece: Piece, bucket: int
) -> Sequence[Sequence[Any]]:
    """Return the buckets of a piece of rollup blocks (several blocks to a bucket at the
    window's edges), their figures added in block order.

    Args:
        blocks: the rows of ``_rollup_blocks`` of the piece's size (maybe of other pieces
            of that size too).
        piece: the piece.
        bucket: the window's bucket size.
    """
    assert piece.size is not None
    start = bisect.bisect_left(blocks, piece.first, key=itemgetter(0))
    end = bisect.bisect_right(blocks, piece.last, key=itemgetter(0))
    per_bucket = bucket // piece.size
    if per_bucket == 1:  # one block to a bucket: the block is the bucket
        return blocks[start:end]
    buckets: list[Bucket] = []
    for row in blocks[start:end]:
        key = row[0] // per_bucket
        if buckets and buckets[-1][0] == key:
            _add(buckets[-1], (key, *row[1:]))
        else:
            buckets.append([key, *row[1:]])
    return buckets


def summary(conn: Connection, run_id: int, window: int) -> RunSummary:
    """Return the run's recent figures, read from its last ``window`` episodes and rollups.

    Raises:
        RunNotFound: no such run.
        InvalidQuery: ``window`` outside 1..``MAX_EPISODE_LIMIT``.
    """
    check_int("window", window, 1, MAX_EPISODE_LIMIT)
    done = fetch(conn, run_id).episodes_done
    rows = read(conn, run_id, max(1, done - window + 1), window)
    if not rows:
        return RunSummary(episodes=done)
    best = packs.best_mean(conn, run_id, BEST_OF, 0, done // BEST_OF)
    n = len(rows)
    recent = sum(row.return_ for row in rows) / n
    actions = [sum(counts) for counts in zip(*(row.action_counts for row in rows), strict=True)]
    total_actions = sum(actions) or 1
    last = rows[-1]
    return RunSummary(
        episodes=done,
        recent_return=recent,
        best_return=recent if best is None else max(float(best), recent),
        recent_success=sum(row.success for row in rows) / n,
        recent_length=sum(row.length for row in rows) / n,
        action_share=tuple(count / total_actions for count in actions),
        epsilon=last.epsilon,
        alpha=last.alpha,
        mean_q=last.mean_q,
        max_q=last.max_q,
        mean_abs_td=last.mean_abs_td,
    )
