"""Runs as jobs: put a run spec in the store's queue, or claim it at once for this process."""

from __future__ import annotations

from typing import Any

from gridworld.spec import RunSpec, env_config
from runstore import Claim, Owner, RunStore


def create_run(
    store: RunStore, spec: RunSpec, *, auto_resume: bool = False, owner: Owner | None = None
) -> int:
    """Record a new run for ``spec`` in the store.

    Args:
        store: the run store.
        spec: a validated run spec.
        auto_resume: a worker claims the run again by itself once its lease has expired
            (its worker died); otherwise a crashed run waits for a resume.
        owner: claim the run for this worker in the same transaction (status ``running``,
            attempt 1), so that no other worker can take it first; None leaves it
            ``queued`` for any worker.

    Returns:
        The new run's id.
    """
    return store.create_run(**run_fields(spec, auto_resume=auto_resume), owner=owner)


def run_fields(
    spec: RunSpec, *, config: dict[str, Any] | None = None, auto_resume: bool = False
) -> dict[str, Any]:
    """Return the ``RunStore.create_run`` fields of a run for ``spec``.

    Args:
        spec: a validated run spec.
        config: its ``env_config`` when the caller has it already (the runs of a sweep
            share one env); None builds it.
        auto_resume: see ``create_run``.

    Returns:
        name, env_id, env_config, hyperparams, seed, target_episodes, spec, auto_resume.
    """
    return {
        "name": spec.name,
        "env_id": spec.env_id,
        "env_config": env_config(spec) if config is None else config,
        "hyperparams": spec.hyperparams.to_dict(),
        "seed": spec.seed,
        "target_episodes": spec.episodes,
        "spec": spec.to_dict(),
        "auto_resume": auto_resume,
    }


def claim_new_run(store: RunStore, spec: RunSpec, *, auto_resume: bool = False) -> Claim:
    """Record a new run for ``spec`` already claimed by this process (attempt 1).

    Args:
        store: the run store.
        spec: a validated run spec.
        auto_resume: see ``create_run``.

    Returns:
        This process's claim on the new run.
    """
    owner = Owner.here()
    run_id = create_run(store, spec, auto_resume=auto_resume, owner=owner)
    return Claim(run_id, 1, owner.label)
