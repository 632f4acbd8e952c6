"""What a person can do to runs, for every entry point (HTTP, Dash pages).

Each action validates through gridworld, asks ``app.rules`` whether the run's status allows
it, acts through the store and raises one of three errors the callers map to messages:
``ValidationError`` (bad value), ``RunNotFound`` (no such run) and ``app.rules.Conflict``
(the run's state does not allow it). The actions only enqueue runs and write control rows:
whichever worker claims a run trains it, and a run being trained is steered through the
requests its worker reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from app.rules import Action, Conflict, check, pending_end
from app.training import create_run
from gridworld.errors import ErrorList, ValidationError
from gridworld.hyperparams import HYPERPARAM_NAMES, Hyperparams, validate_hyperparams
from gridworld.pace import PACE, stored_pace, validate_pace
from gridworld.spec import RunSpec, validate_run_spec
from runstore import ClaimRefused, RunStore

REQUEST_FIELDS = {
    "env": "env_id",
    "env_id": "env_id",
    "preset": "preset",
    "desc": "desc",
    "episodes": "episodes",
    "algorithm": "algorithm",
    "params": "hyperparams",
    "seed": "seed",
    "name": "name",
    "checkpoint_every": "checkpoint_every",
    "pace": "pace",
}
"""Fields of a new-run request (HTTP body, Dash form) and the run-spec field each feeds."""
AUTO_RESUME = "auto_resume"
"""The request field that lets a worker resume the run by itself after its worker died."""


def run_request(body: object) -> tuple[RunSpec, bool]:
    """Validate a new-run request.

    Args:
        body: an object with any of ``env``, ``preset``, ``desc``, ``episodes``,
            ``algorithm``, ``params`` (partial hyperparameters), ``seed``, ``name``,
            ``checkpoint_every``, ``pace`` (the run spec) and ``auto_resume`` (a boolean, default
            false: whether a worker resumes the run by itself once its worker died).

    Returns:
        The validated spec and ``auto_resume``.

    Raises:
        ValidationError: the request is not an object, has an unknown field or a bad value;
            every bad field at once (``ValidationErrors``) when there are several.
    """
    if not isinstance(body, Mapping):
        raise ValidationError("body", body, "not an object", "a JSON object of run fields")
    errors = ErrorList()
    mapping: dict[str, Any] = {}
    for key, value in body.items():
        if key == AUTO_RESUME:
            continue
        if key not in REQUEST_FIELDS:
            allowed = ", ".join([*REQUEST_FIELDS, AUTO_RESUME])
            errors.add(ValidationError(key, value, "unknown field", allowed))
        elif key == "params" and not isinstance(value, Mapping):
            allowed = f"an object of {', '.join(HYPERPARAM_NAMES)}"
            errors.add(ValidationError("params", value, "not an object", allowed))
        else:
            mapping[REQUEST_FIELDS[key]] = value
    spec = errors.check(partial(validate_run_spec, mapping), RunSpec())
    auto_resume = body.get(AUTO_RESUME, False)
    if not isinstance(auto_resume, bool):
        errors.add(ValidationError(AUTO_RESUME, auto_resume, "not a boolean", "true or false"))
    errors.raise_any()
    return spec, auto_resume


def spec_from_request(body: object) -> RunSpec:
    """Validate a new-run request (see ``run_request``) and return its run spec.

    Raises:
        ValidationError: the request is not an object, has an unknown field or a bad value.
    """
    return run_request(body)[0]


def submit_run(store: RunStore, body: object) -> int:
    """Validate a new-run request and put the run in the queue; a worker claims it.

    Returns:
        The new run's id.

    Raises:
        ValidationError: a bad request (nothing is created).
    """
    spec, auto_resume = run_request(body)
    return create_run(store, spec, auto_resume=auto_resume)


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


def change_pace(store: RunStore, run_id: int, value: object, source: str) -> dict:
    """Validate a pace and queue it as a change of the run's ``pace`` parameter: recorded,
    stamped and replayed as hyperparameter changes are, but kept from the agent.

    Args:
        store: the run store.
        run_id: the run.
        value: episodes per second, or ``"full"`` (``gridworld.pace.validate_pace``).
        source: "ui", "api" or "cli".

    Returns:
        The queued change in the HTTP shape (its ``new_value`` a number or ``"full"``).

    Raises:
        ValidationError: not a pace (field ``pace``).
        RunNotFound: no such run.
        Conflict: the run's status does not allow parameter changes.
    """
    pace = validate_pace(value)
    check(store.get_run(run_id), Action.EDIT)
    (change,) = store.request_params(run_id, {PACE: stored_pace(pace)}, source)
    return change.to_dict()


def pause_run(store: RunStore, run_id: int) -> None:
    """Pause a run: a queued one at once, a running one by asking its worker to checkpoint
    and pause.

    Raises:
        RunNotFound: no such run.
        Conflict: the run's status does not allow a pause.
    """
    _end_run(store, run_id, Action.PAUSE, "paused")


def stop_run(store: RunStore, run_id: int) -> None:
    """Stop a run for good (it can still be resumed from its last checkpoint).

    A running run's worker is asked to checkpoint and stop; a queued or paused run has no
    worker and is marked stopped at once.

    Raises:
        RunNotFound: no such run.
        Conflict: the run's status does not allow a stop.
    """
    _end_run(store, run_id, Action.STOP, "stopped")


def _end_run(store: RunStore, run_id: int, action: Action, status: str) -> None:
    """Give an unowned run ``status`` at once, or ask the running run's worker for it."""
    run = store.get_run(run_id)
    check(run, action)
    if run.status != "running":
        try:
            store.set_status(run_id, status)
            return
        except ClaimRefused:  # a worker claimed it meanwhile: that worker is asked instead
            pass
    store.request_status(run_id, status)


def resume_run(store: RunStore, run_id: int) -> None:
    """Resume a paused, stopped, crashed, failed or pruned run (or cancel a pending pause or stop).

    The run goes back to the queue; the next worker to look claims it and continues it
    from its latest checkpoint.

    Raises:
        RunNotFound: no such run.
        Conflict: the run's status does not allow a resume (or a worker holds it).
    """
    if cancel_pending_end(store, run_id):
        return
    try:
        store.requeue(run_id)
    except ClaimRefused as exc:
        raise Conflict(str(exc)) from None


def cancel_pending_end(store: RunStore, run_id: int) -> bool:
    """Cancel the pause or stop a live run was asked for and has not reached yet.

    Returns:
        True when there was one (its worker carries on), False when the run needs a worker.

    Raises:
        RunNotFound: no such run.
        Conflict: the run's status does not allow a resume.
    """
    run = store.get_run(run_id)
    check(run, Action.RESUME)
    if pending_end(run) is None:
        return False
    store.request_status(run_id, "running")
    return True
