"""Double Q-learning (Sutton & Barto, 2nd ed., section 6.7): two tables, one chosen at
random per step learns, evaluated by the other."""

from __future__ import annotations

from collections.abc import Mapping
from math import isfinite
from typing import Any

import numpy as np

from .base import NonFiniteQError, TabularAgent


class DoubleQAgent(TabularAgent):
    """Two tables Q1 and Q2; the agent acts epsilon-greedily on Q1 + Q2.

    Each update first draws a coin (one ``rng.random()``): below 0.5, Q1 learns,
    ``Q1(S,A) += alpha * (R + gamma * Q2(S', argmax_a Q1(S',a)) - Q1(S,A))``; otherwise the
    same with Q1 and Q2 swapped. No bootstrap at a terminal (the coin is still drawn). A tie
    in the argmax is broken at random, as acting breaks one (a second draw, only then).

    The base's table (and its cached row sums and maxima) holds Q1 + Q2, so acting and the
    caches are the base's. What the agent shows is the mean of the two tables: ``q`` is
    (Q1 + Q2) / 2 (halving is exact, so its greedy actions and ties are those the agent acts
    on, and its values are on Q's scale), and so are ``table_stats``, the checkpoints'
    tables and the policy pages. ``state_dict`` holds both tables as well, as ``q1`` and
    ``q2``, so that a resumed agent continues exactly.
    """

    algorithm = "double_q"
    label = "Double Q-learning"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Start with two zero tables (arguments as ``TabularAgent``)."""
        super().__init__(*args, **kwargs)
        self._q1 = [[0.0] * self.n_actions for _ in range(self.n_states)]
        self._q2 = [[0.0] * self.n_actions for _ in range(self.n_states)]

    @property
    def q(self) -> np.ndarray:
        """Return (Q1 + Q2) / 2 as a new float64 array [states, actions]."""
        return np.array(self._table, dtype=np.float64) / 2.0

    @property
    def tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Return copies of Q1 and Q2 as float64 arrays."""
        return np.array(self._q1, dtype=np.float64), np.array(self._q2, dtype=np.float64)

    def update(
        self,
        state: int,
        action: int,
        reward: float,
        next_state: int,
        terminated: bool,
        next_action: int | None = None,
    ) -> float:
        """Apply one Double Q-learning update to Q1 or Q2 (``next_action`` is not used).

        Returns:
            The TD error of the table that learned, before its update.

        Raises:
            NonFiniteQError: Q1 + Q2 would become NaN or infinite there (nothing changes);
                its value is the mean of the two, as ``q`` shows it.
        """
        learner, judge = (self._q1, self._q2) if self.rng.random() < 0.5 else (self._q2, self._q1)
        target = reward
        if not terminated:
            ahead = learner[next_state]
            best = max(ahead)
            pick = ahead.index(best) if ahead.count(best) == 1 else self._tie_break(ahead, best)
            target += self._gamma * judge[next_state][pick]
        row = learner[state]
        td_error = target - row[action]
        value = row[action] + self.alpha * td_error
        total = value + judge[state][action]  # the same float as Q1 + Q2 (addition commutes)
        if not isfinite(total):
            raise NonFiniteQError(self.episode + 1, state, action, total / 2.0)
        row[action] = value
        sums = self._table[state]
        old = sums[action]
        sums[action] = total
        if not total == old != 0.0:
            self._refresh(state, sums, old, total)
        return td_error

    def table_stats(self) -> tuple[float, float]:
        """Return the mean and the maximum of ``q`` ((Q1 + Q2) / 2).

        Returns:
            (mean, max) as floats.
        """
        mean, top = super().table_stats()
        return mean / 2.0, top / 2.0

    def state_dict(self) -> dict[str, Any]:
        """Return the base's state (``q`` is (Q1 + Q2) / 2) with both tables as nested lists.

        Returns:
            ``TabularAgent.state_dict()`` plus JSON-safe ``q1`` and ``q2``.
        """
        return {
            **super().state_dict(),
            "q1": [row[:] for row in self._q1],
            "q2": [row[:] for row in self._q2],
        }

    def _load_tables(self, state: Mapping[str, Any]) -> None:
        """Set Q1 and Q2 from ``state["q1"]`` and ``state["q2"]``, and their sum.

        Raises:
            ValueError: either table is missing or has another shape.
        """
        if "q1" not in state or "q2" not in state:
            raise ValueError("a Double Q-learning state holds both tables, q1 and q2")
        q1, q2 = self._checked_table(state["q1"]), self._checked_table(state["q2"])
        self._q1, self._q2 = q1.tolist(), q2.tolist()
        self._table = (q1 + q2).tolist()
