"""``RunStore.names``: the store's API for named checkpoints, one transaction a call (see
``checkpoint_names``)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from . import checkpoint_names
from .checkpoint_names import Naming

if TYPE_CHECKING:
    from .store import RunStore


class CheckpointNames:
    """Names of the checkpoints in the store it was opened with."""

    def __init__(self, store: RunStore) -> None:
        """Serve the checkpoints of ``store`` (through its transactions)."""
        self._store = store

    def give(self, run_id: int, name: str, ask_statuses: Collection[str]) -> Naming:
        """Give a checkpoint of the run the name ``name`` (validated by the caller): a run
        whose status is one of ``ask_statuses`` has its worker asked to save one of its
        current state at its next control check; any other run's latest checkpoint gets it.

        Returns:
            What was done: the episode of the checkpoint named, or None when the worker
            was asked for it.

        Raises:
            RunNotFound: no such run.
            CheckpointNameRefused: the name is taken in the run (or asked for already),
                another save is asked already, the latest checkpoint has a name, or the run
                has no checkpoint to name.
        """
        with self._store._write(run_id) as conn:
            return checkpoint_names.name_checkpoint(conn, run_id, name, ask_statuses)

    def episode(self, run_id: int, name: str) -> int:
        """Return the episode of the run's checkpoint named ``name``.

        Raises:
            RunNotFound: no such run.
            NamedCheckpointNotFound: none has that name (the message lists those there).
        """
        with self._store._read() as conn:
            return checkpoint_names.named_episode(conn, run_id, name)
