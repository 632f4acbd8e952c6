"""``RunStore.lineage``: the store's API for forks and their tree, one transaction a call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from . import checkpoints, lineage, summaries
from .lineage import StartingCheckpoint
from .records import Run

if TYPE_CHECKING:
    from .store import RunStore


class Lineage:
    """Forks of runs at their checkpoints, and the trees they form, in the store they
    were opened with."""

    def __init__(self, store: RunStore) -> None:
        """Serve the forks of ``store`` (through its transactions)."""
        self._store = store

    def fork(
        self,
        parent_id: int,
        episode: int,
        fields: Mapping[str, Any],
        *,
        q: np.ndarray | None = None,
        agent_state: Mapping[str, Any] | None = None,
        evaluation: Mapping[str, float] | None = None,
    ) -> int:
        """Record a fork of the parent at its checkpoint ``episode``, ``queued``; return its id.

        The fork has ``episodes_done = episode`` (and the parent's env steps there), its own
        episodes start at ``episode + 1``, and its curves, episodes, summary and exports
        read the parent's (recursively) up to ``episode``. It starts from a copy of the
        parent's checkpoint, or, with ``q`` and ``agent_state``, from that agent instead
        (changed algorithm or hyperparameters, with ``evaluation``).

        Args:
            parent_id: the run forked.
            episode: one of the parent's checkpoint episodes.
            fields: the ``create_run`` fields of the fork (``target_episodes`` >
                ``episode``).
            q: the Q-table to start from (with ``agent_state``), or None: the parent's.
            agent_state: its JSON-safe agent state.
            evaluation: its evaluation figures, if any.

        Raises:
            RunNotFound: no such parent.
            CheckpointNotFound: no checkpoint at ``episode`` (the message names those there).
            InvalidQuery: ``target_episodes`` is not more than ``episode``.
        """
        start = None
        if q is not None and agent_state is not None:
            start = StartingCheckpoint(checkpoints.encode(q), agent_state, evaluation)
        with self._store._write() as conn:
            run_id = lineage.fork(
                conn, parent_id, episode, fields, start, self._store.lease_seconds
            )
            summaries.rebuild(conn, run_id)  # its parent's figures up to the fork
            return run_id

    def require_checkpoint(self, run_id: int, episode: int) -> None:
        """Check that the run has a checkpoint at ``episode``.

        Raises:
            RunNotFound: no such run.
            CheckpointNotFound: none there; the message names the episodes it has.
        """
        with self._store._read() as conn:
            lineage.checkpoint_row(conn, run_id, episode)

    def ancestors(self, run_id: int) -> list[Run]:
        """Return the run's parent, grandparent... (parent first; empty: not a fork).

        Raises:
            RunNotFound: no such run.
        """
        with self._store._read() as conn:
            return lineage.ancestors(conn, run_id)

    def children(self, run_id: int) -> list[Run]:
        """Return the runs forked from this one, oldest first.

        Raises:
            RunNotFound: no such run.
        """
        with self._store._read() as conn:
            return lineage.children(conn, run_id)

    def tree(self, run_id: int) -> list[Run]:
        """Return the whole lineage tree the run is in: its root first, then each run's
        forks after it (depth first, oldest first); ``parent_id`` links them.

        Raises:
            RunNotFound: no such run.
        """
        with self._store._read() as conn:
            return lineage.tree(conn, run_id)
