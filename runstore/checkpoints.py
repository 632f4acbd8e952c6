"""Checkpoints: a run's saved agents (compressed ``.npy`` Q-table, agent state, evaluation,
and a name when people gave it one: see ``checkpoint_names``)."""

from __future__ import annotations

import io
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, insert, select, update

from ._clock import now, utc
from ._guards import is_int
from .errors import CheckpointNotFound, InvalidQuery
from .records import Checkpoint, CheckpointInfo
from .runs import fetch
from .schema import CheckpointRow, RunRow


def encode(q: np.ndarray) -> bytes:
    """Return a Q-table as zlib-compressed ``.npy`` bytes (no pickles)."""
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(q), allow_pickle=False)
    return zlib.compress(buffer.getvalue(), 6)


def save(
    conn: Connection,
    run_id: int,
    episode: int,
    blob: bytes,
    agent_state: Mapping[str, Any],
    evaluation: Mapping[str, float] | None,
    name: str | None = None,
) -> None:
    """Save (or replace) the run's checkpoint at ``episode``; ``blob`` comes from ``encode``.

    A checkpoint replaced keeps its name unless ``name`` gives one; a checkpoint saved with
    the name its worker was asked for settles that request (``checkpoint_names``).

    Raises:
        RunNotFound: no such run.
    """
    fetch(conn, run_id)
    here = (CheckpointRow.run_id == run_id) & (CheckpointRow.episode == episode)
    kept = conn.scalar(select(CheckpointRow.name).where(here))
    conn.execute(delete(CheckpointRow).where(here))
    conn.execute(
        insert(CheckpointRow).values(
            run_id=run_id,
            episode=episode,
            q=blob,
            agent_state=dict(agent_state),
            evaluation=dict(evaluation) if evaluation is not None else None,
            created_at=now(),
            name=name or kept,
        )
    )
    if name is not None:
        conn.execute(
            update(RunRow)
            .where(RunRow.id == run_id, RunRow.checkpoint_request == name)
            .values(checkpoint_request=None)
        )


def infos(conn: Connection, run_id: int) -> list[CheckpointInfo]:
    """Return the run's checkpoints without their Q-tables, oldest first.

    Raises:
        RunNotFound: no such run.
    """
    fetch(conn, run_id)
    rows = conn.execute(
        select(
            CheckpointRow.episode,
            CheckpointRow.created_at,
            CheckpointRow.evaluation,
            CheckpointRow.name,
        )
        .where(CheckpointRow.run_id == run_id)
        .order_by(CheckpointRow.episode)
    ).all()
    return [
        CheckpointInfo(episode, utc(created), evaluation, name)
        for episode, created, evaluation, name in rows
    ]


def load(conn: Connection, run_id: int, episode: int | str) -> Checkpoint:
    """Return the run's checkpoint at ``episode`` (or its latest, for ``"latest"``).

    Raises:
        RunNotFound: no such run.
        InvalidQuery: ``episode`` is neither an int nor ``"latest"``.
        CheckpointNotFound: no checkpoint there.
    """
    fetch(conn, run_id)
    query = select(CheckpointRow.__table__).where(CheckpointRow.run_id == run_id)
    if episode == "latest":
        query = query.order_by(CheckpointRow.episode.desc()).limit(1)
    elif is_int(episode):
        query = query.where(CheckpointRow.episode == episode)
    else:
        raise InvalidQuery("episode", episode, "an episode number or 'latest'")
    row = conn.execute(query).mappings().first()
    if row is None:
        raise CheckpointNotFound(run_id, episode)
    q = np.load(io.BytesIO(zlib.decompress(row["q"])), allow_pickle=False)
    return Checkpoint(
        row["episode"],
        q,
        row["agent_state"],
        row["evaluation"],
        utc(row["created_at"]),
        row["name"],
    )
