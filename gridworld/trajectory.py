"""Trajectories: which episodes a run records step by step, and the steps of one episode.

A run records every step (state, action, reward, next state, epsilon, the Q-values of the
state, TD error) of a few of its episodes, chosen by ``RecordPolicy`` from the episode's
number alone, so a resumed run records what an uninterrupted one does:

- ``first``: the run's first ``first`` episodes (a fork's own first ones);
- ``every``: every ``stride``-th episode, the stride ``every`` or, for a run longer than
  ``every * max_every`` episodes, the multiple of ``every`` that keeps it to ``max_every``;
- ``last``: the last ``last`` episodes of every ``window`` episodes and of the run; the
  store keeps those among the run's newest ``last`` trajectories only (a ring), so while a
  run trains its most recent ones are at hand and once it ends they are its last episodes.

An episode that is more than one kind is the first of them in that order. Each trajectory
holds at most ``max_steps`` steps (the episode's length is kept beside them), so a run
stores at most ``first + max_every + last`` trajectories of at most ``max_steps`` steps.
The loops (``TabularAgent.play`` with a ``StepLog``, and the compiled kernel) write the
steps; nothing here touches storage.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

import numpy as np

TRAJECTORY_KINDS = ("first", "every", "last")
"""Why an episode was recorded, in precedence order."""
STEP_COLUMNS = ("state", "action", "reward", "next_state", "epsilon", "td_error", "q")
"""A trajectory's columns: one value per step (``q``: one row of Q-values per step)."""
INT_COLUMNS = ("state", "action", "next_state")
"""The integer columns (the others are float64)."""
MAX_STEPS = 1000
"""Steps a trajectory keeps by default (an episode's first ones)."""


@dataclass(frozen=True)
class Trajectory:
    """The recorded steps of one episode, column by column.

    ``columns`` holds every ``STEP_COLUMNS`` name: int64 ``state``, ``action`` and
    ``next_state``, float64 ``reward``, ``epsilon``, ``td_error`` (one per step) and ``q``
    [steps, actions]: Q(state, ·) when the action was chosen, before the step's update
    (Double Q-learning's (Q1 + Q2) / 2, as its ``q`` shows it).
    """

    length: int
    """The episode's steps; more than the columns hold when it passed ``max_steps``."""
    columns: dict[str, np.ndarray]

    @property
    def steps(self) -> int:
        """Return how many steps the columns hold."""
        return len(self.columns["state"])


class StepsWanted(NamedTuple):
    """Which episodes of a chunk keep their steps, and how many steps each keeps."""

    indexes: Collection[int] = ()
    """Indexes in the chunk (0: its first episode)."""
    max_steps: int = MAX_STEPS
    """The most steps kept per episode (its first ones)."""


NO_STEPS = StepsWanted()
"""A chunk that records nothing."""


class StepLog:
    """Collects one episode's steps as ``TabularAgent.play`` takes them (at most ``limit``)."""

    def __init__(self, limit: int) -> None:
        """Keep at most ``limit`` steps (the rest are counted by the episode, not kept)."""
        self.limit = limit
        self.rows: list[tuple[int, int, float, int, float, list[float]]] = []

    def add(
        self,
        state: int,
        action: int,
        reward: float,
        next_state: int,
        td_error: float,
        q: list[float],
    ) -> None:
        """Keep one step (nothing once ``limit`` steps are kept); ``q`` is Q(state, ·)
        before the step's update."""
        if len(self.rows) < self.limit:
            self.rows.append((state, action, reward, next_state, td_error, q))

    def trajectory(self, length: int, epsilon: float) -> Trajectory:
        """Return the steps kept as a ``Trajectory`` of an episode of ``length`` steps
        played at ``epsilon``.

        Returns:
            The trajectory.
        """
        state, action, reward, next_state, td_error, q = zip(*self.rows, strict=True)
        return Trajectory(
            length,
            {
                "state": np.array(state, np.int64),
                "action": np.array(action, np.int64),
                "reward": np.array(reward, np.float64),
                "next_state": np.array(next_state, np.int64),
                "epsilon": np.full(len(state), epsilon),
                "td_error": np.array(td_error, np.float64),
                "q": np.array(q, np.float64),
            },
        )


@dataclass(frozen=True)
class RecordPolicy:
    """Which episodes a run records (see the module docstring); the defaults are gridlab's."""

    first: int = 10
    """The run's first this many episodes."""
    every: int = 1000
    """Every this-many-th episode..."""
    max_every: int = 100
    """...at most this many per run (a longer run takes a multiple of ``every``)."""
    last: int = 20
    """The last this many episodes of every ``window`` and of the run: the ring's size."""
    window: int = 1000
    """Episodes per window whose last ``last`` are recorded."""
    max_steps: int = MAX_STEPS
    """Steps kept per trajectory."""

    def __post_init__(self) -> None:
        """Refuse settings that are not whole numbers ≥ 1 (``last`` at most ``window``).

        Raises:
            ValueError: a setting that is not.
        """
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{field.name}={value!r}: expected a whole number >= 1")
        if self.last > self.window:
            raise ValueError(f"last={self.last} exceeds window={self.window}")

    @property
    def bound(self) -> int:
        """Return the most trajectories a run stores: ``first + max_every + last``."""
        return self.first + self.max_every + self.last

    def stride(self, origin: int, target: int) -> int:
        """Return the stride of ``every`` for a run whose episodes are origin+1..target.

        Returns:
            The smallest multiple of ``every`` with at most ``max_every`` multiples in that
            span (any stride up to ``span / (max_every + 1)`` has more: the search starts
            there).
        """
        span = max(target - origin, 0)
        stride = max(1, span // (self.every * (self.max_every + 1))) * self.every
        while target // stride - origin // stride > self.max_every:
            stride += self.every
        return stride

    def chosen(self, origin: int, target: int, start: int, count: int) -> dict[int, str]:
        """Return which of episodes ``start .. start + count - 1`` a run records.

        Args:
            origin: the episode before the run's own first (0, or a fork's fork episode).
            target: the run's last episode.
            start: the first episode of the chunk.
            count: how many episodes the chunk plays.

        Returns:
            Index in the chunk (0 for ``start``) to kind (``TRAJECTORY_KINDS``), in order.
        """
        low, high = max(start, origin + 1), min(start + count - 1, target)
        found: dict[int, str] = {}
        window, last = self.window, self.last
        for end in (*range(-(-low // window) * window, high + window, window), target):
            tail = range(max(end - last + 1, low), min(end, high) + 1)
            found.update(dict.fromkeys(tail, "last"))
        stride = self.stride(origin, target)
        found.update(dict.fromkeys(range(-(-low // stride) * stride, high + 1, stride), "every"))
        found.update(dict.fromkeys(range(low, min(origin + self.first, high) + 1), "first"))
        return {episode - start: found[episode] for episode in sorted(found)}

    def describe(self, origin: int, target: int) -> dict[str, Any]:
        """Return the policy as a run's pages and routes show it.

        Returns:
            The settings, this run's stride and the bound, JSON-safe.
        """
        return {
            "first": self.first,
            "every": self.stride(origin, target),
            "last": self.last,
            "window": self.window,
            "max_steps": self.max_steps,
            "max_trajectories": self.bound,
        }


DEFAULT_POLICY = RecordPolicy()
"""What every run records."""
