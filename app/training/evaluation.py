"""Checkpoint evaluation: how good the greedy policy of a Q-table is, where the env has a model.

Toy-text style environments expose ``env.unwrapped.P[s][a] = [(prob, s2, reward, terminated)]``.
For those, every checkpoint records V*(start), the greedy policy's exact value at the start
(distribution), their gap and the share of states whose greedy action is optimal. Value
iteration runs once per discount factor (not per checkpoint); each checkpoint only
evaluates one fixed policy.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from gridworld.planning import evaluate_policy, value_iteration


class Evaluator:
    """Scores Q-tables against the optimal values of a known model."""

    def __init__(self, P: dict[int, dict[int, list[tuple]]], start: np.ndarray) -> None:
        """Keep the model; plan lazily.

        Args:
            P: the environment's transition table.
            start: the start-state distribution (sums to 1).
        """
        self.P = P
        self.start = start
        self._optimal: dict[float, tuple[np.ndarray, np.ndarray]] = {}

    @classmethod
    def for_env(cls, env: gym.Env) -> Evaluator | NoEvaluator:
        """Return an evaluator for ``env``, or one that records nothing if it has no model.

        Args:
            env: the (possibly wrapped) environment.

        Returns:
            An ``Evaluator`` when ``env.unwrapped`` has a toy-text ``P``, else ``NoEvaluator``.
        """
        base = env.unwrapped
        P = getattr(base, "P", None)
        if not isinstance(P, dict) or not P:
            return NoEvaluator()
        n_states = len(P)
        start = getattr(base, "initial_state_distrib", None)
        if start is None:
            start = np.zeros(n_states)
            start[int(base.start_state)] = 1.0
        return cls(P, np.asarray(start, dtype=np.float64))

    def _optimal_for(self, gamma: float) -> tuple[np.ndarray, np.ndarray]:
        """Return (V*, Q*) for ``gamma``, computed once per discount factor."""
        if gamma not in self._optimal:
            v_opt, _ = value_iteration(self.P, gamma)
            n_states, n_actions = len(self.P), len(self.P[0])
            q_opt = np.zeros((n_states, n_actions))
            for s, by_action in self.P.items():
                for a, outcomes in by_action.items():
                    q_opt[s, a] = sum(
                        p * (r + (0.0 if done else gamma * v_opt[s2]))
                        for p, s2, r, done in outcomes
                    )
            self._optimal[gamma] = (np.asarray(v_opt, dtype=np.float64), q_opt)
        return self._optimal[gamma]

    def evaluate(self, q: np.ndarray, gamma: float) -> dict[str, float]:
        """Score the greedy policy of ``q``.

        Args:
            q: the Q-table [states, actions].
            gamma: the discount factor the values are measured with.

        Returns:
            ``v_opt`` (V* at the start), ``v_greedy`` (the greedy policy's value there),
            ``gap`` (v_opt - v_greedy) and ``optimal_share`` (share of states whose greedy
            action is optimal).
        """
        v_opt, q_opt = self._optimal_for(gamma)
        policy = np.argmax(q, axis=1)
        v_greedy = np.asarray(evaluate_policy(self.P, policy, gamma), dtype=np.float64)
        best = q_opt.max(axis=1)
        chosen = q_opt[np.arange(len(policy)), policy]
        tolerance = 1e-9 * np.maximum(1.0, np.abs(best))
        start_opt = float(self.start @ v_opt)
        start_greedy = float(self.start @ v_greedy)
        return {
            "v_opt": start_opt,
            "v_greedy": start_greedy,
            "gap": start_opt - start_greedy,
            "optimal_share": float(np.mean(chosen >= best - tolerance)),
        }


class NoEvaluator:
    """Stands in for ``Evaluator`` on environments without a model: records nothing."""

    def evaluate(self, q: np.ndarray, gamma: float) -> None:
        """Return ``None``: there is no model to score ``q`` against.

        Args:
            q: the Q-table (unused).
            gamma: the discount factor (unused).

        Returns:
            None.
        """
        return None
