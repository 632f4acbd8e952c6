"""What every tabular agent shares: the Q-table and its caches, epsilon-greedy acting with
random tie-breaks, the schedules, the episode loop and the exact checkpoint round trip.

Each algorithm (``q_learning``, ``sarsa``, ``expected_sarsa``, ``double_q``) is a subclass
that writes only what its update bootstraps on (Double Q-learning, with two tables, its whole
update) and, where it differs, the order of acting and updating.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from math import isfinite
from typing import Any, ClassVar

import numpy as np

from ..hyperparams import Hyperparams
from ..trajectory import StepLog

BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
"""numpy bit generators whose saved state ``generator_from_state`` restores."""

Episode = tuple[float, float, list[int], float, bool, bool, dict[str, Any]]
"""What ``play`` returns: (sum of rewards, sum of absolute TD errors, how often each action
was taken, the last reward, terminated, truncated, the last step's info)."""


def generator_from_state(state: Mapping[str, Any]) -> np.random.Generator:
    """Return a numpy generator in exactly a saved state.

    Args:
        state: a ``bit_generator.state`` dict, as saved in a checkpoint.

    Returns:
        A new ``np.random.Generator`` that continues where the saved one stopped.

    Raises:
        ValueError: the state names a bit generator outside ``BIT_GENERATORS``.
    """
    name = state["bit_generator"]
    if name not in BIT_GENERATORS:
        raise ValueError(f"unknown bit generator {name!r}; allowed: {', '.join(BIT_GENERATORS)}")
    bit_generator = getattr(np.random, name)()
    bit_generator.state = dict(state)
    return np.random.Generator(bit_generator)


class NonFiniteQError(FloatingPointError):
    """An update produced NaN or an infinity; the table keeps its previous value."""

    def __init__(self, episode: int, state: int, action: int, value: float) -> None:
        self.episode = episode
        self.state = state
        self.action = action
        self.value = value
        super().__init__(
            f"non-finite Q-value {value!r} at episode {episode}, state {state}, action {action}"
        )


class TabularAgent(ABC):
    """A learner of Q(s, a) in a table, acting epsilon-greedily on it.

    The table lives in Python lists while training (short rows are faster to read and write
    there than through numpy scalars); ``q`` and ``state_dict()`` give it as an array.
    All randomness (exploration, tie-breaks, and the env seeds ``run_episode`` draws) comes
    from the agent's own ``rng``. A uniform choice among ``n`` is ``int(rng.random() * n)``:
    one draw, three times faster than ``rng.integers(n)``.

    Every row's sum and maximum, and the table's maximum, are cached: the greedy choice and
    the bootstrap read a row's maximum without scanning the row, and ``table_stats`` does not
    scan the table. The caches always hold exactly the floats ``sum(row)``, ``max(row)`` and
    ``max(map(max, table))`` would return (see ``_refresh``), so nothing differs from
    computing them afresh.
    """

    algorithm: ClassVar[str]
    """The name runs store (``gridworld.agents.ALGORITHMS``)."""
    label: ClassVar[str]
    """The name pages show."""

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
        self._rebuild_caches()

    def _rebuild_caches(self) -> None:
        """Compute the cached row sums, row maxima and table maximum from the table."""
        self._row_sum = [sum(row) for row in self._table]
        self._row_max = [max(row) for row in self._table]
        self._max = max(self._row_max)

    @property
    def q(self) -> np.ndarray:
        """Return a copy of the Q-table the agent acts on, as a float64 array [states, actions].

        Returns:
            A new array; writing to it does not change the agent (use ``load_state_dict``).
        """
        return np.array(self._table, dtype=np.float64)

    def greedy_action(self, state: int) -> int:
        """Return the action with the highest Q-value in ``state``, ties broken at random.

        Returns:
            The action.
        """
        return self._argmax(self._table[state], self._row_max[state])

    def _argmax(self, row: list[float], best: float) -> int:
        """Return the action of ``row`` whose value is ``best`` (its maximum), a tie broken
        at random (one draw, only then)."""
        if row.count(best) == 1:
            return row.index(best)
        return self._tie_break(row, best)

    def _tie_break(self, row: list[float], best: float) -> int:
        """Return one of the actions whose value equals ``best``, uniformly at random."""
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

    def update(
        self,
        state: int,
        action: int,
        reward: float,
        next_state: int,
        terminated: bool,
        next_action: int | None = None,
    ) -> float:
        """Apply the algorithm's update for one step:
        ``Q(S,A) += alpha * (R + gamma * v(S') - Q(S,A))``, ``v`` its ``_bootstrap``; the
        target is R alone when the step terminated (a truncated step still bootstraps).

        Args:
            state: S, the state acted in.
            action: A, the action taken.
            reward: R, the reward received.
            next_state: S', the state reached.
            terminated: whether S' ends the episode (then ``next_action`` is not used).
            next_action: A', the action chosen in S' (SARSA's; the others ignore it).

        Returns:
            The TD error ``target - Q(S,A)`` before the update.

        Raises:
            NonFiniteQError: the new value would be NaN or infinite (the table is unchanged).
        """
        target = reward
        if not terminated:
            target += self._gamma * self._bootstrap(next_state, next_action)
        row = self._table[state]
        old = row[action]
        td_error = target - old
        value = old + self.alpha * td_error
        if not isfinite(value):
            raise NonFiniteQError(self.episode + 1, state, action, value)
        row[action] = value
        if not value == old != 0.0:  # else the same float: nothing to refresh
            self._refresh(state, row, old, value)
        return td_error

    @abstractmethod
    def _bootstrap(self, next_state: int, next_action: int | None) -> float:
        """Return the algorithm's value of S' (never asked at a terminal).

        Raises:
            ValueError: the algorithm needs ``next_action`` and none was given.
        """

    def learn(
        self,
        state: int,
        action: int,
        reward: float,
        next_state: int,
        terminated: bool,
        truncated: bool,
    ) -> tuple[float, int | None]:
        """Learn from one step and choose the next action, in the algorithm's textbook order.

        Here (off-policy, and Expected SARSA): ``update``, then ``act`` in ``next_state``
        unless the episode ended. SARSA chooses first (see ``SarsaAgent.learn``).

        Returns:
            (the TD error, the next action or None when the episode ended).

        Raises:
            NonFiniteQError: the update would make a Q-value NaN or infinite.
        """
        td_error = self.update(state, action, reward, next_state, terminated)
        return td_error, None if terminated or truncated else self.act(next_state)

    def play(
        self, step: Callable[[int], tuple[Any, ...]], state: int, log: StepLog | None = None
    ) -> Episode:
        """Act and learn from ``state`` until ``step`` ends the episode.

        Exactly ``act(state)``, then ``step(action)`` and ``learn(...)`` repeated: the
        algorithm's ``act`` and ``update`` in its textbook order.

        Args:
            step: a gymnasium env's ``step``: action to (state, reward, terminated,
                truncated, info).
            state: the state the episode starts in.
            log: where to keep every step (with Q(state, ·) as ``shown_row`` gives it
                before the step's update, and the TD error), or None.

        Returns:
            The episode's figures (see ``Episode``).

        Raises:
            NonFiniteQError: an update would make a Q-value NaN or infinite (that value is
                not stored).
        """
        learn = self.learn
        counts = [0] * self.n_actions
        total = abs_td = reward = 0.0
        terminated = truncated = False
        info: dict[str, Any] = {}
        action: int | None = self.act(state)
        while action is not None:
            next_state, reward, terminated, truncated, info = step(action)
            shown = None if log is None else self.shown_row(state)
            td_error, next_action = learn(state, action, reward, next_state, terminated, truncated)
            if shown is not None and log is not None:
                log.add(state, action, reward, next_state, td_error, shown)
            abs_td += abs(td_error)
            total += reward
            counts[action] += 1
            state, action = next_state, next_action
        return total, abs_td, counts, reward, terminated, truncated, info

    def shown_row(self, state: int) -> list[float]:
        """Return a copy of Q(state, ·) as ``q`` shows it.

        Returns:
            The row's values.
        """
        return self._table[state][:]

    def _refresh(self, state: int, row: list[float], old: float, value: float) -> None:
        """Update the caches after row ``state``'s entry ``old`` became ``value``.

        Callers skip this when ``value == old != 0.0``: equal nonzero floats are the same
        float, so the row and every cache are unchanged. A maximum only changes when the
        changed entry was or becomes one: it is kept if both the old and the new entry lie
        strictly below it, or the new one equals it (nonzero: 0.0 and -0.0 compare equal, and
        which of them max() returns depends on their order); it becomes an entry strictly above
        it; otherwise it is recomputed. The table's maximum follows the row maxima by the same
        rules. Every comparison with NaN (a loaded table may hold it) is False, so NaN always
        takes the recomputing path.
        """
        self._row_sum[state] = sum(row)
        row_max = self._row_max
        best = row_max[state]
        if value > best:
            new = value
        elif value == best != 0.0 or (value < best and old < best):
            return
        else:
            new = max(row)
        row_max[state] = new
        top = self._max
        if new > top:
            self._max = new
        elif not (new == top != 0.0 or (new < top and best < top)):
            self._max = max(row_max)

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
        """Return the mean and the maximum of all the values of ``q``.

        Returns:
            (mean, max) as floats.
        """
        return sum(self._row_sum) / (self.n_states * self.n_actions), self._max

    def state_dict(self) -> dict[str, Any]:
        """Return everything needed to continue exactly: Q, epsilon, alpha, episode, RNG state.

        Returns:
            ``q`` (a float64 array) and JSON-safe ``algorithm``, ``epsilon``, ``alpha``,
            ``episode``, ``hyperparams`` and ``rng`` (the bit generator's state).
        """
        return {
            "q": self.q,
            "algorithm": self.algorithm,
            "epsilon": self.epsilon,
            "alpha": self.alpha,
            "episode": self.episode,
            "hyperparams": self.hyperparams.to_dict(),
            "rng": self.rng.bit_generator.state,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what ``state_dict`` returned; the agent then continues bit-identically.

        Args:
            state: a ``state_dict()`` (its tables may be any array-likes, e.g. nested
                lists); one without ``algorithm`` (saved before agents named theirs) is
                taken as this agent's.

        Raises:
            ValueError: the state is another algorithm's, a table's shape does not match
                this agent, or the RNG state names an unknown bit generator.
        """
        algorithm = state.get("algorithm", self.algorithm)
        if algorithm != self.algorithm:
            raise ValueError(f"a {algorithm!r} agent's state cannot load into {self.algorithm!r}")
        self.load_learned(state)
        if "hyperparams" in state:
            self.hyperparams = Hyperparams(**state["hyperparams"])
            self._gamma = self.hyperparams.gamma
        self.rng = generator_from_state(state["rng"])

    def load_learned(self, state: Mapping[str, Any]) -> None:
        """Take what episodes played elsewhere (the compiled kernel) learned from this
        agent's state: its tables (as ``state_dict`` names them), ``epsilon``, ``alpha`` and
        ``episode``; the hyperparameters and the generator (advanced in place) stay.

        Raises:
            ValueError: a table's shape does not match this agent.
        """
        self._load_tables(state)
        self._rebuild_caches()
        self.epsilon = float(state["epsilon"])
        self.alpha = float(state["alpha"])
        self.episode = int(state["episode"])

    def _load_tables(self, state: Mapping[str, Any]) -> None:
        """Set the table from ``state["q"]`` (the caches are rebuilt after)."""
        self._table = self._checked_table(state["q"]).tolist()

    def _checked_table(self, table: object) -> np.ndarray:
        """Return ``table`` as a float64 array of this agent's shape.

        Raises:
            ValueError: it has another shape.
        """
        q = np.asarray(table, dtype=np.float64)
        if q.shape != (self.n_states, self.n_actions):
            raise ValueError(
                f"Q-table shape {q.shape} does not match ({self.n_states}, {self.n_actions})"
            )
        return q
