"""Q-learning (Sutton & Barto, 2nd ed., section 6.5): off-policy TD control."""

from __future__ import annotations

from collections.abc import Callable
from math import isfinite
from typing import Any

from ..trajectory import StepLog
from .base import Episode, NonFiniteQError, TabularAgent


class QLearningAgent(TabularAgent):
    """``Q(S,A) += alpha * (R + gamma * max_a Q(S',a) - Q(S,A))``; no bootstrap at a terminal.

    The loop is the textbook's: choose A from S (epsilon-greedy), take it, update, repeat.
    """

    algorithm = "q_learning"
    label = "Q-learning"

    def _bootstrap(self, next_state: int, next_action: int | None) -> float:
        """Return ``max_a Q(S',a)`` (``next_action`` is not used)."""
        return self._row_max[next_state]

    def play(
        self, step: Callable[[int], tuple[Any, ...]], state: int, log: StepLog | None = None
    ) -> Episode:
        """Act and learn from ``state`` until ``step`` ends the episode.

        Exactly ``action = act(state)``, ``step(action)``, ``update(...)`` repeated (the same
        random draws in the same order, the same arithmetic), with the per-step calls
        inlined: this loop is where training spends its time. An episode with a ``log``
        plays the base's loop, which keeps its steps.

        Args:
            step: a gymnasium env's ``step``: action to (state, reward, terminated,
                truncated, info).
            state: the state the episode starts in.
            log: where to keep every step (``TabularAgent.play``), or None.

        Returns:
            The episode's figures (see ``gridworld.agents.base.Episode``).

        Raises:
            NonFiniteQError: an update would make a Q-value NaN or infinite (that value is
                not stored).
        """
        if log is not None:
            return super().play(step, state, log)
        random, epsilon, alpha, gamma = self.rng.random, self.epsilon, self.alpha, self._gamma
        table, row_max, n_actions = self._table, self._row_max, self.n_actions
        refresh = self._refresh
        counts = [0] * n_actions
        total = abs_td = reward = 0.0
        terminated = truncated = False
        info: dict[str, Any] = {}
        while not (terminated or truncated):
            row = table[state]
            if random() < epsilon:  # act
                action = int(random() * n_actions)
            else:
                best = row_max[state]
                action = row.index(best) if row.count(best) == 1 else self._tie_break(row, best)
            next_state, reward, terminated, truncated, info = step(action)
            old = row[action]  # update
            target = reward if terminated else reward + gamma * row_max[next_state]
            td_error = target - old
            value = old + alpha * td_error
            if not isfinite(value):
                raise NonFiniteQError(self.episode + 1, state, action, value)
            row[action] = value
            if not value == old != 0.0:
                refresh(state, row, old, value)
            abs_td += abs(td_error)
            total += reward
            counts[action] += 1
            state = next_state
        return total, abs_td, counts, reward, terminated, truncated, info
