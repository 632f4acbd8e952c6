"""Run events: each attempt's beginning (claimed, resumed) and end (interrupted, crashed)."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from ._clock import now, utc
from .records import RunEvent
from .runs import fetch
from .schema import RunEventRow


def record(
    conn: Connection, run_id: int, attempt: int, kind: str, episode: int, detail: str | None
) -> None:
    """Insert an event.

    Args:
        conn: a write transaction.
        run_id: the run.
        attempt: the attempt it happened to.
        kind: one of ``EVENT_KINDS``.
        episode: the run's episodes then (``resumed``: the checkpoint it continues from).
        detail: what happened, in words.
    """
    conn.execute(
        insert(RunEventRow).values(
            run_id=run_id,
            attempt=attempt,
            episode=episode,
            kind=kind,
            at=now(),
            detail=detail,
        )
    )


def query(conn: Connection, run_id: int) -> list[RunEvent]:
    """Return the run's events, oldest first.

    Raises:
        RunNotFound: no such run.
    """
    fetch(conn, run_id)
    rows = conn.execute(
        select(
            RunEventRow.run_id,
            RunEventRow.attempt,
            RunEventRow.episode,
            RunEventRow.kind,
            RunEventRow.at,
            RunEventRow.detail,
        )
        .where(RunEventRow.run_id == run_id)
        .order_by(RunEventRow.id)
    ).all()
    return [RunEvent(r.run_id, r.attempt, r.episode, r.kind, utc(r.at), r.detail) for r in rows]
