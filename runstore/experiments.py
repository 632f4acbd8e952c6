"""Experiment rows: a sweep and the runs of its trials, created and extended atomically.

A trial is one setting of the search space, trained once per seed: its runs share the
experiment's id and the trial's number. ``create`` writes the experiment and its first
trials' runs in one transaction; ``add_trials`` launches more (a TPE study asking for its next
settings) only if nobody launched them first: it names the number of trials it expects to be
launched already, so two workers reaching the same point launch the trials once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from . import jobs, runs
from ._clock import now, utc
from ._guards import is_int
from .errors import ExperimentNotFound, InvalidQuery
from .records import EXPERIMENT_METHODS, EXPERIMENT_STATUSES, Experiment, Run
from .schema import ExperimentRow

EXPERIMENT_FIELDS = ("name", "method", "base_spec", "space", "seeds", "budget", "objective")
Trial = Sequence[Mapping[str, Any]]
"""A trial's runs: one ``RunStore.create_run`` field mapping per seed."""


def create(
    conn: Connection, fields: Mapping[str, Any], trials: Sequence[Trial], lease_seconds: float
) -> tuple[int, list[int]]:
    """Insert an experiment with its first ``trials`` (see ``Experiments.create``).

    Returns:
        The experiment's id and its runs' ids, trial by trial, seed by seed.
    """
    if fields["method"] not in EXPERIMENT_METHODS:
        raise InvalidQuery("method", fields["method"], ", ".join(EXPERIMENT_METHODS))
    row = {
        **{key: fields[key] for key in EXPERIMENT_FIELDS},
        "options": dict(fields.get("options") or {}),
        "study_name": fields.get("study_name"),
        "status": "running",
        "trials_launched": 0,
        "created_at": now(),
    }
    experiment_id = conn.execute(
        insert(ExperimentRow).values(row).returning(ExperimentRow.id)
    ).scalar_one()
    run_ids = _launch(conn, fetch(conn, experiment_id), trials, lease_seconds)
    return experiment_id, run_ids


def add_trials(
    conn: Connection,
    experiment_id: int,
    trials: Sequence[Trial],
    expected: int,
    lease_seconds: float,
) -> list[int] | None:
    """Launch ``trials`` after the ``expected`` already launched (see ``Experiments.add_trials``).

    Returns:
        The new runs' ids, or None (nothing written) when the experiment has launched a
        different number of trials by now, or is no longer running.
    """
    experiment = fetch(conn, experiment_id, lock=True)
    if experiment.status != "running" or experiment.trials_launched != expected:
        return None
    return _launch(conn, experiment, trials, lease_seconds)


def _launch(
    conn: Connection, experiment: Experiment, trials: Sequence[Trial], lease_seconds: float
) -> list[int]:
    """Insert the runs of ``trials`` numbered from the experiment's ``trials_launched`` on.

    Returns:
        The runs' ids.

    Raises:
        InvalidQuery: the trials would exceed the experiment's budget.
    """
    first = experiment.trials_launched
    launched = first + len(trials)
    if experiment.budget is not None and launched > experiment.budget:
        raise InvalidQuery(
            "trials", len(trials), f"at most {experiment.budget - first} more (the budget)"
        )
    run_ids = []
    for number, trial in enumerate(trials, start=first):
        for fields in trial:
            run = {**fields, "experiment_id": experiment.id, "trial": number}
            run_ids.append(jobs.create(conn, run, None, lease_seconds))
    values: dict[str, Any] = {"trials_launched": launched}
    if experiment.budget is not None and launched == experiment.budget:
        values.update(status="finished", finished_at=now())
    conn.execute(update(ExperimentRow).where(ExperimentRow.id == experiment.id).values(values))
    return run_ids


def fetch(conn: Connection, experiment_id: int, *, lock: bool = False) -> Experiment:
    """Return the experiment ``experiment_id`` (with ``lock``, its row locked on PostgreSQL).

    Raises:
        ExperimentNotFound: no such experiment (or the id is not an int).
    """
    if not is_int(experiment_id):
        raise ExperimentNotFound(experiment_id)
    query = select(ExperimentRow.__table__).where(ExperimentRow.id == experiment_id)
    if lock:
        query = query.with_for_update(key_share=True)  # NO KEY UPDATE: runs' FK checks go on
    row = conn.execute(query).mappings().first()
    if row is None:
        raise ExperimentNotFound(experiment_id)
    return _record(row)


def list_all(conn: Connection) -> list[Experiment]:
    """Return every experiment, newest first."""
    query = select(ExperimentRow.__table__).order_by(ExperimentRow.id.desc())
    return [_record(row) for row in conn.execute(query).mappings()]


def runs_of(conn: Connection, experiment_id: int) -> list[Run]:
    """Return the experiment's runs by trial and id, with their effective status.

    Raises:
        ExperimentNotFound: no such experiment.
    """
    fetch(conn, experiment_id)
    found = runs.list_all(conn, experiment_id)
    return sorted(found, key=lambda run: (run.trial if run.trial is not None else -1, run.id))


def set_status(conn: Connection, experiment_id: int, status: str) -> None:
    """Record the experiment's new status (``finished``/``stopped`` stamp ``finished_at``).

    Raises:
        ExperimentNotFound: no such experiment.
        InvalidQuery: unknown status.
    """
    if status not in EXPERIMENT_STATUSES:
        raise InvalidQuery("status", status, ", ".join(EXPERIMENT_STATUSES))
    fetch(conn, experiment_id, lock=True)
    finished = None if status == "running" else now()
    conn.execute(
        update(ExperimentRow)
        .where(ExperimentRow.id == experiment_id)
        .values(status=status, finished_at=finished)
    )


def _record(row: RowMapping) -> Experiment:
    """Return an Experiment from a row of ``experiments`` (timestamps aware)."""
    data = dict(row)
    for key in ("created_at", "finished_at"):
        data[key] = utc(data[key])
    data["seeds"] = list(data["seeds"])
    return Experiment(**data)
