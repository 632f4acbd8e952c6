"""One episode of tabular learning (any agent of ``gridworld.agents``) on any gymnasium env
with discrete states and actions.

Determinism: unless a seed is given, ``run_episode`` seeds the env's ``reset`` with
``int(agent.rng.integers(2**31))``, so the agent's state (restored by ``load_state_dict``)
and the env's id and arguments fix the whole episode; nothing depends on what the env did
before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

import gymnasium as gym

from .agents import TabularAgent
from .trajectory import StepLog

SEED_BOUND = 2**31
"""Env seeds drawn from the agent's generator lie in [0, SEED_BOUND)."""

_success_rewards: WeakKeyDictionary[gym.Env, float] = WeakKeyDictionary()


@dataclass(frozen=True)
class EpisodeStats:
    """What one episode did, named once for every consumer.

    ``to_row`` turns it into the run store's episode row: ``ret`` becomes ``return``,
    ``terminated`` and ``truncated`` stay out, and the trainer adds ``episode``,
    ``env_steps`` and ``wall_time``.
    """

    ret: float
    """Undiscounted sum of rewards."""
    length: int
    """Steps taken."""
    terminated: bool
    truncated: bool
    success: bool
    """``info["is_success"]`` of the last step where the env reports it (GridWorld); else
    terminated with a last reward of at least ``success_reward``."""
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


def success_reward(env: gym.Env) -> float:
    """Return the last reward that counts as success for an env without ``info["is_success"]``.

    With a toy-text model (``env.unwrapped.P``) it is the largest reward of any terminating
    transition: FrozenLake's goal (1 against a hole's 0), CliffWalking's goal (-1, the only
    ending), Taxi's drop-off (20). Without a model it is the smallest positive float, so
    success means terminating with a positive reward. Cached per env.

    Args:
        env: the (possibly wrapped) environment.

    Returns:
        A terminated episode succeeded when its last reward is at least this.
    """
    base = env.unwrapped
    if base not in _success_rewards:
        model = getattr(base, "P", None)
        rewards = []
        if isinstance(model, dict):
            rewards = [
                r
                for by_action in model.values()
                for outcomes in by_action.values()
                for p, _, r, done in outcomes
                if done and p > 0
            ]
        _success_rewards[base] = max(rewards) if rewards else math.ulp(0.0)
    return _success_rewards[base]


def run_episode(
    env: gym.Env, agent: TabularAgent, seed: int | None = None, log: StepLog | None = None
) -> EpisodeStats:
    """Play and learn from one episode, then decay the agent's epsilon and alpha.

    Args:
        env: any gymnasium env with Discrete observations and actions (wrappers welcome).
        agent: the learner; its ``play`` (``act`` and ``update``, step by step, in its
            algorithm's order) drives the episode.
        seed: passed to ``env.reset``; None draws one from ``agent.rng`` (see the module
            docstring), so episodes are reproducible from the agent's state.
        log: where to keep the episode's steps (``TabularAgent.play``), or None.

    Returns:
        The episode's statistics.

    Raises:
        NonFiniteQError: an update produced a non-finite Q-value.
    """
    if seed is None:
        seed = int(agent.rng.integers(SEED_BOUND))
    epsilon, alpha, gamma = agent.epsilon, agent.alpha, agent.hyperparams.gamma
    state, _ = env.reset(seed=seed)
    total, abs_td, counts, reward, terminated, truncated, info = agent.play(env.step, state, log)
    length = sum(counts)
    success = info.get("is_success")
    if success is None:
        success = terminated and reward >= success_reward(env)
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
