"""The store's domain errors: callers never see a driver exception."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class StoreError(Exception):
    """Something went wrong in the run store (the message says what)."""


class RunNotFound(StoreError, KeyError):
    """No run has that id."""

    def __init__(self, run_id: object) -> None:
        self.run_id = run_id
        super().__init__(f"run {run_id} not found")

    def __str__(self) -> str:
        return str(self.args[0])


class ExperimentNotFound(StoreError, KeyError):
    """No experiment has that id."""

    def __init__(self, experiment_id: object) -> None:
        self.experiment_id = experiment_id
        super().__init__(f"experiment {experiment_id} not found")

    def __str__(self) -> str:
        return str(self.args[0])


class CheckpointNotFound(StoreError, KeyError):
    """The run has no checkpoint at that episode (or none at all)."""

    def __init__(
        self, run_id: int, episode: object, available: Sequence[int] | None = None
    ) -> None:
        self.run_id = run_id
        self.episode = episode
        self.available = available
        """The run's checkpoint episodes, when the message names them (None: it does not)."""
        message = f"run {run_id} has no checkpoint at episode {episode}"
        if available is not None:
            message += f"; {_checkpoints_text(available)}"
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


class NamedCheckpointNotFound(CheckpointNotFound):
    """The run has no checkpoint of that name."""

    def __init__(self, run_id: int, name: str, named: Mapping[str, int]) -> None:
        super().__init__(run_id, name)
        self.named = dict(named)
        """The run's checkpoint names and their episodes."""
        listed = ", ".join(f"{other!r} (episode {episode})" for other, episode in named.items())
        there = f"its named checkpoints are {listed}" if named else "it has no named checkpoint"
        self.args = (f"run {run_id} has no checkpoint named {name!r}; {there}",)


class CheckpointNameRefused(StoreError):
    """A checkpoint name cannot be given now (taken in the run, a save already asked, the
    latest checkpoint named already, or no checkpoint to name); the message says which."""


class TrajectoryNotFound(StoreError, KeyError):
    """The run has no recorded trajectory of that episode."""

    def __init__(self, run_id: int, episode: object) -> None:
        self.run_id = run_id
        self.episode = episode
        super().__init__(
            f"run {run_id} has no trajectory of episode {episode} (see its list of"
            " recorded episodes)"
        )

    def __str__(self) -> str:
        return str(self.args[0])


class InvalidQuery(StoreError, ValueError):
    """A query argument the store refuses: names the field, the value and what is allowed."""

    def __init__(self, field: str, value: object, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}={value!r} is invalid; allowed: {allowed}")


class BatchError(StoreError, ValueError):
    """A batch of episodes was refused (gap, duplicate, missing or non-finite value); none of
    it was written."""


class SchemaVersionError(StoreError):
    """The database was written by a gridlab with an incompatible schema."""


class LeaseLost(StoreError):
    """A worker's write was refused: the run is no longer its claim (another attempt took
    it over, it was stopped, requeued or deleted); nothing of the write landed."""

    def __init__(self, run_id: int, attempt: int, owner: str, now: str | None = None) -> None:
        self.run_id = run_id
        self.attempt = attempt
        self.owner = owner
        detail = f": {now}" if now else ""
        super().__init__(f"run {run_id} attempt {attempt} is no longer owned by {owner}{detail}")


class ClaimRefused(StoreError):
    """The run cannot be claimed, queued again or have its status set by this caller now
    (a live worker holds it, or its status does not allow it); the message says which."""


class RunHasForks(StoreError):
    """The run cannot be deleted: other runs were forked from it (their curves read its
    episodes up to their fork); delete the forks first."""

    def __init__(self, run_id: int, children: Sequence[int]) -> None:
        self.run_id = run_id
        self.children = list(children)
        names = ", ".join(str(child) for child in children)
        super().__init__(
            f"run {run_id} cannot be deleted: run{'s' if len(children) > 1 else ''} {names}"
            f" {'were' if len(children) > 1 else 'was'} forked from it and read"
            " its episodes; delete the forks first"
        )


SHOWN_CHECKPOINTS = 6
"""How many checkpoint episodes a ``CheckpointNotFound`` message lists at most."""


def _checkpoints_text(available: Sequence[int]) -> str:
    """Return "its checkpoints are at episodes 100, 200, ..., 900, 1000" (or "it has none")."""
    if not available:
        return "it has no checkpoint yet"
    episodes = [str(episode) for episode in available]
    if len(episodes) > SHOWN_CHECKPOINTS:
        half = SHOWN_CHECKPOINTS // 2
        episodes = [*episodes[:half], "...", *episodes[-half:]]
    return f"its checkpoints are at episodes {', '.join(episodes)}"
