"""Exact dynamic programming on a toy-text model ``P[s][a] = [(prob, s2, reward, terminated)]``.

Works for every env that exposes such a table: GridWorld, FrozenLake, CliffWalking, Taxi.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Model = Mapping[int, Mapping[int, Sequence[tuple[float, int, float, bool]]]]


@dataclass(frozen=True)
class _Arrays:
    """The model flattened into parallel arrays, one entry per outcome."""

    n_states: int
    n_actions: int
    sa: np.ndarray
    """Index ``s * n_actions + a`` of each outcome."""
    prob: np.ndarray
    next_state: np.ndarray
    continues: np.ndarray
    """1.0 where the outcome is not terminal (its successor's value counts)."""
    expected_reward: np.ndarray
    """Expected immediate reward per (s, a), flattened."""


def _arrays(P: Model) -> _Arrays:
    """Return the model as arrays for vectorised backups."""
    n_states, n_actions = len(P), len(P[0])
    sa, prob, nxt, cont, rew = [], [], [], [], []
    for s in range(n_states):
        for a in range(n_actions):
            for p, s2, r, done in P[s][a]:
                sa.append(s * n_actions + a)
                prob.append(p)
                nxt.append(s2)
                cont.append(0.0 if done else 1.0)
                rew.append(p * r)
    sa_arr = np.asarray(sa, dtype=np.int64)
    size = n_states * n_actions
    return _Arrays(
        n_states=n_states,
        n_actions=n_actions,
        sa=sa_arr,
        prob=np.asarray(prob, dtype=np.float64),
        next_state=np.asarray(nxt, dtype=np.int64),
        continues=np.asarray(cont, dtype=np.float64),
        expected_reward=np.bincount(sa_arr, weights=np.asarray(rew), minlength=size),
    )


def _backup(m: _Arrays, values: np.ndarray, gamma: float) -> np.ndarray:
    """Return Q[s, a] = E[r + gamma * V(s') (0 at a terminal)] for the given V."""
    future = m.prob * m.continues * values[m.next_state]
    q = m.expected_reward + gamma * np.bincount(
        m.sa, weights=future, minlength=len(m.expected_reward)
    )
    return q.reshape(m.n_states, m.n_actions)


def q_values(P: Model, values: np.ndarray, gamma: float) -> np.ndarray:
    """Return the one-step lookahead Q[s, a] of state values ``values``."""
    return _backup(_arrays(P), np.asarray(values, dtype=np.float64), gamma)


def value_iteration(
    P: Model, gamma: float, tol: float = 1e-12, max_iterations: int = 100_000
) -> tuple[np.ndarray, np.ndarray]:
    """Compute the optimal state values and a greedy optimal policy.

    Args:
        P: the toy-text model.
        gamma: discount factor in [0, 1] (1 works where every policy the iteration meets
            ends episodes, as in FrozenLake and CliffWalking).
        tol: stop when no value changes by more than this.
        max_iterations: give up after this many sweeps.

    Returns:
        (V*, π*): float64 values per state and the first optimal action per state.
    """
    m = _arrays(P)
    values = np.zeros(m.n_states)
    for _ in range(max_iterations):
        q = _backup(m, values, gamma)
        new = q.max(axis=1)
        delta = np.max(np.abs(new - values))
        values = new
        if delta <= tol:
            break
    q = _backup(m, values, gamma)
    return values, np.argmax(q, axis=1)


def evaluate_policy(
    P: Model, policy: Sequence[int] | np.ndarray, gamma: float, horizon: int | None = None
) -> np.ndarray:
    """Compute the exact value of a deterministic policy.

    Args:
        P: the toy-text model.
        policy: the action taken in each state.
        gamma: discount factor in [0, 1].
        horizon: if given, the value of following the policy for at most this many steps
            (an episode time limit, like FrozenLake's 100 steps), by backward induction.

    Returns:
        V^π per state: for gamma < 1 without a horizon, the solution of the linear system
        ``(I - gamma P_π) V = r_π``; with gamma = 1 and no horizon, the same system solved
        by least squares where a policy never ends (its value there is 0 if it earns nothing).
    """
    m = _arrays(P)
    actions = np.asarray(policy, dtype=np.int64)
    chosen = np.arange(m.n_states) * m.n_actions + actions
    mask = np.isin(m.sa, chosen)
    rows = m.sa[mask] // m.n_actions
    transition = np.zeros((m.n_states, m.n_states))
    np.add.at(transition, (rows, m.next_state[mask]), m.prob[mask] * m.continues[mask])
    reward = m.expected_reward[chosen]
    if horizon is not None:
        values = np.zeros(m.n_states)
        for _ in range(horizon):
            values = reward + gamma * transition @ values
        return values
    system = np.eye(m.n_states) - gamma * transition
    if gamma < 1.0:
        return np.linalg.solve(system, reward)
    return np.linalg.lstsq(system, reward, rcond=None)[0]
