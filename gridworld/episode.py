"""One episode of Q-learning on any gymnasium env with discrete states and actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from .agent import QLearningAgent


@dataclass(frozen=True)
class EpisodeStats:
    """What one episode did; the field names are the run store's episode columns."""

    ret: float
    """Undiscounted sum of rewards."""
    length: int
    """Steps taken."""
    terminated: bool
    truncated: bool
    success: bool
    """``info["is_success"]`` at the last step where the env reports it, else: terminated
    with a positive last reward (FrozenLake's goal, Taxi's drop-off)."""
    epsilon: float
    """Exploration rate used during the episode."""
    alpha: float
    """Learning rate used during the episode."""
    gamma: float
    mean_q: float
    """Mean of the Q-table after the episode."""
    max_q: float
    """Largest Q-value after the episode."""
    mean_abs_td: float
    """Mean absolute TD error of the episode's updates."""
    action_counts: tuple[int, ...]
    """How often each action was taken."""

    def to_row(self) -> dict[str, Any]:
        """Return the episode as a run-store row (without episode, env_steps, wall_time)."""
        return {
            "return": self.ret,
            "length": self.length,
            "success": self.success,
            "epsilon": self.epsilon,
            "alpha": self.alpha,
            "gamma": self.gamma,
            "mean_q": self.mean_q,
            "max_q": self.max_q,
            "mean_abs_td": self.mean_abs_td,
            "action_counts": list(self.action_counts),
        }


def run_episode(env: gym.Env, agent: QLearningAgent, seed: int | None = None) -> EpisodeStats:
    """Play and learn from one episode, then decay the agent's epsilon and alpha.

    Args:
        env: any gymnasium env with Discrete observations and actions (wrappers welcome).
        agent: the learner; its ``act`` and ``update`` drive the episode.
        seed: passed to ``env.reset``; None continues the env's own random stream.

    Returns:
        The episode's statistics.

    Raises:
        NonFiniteQError: an update produced a non-finite Q-value.
    """
    epsilon, alpha, gamma = agent.epsilon, agent.alpha, agent.hyperparams.gamma
    act, update, step = agent.act, agent.update, env.step
    counts = [0] * agent.n_actions
    state, info = env.reset(seed=seed)
    total = abs_td = 0.0
    length = 0
    reward = 0.0
    terminated = truncated = False
    while not (terminated or truncated):
        action = act(state)
        next_state, reward, terminated, truncated, info = step(action)
        abs_td += abs(update(state, action, reward, next_state, terminated))
        total += reward
        counts[action] += 1
        length += 1
        state = next_state
    success = info.get("is_success", terminated and reward > 0)
    agent.end_episode()
    mean_q, max_q = agent.table_stats()
    return EpisodeStats(
        ret=float(total),
        length=length,
        terminated=bool(terminated),
        truncated=bool(truncated),
        success=bool(success),
        epsilon=epsilon,
        alpha=alpha,
        gamma=gamma,
        mean_q=mean_q,
        max_q=max_q,
        mean_abs_td=abs_td / length if length else 0.0,
        action_counts=tuple(counts),
    )
