"""Reading a run's metrics back: decimated series windows and the recent summary.

Both read the rollups for anything coarser than 100 episodes, so their cost does not grow
with the run's length.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, func, select

from ._guards import check_int
from .episodes import MAX_EPISODE_LIMIT, read
from .errors import InvalidQuery
from .records import METRICS, RunSummary, Series
from .rollups import Piece, choose_bucket, cover, serving_level
from .runs import fetch
from .schema import ROLLUP_LEVELS, EpisodeRow, rollups

MAX_POINTS = 10_000
"""The most buckets one ``series`` call returns."""
episodes_table = EpisodeRow.__table__
Bucket = list[float]
"""A bucket being summed up: count, sum, min, max."""


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
    done = fetch(conn, run_id).episodes_done
    last = done if end is None else min(end, done)
    span = end if align and end is not None else last
    bucket = choose_bucket(first, span, points) if first <= span else 1
    if first > last:
        return Series(metric, first, last, bucket)
    buckets: dict[int, Bucket] = {}
    for piece in cover(first, last, serving_level(bucket), done):
        for key, *figures in conn.execute(_piece(run_id, metric, piece, bucket)):
            # PostgreSQL sums integers as NUMERIC (Decimal); floats make the buckets add up.
            _merge(buckets, int(key), [float(figure) for figure in figures])
    keys = sorted(buckets)
    return Series(
        metric=metric,
        start=first,
        end=last,
        bucket=bucket,
        episode=[max(first, key * bucket + 1) for key in keys],
        mean=[buckets[key][1] / buckets[key][0] for key in keys],
        min=[buckets[key][2] for key in keys],
        max=[buckets[key][3] for key in keys],
        count=[int(buckets[key][0]) for key in keys],
    )


def _merge(buckets: dict[int, Bucket], key: int, figures: Bucket) -> None:
    """Add one piece's (count, sum, min, max) of bucket ``key`` into ``buckets``."""
    into = buckets.get(key)
    if into is None:
        buckets[key] = figures
        return
    into[0] += figures[0]
    into[1] += figures[1]
    into[2] = min(into[2], figures[2])
    into[3] = max(into[3], figures[3])


def _piece(run_id: int, metric: str, piece: Piece, bucket: int) -> Select[Any]:
    """Return the SELECT of (bucket key, count, sum, min, max) rows for one piece of a window."""
    if piece.level is None:
        column = episodes_table.c[metric]
        key = (episodes_table.c.episode - 1) // bucket
        return (
            select(key, func.count(), func.sum(column), func.min(column), func.max(column))
            .where(
                episodes_table.c.run_id == run_id,
                episodes_table.c.episode.between(piece.first, piece.last),
            )
            .group_by(key)
        )
    key = rollups.c.block * 10**piece.level // bucket
    return (
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
    level = ROLLUP_LEVELS[0]
    best = conn.scalar(
        select(func.max(rollups.c.return_sum / rollups.c.count)).where(
            rollups.c.run_id == run_id, rollups.c.level == level, rollups.c.count == 10**level
        )
    )
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
