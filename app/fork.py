"""Forking a run at one of its checkpoints, for every entry point (CLI, HTTP, Dash pages).

A fork request names the checkpoint (``at``: an episode, a checkpoint's name or
``"latest"``) and what changes:
hyperparameters (partial, over those in effect at the checkpoint), the algorithm, the target
episodes, the GridWorld map (same number of states, so the Q-table still fits) and the name.
Everything is validated by gridworld's validators (the same message for the same bad
value everywhere); the fork is queued for any worker, which resumes it from its starting
checkpoint (``app.training.fork_state``) like any resumed run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.named_checkpoints import checkpoint_episode
from app.rules import Conflict
from app.training.fork_state import carry, checkpoint_hyperparams
from app.training.jobs import run_fields
from gridworld.errors import ValidationError
from gridworld.hyperparams import HYPERPARAM_NAMES
from gridworld.numbers import parse_int
from gridworld.spec import (
    MAX_EPISODES,
    MAX_NAME,
    RunSpec,
    env_config,
    make_env,
    validate_run_spec,
)
from runstore import Run, RunStore

FORK_FIELDS = ("at", "hyperparams", "algorithm", "episodes", "desc", "name")
"""The fields of a fork request."""


def fork_spec(parent: Run, episode: int, hyperparams: Mapping[str, Any], body: Mapping) -> RunSpec:
    """Return the validated spec of a fork of ``parent`` at ``episode``.

    Args:
        parent: the run forked.
        episode: the checkpoint episode.
        hyperparams: the hyperparameters in effect at the checkpoint.
        body: the fork request (``FORK_FIELDS``, checked).

    Raises:
        ValidationError: a bad value; ``desc`` for a map of another number of states.
    """
    changes = body.get("hyperparams") or {}
    if not isinstance(changes, Mapping):
        raise ValidationError(
            "hyperparams", changes, "not an object", f"an object of {', '.join(HYPERPARAM_NAMES)}"
        )
    mapping = dict(parent.spec)
    mapping["hyperparams"] = {**hyperparams, **changes}
    mapping["name"] = body.get("name") or _fork_name(parent.name, episode)
    default = parent.target_episodes if parent.target_episodes > episode else 2 * episode
    mapping["episodes"] = parse_int(
        "episodes", body.get("episodes", default), episode + 1, MAX_EPISODES
    )
    for key in ("algorithm", "desc"):
        if body.get(key) not in (None, ""):
            mapping[key] = body[key]
    if body.get("desc") not in (None, ""):
        mapping["preset"] = None
    spec = validate_run_spec(mapping)
    size = env_config(spec)
    if (size["n_states"], size["n_actions"]) != _shape(parent):
        states, actions = _shape(parent)
        raise ValidationError(
            "desc",
            body.get("desc"),
            f"its map has {size['n_states']} states and {size['n_actions']} actions",
            f"a map of the parent's size ({states} states, {actions} actions) so that its"
            " Q-table carries over",
        )
    return spec


def fork_run(store: RunStore, run_id: int, body: object) -> int:
    """Validate a fork request and queue the fork of run ``run_id``; return its id.

    Args:
        store: the run store.
        run_id: the run to fork (any status: its checkpoints are what is forked).
        body: an object of ``FORK_FIELDS``: ``at`` (an episode, a checkpoint's name or
            ``"latest"``, the default), ``hyperparams``
            (partial), ``algorithm``, ``episodes`` (the fork's target; default the
            parent's, or twice the fork episode when the parent ended there), ``desc`` (a
            GridWorld map of the same size) and ``name``.

    Returns:
        The new run's id.

    Raises:
        ValidationError: not an object, an unknown field or a bad value.
        RunNotFound: no such run.
        CheckpointNotFound: no checkpoint at ``at`` (or of that name).
        Conflict: the checkpoint holds no agent state this version can continue from.
    """
    if not isinstance(body, Mapping):
        raise ValidationError("body", body, "not an object", "a JSON object of fork fields")
    for key, value in body.items():
        if key not in FORK_FIELDS:
            raise ValidationError(str(key), value, "unknown field", ", ".join(FORK_FIELDS))
    parent = store.get_run(run_id)
    episode = checkpoint_episode(store, run_id, body.get("at"))
    checkpoint = store.load_checkpoint(run_id, episode)
    spec = fork_spec(parent, episode, checkpoint_hyperparams(checkpoint), body)
    env = make_env(spec)
    try:
        start = carry(checkpoint, RunSpec.from_dict(parent.spec).algorithm, spec, env)
    except (KeyError, TypeError, ValueError) as exc:
        raise Conflict(
            f"run {run_id}'s checkpoint at episode {episode} holds no agent to continue"
            f" from ({type(exc).__name__}: {exc})"
        ) from None
    finally:
        env.close()
    return store.lineage.fork(
        run_id,
        episode,
        run_fields(spec),
        q=start.q,
        agent_state=start.agent_state,
        evaluation=start.evaluation,
    )


def _shape(run: Run) -> tuple[int, int]:
    """Return the run's (states, actions) as it recorded them."""
    return int(run.env_config["n_states"]), int(run.env_config["n_actions"])


def _fork_name(name: str, episode: int) -> str:
    """Return the default name of a fork: "<parent's name> · fork @<episode>" (fitting)."""
    suffix = f" · fork @{episode}"
    return name[: MAX_NAME - len(suffix)] + suffix
