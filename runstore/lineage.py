"""Forks: a run that continues another from one of its checkpoints, and reading through them.

A fork starts with ``episodes_done`` at its parent's checkpoint episode ``fork_episode`` and
a copy of that checkpoint as its own; its own episode rows begin at ``fork_episode + 1``.
Its history up to the fork is not copied: the reads here (episodes, series, summary,
exports) take episodes ``<= fork_episode`` from the parent (and so on up, for a fork of a
fork), composing per-segment calls of ``episodes`` and ``series`` over the storage itself.
A run without a parent reads exactly as those modules read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from . import episodes, export, jobs, revisions, runs, series
from ._clock import now
from ._guards import check_int, is_int
from .engine import transaction
from .errors import CheckpointNotFound, InvalidQuery, RunHasForks
from .records import EpisodeRecord, Run, RunSummary, Series
from .schema import CheckpointRow, RunRow

BEST_BLOCK = 100
"""``RunSummary.best_return`` is the best mean return of a full block of this many episodes."""
MAX_DEPTH = 10_000
"""A lineage deeper than this is refused as corrupt (forks form a tree: no cycle)."""


@dataclass(frozen=True)
class Segment:
    """Episodes ``first..last`` of a lineage, stored as rows of run ``run_id``."""

    run_id: int
    first: int
    last: int


@dataclass(frozen=True)
class StartingCheckpoint:
    """The checkpoint a fork starts from, when it is not the parent's own copied as it is
    (e.g. a changed algorithm or hyperparameters in its agent state)."""

    blob: bytes
    """The Q-table as ``checkpoints.encode`` gives it."""
    agent_state: Mapping[str, Any]
    evaluation: Mapping[str, float] | None


def segments(conn: Connection, run: Run) -> list[Segment]:
    """Return where the run's episodes are stored: one segment per run of its lineage,
    oldest first (a run that is not a fork: one segment, its own)."""
    found: list[Segment] = []
    last, current = run.episodes_done, run
    while True:
        first = (current.fork_episode or 0) + 1
        found.append(Segment(current.id, first, last))
        if current.parent_id is None:
            return found[::-1]
        if len(found) > MAX_DEPTH:
            raise InvalidQuery("run_id", run.id, "a run whose lineage has no cycle")
        last, current = first - 1, runs.fetch(conn, current.parent_id)


def episodes_of(conn: Connection, run_id: int, start: int, limit: int) -> list[EpisodeRecord]:
    """Return up to ``limit`` episodes of the run from ``start`` on, through its lineage.

    Raises:
        RunNotFound: no such run.
        InvalidQuery: ``start`` < 1 or ``limit`` outside 1..``MAX_EPISODE_LIMIT``.
    """
    run = runs.fetch(conn, run_id)
    if run.parent_id is None:
        return episodes.query(conn, run_id, start, limit)
    check_int("start", start, 1, None)
    check_int("limit", limit, 1, episodes.MAX_EPISODE_LIMIT)
    return _read(conn, run, start, limit)


def _read(conn: Connection, run: Run, start: int, limit: int) -> list[EpisodeRecord]:
    """Return up to ``limit`` episodes of the lineage from ``start`` on (arguments checked)."""
    rows: list[EpisodeRecord] = []
    for segment in segments(conn, run):
        begin = max(start, segment.first)
        if begin > segment.last or len(rows) >= limit:
            continue
        count = min(limit - len(rows), segment.last - begin + 1)
        rows += episodes.read(conn, segment.run_id, begin, count)
    return rows


def series_of(
    conn: Connection,
    run_id: int,
    metric: str,
    start: int | None,
    end: int | None,
    points: int,
    align: bool = False,
) -> Series:
    """Return a decimated window of one metric through the run's lineage (see
    ``RunStore.series``): the buckets of the run's own rows and of each ancestor's segment,
    at the one bucket size the whole window gets, added up where a bucket spans a fork.

    Raises:
        RunNotFound: no such run.
        InvalidQuery: unknown metric, ``start`` < 1, ``end`` < ``start``, bad ``points``.
    """
    own = series.decimated(conn, run_id, metric, start, end, points, align)
    run = runs.fetch(conn, run_id)
    if run.parent_id is None or own.start > own.end:
        return own
    bucket = own.bucket
    totals = _buckets(own)
    for segment in segments(conn, run)[:-1]:
        first, last = max(own.start, segment.first), min(own.end, segment.last)
        if first <= last:
            for key, figures in _segment_buckets(conn, segment.run_id, metric, first, last, bucket):
                _add(totals, key, figures)
    keys = sorted(totals)
    return Series(
        metric=metric,
        start=own.start,
        end=own.end,
        bucket=bucket,
        episode=[max(own.start, key * bucket + 1) for key in keys],
        mean=[totals[key][1] / totals[key][0] for key in keys],
        min=[totals[key][2] for key in keys],
        max=[totals[key][3] for key in keys],
        count=[int(totals[key][0]) for key in keys],
    )


Figures = list[float]
"""A bucket being added up: count, sum, min, max."""


def _buckets(window: Series) -> dict[int, Figures]:
    """Return a series' buckets by key ((episode - 1) // bucket)."""
    return {
        (episode - 1) // window.bucket: [count, mean * count, low, high]
        for episode, mean, low, high, count in zip(
            window.episode, window.mean, window.min, window.max, window.count, strict=True
        )
    }


def _add(totals: dict[int, Figures], key: int, figures: Figures) -> None:
    """Add one bucket's (count, sum, min, max) into ``totals``."""
    into = totals.setdefault(key, [0.0, 0.0, figures[2], figures[3]])
    into[0] += figures[0]
    into[1] += figures[1]
    into[2] = min(into[2], figures[2])
    into[3] = max(into[3], figures[3])


def _segment_buckets(
    conn: Connection, run_id: int, metric: str, first: int, last: int, bucket: int
) -> Iterator[tuple[int, Figures]]:
    """Yield (key, figures) of the run's episodes ``first..last`` in buckets of ``bucket``.

    Asked for as many points as those buckets, ``series.decimated`` chooses ``bucket``
    itself, except for a segment of at most about two buckets, where a finer size may fit
    as few; those are then read one bucket at a time.
    """
    count = (last - 1) // bucket - (first - 1) // bucket + 1
    window = series.decimated(conn, run_id, metric, first, last, count)
    if window.bucket == bucket:
        yield from _buckets(window).items()
        return
    for key in range((first - 1) // bucket, (last - 1) // bucket + 1):
        low, high = max(first, key * bucket + 1), min(last, (key + 1) * bucket)
        for figures in _buckets(series.decimated(conn, run_id, metric, low, high, 1)).values():
            yield key, figures


def summary_of(conn: Connection, run_id: int, window: int) -> RunSummary:
    """Return the run's recent figures (see ``RunStore.summary``) through its lineage.

    Raises:
        RunNotFound: no such run.
        InvalidQuery: ``window`` outside 1..``MAX_EPISODE_LIMIT``.
    """
    run = runs.fetch(conn, run_id)
    if run.parent_id is None:
        return series.summary(conn, run_id, window)
    check_int("window", window, 1, episodes.MAX_EPISODE_LIMIT)
    done = run.episodes_done
    rows = _read(conn, run, max(1, done - window + 1), window)
    if not rows:
        return RunSummary(episodes=done)
    points = min(series.MAX_POINTS, (done - 1) // BEST_BLOCK + 1)  # blocks of BEST_BLOCK
    blocks = series_of(conn, run_id, "return", 1, done, points)
    full = [
        mean
        for mean, count in zip(blocks.mean, blocks.count, strict=True)
        if count == blocks.bucket >= BEST_BLOCK
    ]
    return _recent(rows, done, max(full, default=None))


def _recent(rows: Sequence[EpisodeRecord], done: int, best: float | None) -> RunSummary:
    """Return the summary of the last ``rows`` of a run with ``done`` episodes whose best
    full-block mean return is ``best`` (None: no full block)."""
    n = len(rows)
    recent = sum(row.return_ for row in rows) / n
    counts = [sum(column) for column in zip(*(row.action_counts for row in rows), strict=True)]
    last = rows[-1]
    return RunSummary(
        episodes=done,
        recent_return=recent,
        best_return=recent if best is None else max(best, recent),
        recent_success=sum(row.success for row in rows) / n,
        recent_length=sum(row.length for row in rows) / n,
        action_share=tuple(count / (sum(counts) or 1) for count in counts),
        epsilon=last.epsilon,
        alpha=last.alpha,
        mean_q=last.mean_q,
        max_q=last.max_q,
        mean_abs_td=last.mean_abs_td,
    )


def pages(engine: Engine, run_id: int) -> Iterator[list[dict[str, Any]]]:
    """Yield the run's episodes through its lineage as rows keyed by ``EPISODE_FIELDS``,
    ``export.PAGE`` at a time, each page read in its own transaction."""
    with transaction(engine, write=False) as conn:
        is_fork = runs.fetch(conn, run_id).parent_id is not None
    if not is_fork:
        yield from export.pages(engine, run_id)
        return
    start = 1
    while True:
        with transaction(engine, write=False) as conn:
            found = _read(conn, runs.fetch(conn, run_id), start, export.PAGE)
        if not found:
            return
        yield [row.to_dict() for row in found]
        start = found[-1].episode + 1


# -- writes -----------------------------------------------------------------------------


def fork(
    conn: Connection,
    parent_id: int,
    episode: int,
    fields: Mapping[str, Any],
    start: StartingCheckpoint | None,
    lease_seconds: float,
) -> int:
    """Create a queued fork of the parent at its checkpoint ``episode`` (see
    ``RunStore.lineage.fork``).

    Returns:
        The new run's id.

    Raises:
        RunNotFound: no such parent.
        CheckpointNotFound: the parent has no checkpoint at ``episode`` (the message names
            those it has).
        InvalidQuery: a target of no more episodes than ``episode``.
    """
    parent = runs.fetch(conn, parent_id, lock=True)
    saved = checkpoint_row(conn, parent_id, episode)
    target = fields["target_episodes"]
    if not is_int(target) or target <= episode:
        raise InvalidQuery("target_episodes", target, f"an integer > the fork episode {episode}")
    last = _read(conn, parent, episode, 1)
    steps = last[0].env_steps if last and last[0].episode == episode else 0
    run_id = jobs.create(
        conn, {**fields, "parent_id": parent_id, "fork_episode": episode}, None, lease_seconds
    )
    conn.execute(
        update(RunRow).where(RunRow.id == run_id).values(episodes_done=episode, env_steps=steps)
    )
    values: dict[str, Any] = {"q": saved.q, "agent_state": saved.agent_state}
    values["evaluation"] = saved.evaluation
    if start is not None:
        values = {"q": start.blob, "agent_state": dict(start.agent_state)}
        values["evaluation"] = dict(start.evaluation) if start.evaluation is not None else None
    conn.execute(
        insert(CheckpointRow).values(run_id=run_id, episode=episode, created_at=now(), **values)
    )
    revisions.bump(conn, parent_id)  # the parent's pages show its new fork
    return run_id


def checkpoint_row(conn: Connection, run_id: int, episode: int) -> Any:
    """Return the run's checkpoint row at ``episode`` (q, agent_state, evaluation).

    Raises:
        RunNotFound: no such run.
        CheckpointNotFound: none there; the message names the episodes it has.
    """
    runs.fetch(conn, run_id)
    row = None
    if is_int(episode):
        row = conn.execute(
            select(CheckpointRow.q, CheckpointRow.agent_state, CheckpointRow.evaluation).where(
                CheckpointRow.run_id == run_id, CheckpointRow.episode == episode
            )
        ).first()
    if row is None:
        available = conn.scalars(
            select(CheckpointRow.episode)
            .where(CheckpointRow.run_id == run_id)
            .order_by(CheckpointRow.episode)
        ).all()
        raise CheckpointNotFound(run_id, episode, list(available))
    return row


def check_deletable(conn: Connection, run_id: int) -> None:
    """Refuse to delete a run that has forks (they read its episodes).

    Raises:
        RunHasForks: some run was forked from it.
    """
    forks = _child_ids(conn, run_id)
    if forks:
        raise RunHasForks(run_id, forks)


def _child_ids(conn: Connection, run_id: int) -> list[int]:
    """Return the ids of the runs forked from the run, oldest first."""
    query = select(RunRow.id).where(RunRow.parent_id == run_id).order_by(RunRow.id)
    return list(conn.scalars(query).all())


# -- the tree ---------------------------------------------------------------------------


def ancestors(conn: Connection, run_id: int) -> list[Run]:
    """Return the run's parent, its parent's parent and so on (parent first).

    Raises:
        RunNotFound: no such run.
    """
    run = runs.fetch(conn, run_id)
    found: list[Run] = []
    while run.parent_id is not None and len(found) <= MAX_DEPTH:
        run = runs.fetch(conn, run.parent_id)
        found.append(run)
    return found


def children(conn: Connection, run_id: int) -> list[Run]:
    """Return the runs forked from the run, oldest first.

    Raises:
        RunNotFound: no such run.
    """
    runs.fetch(conn, run_id)
    return [runs.fetch(conn, child) for child in _child_ids(conn, run_id)]


def tree(conn: Connection, run_id: int) -> list[Run]:
    """Return every run of the run's lineage tree: its root first, then each run's forks
    after it, depth first, oldest first.

    Raises:
        RunNotFound: no such run.
    """
    found = ancestors(conn, run_id)
    root = found[-1] if found else runs.fetch(conn, run_id)
    ids = _descendant_ids(conn, root.id)
    by_parent: dict[int | None, list[Run]] = {}
    for run in sorted((runs.fetch(conn, rid) for rid in ids), key=lambda run: run.id):
        by_parent.setdefault(run.parent_id, []).append(run)
    ordered: list[Run] = []
    stack = [root]
    while stack:
        run = stack.pop()
        ordered.append(run)
        stack.extend(reversed(by_parent.get(run.id, [])))
    return ordered


def _descendant_ids(conn: Connection, root_id: int) -> list[int]:
    """Return the ids of every run forked, directly or not, from the root (one query per
    generation)."""
    found: list[int] = []
    generation = [root_id]
    while generation and len(found) <= MAX_DEPTH:
        generation = list(
            conn.scalars(select(RunRow.id).where(RunRow.parent_id.in_(generation))).all()
        )
        found += generation
    return found
