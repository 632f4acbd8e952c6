"""The greedy policy of a Q-table played out on an env: one episode, step by step.

The dashboard replays it beside the recorded episodes: what the agent would do at a
checkpoint if it stopped exploring. Ties between equal Q-values are broken at random by a
generator seeded like the env, so a rollout is the same every time it is asked for; on a
deterministic map (``is_deterministic``) it is the greedy policy's only episode, on a
slippery one a seeded sample of it.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from .trajectory import StepLog, Trajectory


def is_deterministic(env: gym.Env) -> bool:
    """Return whether every action of ``env`` has one outcome (its toy-text model says so).

    Args:
        env: the env (wrappers included); its ``unwrapped.P`` is read.

    Returns:
        True when the model has exactly one outcome per state and action; False when some
        action has several, or the env has no such model (nothing says it is deterministic).
    """
    P = getattr(env.unwrapped, "P", None)
    if not isinstance(P, dict) or not P:
        return False
    return all(len(outcomes) == 1 for actions in P.values() for outcomes in actions.values())


def greedy_rollout(
    env: gym.Env, q: np.ndarray, gamma: float, seed: int, max_steps: int
) -> Trajectory:
    """Play one episode of ``q``'s greedy policy on ``env`` and return its steps.

    Args:
        env: the env as training steps it (its time limit ends the episode too).
        q: the Q-table [states, actions].
        gamma: the discount factor of each step's TD error.
        seed: seeds the env's reset and the tie-breaking between equal Q-values.
        max_steps: the most steps played (a greedy policy can walk in circles).

    Returns:
        The episode as a ``Trajectory``: epsilon 0 at every step, the TD error
        ``r + gamma * max Q(s') - Q(s, a)`` under ``q`` (no future after a terminal step),
        ``q`` the state's row; its length is the steps played.
    """
    q = np.asarray(q, dtype=np.float64)
    rng = np.random.default_rng(seed)
    state, _ = env.reset(seed=seed)
    log = StepLog(max_steps)
    for _step in range(max_steps):
        row = q[state]
        action = int(rng.choice(np.flatnonzero(row == row.max())))
        next_state, reward, terminated, truncated, _ = env.step(action)
        future = 0.0 if terminated else gamma * float(q[next_state].max())
        td_error = float(reward) + future - float(row[action])
        log.add(int(state), action, float(reward), int(next_state), td_error, row.tolist())
        state = next_state
        if terminated or truncated:
            break
    return log.trajectory(len(log.rows), 0.0)
