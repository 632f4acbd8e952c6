"""Run rows: create, read, list and delete runs; record their status, warnings and crashes."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, func, insert, select, update

from ._clock import now, utc
from ._guards import is_int
from .errors import InvalidQuery, RunNotFound
from .records import STATUSES, Run
from .schema import CheckpointRow, EpisodeRow, ParamChangeRow, RunRow, rollups

TIMESTAMPS = ("created_at", "started_at", "finished_at", "heartbeat_at")


def create(conn: Connection, fields: Mapping[str, Any]) -> int:
    """Insert a run with status ``queued`` and no episodes.

    Args:
        conn: a write transaction.
        fields: the arguments of ``RunStore.create_run``.

    Returns:
        The new run's id.
    """
    hyperparams = dict(fields["hyperparams"])
    row = {
        **fields,
        "env_config": dict(fields["env_config"]),
        "spec": dict(fields["spec"]),
        "hyperparams": hyperparams,
        "current_params": hyperparams,
        "episodes_done": 0,
        "env_steps": 0,
        "status": "queued",
        "warnings": [],
        "created_at": now(),
    }
    return conn.execute(insert(RunRow).values(row).returning(RunRow.id)).scalar_one()


def fetch(conn: Connection, run_id: int) -> Run:
    """Return the run with id ``run_id``.

    Raises:
        RunNotFound: no such run (or ``run_id`` is not an int).
    """
    if not is_int(run_id):
        raise RunNotFound(run_id)
    row = conn.execute(select(RunRow.__table__).where(RunRow.id == run_id)).mappings().first()
    if row is None:
        raise RunNotFound(run_id)
    return _record(row)


def list_all(conn: Connection) -> list[Run]:
    """Return every run, newest first."""
    rows = conn.execute(select(RunRow.__table__).order_by(RunRow.id.desc())).mappings()
    return [_record(row) for row in rows]


def remove(conn: Connection, run_id: int) -> None:
    """Delete the run with its episodes, rollups, parameter changes and checkpoints.

    Raises:
        RunNotFound: no such run.
    """
    fetch(conn, run_id)
    for owned in (EpisodeRow, ParamChangeRow, CheckpointRow):
        conn.execute(delete(owned).where(owned.run_id == run_id))
    conn.execute(delete(rollups).where(rollups.c.run_id == run_id))
    conn.execute(delete(RunRow).where(RunRow.id == run_id))


def set_status(
    conn: Connection, run_id: int, status: str, error: str | None, pid: int | None, host: str | None
) -> None:
    """Record the run's new status, its time stamps, and clear a request it settles.

    Raises:
        RunNotFound: no such run.
        InvalidQuery: unknown status.
    """
    if status not in STATUSES:
        raise InvalidQuery("status", status, ", ".join(STATUSES))
    stamp = now()
    run = fetch(conn, run_id)
    values: dict[str, Any] = {"status": status}
    if status == "running":
        values.update(heartbeat_at=stamp, pid=pid, host=host, error=None, finished_at=None)
        if run.started_at is None:
            values["started_at"] = stamp
    elif status == "queued":
        values.update(error=None, finished_at=None)
    else:
        values["finished_at"] = stamp
    if error is not None:
        values["error"] = error
    if run.requested_status is not None and (run.requested_status == status or status != "running"):
        values["requested_status"] = None
    conn.execute(update(RunRow).where(RunRow.id == run_id).values(**values))


def add_warning(conn: Connection, run_id: int, warning: str) -> None:
    """Append ``warning`` to the run's warnings.

    Raises:
        RunNotFound: no such run.
    """
    run = fetch(conn, run_id)
    conn.execute(
        update(RunRow).where(RunRow.id == run_id).values(warnings=[*run.warnings, warning])
    )


def mark_stale(conn: Connection, max_age_s: float) -> list[int]:
    """Mark ``running`` runs whose heartbeat is older than ``max_age_s`` as ``crashed``.

    Returns:
        The ids of the runs marked.
    """
    stamp = now()
    rows = conn.execute(
        select(RunRow.id, RunRow.heartbeat_at, RunRow.pid, RunRow.host, RunRow.episodes_done).where(
            RunRow.status == "running"
        )
    ).all()
    marked = []
    for run_id, beat, pid, host, done in rows:
        age = _age_s(stamp, beat)
        if age <= max_age_s:
            continue
        latest = conn.scalar(
            select(func.max(CheckpointRow.episode)).where(CheckpointRow.run_id == run_id)
        )
        conn.execute(
            update(RunRow)
            .where(RunRow.id == run_id)
            .values(
                status="crashed",
                finished_at=stamp,
                requested_status=None,
                error=f"the worker (pid {pid} on {host}) stopped sending heartbeats"
                f" {age:.0f} s ago at episode {done}; resume continues after the last"
                f" checkpoint (episode {latest or 0})",
            )
        )
        marked.append(run_id)
    return marked


def _age_s(stamp: datetime, beat: datetime | None) -> float:
    """Return the seconds from heartbeat ``beat`` to ``stamp`` (infinite without one)."""
    return math.inf if beat is None else (stamp - utc(beat)).total_seconds()


def _record(row: RowMapping) -> Run:
    """Return a Run from a runs-table row mapping (timestamps aware, warnings a list)."""
    data = dict(row)
    for key in TIMESTAMPS:
        data[key] = utc(data[key])
    data["warnings"] = list(data["warnings"] or [])
    return Run(**data)
