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
        zeros = [[0.0] * self.n_actions for _ in range(self.n_states)]
        self._tables = (zeros, [row[:] for row in zeros])
        self._learning = 0
        """Which table the current update teaches: 0 for Q1, 1 for Q2."""

    @property
    def q(self) -> np.ndarray:
        """Return (Q1 + Q2) / 2 as a new float64 array [states, actions]."""
        return np.array(self._table, dtype=np.float64) / 2.0

    def shown_row(self, state: int) -> list[float]:
        """Return (Q1 + Q2)(state, ·) / 2, the row of ``q``.

        Returns:
            The row's values.
        """
        return [value / 2.0 for value in self._table[state]]

    @property
    def tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Return copies of Q1 and Q2 as float64 arrays."""
        first, second = (np.array(table, dtype=np.float64) for table in self._tables)
        return first, second

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
        self._learning = 0 if self.rng.random() < 0.5 else 1
        target = reward
        if not terminated:
            target += self._gamma * self._bootstrap(next_state, next_action)
        row = self._tables[self._learning][state]
        td_error = target - row[action]
        value = row[action] + self.alpha * td_error
        total = value + self._tables[1 - self._learning][state][action]  # (addition commutes)
        if not isfinite(total):
            raise NonFiniteQError(self.episode + 1, state, action, total / 2.0)
        row[action] = value
        sums = self._table[state]
        old = sums[action]
        sums[action] = total
        if not total == old != 0.0:
            self._refresh(state, sums, old, total)
        return td_error

    def _bootstrap(self, next_state: int, next_action: int | None) -> float:
        """Return the other table's value of the learning table's greedy action in S'
        (``next_action`` is not used)."""
        ahead = self._tables[self._learning][next_state]
        return self._tables[1 - self._learning][next_state][self._argmax(ahead, max(ahead))]

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
        first, second = ([row[:] for row in table] for table in self._tables)
        return {**super().state_dict(), "q1": first, "q2": second}

    def _load_tables(self, state: Mapping[str, Any]) -> None:
        """Set Q1 and Q2 from ``state["q1"]`` and ``state["q2"]``, and their sum.

        Raises:
            ValueError: either table is missing or has another shape.
        """
        if "q1" not in state or "q2" not in state:
            raise ValueError("a Double Q-learning state holds both tables, q1 and q2")
        first, second = self._checked_table(state["q1"]), self._checked_table(state["q2"])
        self._tables = (first.tolist(), second.tolist())
        self._table = (first + second).tolist()
