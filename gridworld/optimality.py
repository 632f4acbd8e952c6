"""How good the greedy policy of a Q-table is, measured within the env's episode time limit.

Where an env has a toy-text model (``env.unwrapped.P`` and ``initial_state_distrib``), an
``Optimality`` built once for it scores any number of Q-tables: V*(start), the greedy
policy's exact value at the start, their gap and the share of states whose greedy action is
optimal. Both values are those of one episode as the env plays it: at most ``time_limit``
steps (FrozenLake-v1: 100), so a goal farther away than the limit is worth nothing.
The optimum is planned once per discount factor; each score evaluates one fixed policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np

from .env import GridWorldEnv
from .planning import FlatModel, evaluate_policy, optimal_q

TIE_TOLERANCE = 1e-9
"""An action is optimal when its Q* is within this share (of max(1, |best|)) of the best."""


def time_limit(env: gym.Env) -> int | None:
    """Return the most steps one episode of ``env`` can last.

    Args:
        env: the env as training steps it (wrappers included).

    Returns:
        The smaller of the ``TimeLimit`` that ``gymnasium.make`` added
        (``env.spec.max_episode_steps``, from the registration or the ``make`` call) and
        GridWorld's own per-map limit (``config.max_steps``: GridWorld truncates itself), or
        None when neither applies (CliffWalking-v1).
    """
    limits = []
    if env.spec is not None and env.spec.max_episode_steps is not None:
        limits.append(int(env.spec.max_episode_steps))
    base = env.unwrapped
    if isinstance(base, GridWorldEnv):
        limits.append(base.config.max_steps)
    return min(limits, default=None)


@dataclass
class Optimality:
    """Scores Q-tables against the optimal values of a known model over ``horizon`` steps."""

    model: FlatModel
    start: np.ndarray
    """The start-state distribution (sums to 1)."""
    horizon: int | None
    """Steps per episode at most (None: unlimited)."""
    _optimal: dict[float, np.ndarray] = field(default_factory=dict, init=False, repr=False)
    _last_greedy: tuple[bytes, float, float] | None = field(default=None, init=False, repr=False)
    """The policy scored last (its bytes), its discount factor and its value at the start:
    a run's checkpoints often share their greedy policy once it has converged, and a
    policy's exact evaluation is most of a score's time."""

    @classmethod
    def for_env(cls, env: gym.Env) -> Optimality | None:
        """Return a scorer for ``env``, or None when it has no toy-text model.

        Args:
            env: the env as training steps it; its ``time_limit`` is the horizon.

        Returns:
            An ``Optimality`` when ``env.unwrapped`` has a non-empty ``P`` dict and an
            ``initial_state_distrib``, else None.
        """
        base = env.unwrapped
        P = getattr(base, "P", None)
        start = getattr(base, "initial_state_distrib", None)
        if not isinstance(P, dict) or not P or start is None:
            return None
        return cls(FlatModel.of(P), np.asarray(start, dtype=np.float64), time_limit(env))

    def optimal_q(self, gamma: float) -> np.ndarray:
        """Return Q* with the whole horizon ahead (planned once per discount factor).

        Args:
            gamma: the discount factor.

        Returns:
            A float64 array [states, actions] (see ``planning.optimal_q``).
        """
        if gamma not in self._optimal:
            self._optimal[gamma] = optimal_q(self.model, gamma, self.horizon)
        return self._optimal[gamma]

    def _at_start(self, values: np.ndarray) -> float:
        """Return the expected value under the start distribution (0-probability states
        left out, so an infinite value there does not turn the result into nan)."""
        support = self.start > 0
        return float(self.start[support] @ values[support])

    def score(self, q: np.ndarray, gamma: float) -> dict[str, float]:
        """Score the greedy policy of ``q`` (the first maximum in each state).

        With a horizon, ``v_opt`` is the optimum over time-dependent policies, which a
        stationary greedy policy may miss by a little (FrozenLake-v1: 0.7442 against 0.7402).

        Args:
            q: the Q-table [states, actions].
            gamma: the discount factor both values are measured with.

        Returns:
            ``v_opt`` (V* at the start), ``v_greedy`` (the greedy policy's exact value
            there), ``gap`` (``v_opt - v_greedy``) and ``optimal_share`` (the share of states
            whose greedy action is optimal as judged by ``optimal_q``, ties within
            ``TIE_TOLERANCE``).
        """
        q_opt = self.optimal_q(gamma)
        policy = np.argmax(np.asarray(q), axis=1)
        v_opt = self._at_start(q_opt.max(axis=1))
        v_greedy = self._greedy_value(policy, gamma)
        best = q_opt.max(axis=1)
        chosen = q_opt[np.arange(self.model.n_states), policy]
        optimal = chosen >= best - TIE_TOLERANCE * np.maximum(1.0, np.abs(best))
        return {
            "v_opt": v_opt,
            "v_greedy": v_greedy,
            "gap": v_opt - v_greedy,
            "optimal_share": float(np.mean(optimal)),
        }

    def _greedy_value(self, policy: np.ndarray, gamma: float) -> float:
        """Return the exact value at the start of a policy (an action per state), evaluated
        again only when it or ``gamma`` differs from the last one's."""
        key = policy.tobytes()
        if self._last_greedy is not None and self._last_greedy[:2] == (key, gamma):
            return self._last_greedy[2]
        value = self._at_start(evaluate_policy(self.model, policy, gamma, self.horizon))
        self._last_greedy = (key, gamma, value)
        return value
