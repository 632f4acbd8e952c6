"""What a person can do to runs, for every entry point (HTTP, Dash pages).

Each action validates through gridworld, asks ``app.rules`` whether the run's status allows
it, acts through the store or the training pool and raises one of three errors the callers
map to messages: ``ValidationError`` (bad value), ``RunNotFound`` (no such run) and
``app.rules.Conflict`` (the run's state, or the dashboard's, does not allow it).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from app.rules import Action, Conflict, check, pending_end
from app.training import TrainingPool, prepare_resume
from gridworld.errors import ValidationError
from gridworld.hyperparams import HYPERPARAM_NAMES, Hyperparams, validate_hyperparams
from gridworld.spec import RunSpec, validate_run_spec
from runstore import RunStore

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

EXIT_GRACE_S = 3.0
"""How long a resume waits for the worker that just paused the run to exit."""
NO_POOL = "this dashboard has no training pool; start it with `python run.py`"
"""Why a dashboard without a training pool cannot start or resume a run."""


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
        raise Conflict(NO_POOL)
    return pool.submit(spec)


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
        Conflict: the run's status does not allow parameter changes.
    """
    allowed = f"an object with at least one of {', '.join(HYPERPARAM_NAMES)}"
    if not isinstance(changes, Mapping) or not changes:
        raise ValidationError("params", changes, "no parameter changes", allowed)
    run = store.get_run(run_id)
    current = {k: v for k, v in run.current_params.items() if k in HYPERPARAM_NAMES}
    updated = validate_hyperparams(changes, base=Hyperparams(**current))
    check(run, Action.EDIT)
    normalised = {name: getattr(updated, name) for name in changes}
    return [change.to_dict() for change in store.request_params(run_id, normalised, source)]


def pause_run(store: RunStore, run_id: int) -> None:
    """Ask a queued or running run to checkpoint and pause.

    Raises:
        RunNotFound: no such run.
        Conflict: the run's status does not allow a pause.
    """
    check(store.get_run(run_id), Action.PAUSE)
    store.request_status(run_id, "paused")


def stop_run(store: RunStore, run_id: int) -> None:
    """Stop a run for good (it can still be resumed from its last checkpoint).

    A live run's worker is asked to checkpoint and stop; a paused run has no worker and
    is marked stopped at once.

    Raises:
        RunNotFound: no such run.
        Conflict: the run's status does not allow a stop.
    """
    run = store.get_run(run_id)
    check(run, Action.STOP)
    if run.is_live:
        store.request_status(run_id, "stopped")
    else:
        store.set_status(run_id, "stopped")


def resume_run(store: RunStore, pool: TrainingPool | None, run_id: int) -> None:
    """Resume a paused, stopped, crashed or failed run (or cancel a pending pause or stop).

    Raises:
        RunNotFound: no such run.
        Conflict: the run's status does not allow a resume, or there is no training pool.
    """
    run = store.get_run(run_id)
    check(run, Action.RESUME)
    if pending_end(run) is not None:
        prepare_resume(store, run_id)  # cancels the request; the run's worker carries on
        return
    if pool is None:
        raise Conflict(NO_POOL)
    deadline = time.monotonic() + EXIT_GRACE_S
    while True:
        try:
            pool.resume(run_id)
            return
        except Conflict:
            # A worker that has just recorded "paused" may not have exited yet.
            if run_id not in pool.running() or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
