"""``RunStore.experiments``: the store's API for experiments (sweeps), one transaction a call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import experiments
from .experiments import Trial
from .records import Experiment, Run

if TYPE_CHECKING:
    from .store import RunStore


class Experiments:
    """Experiments and the runs of their trials, in the store they were opened with."""

    def __init__(self, store: RunStore) -> None:
        """Serve the experiments of ``store`` (through its transactions)."""
        self._store = store

    def create(
        self,
        *,
        name: str,
        method: str,
        base_spec: Mapping[str, Any],
        space: Mapping[str, Any],
        seeds: Sequence[int],
        budget: int | None,
        objective: str,
        options: Mapping[str, Any] | None = None,
        study_name: str | None = None,
        trials: Sequence[Trial] = (),
    ) -> tuple[int, list[int]]:
        """Record a new experiment, ``running``, with the queued runs of its first trials.

        Args:
            name: shown on its page.
            method: one of ``EXPERIMENT_METHODS``.
            base_spec: the run spec every trial starts from.
            space: the validated search space.
            seeds: the seeds each trial is trained with.
            budget: how many trials it launches in all (None: no limit); launching the
                last one marks it ``finished``.
            objective: what a run scored (the launcher's objective name).
            options: method and objective settings.
            study_name: its Optuna study, if any.
            trials: the first trials, each a sequence of ``create_run`` field mappings
                (one per seed), numbered from 0.

        Returns:
            The experiment's id and its runs' ids in order (trial by trial).

        Raises:
            InvalidQuery: unknown method, or more trials than the budget.
        """
        fields = {
            "name": name,
            "method": method,
            "base_spec": dict(base_spec),
            "space": dict(space),
            "seeds": [int(seed) for seed in seeds],
            "budget": budget,
            "objective": objective,
            "options": dict(options or {}),
            "study_name": study_name,
        }
        with self._store._write() as conn:
            return experiments.create(conn, fields, trials, self._store.lease_seconds)

    def add_trials(
        self, experiment_id: int, trials: Sequence[Trial], *, expected: int
    ) -> list[int] | None:
        """Launch more trials, numbered from ``expected``, unless someone else did first.

        Returns:
            The new runs' ids; None (nothing written) when the experiment no longer has
            exactly ``expected`` trials launched, or is not ``running``.

        Raises:
            ExperimentNotFound: no such experiment.
            InvalidQuery: the trials would exceed the budget.
        """
        with self._store._write() as conn:
            return experiments.add_trials(
                conn, experiment_id, trials, expected, self._store.lease_seconds
            )

    def get(self, experiment_id: int) -> Experiment:
        """Return the experiment ``experiment_id``.

        Raises:
            ExperimentNotFound: no such experiment.
        """
        with self._store._read() as conn:
            return experiments.fetch(conn, experiment_id)

    def list_all(self) -> list[Experiment]:
        """Return every experiment, newest first."""
        with self._store._read() as conn:
            return experiments.list_all(conn)

    def runs(self, experiment_id: int) -> list[Run]:
        """Return the experiment's runs ordered by trial, then id.

        Raises:
            ExperimentNotFound: no such experiment.
        """
        with self._store._read() as conn:
            return experiments.runs_of(conn, experiment_id)

    def set_status(self, experiment_id: int, status: str) -> None:
        """Set the experiment's status (``EXPERIMENT_STATUSES``); its runs are not touched.

        Raises:
            ExperimentNotFound: no such experiment.
            InvalidQuery: unknown status.
        """
        with self._store._write() as conn:
            experiments.set_status(conn, experiment_id, status)
