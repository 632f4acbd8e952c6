"""Exact dynamic programming on a toy-text model ``P[s][a] = [(prob, s2, reward, terminated)]``.

Works for every env that exposes such a table: GridWorld, FrozenLake, CliffWalking, Taxi.
A terminating outcome contributes its reward and nothing after it.

Values are exact where that is well defined:

* ``gamma < 1``: policy values solve ``(I - gamma P_π) V = r_π`` (a dense solve up to
  ``DENSE_STATES`` states, sweeps to 1e-13 relative precision beyond); ``value_iteration`` ends
  with policy iteration on exact evaluations, so V* does not depend on the sweep tolerance.
* ``gamma == 1``: states from which the policy ends (or falls into a zero-reward loop) with
  probability 1 get their exact expected total reward; states that never end and keep
  collecting reward get ``-inf`` (all losses), ``+inf`` (all gains) or ``nan`` (mixed signs).
* ``horizon=H``: the expected total discounted reward of at most H steps, by backward
  induction (an episode time limit, such as FrozenLake-v1's 100 steps).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

DENSE_STATES = 3000
"""Largest model solved by a dense linear solve; larger ones are solved by sweeps."""

Model = Mapping[int, Mapping[int, Sequence[tuple[float, int, float, bool]]]]
"""The toy-text transition table."""


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
    """Return Q[s, a] = E[r + gamma * V(s') (0 after a terminating outcome)] for the given V."""
    future = m.prob * m.continues * values[m.next_state]
    q = m.expected_reward + gamma * np.bincount(
        m.sa, weights=future, minlength=len(m.expected_reward)
    )
    return q.reshape(m.n_states, m.n_actions)


def q_values(P: Model, values: np.ndarray, gamma: float) -> np.ndarray:
    """Return the one-step lookahead Q[s, a] of the state values ``values``.

    Args:
        P: the toy-text model.
        values: a value per state.
        gamma: discount factor.

    Returns:
        A float64 array [states, actions].
    """
    return _backup(_arrays(P), np.asarray(values, dtype=np.float64), gamma)


def value_iteration(
    P: Model,
    gamma: float,
    tol: float = 1e-12,
    max_iterations: int = 100_000,
    horizon: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Compute the optimal state values and a greedy optimal policy.

    Args:
        P: the toy-text model.
        gamma: discount factor in [0, 1]. With 1, every state's optimal value must be
            finite (true of FrozenLake, CliffWalking, Taxi and GridWorld's default rewards).
        tol: sweep until no value changes by more than this; the result is then polished
            to exact values (policy iteration for gamma < 1; for gamma == 1 the exact value
            of the greedy policy, where it agrees with the sweeps).
        max_iterations: the most sweeps before giving up.
        horizon: if given, the optimum over at most this many steps (backward induction;
            the policy returned is the optimal first action).

    Returns:
        (V*, π*): float64 values per state and the first optimal action per state.

    Raises:
        ArithmeticError: with ``gamma == 1`` the values did not converge (some value is
            infinite, e.g. a positive reward that can be collected forever).
    """
    m = _arrays(P)
    values = np.zeros(m.n_states)
    if horizon is not None:
        q = _backup(m, values, gamma)
        for _ in range(horizon):
            q = _backup(m, values, gamma)
            values = q.max(axis=1)
        return values, np.argmax(q, axis=1)
    for _ in range(max_iterations):
        new = _backup(m, values, gamma).max(axis=1)
        delta = np.max(np.abs(new - values))
        values = new
        if delta <= tol:
            break
    else:
        if gamma >= 1.0:
            raise ArithmeticError(
                f"value iteration with gamma=1 did not converge in {max_iterations} sweeps:"
                " some optimal value is infinite"
            )
    policy = np.argmax(_backup(m, values, gamma), axis=1)
    if gamma < 1.0:
        return _policy_iteration(m, policy, gamma)
    exact = _evaluate_total(m, policy)
    if np.all(np.isfinite(exact)) and np.allclose(exact, values, rtol=1e-6, atol=1e-6):
        values = exact  # the greedy policy is optimal: its exact value is V*
    return values, policy


def _policy_iteration(
    m: _Arrays, policy: np.ndarray, gamma: float
) -> tuple[np.ndarray, np.ndarray]:
    """Improve ``policy`` with exact evaluations until no state gains; return (V*, π*)."""
    rows = np.arange(m.n_states)
    while True:
        values = _evaluate(m, policy, gamma)
        q = _backup(m, values, gamma)
        best = q.max(axis=1)
        improves = best > q[rows, policy] + 1e-12 * np.maximum(1.0, np.abs(best))
        if not improves.any():
            return values, policy
        policy = np.where(improves, np.argmax(q, axis=1), policy)


def _chain(m: _Arrays, policy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the Markov chain a policy induces: (from, to, continuing prob, reward per state)."""
    chosen = np.arange(m.n_states) * m.n_actions + np.asarray(policy, dtype=np.int64)
    chosen_mask = np.zeros(m.n_states * m.n_actions, dtype=bool)
    chosen_mask[chosen] = True
    mask = chosen_mask[m.sa] & (m.continues > 0) & (m.prob > 0)
    return (
        m.sa[mask] // m.n_actions,
        m.next_state[mask],
        m.prob[mask],
        m.expected_reward[chosen],
    )


def _solve(src: np.ndarray, dst: np.ndarray, weight: np.ndarray, reward: np.ndarray) -> np.ndarray:
    """Return the V with ``V = reward + W V``, W given as edges ``src -> dst`` with ``weight``.

    W must be transient (every state leaves the system eventually). Up to ``DENSE_STATES``
    states this is one dense linear solve; beyond, sweeps until the change is below 1e-13
    of the values' scale (an iterative solution, exact to about that precision).
    """
    n = len(reward)
    if n <= DENSE_STATES:
        system = np.eye(n)
        np.add.at(system, (src, dst), -weight)
        return np.linalg.solve(system, reward)
    values = reward.copy()
    while True:
        new = reward + np.bincount(src, weights=weight * values[dst], minlength=n)
        delta = np.max(np.abs(new - values))
        values = new
        if delta <= 1e-13 * max(1.0, np.max(np.abs(values))):
            return values


def _evaluate(m: _Arrays, policy: np.ndarray, gamma: float) -> np.ndarray:
    """Return V^π for gamma < 1 by one linear solve."""
    src, dst, prob, reward = _chain(m, policy)
    return _solve(src, dst, gamma * prob, reward)


def _reaches(src: np.ndarray, dst: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Return which states can reach a state in the boolean mask ``targets`` along edges."""
    found = targets.copy()
    while True:
        grown = found.copy()
        grown[src[found[dst]]] = True
        if np.array_equal(grown, found):
            return found
        found = grown


def _evaluate_total(m: _Arrays, policy: np.ndarray) -> np.ndarray:
    """Return V^π for gamma == 1 (see the module docstring for never-ending policies)."""
    src, dst, prob, reward = _chain(m, policy)
    stays = np.bincount(src, weights=prob, minlength=m.n_states)
    # Zero-reward states whose continuing successors are all zero-reward too: value 0.
    zero = reward == 0.0
    while True:
        leaks = np.zeros(m.n_states, dtype=bool)
        leaks[src[~zero[dst]]] = True
        pruned = zero & ~leaks
        if np.array_equal(pruned, zero):
            break
        zero = pruned
    absorbed = zero | (stays < 1.0 - 1e-12)
    ends = _reaches(src, dst, absorbed)
    trapped = _reaches(src, dst, ~ends)
    values = np.zeros(m.n_states)
    solve = ~trapped & ~zero
    if solve.any():
        index = np.flatnonzero(solve)
        position = np.full(m.n_states, -1)
        position[index] = np.arange(len(index))
        keep = solve[src] & solve[dst]
        values[index] = _solve(position[src[keep]], position[dst[keep]], prob[keep], reward[index])
    for s in np.flatnonzero(trapped):
        start = np.zeros(m.n_states, dtype=bool)
        start[s] = True
        forever = _reachable_from(src, dst, start) & ~ends
        signs = np.sign(reward[forever])
        if (signs <= 0).all():
            values[s] = -np.inf
        elif (signs >= 0).all():
            values[s] = np.inf
        else:
            values[s] = np.nan
    return values


def _reachable_from(src: np.ndarray, dst: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Return which states the states in ``start`` can reach along edges."""
    return _reaches(dst, src, start)


def evaluate_policy(
    P: Model, policy: Sequence[int] | np.ndarray, gamma: float, horizon: int | None = None
) -> np.ndarray:
    """Compute the exact value of a deterministic stationary policy.

    Args:
        P: the toy-text model.
        policy: the action taken in each state.
        gamma: discount factor in [0, 1].
        horizon: if given, the value of following the policy for at most this many steps
            (an episode time limit, like FrozenLake-v1's 100 steps), by backward induction.

    Returns:
        V^π per state (float64): exact for gamma < 1 and for a horizon; with gamma == 1 and
        no horizon, exact where the policy ends with probability 1, else ±inf or nan.
    """
    m = _arrays(P)
    actions = np.asarray(policy, dtype=np.int64)
    if horizon is not None:
        src, dst, prob, reward = _chain(m, actions)
        values = np.zeros(m.n_states)
        for _ in range(horizon):
            values = reward + gamma * np.bincount(
                src, weights=prob * values[dst], minlength=m.n_states
            )
        return values
    if gamma < 1.0:
        return _evaluate(m, actions, gamma)
    return _evaluate_total(m, actions)


def optimality(
    P: Model,
    q: np.ndarray,
    start_state: int | Sequence[float] | np.ndarray,
    gamma: float,
    horizon: int | None = None,
) -> dict[str, float]:
    """Score the greedy policy of a Q-table against the optimum.

    Args:
        P: the toy-text model.
        q: the Q-table [states, actions]; its greedy policy takes the first maximum.
        start_state: the start state, or a start distribution (one probability per state,
            like Taxi's ``initial_state_distrib``).
        gamma: discount factor in [0, 1].
        horizon: measure both values over at most this many steps (the env's time limit).
            ``v_opt`` is then the optimum over time-dependent policies, which a stationary
            greedy policy may miss by a little (FrozenLake-v1: 0.7442 against 0.7402).

    Returns:
        ``v_opt`` (optimal value at the start), ``v_greedy`` (the greedy policy's exact value
        there), ``gap`` (``v_opt - v_greedy``) and ``optimal_share`` (the share of states whose
        greedy action is optimal, as judged by the optimal Q-values, ties within 1e-9).
    """
    m = _arrays(P)
    v_opt, _ = value_iteration(P, gamma, horizon=horizon)
    if horizon is None:
        q_opt = _backup(m, v_opt, gamma)
    else:
        q_opt = _backup(m, value_iteration(P, gamma, horizon=horizon - 1)[0], gamma)
    policy = np.argmax(np.asarray(q), axis=1)
    v_greedy = evaluate_policy(P, policy, gamma, horizon=horizon)
    if np.ndim(start_state) == 0:
        start_opt, start_greedy = float(v_opt[int(start_state)]), float(v_greedy[int(start_state)])
    else:
        weights = np.asarray(start_state, dtype=np.float64)
        support = weights > 0
        start_opt = float(weights[support] @ v_opt[support])
        start_greedy = float(weights[support] @ v_greedy[support])
    best = q_opt.max(axis=1)
    chosen = q_opt[np.arange(m.n_states), policy]
    optimal = chosen >= best - 1e-9 * np.maximum(1.0, np.abs(best))
    return {
        "v_opt": start_opt,
        "v_greedy": start_greedy,
        "gap": start_opt - start_greedy,
        "optimal_share": float(np.mean(optimal)),
    }
