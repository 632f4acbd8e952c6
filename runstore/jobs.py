"""Runs as jobs: workers claim them under a lease, fence every write on the claim, let go.

A claim moves a run to ``running``, adds 1 to its ``attempt`` and records the worker as its
``owner`` with a lease ending ``lease_seconds`` later on the database's clock. Every write
the worker makes carries its claim: the transaction first renews the lease with an UPDATE
of the run conditioned on (id, attempt, owner, ``running``), and if that matches no row it
raises ``LeaseLost`` and nothing of the write lands. So a worker that was taken over (or
stopped, requeued, deleted) writes nothing more.

Claims are atomic: SQLite's write transactions take the database's lock first (BEGIN
IMMEDIATE); on PostgreSQL the candidate row is taken with ``FOR UPDATE SKIP LOCKED`` (a
worker skips a run another one is claiming) and named runs with ``FOR UPDATE``. Every
conditional UPDATE checks its row count as well. Lock order: the run's row, then the store
revision's (last, see ``revisions``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Float,
    and_,
    bindparam,
    or_,
    select,
    true,
    update,
)

from . import checkpoint_names, events, revisions, runs
from ._clock import db_now, now
from ._guards import is_int, is_number
from .engine import transaction
from .errors import ClaimRefused, InvalidQuery, LeaseLost
from .records import RELEASE_STATUSES, Claim, Owner, Run
from .schema import RunRow

LEASE_SECONDS = 3.0
"""How long a claim lasts unless its worker renews it (a store setting)."""
HEARTBEAT_SECONDS = 0.5
"""How often a worker renews its lease (a store setting; well under the lease)."""
TAKEABLE = ("queued", "paused", "stopped", "error", "crashed")
"""Stored statuses a worker may claim a named run in (besides a run whose lease ended)."""


def settings(lease_seconds: float, heartbeat_seconds: float) -> tuple[float, float]:
    """Return a store's lease length and heartbeat period as floats, checked.

    Raises:
        InvalidQuery: not ``0 < heartbeat_seconds < lease_seconds`` (numbers).
    """
    if not (is_number(lease_seconds) and is_number(heartbeat_seconds)) or not (
        0 < heartbeat_seconds < lease_seconds
    ):
        allowed = "numbers with 0 < heartbeat_seconds < lease_seconds"
        raise InvalidQuery("lease_seconds", (lease_seconds, heartbeat_seconds), allowed)
    return float(lease_seconds), float(heartbeat_seconds)


def claimable() -> ColumnElement[bool]:
    """Return SQL true for a run ``claim_next`` takes: queued, or ``auto_resume`` with an
    ended lease."""
    return or_(
        RunRow.status == "queued", and_(RunRow.auto_resume == true(), revisions.lease_ended())
    )


def takeable() -> ColumnElement[bool]:
    """Return SQL true for a run a worker may claim by name, or that may be queued again:
    neither finished nor held by a live lease."""
    return or_(RunRow.status.in_(TAKEABLE), revisions.lease_ended())


@contextmanager
def writing(
    engine: Engine, run_id: int | None, claim: Claim | None, lease_seconds: float
) -> Iterator[Connection]:
    """Yield a write transaction that changes the run ``run_id``.

    Args:
        engine: the store's engine.
        run_id: the run; its revision and the store's are bumped last (None: the block
            bumps them itself, or changes no run).
        claim: the worker's claim: the run's lease is renewed first, or ``LeaseLost``.
        lease_seconds: the length of a renewed lease.

    Yields:
        The connection.

    Raises:
        LeaseLost: ``claim`` no longer holds the run (nothing was written).
        InvalidQuery: ``claim`` is not a claim of ``run_id``.
    """
    with transaction(engine, write=True) as conn:
        if claim is not None:
            if claim.run_id != run_id or not is_int(run_id):
                raise InvalidQuery("claim", claim, f"a claim of run {run_id}")
            fence(conn, claim, lease_seconds)
        elif is_int(run_id) and conn.dialect.name == "postgresql":
            # lock order: the run's row first, the revision's last (or two writers, each
            # holding one, would wait for each other)
            conn.execute(
                select(RunRow.id).where(RunRow.id == run_id).with_for_update(key_share=True)
            )
        yield conn
        if run_id is not None:
            revisions.bump(conn, run_id)


_RENEW = (
    update(RunRow)
    .where(
        RunRow.id == bindparam("run"),
        RunRow.attempt == bindparam("fenced_attempt"),
        RunRow.owner == bindparam("fenced_owner"),
        RunRow.status == "running",
    )
    .values(
        lease_expires=db_now() + bindparam("lease", type_=Float()), heartbeat_at=bindparam("at")
    )
)
"""``fence``'s UPDATE, built once: every write of a worker runs it."""


def fence(conn: Connection, claim: Claim, lease_seconds: float) -> None:
    """Renew the claim's lease, or raise ``LeaseLost`` if it no longer holds the run.

    Raises:
        LeaseLost: another attempt holds the run, or it is no longer running, or gone.
    """
    fenced = {
        "run": claim.run_id,
        "fenced_attempt": claim.attempt,
        "fenced_owner": claim.owner,
        "lease": lease_seconds,
        "at": now(),
    }
    renewed = conn.execute(_RENEW, fenced)
    if renewed.rowcount != 1:
        row = conn.execute(
            select(RunRow.status, RunRow.attempt).where(RunRow.id == claim.run_id)
        ).first()
        if row is None:
            detail = "the run was deleted"
        elif row.attempt != claim.attempt:
            detail = f"attempt {row.attempt} holds it now"
        else:
            detail = f"it is {row.status} now"
        raise LeaseLost(claim.run_id, claim.attempt, claim.owner, detail)


def create(
    conn: Connection, fields: Mapping[str, Any], owner: Owner | None, lease_seconds: float
) -> int:
    """Insert a run: queued, or (with ``owner``) already claimed by it (attempt 1).

    Returns:
        The new run's id.
    """
    run_id = runs.create(conn, fields)
    if owner is not None:
        _take(conn, runs.fetch(conn, run_id), owner, lease_seconds, true())
    revisions.bump(conn, run_id)
    return run_id


def has_claimable(conn: Connection) -> bool:
    """Return whether any run is claimable now (a read, for idle workers' polls)."""
    return conn.scalar(select(RunRow.id).where(claimable()).limit(1)) is not None


def claim_next(conn: Connection, owner: Owner, lease_seconds: float) -> Claim | None:
    """Claim the oldest claimable run for ``owner`` (see ``RunStore.claim_next``).

    Returns:
        The claim, or None when no run is claimable.
    """
    query = select(RunRow.id).where(claimable()).order_by(RunRow.id).limit(1)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    run_id = conn.scalar(query)
    if run_id is None:
        return None
    claim = _take(conn, runs.fetch(conn, run_id), owner, lease_seconds, claimable())
    if claim is not None:
        revisions.bump(conn, run_id)
    return claim


def claim_run(conn: Connection, run_id: int, owner: Owner, lease_seconds: float) -> Claim:
    """Claim the run ``run_id`` for ``owner`` (see ``RunStore.claim_run``).

    Raises:
        RunNotFound: no such run.
        ClaimRefused: it is finished, or a live worker holds it.
    """
    run = runs.fetch(conn, run_id, lock=True)
    claim = _take(conn, run, owner, lease_seconds, takeable())
    if claim is None:
        raise ClaimRefused(f"{_held(run)}; it cannot be claimed")
    return claim


def _take(
    conn: Connection,
    run: Run,
    owner: Owner,
    lease_seconds: float,
    condition: ColumnElement[bool],
) -> Claim | None:
    """Claim ``run`` (as just read) for ``owner`` if it still matches ``condition``; record
    the events. Returns the claim, or None if the run changed or does not match."""
    values = runs.status_values(run, "running", None)
    values.update(
        attempt=run.attempt + 1,
        owner=owner.label,
        lease_expires=db_now() + lease_seconds,
        pid=owner.pid,
        host=owner.host,
    )
    taken = conn.execute(
        update(RunRow)
        .where(RunRow.id == run.id, RunRow.attempt == run.attempt, condition)
        .values(**values)
    )
    if taken.rowcount != 1:
        return None
    if run.lease_expired:
        events.record(conn, run.id, run.attempt, "crashed", run.episodes_done, run.error)
    attempt = run.attempt + 1
    by = f"worker pid {owner.pid} on {owner.host}"
    if run.episodes_done:
        latest = conn.scalar(runs.latest_checkpoint(run.id)) or 0
        where = f"from the checkpoint at episode {latest}" if latest else "from episode 1"
        events.record(conn, run.id, attempt, "resumed", latest, f"{by} continues {where}")
    else:
        events.record(conn, run.id, attempt, "claimed", 0, f"{by} starts it")
    return Claim(run.id, attempt, owner.label)


def release(
    conn: Connection, claim: Claim, status: str, error: str | None, event: str | None
) -> None:
    """Record the owner's last status for its run and clear its claim (already fenced); a
    checkpoint its worker was asked for and did not save names the latest one.

    Raises:
        InvalidQuery: a status not in ``RELEASE_STATUSES`` or an event other than
            ``interrupted``.
    """
    if status not in RELEASE_STATUSES:
        raise InvalidQuery("status", status, ", ".join(RELEASE_STATUSES))
    if event not in (None, "interrupted"):
        raise InvalidQuery("event", event, "None or 'interrupted'")
    run = runs.fetch(conn, claim.run_id)
    checkpoint_names.settle_on_release(conn, run)
    _update(
        conn, run, {**runs.status_values(run, status, error), "owner": None, "lease_expires": None}
    )
    if event is not None:
        then = "back in the queue" if status == "queued" else status
        detail = f"worker pid {run.pid} on {run.host} was stopped; the run is {then}"
        events.record(conn, run.id, claim.attempt, event, run.episodes_done, detail)


def set_status(
    conn: Connection,
    run_id: int,
    status: str,
    error: str | None,
    pid: int | None,
    host: str | None,
    *,
    claimed: bool,
) -> None:
    """Record the run's new status (see ``RunStore.set_status``).

    Args:
        conn: a write transaction, fenced on the owner's claim if ``claimed``.
        run_id: the run.
        status: the new status.
        error: the error to record, if any.
        pid: the worker's process (``running`` only; with a claim, None keeps the owner's).
        host: the worker's host (likewise).
        claimed: the run's owner writes; without a claim no live lease may hold the run,
            and the run is left without an owner.

    Raises:
        RunNotFound: no such run.
        InvalidQuery: unknown status.
        ClaimRefused: no claim, and a live worker holds the run.
    """
    run = runs.fetch(conn, run_id, lock=True)
    values = runs.status_values(run, status, error)
    if status == "running":  # the owner's own pid and host stay unless it gives others
        given = {"pid": pid, "host": host}
        values.update({k: v for k, v in given.items() if v is not None or not claimed})
    if not claimed and run.owner is not None and run.status == "running":
        raise ClaimRefused(f"{_held(run)}; ask its worker instead (request_status)")
    if not claimed or status != "running":
        values.update(owner=None, lease_expires=None)
    if not claimed and run.lease_expired:
        events.record(conn, run.id, run.attempt, "crashed", run.episodes_done, run.error)
    _update(conn, run, values)


def requeue(conn: Connection, run_id: int) -> None:
    """Put a paused, stopped, failed or crashed run back in the queue (see
    ``RunStore.requeue``); a queued run stays as it is.

    Raises:
        RunNotFound: no such run.
        ClaimRefused: it is finished, or a live worker holds it.
    """
    run = runs.fetch(conn, run_id, lock=True)
    if run.status == "queued":
        return
    values = {**runs.status_values(run, "queued", None), "owner": None, "lease_expires": None}
    queued = conn.execute(
        update(RunRow)
        .where(RunRow.id == run.id, RunRow.attempt == run.attempt, takeable())
        .values(**values)
    )
    if queued.rowcount != 1:
        raise ClaimRefused(f"{_held(run)}; it cannot be queued again")
    if run.lease_expired:
        events.record(conn, run.id, run.attempt, "crashed", run.episodes_done, run.error)


def _update(conn: Connection, run: Run, values: Mapping[str, Any]) -> None:
    """Write ``values`` into the run's row."""
    conn.execute(update(RunRow).where(RunRow.id == run.id).values(**values))


def _held(run: Run) -> str:
    """Return why the run cannot be taken: who holds it, or its status."""
    if run.status == "running":
        holder = f"worker pid {run.pid} on {run.host}"
        lease = f" holds its lease (attempt {run.attempt})" if run.owner else " trains it"
        return f"run {run.id} is running: {holder}{lease}"
    if run.status == "finished":
        return f"run {run.id} is finished (all its {run.target_episodes} episodes are done)"
    return f"run {run.id} is {run.status}"
