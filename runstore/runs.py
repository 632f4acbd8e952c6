"""Run rows: create, read, list and delete runs; the values a new status stamps; warnings.

Every read of a run gives its effective status: a run stored ``running`` whose owner's lease
has ended (on the database's clock) reads ``crashed``, with an error that says so.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    update,
)

from ._clock import db_now, now, utc
from ._guards import is_int
from .errors import InvalidQuery, RunNotFound
from .records import STATUSES, Run
from .revisions import lease_ended, run_revision_column
from .schema import (
    CheckpointRow,
    ParamChangeRow,
    RunEventRow,
    RunRow,
    episode_blocks,
    rollup_packs,
    run_summaries,
    trajectories,
)

NOT_IN_RECORD = ("revision", "checkpoint_request")
"""Columns a ``Run`` does not hold as stored: its revision is computed, and a requested
checkpoint is the worker's business (``control.poll``, ``checkpoint_names``)."""
TIMESTAMPS = ("created_at", "started_at", "finished_at", "heartbeat_at", "archived_at")


def create(conn: Connection, fields: Mapping[str, Any]) -> int:
    """Insert a run with status ``queued`` and no episodes.

    Args:
        conn: a write transaction.
        fields: the arguments of ``RunStore.create_run`` but ``owner``.

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


def fetch(conn: Connection, run_id: int, *, lock: bool = False) -> Run:
    """Return the run with id ``run_id``, with its effective status.

    Args:
        conn: a transaction.
        run_id: the run.
        lock: lock the run's row until the transaction ends (PostgreSQL; a SQLite write
            transaction holds the whole database already).

    Raises:
        RunNotFound: no such run (or ``run_id`` is not an int).
    """
    if not is_int(run_id):
        raise RunNotFound(run_id)
    row = conn.execute(_fetch_query(lock), {"run": run_id}).mappings().first()
    if row is None:
        raise RunNotFound(run_id)
    return record_of(row)


def list_all(
    conn: Connection, experiment_id: int | None = None, *, archived: bool | None = None
) -> list[Run]:
    """Return every run (or every run of experiment ``experiment_id``; only the archived
    runs, or only the others, when ``archived`` is True or False), newest first, with its
    effective status."""
    query = select_runs().order_by(RunRow.id.desc())
    if experiment_id is not None:
        query = query.where(RunRow.experiment_id == experiment_id)
    if archived is not None:
        column = RunRow.archived_at
        query = query.where(column.is_not(None) if archived else column.is_(None))
    return [record_of(row) for row in conn.execute(query).mappings()]


def remove(conn: Connection, run_id: int) -> None:
    """Delete the run with its episodes, rollups, summary, trajectories, parameter changes,
    checkpoints and events (its exploits go by their foreign keys' ON DELETE CASCADE).

    Raises:
        RunNotFound: no such run.
    """
    fetch(conn, run_id, lock=True)
    for owned in (ParamChangeRow, CheckpointRow, RunEventRow):
        conn.execute(delete(owned).where(owned.run_id == run_id))
    for table in (episode_blocks, rollup_packs, run_summaries, trajectories):
        conn.execute(delete(table).where(table.c.run_id == run_id))
    conn.execute(delete(RunRow).where(RunRow.id == run_id))


def status_values(run: Run, status: str, error: str | None) -> dict[str, Any]:
    """Return the column values that record the run's new status.

    ``running`` stamps the start (first time) and the heartbeat and clears the error; the
    other statuses but ``queued`` stamp ``finished_at``. A requested status that the new
    status fulfils (or makes moot) is cleared, and so is a requested checkpoint.

    Raises:
        InvalidQuery: unknown status.
    """
    if status not in STATUSES:
        raise InvalidQuery("status", status, ", ".join(STATUSES))
    stamp = now()
    values: dict[str, Any] = {"status": status}
    if status == "running":
        values.update(heartbeat_at=stamp, error=None, finished_at=None)
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
    values["checkpoint_request"] = None  # the attempt asked is over, or never began
    return values


def add_warning(conn: Connection, run_id: int, warning: str) -> None:
    """Append ``warning`` to the run's warnings.

    Raises:
        RunNotFound: no such run.
    """
    run = fetch(conn, run_id, lock=True)
    conn.execute(
        update(RunRow).where(RunRow.id == run_id).values(warnings=[*run.warnings, warning])
    )


def latest_checkpoint(run_id: ColumnElement[int] | int) -> Select[Any]:
    """Return the SELECT of the episode of the run's latest checkpoint (NULL: none)."""
    return select(func.max(CheckpointRow.episode)).where(CheckpointRow.run_id == run_id)


@functools.cache
def _fetch_query(lock: bool) -> Select[Any]:
    """Return ``fetch``'s SELECT of the run ``:run`` (locking its row when ``lock``), built
    once: building it and its cache key costs more than SQLite takes to run it."""
    query = select_runs().where(RunRow.id == bindparam("run"))
    return query.with_for_update(of=RunRow) if lock else query


def select_runs() -> Select[Any]:
    """Return the SELECT of runs with their effective status.

    Besides the stored columns: ``lease_ended_s``, the seconds since the owner's lease ended
    (NULL while it has not), ``latest_checkpoint`` (only then) and the run's revision.
    """
    ended = lease_ended()
    latest = latest_checkpoint(RunRow.__table__.c.id).scalar_subquery()
    stored = [column for column in RunRow.__table__.c if column.name not in NOT_IN_RECORD]
    return select(
        *stored,
        run_revision_column().label("revision"),
        case((ended, db_now() - RunRow.lease_expires)).label("lease_ended_s"),
        case((ended, latest)).label("latest_checkpoint"),
    )


def record_of(row: Mapping[Any, Any]) -> Run:
    """Return a Run from a row of ``select_runs`` (timestamps aware, warnings a list, a run
    whose lease ended ``crashed``)."""
    data = dict(row)
    ended_s = data.pop("lease_ended_s")
    latest = data.pop("latest_checkpoint")
    for key in TIMESTAMPS:
        data[key] = utc(data[key])
    data["warnings"] = list(data["warnings"] or [])
    data["tags"] = sorted(data["tags"] or [])
    data["auto_resume"] = bool(data["auto_resume"])
    if ended_s is not None:
        data["status"] = "crashed"
        data["error"] = _crash_text(data, ended_s, latest)
    return Run(**data)


def _crash_text(run: Mapping[str, Any], ended_s: float, latest: int | None) -> str:
    """Return the error of a run whose owner's lease ended ``ended_s`` seconds ago."""
    attempt = f", attempt {run['attempt']}" if run["attempt"] else ""
    resume = (
        f"resume continues from the latest checkpoint (episode {latest})"
        if latest
        else "resume starts again from episode 1 (no checkpoint yet)"
    )
    return (
        f"the worker (pid {run['pid']} on {run['host']}{attempt}) stopped renewing its lease"
        f" at episode {run['episodes_done']} (it ended {_duration(ended_s)} ago); {resume}"
    )


def _duration(seconds: float) -> str:
    """Return ``seconds`` as a short human duration: "0.4 s", "12 s", "5 min", "3 h", "2 d"."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= 2 * size:
            return f"{seconds // size:.0f} {unit}"
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
