"""The run store's checkpoints: saving one (fenced on the worker's claim), listing a run's,
and loading one. ``RunStore`` inherits these; each opens one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol

import numpy as np
from sqlalchemy import Connection

from . import checkpoints
from .records import Checkpoint, CheckpointInfo, Claim


class _Transactions(Protocol):
    """What the methods need of the store that inherits them: its transactions."""

    def _read(self) -> AbstractContextManager[Connection]: ...

    def _write(
        self, run_id: int | None = None, claim: Claim | None = None
    ) -> AbstractContextManager[Connection]: ...


class CheckpointMethods:
    """``RunStore``'s checkpoints (see ``checkpoints`` for the rows)."""

    def save_checkpoint(
        self: _Transactions,
        run_id: int,
        episode: int,
        q: np.ndarray,
        agent_state: Mapping[str, Any],
        evaluation: Mapping[str, float] | None = None,
        name: str | None = None,
        *,
        claim: Claim | None = None,
    ) -> None:
        """Save (or replace) the run's checkpoint at ``episode`` (the last the agent
        learned from): the Q-table (as compressed ``.npy``), JSON-safe agent state (epsilon,
        RNG state...), optional evaluation figures and an optional name (validated and
        free in the run: ``names.give`` checked it; a replaced checkpoint keeps its own).
        Saving the name the run's worker was asked for settles that request."""
        blob = checkpoints.encode(q)  # compressed before the write lock is taken
        with self._write(run_id, claim) as conn:
            checkpoints.save(conn, run_id, episode, blob, agent_state, evaluation, name)

    def checkpoints(self: _Transactions, run_id: int) -> list[CheckpointInfo]:
        """Return the run's checkpoints (without Q-tables), oldest first."""
        with self._read() as conn:
            return checkpoints.infos(conn, run_id)

    def load_checkpoint(
        self: _Transactions, run_id: int, episode: int | str = "latest"
    ) -> Checkpoint:
        """Return the run's checkpoint at ``episode`` (or its latest).

        Raises:
            InvalidQuery: ``episode`` is neither an episode number nor ``"latest"``.
            CheckpointNotFound: no checkpoint there.
        """
        with self._read() as conn:
            return checkpoints.load(conn, run_id, episode)
