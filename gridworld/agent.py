"""Tabular Q-learning with epsilon-greedy exploration and its own random generator."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .hyperparams import Hyperparams

BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
"""numpy bit generators whose saved state ``load_state_dict`` restores."""


class NonFiniteQError(FloatingPointError):
    """A Q-learning update produced NaN or an infinity; the table keeps its previous value."""

    def __init__(self, episode: int, state: int, action: int, value: float) -> None:
        self.episode = episode
        self.state = state
        self.action = action
        self.value = value
        super().__init__(
            f"non-finite Q-value {value!r} at episode {episode}, state {state}, action {action}"
        )


class QLearningAgent:
    """Learns Q(s, a) with the textbook update
    ``Q(s,a) += alpha * (r + gamma * max_a' Q(s',a') - Q(s,a))`` (no bootstrap at a terminal).

    The table lives in Python lists while training (short rows are faster to read and write
    there than through numpy scalars); ``q`` and ``state_dict()`` give it as an array.
    All randomness (exploration, tie-breaks, and the env seeds ``run_episode`` draws) comes
    from the agent's own ``rng``. A uniform choice among ``n`` is ``int(rng.random() * n)``:
    one draw, three times faster than ``rng.integers(n)``.
    """

    def __init__(
        self,
        n_states: int,
        n_actions: int,
        hyperparams: Hyperparams | None = None,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        """Start with a zero table.

        Args:
            n_states: number of discrete states.
            n_actions: number of discrete actions.
            hyperparams: the learning settings (defaults when None).
            seed: a seed or a generator for the agent's random choices.
        """
        self.n_states = int(n_states)
        self.n_actions = int(n_actions)
        self.hyperparams = hyperparams or Hyperparams()
        self._gamma = self.hyperparams.gamma
        self.epsilon = self.hyperparams.epsilon
        self.alpha = self.hyperparams.alpha
        self.episode = 0
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self._table = [[0.0] * n_actions for _ in range(n_states)]

    @property
    def q(self) -> np.ndarray:
        """Return a copy of the Q-table as a float64 array [states, actions].

        Returns:
            A new array; writing to it does not change the agent (use ``load_state_dict``).
        """
        return np.array(self._table, dtype=np.float64)

    def greedy_action(self, state: int) -> int:
        """Return the action with the highest Q-value in ``state``, ties broken at random.

        Returns:
            The action.
        """
        row = self._table[state]
        best = max(row)
        if row.count(best) == 1:
            return row.index(best)
        ties = [a for a, value in enumerate(row) if value == best]
        return ties[int(self.rng.random() * len(ties))]

    def act(self, state: int) -> int:
        """Return an epsilon-greedy action for ``state``.

        Returns:
            A uniformly random action with probability ``epsilon``, else the greedy one.
        """
        if self.rng.random() < self.epsilon:
            return int(self.rng.random() * self.n_actions)
        return self.greedy_action(state)

    def greedy_policy(self) -> np.ndarray:
        """Return the greedy action of every state (first maximum; no randomness).

        Returns:
            An int array with one action per state.
        """
        return np.argmax(self.q, axis=1)

    def update(
        self, state: int, action: int, reward: float, next_state: int, terminated: bool
    ) -> float:
        """Apply one Q-learning update.

        ``Q(s,a) += alpha * (r + gamma * max_a' Q(s',a') - Q(s,a))``, with no bootstrap when
        the step terminated the episode (a truncated step still bootstraps).

        Args:
            state: the state acted in.
            action: the action taken.
            reward: the reward received.
            next_state: the state reached.
            terminated: whether ``next_state`` ends the episode.

        Returns:
            The TD error ``target - Q(s,a)`` before the update.

        Raises:
            NonFiniteQError: the new value would be NaN or infinite (the table is unchanged).
        """
        row = self._table[state]
        target = reward if terminated else reward + self._gamma * max(self._table[next_state])
        td_error = target - row[action]
        value = row[action] + self.alpha * td_error
        if not math.isfinite(value):
            raise NonFiniteQError(self.episode + 1, state, action, value)
        row[action] = value
        return td_error

    def end_episode(self) -> None:
        """Count the episode and decay epsilon and alpha toward their floors."""
        hp = self.hyperparams
        self.episode += 1
        self.epsilon = max(hp.epsilon_min, self.epsilon * hp.epsilon_decay)
        self.alpha = max(hp.alpha_min, self.alpha * hp.alpha_decay)

    def set_hyperparams(self, hyperparams: Hyperparams) -> None:
        """Switch to new hyperparameters from the next step on.

        A changed ``epsilon`` or ``alpha`` replaces the decayed current value; the current
        values are then kept within the (possibly new) floors.
        """
        old = self.hyperparams
        self.hyperparams = hyperparams
        self._gamma = hyperparams.gamma
        if hyperparams.epsilon != old.epsilon:
            self.epsilon = hyperparams.epsilon
        if hyperparams.alpha != old.alpha:
            self.alpha = hyperparams.alpha
        self.epsilon = max(hyperparams.epsilon_min, self.epsilon)
        self.alpha = max(hyperparams.alpha_min, self.alpha)

    def table_stats(self) -> tuple[float, float]:
        """Return the mean and the maximum of all Q-values.

        Returns:
            (mean, max) as floats.
        """
        total = sum(map(sum, self._table))
        return total / (self.n_states * self.n_actions), max(map(max, self._table))

    def state_dict(self) -> dict[str, Any]:
        """Return everything needed to continue exactly: Q, epsilon, alpha, episode, RNG state.

        Returns:
            ``q`` (a float64 array) and JSON-safe ``epsilon``, ``alpha``, ``episode``,
            ``hyperparams`` and ``rng`` (the bit generator's state).
        """
        return {
            "q": self.q,
            "epsilon": self.epsilon,
            "alpha": self.alpha,
            "episode": self.episode,
            "hyperparams": self.hyperparams.to_dict(),
            "rng": self.rng.bit_generator.state,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned; the agent then continues bit-identically.

        Args:
            state: a ``state_dict()`` (its ``q`` may be any array-like, e.g. nested lists).

        Raises:
            ValueError: the Q-table's shape does not match this agent, or the RNG state names
                an unknown bit generator.
        """
        q = np.asarray(state["q"], dtype=np.float64)
        if q.shape != (self.n_states, self.n_actions):
            raise ValueError(
                f"Q-table shape {q.shape} does not match ({self.n_states}, {self.n_actions})"
            )
        self._table = q.tolist()
        self.epsilon = float(state["epsilon"])
        self.alpha = float(state["alpha"])
        self.episode = int(state["episode"])
        if "hyperparams" in state:
            self.hyperparams = Hyperparams(**state["hyperparams"])
            self._gamma = self.hyperparams.gamma
        name = state["rng"]["bit_generator"]
        if name not in BIT_GENERATORS:
            raise ValueError(
                f"unknown bit generator {name!r}; allowed: {', '.join(BIT_GENERATORS)}"
            )
        bit_generator = getattr(np.random, name)()
        bit_generator.state = state["rng"]
        self.rng = np.random.Generator(bit_generator)
