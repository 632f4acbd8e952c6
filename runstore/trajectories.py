"""Trajectories: the recorded steps of some of a run's episodes, one row (and blob) each.

A trajectory is written with the batch of episodes it belongs to, in that transaction
(``RunStore.append_episodes``), and goes with them: a truncation deletes those after the
episode it keeps, a deleted run takes its own. A fork stores the trajectories of its own
episodes only. Kinds ``first`` and ``every`` stay; of kind ``last`` a run keeps those among
its newest ``keep_last`` trajectories (a ring): each write drops the older ones. Which
episodes are recorded, and what their columns mean, is the trainer's business
(``gridworld.trajectory``); here they are named numeric columns (``step_blobs``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, insert, select

from . import step_blobs
from ._guards import check_int, is_int
from .errors import BatchError, TrajectoryNotFound
from .records import TRAJECTORY_KINDS
from .runs import fetch
from .schema import trajectories

MAX_STEPS = 100_000
"""The most steps one stored trajectory may hold."""
c = trajectories.c


@dataclass(frozen=True)
class TrajectoryRecord:
    """One episode's recorded steps, as written and as read back."""

    episode: int
    kind: str
    """One of ``TRAJECTORY_KINDS``."""
    length: int
    """The episode's steps (more than the columns hold when only its first were kept)."""
    columns: Mapping[str, np.ndarray] = field(repr=False)
    """Name to int64/float64 array, one entry (or row, for a 2-D column) per kept step."""

    @property
    def steps(self) -> int:
        """Return how many steps the columns hold."""
        return len(next(iter(self.columns.values())))

    def to_dict(self) -> dict[str, Any]:
        """Return the trajectory as JSON-safe data: its episode, kind, length and steps kept,
        and ``columns``, name to a list per step (a list of lists for a 2-D column), with
        every non-finite float as None."""
        columns = {
            name: [_json_safe(value) for value in np.asarray(array).tolist()]
            for name, array in self.columns.items()
        }
        info = TrajectoryInfo(self.episode, self.kind, self.length, self.steps)
        return {**info.to_dict(), "columns": columns}


def finite_or_none(value: Any) -> Any:
    """Return ``value``, or None for a non-finite float (strict JSON has no NaN or
    infinity)."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _json_safe(value: Any) -> Any:
    """Return one step's value (a number, or a list of them) with non-finite floats as
    None."""
    if isinstance(value, list):
        return [finite_or_none(item) for item in value]
    return finite_or_none(value)


@dataclass(frozen=True)
class TrajectoryBatch:
    """The trajectories that go with a batch of episodes, and the ring's size."""

    records: Sequence[TrajectoryRecord]
    keep_last: int
    """How many trajectories of kind ``last`` the run keeps (its newest)."""


@dataclass(frozen=True)
class TrajectoryInfo:
    """A stored trajectory without its steps."""

    episode: int
    kind: str
    length: int
    steps: int

    def to_dict(self) -> dict[str, int | str]:
        """Return the trajectory's description as JSON-safe data."""
        return {
            "episode": self.episode,
            "kind": self.kind,
            "length": self.length,
            "steps": self.steps,
        }


def ring_drops(kinds: Mapping[int, str], keep_last: int) -> set[int]:
    """Return the episodes among ``kinds`` (episode to kind, of trajectories written
    together) whose trajectory the ring would drop in that same write: those of kind
    ``last`` that are not among the ``keep_last`` newest episodes (of any kind; every
    trajectory the run stored before is older)."""
    newest = set(sorted(kinds, reverse=True)[:keep_last])
    return {episode for episode, kind in kinds.items() if kind == "last"} - newest


def encoded_rows(run_id: int, episodes: Sequence[int], batch: TrajectoryBatch) -> list[dict]:
    """Return the rows to insert for ``batch``, checked against the batch's ``episodes``
    (done before the write lock is taken). A trajectory of kind ``last`` that is not among
    the batch's newest ``keep_last`` is left out: the ring would drop it in the same
    transaction (every earlier trajectory of the run is older), so only its episode and
    kind are checked, and its steps are never encoded.

    Raises:
        BatchError: a trajectory of an episode outside the batch (or twice), an unknown
            kind, a length below its steps, a bad ``keep_last`` or bad columns.
    """
    check_int("keep_last", batch.keep_last, 0, None)
    first, last = episodes[0], episodes[-1]
    kinds = {record.episode: record.kind for record in batch.records if is_int(record.episode)}
    dropped = ring_drops(kinds, batch.keep_last)
    rows, seen = [], set()
    for record in batch.records:
        where = f"run {run_id}: the trajectory of episode {record.episode}"
        if not is_int(record.episode) or not first <= record.episode <= last:
            raise BatchError(f"{where} is not of the batch's episodes {first}..{last}")
        if record.episode in seen:
            raise BatchError(f"{where} is in the batch twice")
        if record.kind not in TRAJECTORY_KINDS:
            raise BatchError(f"{where} has kind {record.kind!r}; allowed: {TRAJECTORY_KINDS}")
        seen.add(record.episode)
        if record.episode in dropped:
            continue
        steps, blob = step_blobs.encode(record.columns)
        if not 1 <= steps <= MAX_STEPS or not is_int(record.length) or record.length < steps:
            raise BatchError(f"{where} holds {steps} steps of an episode of {record.length}")
        row = {"episode": record.episode, "kind": record.kind, "length": record.length}
        rows.append({"run_id": run_id, **row, "steps": steps, "data": blob})
    return rows


def write(conn: Connection, run_id: int, rows: list[dict], keep_last: int) -> None:
    """Insert ``encoded_rows``; drop the run's ``last`` ones that are not among its newest
    ``keep_last`` trajectories (of any kind: the ring is its most recent recorded episodes,
    which kind ``every`` may hold one of)."""
    if not rows:
        return
    conn.execute(insert(trajectories), rows)
    if any(row["kind"] == "last" for row in rows):
        newest = select(c.episode).where(c.run_id == run_id)
        older = newest.order_by(c.episode.desc()).offset(keep_last).limit(1)
        newest_dropped = conn.execute(older).scalar()
        if newest_dropped is not None:
            conn.execute(
                delete(trajectories).where(
                    c.run_id == run_id, c.kind == "last", c.episode <= newest_dropped
                )
            )


def truncate(conn: Connection, run_id: int, after_episode: int) -> None:
    """Delete the run's trajectories after ``after_episode``."""
    conn.execute(delete(trajectories).where(c.run_id == run_id, c.episode > after_episode))


def infos(conn: Connection, run_id: int) -> list[TrajectoryInfo]:
    """Return the run's trajectories without their steps, by episode.

    Raises:
        RunNotFound: no such run.
    """
    fetch(conn, run_id)
    found = conn.execute(
        select(c.episode, c.kind, c.length, c.steps).where(c.run_id == run_id).order_by(c.episode)
    )
    return [TrajectoryInfo(*row) for row in found]


def records(conn: Connection, run_id: int) -> list[TrajectoryRecord]:
    """Return every trajectory of the run with its steps, by episode (at most
    ``RecordPolicy.bound`` of them: the recording policy bounds them, not the run's length);
    none for a run that does not exist (the caller has read the run)."""
    found = conn.execute(
        select(c.episode, c.kind, c.length, c.steps, c.data)
        .where(c.run_id == run_id)
        .order_by(c.episode)
    )
    return [_decoded(*row) for row in found]


def load(conn: Connection, run_id: int, episode: int) -> TrajectoryRecord:
    """Return the run's trajectory of ``episode`` with its steps.

    Raises:
        RunNotFound: no such run.
        InvalidQuery: ``episode`` is not an episode number.
        TrajectoryNotFound: that episode was not recorded (or no longer is).
    """
    fetch(conn, run_id)
    check_int("episode", episode, 1, None)
    row = conn.execute(
        select(c.kind, c.length, c.steps, c.data).where(c.run_id == run_id, c.episode == episode)
    ).first()
    if row is None:
        raise TrajectoryNotFound(run_id, episode)
    return _decoded(episode, *row)


def _decoded(episode: int, kind: str, length: int, steps: int, data: bytes) -> TrajectoryRecord:
    """Return the record of a stored trajectory's row, its steps decoded."""
    return TrajectoryRecord(episode, kind, length, step_blobs.decode(data, steps))
