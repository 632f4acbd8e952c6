"""The store's revision: a number a page polls, which grows with every change it could show.

Two things change what a reader sees: a write, and a lease that ends (its run reads
``crashed`` from then on, with no write at all). So the revision is ``2 * counter +
ended``: ``counter`` is ``store_revision``'s one row, bumped by every write transaction
that changes a run, in that transaction; ``ended`` is the number of runs whose lease has
ended. A lease that ends adds 1; a write adds 2, or 1 when it takes the run away from an
ended lease (a claim, a requeue, a delete). So it never stands still across a change and
never goes back. A run's own revision is the same for one run: ``2 * runs.revision`` (the
counter at the run's last write) ``+ 1`` while its lease has ended.

On PostgreSQL the counter's row is locked by each writer from its bump to its commit, so
the bump is the last statement of a write transaction (and one statement with the run's
own): the lock lasts as long as the commit. Measured with 4 processes appending 10-episode
batches to their own runs: about 550 transactions/s with the bump against 700 without (and
350 against 430 for one process): the cost is the extra statement, not the wait. A sequence
would cost no lock but is no revision: ``nextval`` values become visible before their
transactions commit, and out of order, so a page could see revision N before the write
numbered N-1 lands and never re-read it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, and_, bindparam, case, func, select, update

from ._clock import db_now
from ._guards import is_int
from .errors import RunNotFound
from .schema import RunRow, store_revision


def lease_ended() -> ColumnElement[bool]:
    """Return SQL that is true for a run stored ``running`` whose owner's lease has ended
    (on the database's clock): the run reads ``crashed``."""
    return and_(RunRow.status == "running", RunRow.lease_expires < db_now())


def run_revision_column() -> ColumnElement[int]:
    """Return SQL for a run's revision (see the module docstring)."""
    return RunRow.revision * 2 + case((lease_ended(), 1), else_=0)


_BUMPED = (
    update(store_revision)
    .values(revision=store_revision.c.revision + 1)
    .returning(store_revision.c.revision)
)
_BUMP_RUN = (
    update(RunRow)
    .where(RunRow.id == bindparam("run"))
    .values(revision=select(_BUMPED.cte("bumped").c.revision).scalar_subquery())
)
_GIVE_RUN = update(RunRow).where(RunRow.id == bindparam("run")).values(revision=bindparam("value"))
"""``bump``'s statements, built once (every write runs them)."""


def bump(conn: Connection, run_id: int | None) -> None:
    """Move the store's revision on and give it to the run ``run_id`` (None: a deleted run).

    Call it last in the write transaction (see the module docstring).
    """
    if run_id is None:
        conn.execute(_BUMPED)
    elif conn.dialect.name == "postgresql":  # one statement: the counter's lock is held less
        conn.execute(_BUMP_RUN, {"run": run_id})
    else:
        value = conn.execute(_BUMPED).scalar_one()
        conn.execute(_GIVE_RUN, {"run": run_id, "value": value})


def current(conn: Connection) -> int:
    """Return the store's revision: one primary-key lookup and a count over the index of
    runs by status and lease (the runs whose lease has ended, not all runs)."""
    ended = select(func.count()).select_from(RunRow).where(lease_ended()).scalar_subquery()
    return int(conn.scalar(select(store_revision.c.revision * 2 + ended)) or 0)


def of_run(conn: Connection, run_id: int) -> int:
    """Return the run's revision.

    Raises:
        RunNotFound: no such run.
    """
    if not is_int(run_id):
        raise RunNotFound(run_id)
    value = conn.scalar(select(run_revision_column()).where(RunRow.id == run_id))
    if value is None:
        raise RunNotFound(run_id)
    return int(value)
