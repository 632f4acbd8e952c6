"""What the store hands out: frozen dataclasses, never ORM rows."""

from __future__ import annotations

import os
import socket
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, ClassVar

import numpy as np

METRICS = (
    "return",
    "length",
    "success",
    "epsilon",
    "alpha",
    "gamma",
    "mean_q",
    "max_q",
    "mean_abs_td",
    "env_steps",
    "wall_time",
)
"""Per-episode numbers that ``series`` can aggregate."""

EPISODE_FIELDS = ("episode", *METRICS, "action_counts")
"""The columns of an episode row, in CSV order."""

STATUSES = ("queued", "running", "paused", "finished", "stopped", "crashed", "error", "pruned")
"""``pruned``: an experiment's pruner ended the run early (its objective lagged the others')."""
LIVE_STATUSES = ("queued", "running")
REQUESTABLE_STATUSES = ("running", "paused", "stopped")
PARAM_SOURCES = ("ui", "api", "cli", "pbt")
"""Who asked for a parameter change (``pbt``: a population-based-training exploit)."""
RELEASE_STATUSES = ("finished", "paused", "stopped", "error", "queued", "pruned")
"""The statuses a worker leaves its run in when it lets go of it (``queued``: back to the
queue, for the next worker)."""
CHECKPOINT_NAME_LENGTH = 64
"""The longest checkpoint name the store holds (who may name what is the caller's rule)."""
EXPERIMENT_METHODS = ("grid", "random", "tpe", "pbt")
EXPERIMENT_STATUSES = ("running", "finished", "stopped")
"""``running``: it may still launch trials; ``finished``: every trial is launched (its runs
may still train); ``stopped``: someone stopped it (no more trials)."""
TRAJECTORY_KINDS = ("first", "every", "last")
"""Why an episode's steps were recorded; the ``last`` ones form a ring of the run's newest."""
EVENT_KINDS = ("claimed", "interrupted", "crashed", "resumed")
"""What ``RunStore.events`` lists: an attempt began (``claimed`` on a fresh run, ``resumed``
on one with episodes), a worker let go of the run gracefully (``interrupted``), or one died
(``crashed``, recorded when another write takes the run over)."""


def _with_iso_times(record: Any) -> dict[str, Any]:
    """Return a record dataclass as a dict, its top-level datetimes as ISO 8601 strings."""
    data = asdict(record)
    for key, value in data.items():
        if isinstance(value, datetime):
            data[key] = value.isoformat()
    return data


@dataclass(frozen=True)
class Run:
    """One training run as stored."""

    id: int
    name: str
    env_id: str
    env_config: dict[str, Any]
    hyperparams: dict[str, Any]
    """The hyperparameters the run started with."""
    current_params: dict[str, Any]
    """The hyperparameters after every applied change."""
    seed: int
    spec: dict[str, Any]
    target_episodes: int
    episodes_done: int
    env_steps: int
    status: str
    requested_status: str | None
    error: str | None
    warnings: list[str]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    pid: int | None
    """The process of the current (or last) owner."""
    host: str | None
    attempt: int = 0
    """How many times a worker claimed the run (0: never)."""
    owner: str | None = None
    """The ``Owner.label`` of the worker holding (or that held until its lease expired) the
    run; None when no worker does."""
    lease_expires: float | None = None
    """When the owner's lease ends, in seconds since the epoch on the database's clock."""
    auto_resume: bool = False
    """A worker takes the run over by itself once its owner's lease expired."""
    revision: int = 0
    """The number ``RunStore.run_revision`` answers: it grows with every change of the run."""
    experiment_id: int | None = None
    """The experiment the run belongs to (None: a run of its own)."""
    trial: int | None = None
    """Which of its experiment's trials (settings) the run trains, from 0."""
    parent_id: int | None = None
    """The run this one was forked from (None: not a fork)."""
    fork_episode: int | None = None
    """The parent's checkpoint episode the fork starts from: its own episodes begin at
    ``fork_episode + 1`` and episodes up to it are the parent's."""
    tags: list[str] = field(default_factory=list)
    """The run's tags, sorted (each a short label; see ``RunStore.manage``)."""
    note: str = ""
    """A free-text (Markdown) note about the run."""
    archived_at: datetime | None = None
    """When the run was archived (None: it is not); archived runs are hidden from lists."""

    @property
    def archived(self) -> bool:
        """Return whether the run is archived."""
        return self.archived_at is not None

    @property
    def is_live(self) -> bool:
        """Return whether the run is queued or running."""
        return self.status in LIVE_STATUSES

    @property
    def lease_expired(self) -> bool:
        """Return whether the run's owner stopped renewing its lease (it reads ``crashed``)."""
        return self.lease_expires is not None and self.status == "crashed"

    def to_dict(self) -> dict[str, Any]:
        """Return the run as JSON-safe data (timestamps as ISO 8601 strings)."""
        return _with_iso_times(self)


@dataclass(frozen=True)
class Experiment:
    """A sweep: trials (settings) drawn from a search space, each trained with every seed."""

    id: int
    name: str
    method: str
    """One of ``EXPERIMENT_METHODS``."""
    base_spec: dict[str, Any]
    """The run spec every trial starts from (as ``RunSpec.to_dict`` gives it)."""
    space: dict[str, Any]
    """The search space, as the experiment's launcher validated it."""
    seeds: list[int]
    """The seeds every trial is trained with."""
    budget: int | None
    """How many trials to launch (None: as many as the method has, e.g. a whole grid)."""
    objective: str
    options: dict[str, Any]
    """Method and objective settings (threshold, pruner, ...), as the launcher set them."""
    status: str
    """One of ``EXPERIMENT_STATUSES``."""
    trials_launched: int
    """How many trials have runs so far (trial numbers 0 .. trials_launched - 1)."""
    study_name: str | None
    """The Optuna study holding its trials (None: a method without one)."""
    created_at: datetime
    finished_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """Return the experiment as JSON-safe data (timestamps as ISO 8601 strings)."""
        return _with_iso_times(self)


@dataclass(frozen=True)
class Owner:
    """A worker process: the one that holds a run's lease."""

    host: str
    pid: int
    started_at: float
    """When the process first asked who it is (seconds since the epoch): with host and pid,
    it tells a process apart from a later one given the same pid."""

    _here: ClassVar[dict[int, Owner]] = {}

    @property
    def label(self) -> str:
        """Return ``"host:pid:started_at"``, what ``runs.owner`` and every fence hold."""
        return f"{self.host}:{self.pid}:{self.started_at:.3f}"

    @classmethod
    def here(cls) -> Owner:
        """Return the Owner of this process (the same one on every call, a new one in a
        forked child)."""
        pid = os.getpid()
        if pid not in cls._here:
            cls._here[pid] = cls(socket.gethostname(), pid, round(time.time(), 3))
        return cls._here[pid]


@dataclass(frozen=True)
class Claim:
    """A worker's hold on one attempt of a run: what every fenced write carries."""

    run_id: int
    attempt: int
    owner: str
    """The ``Owner.label`` of the worker."""


@dataclass(frozen=True)
class RunEvent:
    """An attempt of a run beginning or ending: one of ``EVENT_KINDS``."""

    run_id: int
    attempt: int
    episode: int
    """The run's episodes when it happened (``resumed``: the checkpoint it continues from)."""
    kind: str
    at: datetime
    detail: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return the event as JSON-safe data (``at`` in ISO 8601)."""
        return {**asdict(self), "at": self.at.isoformat()}


@dataclass(frozen=True)
class Series:
    """A decimated window of one metric: one entry per bucket of ``bucket`` episodes.

    Bucket ``i`` holds the episodes ``e`` of the window with ``(e - 1) // bucket == k_i``;
    ``episode[i]`` is the first episode of the window in that bucket.
    """

    metric: str
    start: int
    end: int
    bucket: int
    episode: list[int] = field(default_factory=list)
    mean: list[float] = field(default_factory=list)
    min: list[float] = field(default_factory=list)
    max: list[float] = field(default_factory=list)
    count: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the HTTP shape: metric, start, end, bucket and the five lists."""
        return asdict(self)


@dataclass(frozen=True)
class ParamChange:
    """A requested hyperparameter change and, once applied, the episode it took effect at."""

    id: int
    run_id: int
    param: str
    old_value: Any
    new_value: Any
    source: str
    requested_at: datetime
    applied_episode: int | None
    applied_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """Return the change as JSON-safe data."""
        return _with_iso_times(self)


@dataclass(frozen=True)
class CheckpointInfo:
    """A checkpoint without its Q-table."""

    episode: int
    created_at: datetime
    evaluation: dict[str, float] | None
    name: str | None = None
    """The name people gave it (None: a periodic checkpoint)."""

    def to_dict(self) -> dict[str, Any]:
        """Return the checkpoint's metadata as JSON-safe data (with ``name`` when it has
        one: an unnamed checkpoint reads as it did before checkpoints had names)."""
        data = {
            "episode": self.episode,
            "created_at": self.created_at.isoformat(),
            "evaluation": self.evaluation,
        }
        return data if self.name is None else {**data, "name": self.name}


@dataclass(frozen=True)
class Checkpoint:
    """A saved agent: Q-table, agent state and evaluation figures."""

    episode: int
    q: np.ndarray
    agent_state: dict[str, Any]
    evaluation: dict[str, float] | None
    created_at: datetime
    name: str | None = None
    """The name people gave it (None: a periodic checkpoint)."""


@dataclass(frozen=True)
class Control:
    """What a worker reads between episodes."""

    requested_status: str | None
    pending_params: int
    checkpoint_request: str | None = None
    """The name of a checkpoint to save now (None: none asked)."""


@dataclass(frozen=True)
class EpisodeRecord:
    """One stored episode: its number, metrics and how often it took each action.

    The attributes are ``EPISODE_FIELDS`` in that order, except that ``return`` (a Python
    keyword) is spelled ``return_``.
    """

    episode: int
    return_: float
    length: int
    success: bool
    epsilon: float
    alpha: float
    gamma: float
    mean_q: float
    max_q: float
    mean_abs_td: float
    env_steps: int
    wall_time: float
    action_counts: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the episode as JSON-safe data keyed by ``EPISODE_FIELDS`` (``"return"``,
        action counts as a list)."""
        data = dict(zip(EPISODE_FIELDS, vars(self).values(), strict=True))  # in field order
        data["action_counts"] = list(self.action_counts)
        return data


@dataclass(frozen=True)
class RunSummary:
    """Recent figures of a run; every field but ``episodes`` is None while it has none."""

    episodes: int
    """Episodes done."""
    recent_return: float | None = None
    """Mean return of the last ``window`` episodes."""
    best_return: float | None = None
    """Best mean return of any full 100-episode block, or the recent mean if higher."""
    recent_success: float | None = None
    """Success rate of the last ``window`` episodes (0 to 1)."""
    recent_length: float | None = None
    """Mean length of the last ``window`` episodes."""
    action_share: tuple[float, ...] | None = None
    """Share of each action in the last ``window`` episodes (they add up to 1)."""
    epsilon: float | None = None
    """The last episode's exploration rate; the four below are also the last episode's."""
    alpha: float | None = None
    mean_q: float | None = None
    max_q: float | None = None
    mean_abs_td: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-safe data: every field, ``action_share`` as a list."""
        data = asdict(self)
        if self.action_share is not None:
            data["action_share"] = list(self.action_share)
        return data
