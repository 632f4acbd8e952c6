"""Named checkpoints: a name people give one of a run's checkpoints, unique within the run.

A run being trained is asked for one: its ``checkpoint_request`` holds the name until its
worker saves a checkpoint of its current state with it (``checkpoints.save`` settles the
request in that transaction). Any other run's name goes on its latest checkpoint at once.
A worker that lets go of its run with the request still pending names the run's latest
checkpoint (the one it just saved); any other change of status drops the request. Nothing
deletes a named checkpoint but deleting its run: periodic checkpoints are only ever
replaced at the same episode (which keeps the name) or dropped after the latest one when a
run is rewound to it, and a named one is never after the latest.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, select, update

from . import runs
from .errors import CheckpointNameRefused, NamedCheckpointNotFound
from .records import Run
from .schema import CheckpointRow, RunRow


@dataclass(frozen=True)
class Naming:
    """What giving a checkpoint name did."""

    run_id: int
    name: str
    episode: int | None
    """The episode of the checkpoint named; None while the run's worker is asked for it."""

    @property
    def requested(self) -> bool:
        """Return whether the run's worker was asked to save the checkpoint (not yet saved)."""
        return self.episode is None


def name_checkpoint(
    conn: Connection, run_id: int, name: str, ask_statuses: Collection[str]
) -> Naming:
    """Ask the run's worker for a checkpoint named ``name`` (a run in ``ask_statuses``), or
    give the name to the run's latest checkpoint (see ``RunStore.name_checkpoint``).

    Raises:
        RunNotFound: no such run.
        CheckpointNameRefused: the name is taken in the run or already asked for, a save is
            already asked, the latest checkpoint has a name, or there is no checkpoint.
    """
    run = runs.fetch(conn, run_id, lock=True)
    asked = requested(conn, run.id)
    _check_free(conn, run, name)
    if run.status in ask_statuses:
        if asked is not None:
            raise CheckpointNameRefused(
                f"run {run.id} is already asked to save a checkpoint named {asked!r}; wait"
                " until its worker has saved it"
            )
        _set_request(conn, run.id, name)
        return Naming(run.id, name, None)
    latest = _latest(conn, run.id)
    if latest is None:
        raise CheckpointNameRefused(
            f"run {run.id} is {run.status} and has no checkpoint to name yet; its worker saves"
            " checkpoints while it trains"
        )
    episode, named = latest
    if named is not None:
        raise CheckpointNameRefused(
            f"run {run.id}'s latest checkpoint (episode {episode}) is already named {named!r}"
        )
    _set_name(conn, run.id, episode, name)
    if asked is not None:  # a request its worker died with
        _set_request(conn, run.id, None)
    return Naming(run.id, name, episode)


def settle_on_release(conn: Connection, run: Run) -> None:
    """Give the request of a run its worker lets go of to its latest checkpoint, if that has
    no name yet (the status change then clears the request)."""
    name = requested(conn, run.id)
    latest = _latest(conn, run.id)
    if name is None or latest is None or latest[1] is not None:
        return
    if conn.scalar(_named(run.id, name)) is None:
        _set_name(conn, run.id, latest[0], name)


def named_episode(conn: Connection, run_id: int, name: str) -> int:
    """Return the episode of the run's checkpoint named ``name``.

    Raises:
        RunNotFound: no such run.
        NamedCheckpointNotFound: none has that name (the message lists the names there).
    """
    runs.fetch(conn, run_id)
    episode = conn.scalar(_named(run_id, name))
    if episode is None:
        rows = conn.execute(
            select(CheckpointRow.name, CheckpointRow.episode)
            .where(CheckpointRow.run_id == run_id, CheckpointRow.name.is_not(None))
            .order_by(CheckpointRow.episode)
        ).all()
        raise NamedCheckpointNotFound(run_id, name, {str(n): int(e) for n, e in rows})
    return int(episode)


def requested(conn: Connection, run_id: int) -> str | None:
    """Return the name of the checkpoint the run's worker is asked for (None: none)."""
    return conn.scalar(select(RunRow.checkpoint_request).where(RunRow.id == run_id))


def _check_free(conn: Connection, run: Run, name: str) -> None:
    """Refuse a name a checkpoint of the run has."""
    taken = conn.scalar(_named(run.id, name))
    if taken is not None:
        raise CheckpointNameRefused(
            f"run {run.id} already has a checkpoint named {name!r} (episode {taken});"
            " names are unique within a run"
        )


def _named(run_id: int, name: str) -> Select[Any]:
    """Return the SELECT of the episode of the run's checkpoint named ``name``."""
    return select(CheckpointRow.episode).where(
        CheckpointRow.run_id == run_id, CheckpointRow.name == name
    )


def _latest(conn: Connection, run_id: int) -> tuple[int, str | None] | None:
    """Return the episode and name of the run's latest checkpoint (None: it has none)."""
    row = conn.execute(
        select(CheckpointRow.episode, CheckpointRow.name)
        .where(CheckpointRow.run_id == run_id)
        .order_by(CheckpointRow.episode.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row[0]), row[1])


def _set_name(conn: Connection, run_id: int, episode: int, name: str) -> None:
    """Give the run's checkpoint at ``episode`` the name."""
    conn.execute(
        update(CheckpointRow)
        .where(CheckpointRow.run_id == run_id, CheckpointRow.episode == episode)
        .values(name=name)
    )


def _set_request(conn: Connection, run_id: int, name: str | None) -> None:
    """Ask the run's worker for a checkpoint named ``name`` (None: ask for none)."""
    conn.execute(update(RunRow).where(RunRow.id == run_id).values(checkpoint_request=name))
