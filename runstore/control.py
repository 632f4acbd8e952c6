"""Control rows: what the dashboard asks of a run's worker (parameter changes, a status),
and what the worker reads and acknowledges between episodes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, func, insert, select, true, update

from ._clock import now, utc
from .errors import InvalidQuery, RunNotFound
from .records import PARAM_SOURCES, REQUESTABLE_STATUSES, Control, ParamChange
from .runs import fetch
from .schema import ParamChangeRow, RunRow


def request_params(
    conn: Connection, run_id: int, changes: Mapping[str, Any], source: str
) -> list[ParamChange]:
    """Queue hyperparameter changes for the run's worker (see ``RunStore.request_params``).

    Returns:
        The pending change rows, in the order of ``changes``.

    Raises:
        RunNotFound: no such run.
        InvalidQuery: unknown source or no changes.
    """
    if source not in PARAM_SOURCES:
        raise InvalidQuery("source", source, ", ".join(PARAM_SOURCES))
    if not changes:
        raise InvalidQuery("changes", dict(changes), "at least one parameter")
    stamp = now()
    run = fetch(conn, run_id)
    ids = [
        conn.execute(
            insert(ParamChangeRow)
            .values(
                run_id=run_id,
                param=param,
                old_value=run.current_params.get(param),
                new_value=value,
                source=source,
                requested_at=stamp,
            )
            .returning(ParamChangeRow.id)
        ).scalar_one()
        for param, value in changes.items()
    ]
    return _changes(conn, run_id, ParamChangeRow.id.in_(ids))


def take_pending_params(conn: Connection, run_id: int, episode: int) -> list[ParamChange]:
    """Mark the run's pending changes applied at ``episode`` and fold them into its current
    parameters (a later change to the same parameter wins).

    Returns:
        The changes applied, oldest first (none: an empty list).

    Raises:
        RunNotFound: no such run.
    """
    stamp = now()
    run = fetch(conn, run_id)
    pending = _changes(conn, run_id, ParamChangeRow.applied_episode.is_(None))
    if not pending:
        return []
    current = dict(run.current_params)
    for change in pending:
        conn.execute(
            update(ParamChangeRow)
            .where(ParamChangeRow.id == change.id)
            .values(old_value=current.get(change.param), applied_episode=episode, applied_at=stamp)
        )
        current[change.param] = change.new_value
    conn.execute(update(RunRow).where(RunRow.id == run_id).values(current_params=current))
    return _changes(conn, run_id, ParamChangeRow.id.in_([change.id for change in pending]))


def param_changes(conn: Connection, run_id: int) -> list[ParamChange]:
    """Return every parameter change of the run, oldest first.

    Raises:
        RunNotFound: no such run.
    """
    fetch(conn, run_id)
    return _changes(conn, run_id, true())


def _changes(conn: Connection, run_id: int, condition: ColumnElement[bool]) -> list[ParamChange]:
    """Return the run's change rows matching ``condition``, oldest first."""
    rows = conn.execute(
        select(ParamChangeRow.__table__)
        .where(ParamChangeRow.run_id == run_id, condition)
        .order_by(ParamChangeRow.id)
    ).mappings()
    return [
        ParamChange(
            **{
                **row,
                "requested_at": utc(row["requested_at"]),
                "applied_at": utc(row["applied_at"]),
            }
        )
        for row in rows
    ]


def request_status(conn: Connection, run_id: int, status: str) -> None:
    """Ask the run's worker to move to ``status`` ("running", "paused" or "stopped").

    Raises:
        RunNotFound: no such run.
        InvalidQuery: a status that cannot be requested.
    """
    if status not in REQUESTABLE_STATUSES:
        raise InvalidQuery("status", status, ", ".join(REQUESTABLE_STATUSES))
    fetch(conn, run_id)
    conn.execute(update(RunRow).where(RunRow.id == run_id).values(requested_status=status))


_POLL = select(
    RunRow.requested_status,
    select(func.count())
    .where(ParamChangeRow.run_id == bindparam("run"), ParamChangeRow.applied_episode.is_(None))
    .scalar_subquery(),
    RunRow.checkpoint_request,
).where(RunRow.id == bindparam("run"))
"""``poll``'s query, built once (a worker runs it ten times a second)."""


def poll(conn: Connection, run_id: int) -> Control:
    """Return the requested status, the number of pending changes and the requested
    checkpoint's name, in one query.

    Raises:
        RunNotFound: no such run.
    """
    row = conn.execute(_POLL, {"run": run_id}).first()
    if row is None:
        raise RunNotFound(run_id)
    return Control(requested_status=row[0], pending_params=int(row[1]), checkpoint_request=row[2])
