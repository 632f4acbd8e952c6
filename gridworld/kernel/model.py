"""An env's toy-text transition table and episode rules as arrays, for the compiled loop.

Only envs whose ``step`` and ``reset`` the compiled loop reproduces exactly get a model:
GridWorld, FrozenLake, CliffWalking and Taxi (not its ``fickle_passenger`` variant, whose
steps rewrite the destination), unrendered, under no wrappers but those ``gymnasium.make``
adds (``TimeLimit``, ``OrderEnforcing``, ``PassiveEnvChecker``). Every other env trains in
the Python loop. This module does not import numba.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import gymnasium as gym
import numpy as np
from gymnasium.envs.toy_text.cliffwalking import CliffWalkingEnv
from gymnasium.envs.toy_text.frozen_lake import FrozenLakeEnv
from gymnasium.envs.toy_text.taxi import TaxiEnv
from gymnasium.wrappers import OrderEnforcing, PassiveEnvChecker, TimeLimit

from ..env import GridWorldEnv
from ..episode import success_reward

TABLE_ENVS = (GridWorldEnv, FrozenLakeEnv, CliffWalkingEnv, TaxiEnv)
"""The env classes whose steps the compiled loop reproduces (exactly these, no subclass)."""
NEUTRAL_WRAPPERS = (OrderEnforcing, PassiveEnvChecker)
"""Wrappers that change nothing an episode does (``TimeLimit`` is read, not skipped)."""


class Model(NamedTuple):
    """An env's transition table and episode rules, as the compiled loop reads them."""

    outcomes: np.ndarray
    """int64 [S, A]: how many outcomes (s, a) has."""
    next_state: np.ndarray
    """int64 [S, A, K]."""
    reward: np.ndarray
    """float64 [S, A, K]."""
    terminal: np.ndarray
    """bool [S, A, K]: the outcome terminates the episode."""
    prob: np.ndarray
    """float64 [S, A, K]: the outcomes' probabilities."""
    cumulative: np.ndarray
    """float64 [S, A, K]: ``numpy.cumsum`` of them, as ``categorical_sample`` computes it."""
    start_cumulative: np.ndarray
    """float64 [S]: ``numpy.cumsum`` of the start distribution (when start_state < 0)."""
    start_state: int
    """The fixed start state (a reset draws nothing), or -1 (a reset draws the start)."""
    subtract: bool
    """GridWorld's sampling: a draw only among several outcomes, probabilities subtracted
    from it until it falls below zero. Else toy-text's ``categorical_sample``: a draw at every
    step, the first outcome whose cumulative probability exceeds it."""
    step_limit: int
    """The env's own limit (truncated at it unless terminated), 0 for none."""
    time_limit: int
    """The smallest ``TimeLimit`` wrapper's limit (truncated at it), 0 for none."""
    goal: np.ndarray
    """bool [S]: reaching the state is a success (when ``success_by_goal``)."""
    success_by_goal: bool
    """Success is GridWorld's ``info["is_success"]`` (a goal reached), else the reward rule."""
    success_reward: float
    """Terminated with a last reward of at least this is a success (the reward rule)."""


def _unwrap(env: gym.Env) -> tuple[gym.Env, int] | None:
    """Return (the base env, the smallest TimeLimit or 0), or None under another wrapper."""
    limits = []
    layer = env
    while isinstance(layer, gym.Wrapper):
        if isinstance(layer, TimeLimit):
            limits.append(int(layer._max_episode_steps))
        elif type(layer) not in NEUTRAL_WRAPPERS:
            return None
        layer = layer.env
    return layer, min(limits, default=0)


def table_model(env: gym.Env) -> Model | None:
    """Return the arrays the compiled loop plays ``env`` with, if it can play it exactly.

    Args:
        env: the env as training steps it (wrappers included).

    Returns:
        Its model, or None when the env is not one the compiled loop reproduces (see the
        module docstring).
    """
    unwrapped = _unwrap(env)
    if unwrapped is None:
        return None
    base: Any = unwrapped[0]  # the toy-text attributes (P, ...) are not on gym.Env
    time_limit = unwrapped[1]
    if type(base) not in TABLE_ENVS or getattr(base, "render_mode", None) == "human":
        return None
    if isinstance(base, TaxiEnv) and base.fickle_passenger:
        return None
    grid = isinstance(base, GridWorldEnv)
    n_states, n_actions = int(base.observation_space.n), int(base.action_space.n)
    outcomes = np.array(
        [[len(base.P[s][a]) for a in range(n_actions)] for s in range(n_states)], np.int64
    )
    shape = (n_states, n_actions, int(outcomes.max()))
    places = [
        (s, a, k, *transition)
        for s in range(n_states)
        for a in range(n_actions)
        for k, transition in enumerate(base.P[s][a])
    ]
    s_, a_, k_, prob, next_state, reward, terminal = (
        list(column) for column in zip(*places, strict=True)
    )
    arrays = {
        "next_state": np.zeros(shape, np.int64),
        "reward": np.zeros(shape),
        "terminal": np.zeros(shape, np.bool_),
        "prob": np.zeros(shape),
    }
    for name, values in (
        ("next_state", next_state),
        ("reward", reward),
        ("terminal", terminal),
        ("prob", prob),
    ):
        arrays[name][s_, a_, k_] = values
    # each outcome's cumulative probability, added in order; 1 past a pair's outcomes
    arrays["cumulative"] = np.where(
        np.arange(shape[2]) < outcomes[:, :, None], np.cumsum(arrays["prob"], axis=2), 1.0
    )
    goal = np.zeros(n_states, np.bool_)
    if grid:
        goal[list(base.goal_states)] = True
    return Model(
        outcomes=outcomes,
        start_cumulative=np.cumsum(np.asarray(base.initial_state_distrib)),
        start_state=int(base.start_state) if grid else -1,
        subtract=grid,
        step_limit=int(base.config.max_steps) if grid else 0,
        time_limit=time_limit,
        goal=goal,
        success_by_goal=grid,
        success_reward=float(success_reward(env)),
        **arrays,
    )
