"""Named checkpoints, for every entry point (CLI, HTTP, Dash pages): "Save checkpoint now"
with a name, and choosing a checkpoint by episode, name or ``latest``.

A name is checked by ``app.rules.parse_checkpoint_name``; a run in one of
``rules.SAVE_NOW_STATUSES`` has its worker asked for a checkpoint of its current state (it
saves it at its next control check, within about a tenth of a second), any other run's
latest checkpoint gets the name at once (``RunStore.names``). What is refused raises what
the callers map to messages: ``ValidationError``, ``RunNotFound``, ``rules.Conflict``.
"""

from __future__ import annotations

import time

from app.rules import LATEST, MAX_ID, SAVE_NOW_STATUSES, Conflict, parse_checkpoint_name
from gridworld.errors import ValidationError
from gridworld.numbers import parse_int
from runstore import CheckpointNameRefused, CheckpointNotFound, Naming, RunStore

AT_ALLOWED = f"a checkpoint episode of the run, a checkpoint's name, or '{LATEST}'"
POLL_SECONDS = 0.05
"""How often ``wait_for_named`` looks for the checkpoint."""


def save_checkpoint_now(store: RunStore, run_id: int, name: object) -> Naming:
    """Name a checkpoint of the run: one its worker saves of its current state (a run being
    trained), else its latest.

    Returns:
        What was done (``Naming.requested``: the worker was asked; else the episode named).

    Raises:
        ValidationError: a bad name (field ``name``).
        RunNotFound: no such run.
        Conflict: the name is taken in the run, a save is asked already, the latest
            checkpoint has a name, or the run has no checkpoint to name.
    """
    checked = parse_checkpoint_name(name)
    try:
        return store.names.give(run_id, checked, SAVE_NOW_STATUSES)
    except CheckpointNameRefused as exc:
        raise Conflict(str(exc)) from None


def naming_text(naming: Naming, episode: int | None = None) -> str:
    """Return what saving the checkpoint did, in words.

    Args:
        naming: what ``save_checkpoint_now`` did.
        episode: the episode of the checkpoint the worker saved since (None: not yet).
    """
    name, run_id = naming.name, naming.run_id
    if naming.episode is not None:
        return (
            f"Run {run_id} is not training: its latest checkpoint (episode"
            f" {naming.episode:,}) is now named '{name}'."
        )
    if episode is not None:
        return f"Run {run_id} saved checkpoint '{name}' at episode {episode:,}."
    return (
        f"Checkpoint '{name}' requested: run {run_id}'s worker saves it of its current state"
        " at its next control check."
    )


def wait_for_named(store: RunStore, run_id: int, name: str, seconds: float) -> int | None:
    """Wait up to ``seconds`` for the run's checkpoint named ``name``; return its episode
    (None: not saved by then)."""
    deadline = time.monotonic() + seconds
    while True:
        for info in store.checkpoints(run_id):
            if info.name == name:
                return info.episode
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL_SECONDS)


def checkpoint_episode(store: RunStore, run_id: int, at: object, field: str = "at") -> int:
    """Return the episode of the run's checkpoint ``at`` names: an episode number, a
    checkpoint's name, or ``latest`` (also None).

    Raises:
        RunNotFound: no such run.
        ValidationError: ``at`` is none of these (naming ``field``).
        CheckpointNotFound: the run has no checkpoint there, of that name (or none at all);
            the message names those it has.
    """
    if at is None or at == LATEST:
        infos = store.checkpoints(run_id)
        if not infos:
            raise CheckpointNotFound(run_id, LATEST, [])
        return infos[-1].episode
    if isinstance(at, str) and at.strip()[:1].isalpha():
        try:
            name = parse_checkpoint_name(at, field)
        except ValidationError as exc:
            raise ValidationError(field, at, exc.reason, AT_ALLOWED) from None
        return store.names.episode(run_id, name)
    try:
        episode = parse_int(field, at, 1, MAX_ID)
    except ValidationError as exc:
        raise ValidationError(field, at, exc.reason, AT_ALLOWED) from None
    store.lineage.require_checkpoint(run_id, episode)
    return episode
