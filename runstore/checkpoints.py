"""Checkpoints: a run's saved agents (compressed ``.npy`` Q-table, agent state, evaluation)."""

from __future__ import annotations

import io
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, insert, select

from ._clock import now, utc
from ._guards import is_int
from .errors import CheckpointNotFound, InvalidQuery
from .records import Checkpoint, CheckpointInfo
from .runs import fetch
from .schema import CheckpointRow


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
) -> None:
    """Save (or replace) the run's checkpoint at ``episode``; ``blob`` comes from ``encode``.

    Raises:
        RunNotFound: no such run.
    """
    fetch(conn, run_id)
    conn.execute(
        delete(CheckpointRow).where(
            CheckpointRow.run_id == run_id, CheckpointRow.episode == episode
        )
    )
    conn.execute(
        insert(CheckpointRow).values(
            run_id=run_id,
            episode=episode,
            q=blob,
            agent_state=dict(agent_state),
            evaluation=dict(evaluation) if evaluation is not None else None,
            created_at=now(),
        )
    )


def infos(conn: Connection, run_id: int) -> list[CheckpointInfo]:
    """Return the run's checkpoints without their Q-tables, oldest first.

    Raises:
        RunNotFound: no such run.
    """
    fetch(conn, run_id)
    rows = conn.execute(
        select(CheckpointRow.episode, CheckpointRow.created_at, CheckpointRow.evaluation)
        .where(CheckpointRow.run_id == run_id)
        .order_by(CheckpointRow.episode)
    ).all()
    return [
        CheckpointInfo(episode, utc(created), evaluation) for episode, created, evaluation in rows
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
        row["episode"], q, row["agent_state"], row["evaluation"], utc(row["created_at"])
    )
