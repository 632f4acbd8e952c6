"""Run summaries kept at write time: what the runs page shows of each run, one row per run.

``run_summaries`` holds, as of a run's last episode, the figures ``RunStore.summary`` would
compute (with its default window of ``SUMMARY_TAIL`` episodes) for the runs page: the mean
return of the last ``SUMMARY_TAIL`` episodes through the run's lineage, the best mean return
of a full block of ``BEST_OF`` (aligned to episode 1), and the last episode's alpha and
epsilon. It also keeps those last returns (``tail``), so that each batch of episodes brings
the row up to date from the batch's own columns (``advance``, in the batch's transaction)
without reading the episodes back. A truncation (resume from a checkpoint) and a new fork
recompute the row from the stored episodes (``rebuild``); a run without episodes has none.

The best of the blocks a run stores itself is the rollups' own (their sum over count, as
``series.summary`` reads it), so it is exactly what that recomputation gives. A block that
straddles a fork (part parent, part fork) is averaged here from its returns with
``math.fsum``; ``lineage.summary_of`` adds the parts' bucket means instead, which may differ
in the last bits.

Reads use only the columns they need (runs' id, parent, fork episode and episodes done;
episode blocks; rollups of ``BEST_OF``), so the migration that creates the table can fill
it with ``rebuild`` whatever later migrations add.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, Insert, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from . import packs
from .episodes import read_columns
from .lineage import Segment
from .schema import SUMMARY_TAIL, RunRow, run_summaries
from .series import BEST_OF

FIELDS = ("return", "alpha", "epsilon")
"""The episode fields a summary is made of."""
MAX_DEPTH = 10_000
"""A lineage deeper than this is taken as corrupt (as ``lineage.MAX_DEPTH``)."""
s = run_summaries.c


def advance(conn: Connection, run_id: int, columns: Mapping[str, Any]) -> None:
    """Bring the run's summary past a batch just written in this transaction.

    Args:
        conn: the batch's write transaction, after its episodes and rollups are written.
        run_id: the run.
        columns: the batch's columns (``batches.columns_of``; ``episode``, ``return``,
            ``alpha`` and ``epsilon`` used).
    """
    found = conn.execute(_SUMMARY_OF_RUN, {"run": run_id}).one()
    forked = found.fork_episode or 0
    returns = np.asarray(columns["return"], dtype=np.float64).tolist()
    done = int(columns["episode"][0]) - 1
    last = done + len(returns)
    before = [] if found.tail is None else _decode(found.tail)
    known = [found.best_block]
    seen = before + returns  # episodes last - len(seen) + 1 .. last
    block = forked // BEST_OF  # the block a fork starts inside, if it does
    straddle_end = (block + 1) * BEST_OF
    if forked % BEST_OF and done < straddle_end <= last:
        ends_at = len(seen) - (last - straddle_end)
        known.append(block_mean(seen[ends_at - BEST_OF : ends_at]))
    own_first = max(done // BEST_OF, -(-forked // BEST_OF))  # full blocks of its own
    if last // BEST_OF > own_first:
        known.append(_own_best(conn, run_id, own_first, last // BEST_OF - 1))
    _write(
        conn,
        run_id,
        last,
        seen[-SUMMARY_TAIL:],
        _best(known),
        float(columns["alpha"][-1]),
        float(columns["epsilon"][-1]),
    )


BestOf = Callable[[Connection, int, int, int], float | None]
"""Reads a run's best mean return of its full blocks ``first..last`` of ``BEST_OF``."""


def rebuild(conn: Connection, run_id: int, best_of: BestOf | None = None) -> None:
    """Recompute the run's summary from its stored episodes and rollups (and its lineage's).

    Args:
        conn: a write transaction.
        run_id: the run (no row is left for a run without episodes).
        best_of: how to read a run's best full block (None: from the rollup packs; a
            migration from before them passes its own).
    """
    own_best = best_of or _own_best
    chain = _segments(conn, run_id)
    done = chain[-1].last
    conn.execute(delete(run_summaries).where(s.run_id == run_id))
    if done < 1:
        return
    values = _read(conn, chain, max(1, done - SUMMARY_TAIL + 1), done, FIELDS)
    best: list[float | None] = [
        own_best(conn, part.run_id, (part.first + BEST_OF - 2) // BEST_OF, part.last // BEST_OF - 1)
        for part in chain
        if part.last // BEST_OF - 1 >= (part.first + BEST_OF - 2) // BEST_OF
    ]
    for part in chain[1:]:
        block = (part.first - 1) // BEST_OF
        if (part.first - 1) % BEST_OF and (block + 1) * BEST_OF <= done:
            first = block * BEST_OF + 1
            best.append(block_mean(_read(conn, chain, first, first + BEST_OF - 1, ("return",))[0]))
    alpha, epsilon = values[1][-1], values[2][-1]
    _write(conn, run_id, done, values[0], _best(best), alpha, epsilon)


def block_mean(returns: Sequence[float]) -> float:
    """Return the mean of a full block's returns (summed with ``math.fsum``)."""
    return math.fsum(returns) / len(returns)


def recent_mean(tail: Sequence[float]) -> float:
    """Return the mean of a summary's last returns, added first to last as
    ``series.summary`` adds them."""
    return sum(tail) / len(tail)


def _own_best(conn: Connection, run_id: int, first: int, last: int) -> float | None:
    """Return the best mean return of the run's own full blocks ``first..last`` of
    ``BEST_OF`` (None: none)."""
    if last < first:
        return None
    return packs.best_mean(conn, run_id, BEST_OF, first, last)


def _best(candidates: Sequence[float | None]) -> float | None:
    """Return the largest of ``candidates`` that is not None (None: none is)."""
    return max((value for value in candidates if value is not None), default=None)


def _write(
    conn: Connection,
    run_id: int,
    episode: int,
    tail: Sequence[float],
    best: float | None,
    alpha: float,
    epsilon: float,
) -> None:
    """Insert or replace the run's summary row."""
    recent = list(tail)
    values = {
        "run_id": run_id,
        "episode": episode,
        "recent_return": recent_mean(recent),
        "best_block": best,
        "alpha": float(alpha),
        "epsilon": float(epsilon),
        "tail": np.asarray(recent, dtype="<f8").tobytes(),
    }
    conn.execute(_upsert(conn.dialect.name), values)


@functools.cache
def _upsert(dialect: str) -> Insert:
    """Return the INSERT .. ON CONFLICT that writes a run's summary row (``_write``'s
    values as parameters), for ``"sqlite"`` or ``"postgresql"``."""
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(run_summaries)
    names = [column.name for column in run_summaries.c if column.name != "run_id"]
    changed = {name: insert.excluded[name] for name in names}
    return insert.on_conflict_do_update(index_elements=["run_id"], set_=changed)


_SUMMARY_OF_RUN = (
    select(RunRow.fork_episode, s.tail, s.best_block)
    .outerjoin(run_summaries, s.run_id == RunRow.id)
    .where(RunRow.id == bindparam("run"))
)
"""``advance``'s read, built once: building a statement and its cache key costs more than
SQLite takes to run it on a batch."""


def _decode(tail: bytes) -> list[float]:
    """Return the returns a summary's ``tail`` holds."""
    return np.frombuffer(tail, dtype="<f8").tolist()


def _segments(conn: Connection, run_id: int) -> list[Segment]:
    """Return where the run's episodes are stored, oldest segment first (as
    ``lineage.segments``, from the few columns it needs)."""
    query = select(RunRow.parent_id, RunRow.fork_episode, RunRow.episodes_done)
    found: list[Segment] = []
    current: int | None = run_id
    last: int | None = None
    while current is not None and len(found) <= MAX_DEPTH:
        parent, forked, done = conn.execute(query.where(RunRow.id == current)).one()
        end = done if last is None else last
        found.append(Segment(current, (forked or 0) + 1, end))
        last, current = (forked or 0), parent
    return found[::-1]


def _read(
    conn: Connection, chain: Sequence[Segment], first: int, last: int, names: Sequence[str]
) -> list[list[float]]:
    """Return fields of the lineage's episodes ``first..last``, one list per name."""
    values: list[list[float]] = [[] for _ in names]
    for part in chain:
        low, high = max(first, part.first), min(last, part.last)
        if low <= high:
            found = read_columns(conn, part.run_id, low, high, names)
            for into, name in zip(values, names, strict=True):
                into.extend(map(float, found[name]))
    return values
