"""What a person can do to runs, with the rules every entry point (HTTP, Dash pages) shares.

Each action validates through gridworld, acts through the store or the training pool and
raises one of three errors the callers map to messages: ``ValidationError`` (bad value),
``RunNotFound`` (no such run) and ``Conflict`` (the run's state does not allow it).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from app.rules import Conflict
from app.training import RESUMABLE, RunStateError, TrainingPool
from gridworld.errors import ValidationError
from gridworld.hyperparams import HYPERPARAM_NAMES, Hyperparams, validate_hyperparams
from gridworld.spec import RunSpec, validate_run_spec
from runstore import LIVE_STATUSES, RunStore

REQUEST_FIELDS = {
    "env": "env_id",
    "env_id": "env_id",
    "preset": "preset",
    "desc": "desc",
    "episodes": "episodes",
    "params": "hyperparams",
    "seed": "seed",
    "name": "name",
    "checkpoint_every": "checkpoint_every",
}
"""Fields of a new-run request (HTTP body, Dash form) and the run-spec field each feeds."""

EDITABLE_STATUSES = (*LIVE_STATUSES, "paused")
"""Statuses in which parameter changes are accepted (a paused run applies them on resume)."""

EXIT_GRACE_S = 3.0
"""How long a resume waits for the worker that just paused the run to exit."""


def spec_from_request(body: object) -> RunSpec:
    """Validate a new-run request and return its run spec.

    Args:
        body: an object with any of ``env``, ``preset``, ``desc``, ``episodes``, ``params``
            (partial hyperparameters), ``seed``, ``name``, ``checkpoint_every``.

    Returns:
        The validated spec.

    Raises:
        ValidationError: the request is not an object, has an unknown field or a bad value.
    """
    if not isinstance(body, Mapping):
        raise ValidationError("body", body, "not an object", "a JSON object of run fields")
    mapping: dict[str, Any] = {}
    for key, value in body.items():
        if key not in REQUEST_FIELDS:
            raise ValidationError(key, value, "unknown field", ", ".join(REQUEST_FIELDS))
        if key == "params" and not isinstance(value, Mapping):
            raise ValidationError(
                "params", value, "not an object", f"an object of {', '.join(HYPERPARAM_NAMES)}"
            )
        mapping[REQUEST_FIELDS[key]] = value
    return validate_run_spec(mapping)


def submit_run(pool: TrainingPool | None, body: object) -> int:
    """Validate a new-run request and start it in the pool.

    Returns:
        The new run's id.

    Raises:
        ValidationError: a bad request (nothing is created).
        Conflict: the dashboard has no training pool, or it is shut down.
    """
    spec = spec_from_request(body)
    if pool is None:
        raise Conflict("this dashboard has no training pool; start it with `python run.py`")
    try:
        return pool.submit(spec)
    except RunStateError as exc:
        raise Conflict(str(exc)) from None


def change_params(store: RunStore, run_id: int, changes: object, source: str) -> list[dict]:
    """Validate hyperparameter changes against the run's current values and queue them.

    Args:
        store: the run store.
        run_id: the run.
        changes: an object of parameter names to new values.
        source: "ui" or "api".

    Returns:
        The queued changes in the HTTP shape.

    Raises:
        ValidationError: not an object, empty, an unknown parameter or a bad value.
        RunNotFound: no such run.
        Conflict: the run has ended.
    """
    allowed = f"an object with at least one of {', '.join(HYPERPARAM_NAMES)}"
    if not isinstance(changes, Mapping) or not changes:
        raise ValidationError("params", changes, "no parameter changes", allowed)
    run = store.get_run(run_id)
    current = {k: v for k, v in run.current_params.items() if k in HYPERPARAM_NAMES}
    updated = validate_hyperparams(changes, base=Hyperparams(**current))
    if run.status not in EDITABLE_STATUSES:
        raise Conflict(
            f"run {run_id} is {run.status}; parameters change only while it is"
            f" {', '.join(EDITABLE_STATUSES)}"
        )
    normalised = {name: getattr(updated, name) for name in changes}
    return [change.to_dict() for change in store.request_params(run_id, normalised, source)]


def pause_run(store: RunStore, run_id: int) -> None:
    """Ask a queued or running run to checkpoint and pause.

    Raises:
        RunNotFound: no such run.
        Conflict: the run is not live.
    """
    run = store.get_run(run_id)
    if run.status not in LIVE_STATUSES:
        raise Conflict(f"run {run_id} is {run.status}; only queued or running runs can pause")
    store.request_status(run_id, "paused")


def stop_run(store: RunStore, run_id: int) -> None:
    """Stop a run for good (it can still be resumed from its last checkpoint).

    A live run's worker is asked to checkpoint and stop; a paused run has no worker and
    is marked stopped at once.

    Raises:
        RunNotFound: no such run.
        Conflict: the run has already ended.
    """
    run = store.get_run(run_id)
    if run.status in LIVE_STATUSES:
        store.request_status(run_id, "stopped")
    elif run.status == "paused":
        store.set_status(run_id, "stopped")
    else:
        raise Conflict(f"run {run_id} is {run.status}; only live or paused runs can stop")


def resume_run(store: RunStore, pool: TrainingPool | None, run_id: int) -> None:
    """Resume a paused, stopped, crashed or failed run (or cancel a pending pause).

    Raises:
        RunNotFound: no such run.
        Conflict: the run is running or finished, or there is no training pool.
    """
    run = store.get_run(run_id)
    if run.status in LIVE_STATUSES:
        if run.requested_status in ("paused", "stopped"):
            store.request_status(run_id, "running")
            return
        raise Conflict(f"run {run_id} is {run.status} already")
    if run.status not in RESUMABLE:
        raise Conflict(
            f"run {run_id} is {run.status}; only {', '.join(RESUMABLE)} runs can be resumed"
        )
    if pool is None:
        raise Conflict("this dashboard has no training pool; start it with `python run.py`")
    deadline = time.monotonic() + EXIT_GRACE_S
    while True:
        try:
            pool.resume(run_id)
            return
        except RunStateError as exc:
            # A worker that has just recorded "paused" may not have exited yet.
            if run_id not in pool.running() or time.monotonic() > deadline:
                raise Conflict(str(exc)) from None
            time.sleep(0.05)
