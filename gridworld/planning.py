"""Exact dynamic programming on a toy-text model ``P[s][a] = [(prob, s2, reward, terminated)]``.

Works for every env that exposes such a table: GridWorld, FrozenLake, CliffWalking, Taxi.
A terminating outcome contributes its reward and nothing after it. Every backup is one
numpy pass over the table flattened into arrays (``FlatModel``); pass a ``FlatModel``
instead of ``P`` to flatten once for many calls.

Values are exact where that is well defined:

* ``horizon=H`` (an episode time limit, such as FrozenLake-v1's 100 steps): the expected
  total discounted reward of at most H steps, by backward induction from zero. The
  induction stops early only where the rest cannot change the result: at a fixed point
  (one step changed nothing, so no later step does) or, for ``gamma < 1``, once the
  contraction bound on all later change falls below ``RESOLUTION`` of the values' scale.
* ``gamma < 1`` without a horizon: policy values solve ``(I - gamma P_π) V = r_π`` (a dense
  solve up to ``DENSE_STATES`` states, sweeps to 1e-13 relative precision beyond);
  ``value_iteration`` ends with policy iteration on exact evaluations, so V* does not depend
  on the sweep tolerance.
* ``gamma == 1`` without a horizon: states from which the policy ends (or falls into a
  zero-reward loop) with probability 1 get their exact expected total reward; states that
  never end and keep collecting reward get ``-inf`` (all losses), ``+inf`` (all gains) or
  ``nan`` (mixed signs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

DENSE_STATES = 3000
"""Largest model solved by a dense linear solve; larger ones are solved by sweeps."""
RESOLUTION = 1e-13
"""A finite-horizon induction with gamma < 1 stops once all later change is below this share
of the values' scale (at least 1)."""

Model = Mapping[int, Mapping[int, Sequence[tuple[float, int, float, bool]]]]
"""The toy-text transition table."""


@dataclass(frozen=True)
class FlatModel:
    """A toy-text model flattened into parallel arrays, one entry per outcome."""

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

    @classmethod
    def of(cls, P: Model | FlatModel) -> FlatModel:
        """Return ``P`` flattened (``P`` itself when it already is).

        Args:
            P: the toy-text model: every state numbered 0..n-1, every action 0..m-1.

        Returns:
            The arrays every backup reads.
        """
        if isinstance(P, FlatModel):
            return P
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
        return cls(
            n_states=n_states,
            n_actions=n_actions,
            sa=sa_arr,
            prob=np.asarray(prob, dtype=np.float64),
            next_state=np.asarray(nxt, dtype=np.int64),
            continues=np.asarray(cont, dtype=np.float64),
            expected_reward=np.bincount(
                sa_arr, weights=np.asarray(rew), minlength=n_states * n_actions
            ),
        )


def _backup(m: FlatModel, values: np.ndarray, gamma: float) -> np.ndarray:
    """Return Q[s, a] = E[r + gamma * V(s') (0 after a terminating outcome)] for the given V."""
    future = m.prob * m.continues * values[m.next_state]
    q = m.expected_reward + gamma * np.bincount(
        m.sa, weights=future, minlength=len(m.expected_reward)
    )
    return q.reshape(m.n_states, m.n_actions)


def _check_horizon(horizon: int | None) -> None:
    """Raise ValueError unless ``horizon`` is None or a whole number of steps >= 1."""
    if horizon is None:
        return
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(f"horizon={horizon!r} is invalid; allowed: None or a whole number >= 1")


def _induct(
    step: Callable[[np.ndarray], np.ndarray], n_states: int, gamma: float, steps: int
) -> np.ndarray:
    """Return ``V_steps`` of ``V_0 = 0, V_{k+1} = step(V_k)``: the value of at most ``steps`` steps.

    Stops early at a fixed point (``V_{k+1} == V_k``: ``step`` is the same function every
    time, so every later step repeats it) or, for ``gamma < 1``, once the contraction bound
    ``gamma / (1 - gamma) * max|V_{k+1} - V_k|`` on all later change is below ``RESOLUTION``
    of the values' scale.
    """
    values = np.zeros(n_states)
    for _ in range(steps):
        new = step(values)
        delta = float(np.max(np.abs(new - values), initial=0.0))
        values = new
        if delta == 0.0:
            break
        if gamma < 1.0:
            scale = max(1.0, float(np.max(np.abs(values))))
            if gamma * delta <= (1.0 - gamma) * RESOLUTION * scale:
                break
    return values


def optimal_q(P: Model | FlatModel, gamma: float, horizon: int | None = None) -> np.ndarray:
    """Compute the optimal action values Q*[s, a].

    Args:
        P: the toy-text model (or its ``FlatModel``).
        gamma: discount factor in [0, 1] (with 1 and no horizon, see ``value_iteration``).
        horizon: if given, episodes last at most this many steps: Q*[s, a] is the best
            expected return of taking ``a`` in ``s`` and then acting optimally for the
            remaining ``horizon - 1`` steps.

    Returns:
        A float64 array [states, actions].

    Raises:
        ValueError: ``horizon`` is not None or a whole number >= 1.
        ArithmeticError: see ``value_iteration`` (gamma == 1 without a horizon).
    """
    _check_horizon(horizon)
    m = FlatModel.of(P)
    if horizon is None:
        values = value_iteration(m, gamma)[0]
    else:
        values = _induct(lambda v: _backup(m, v, gamma).max(axis=1), m.n_states, gamma, horizon - 1)
    return _backup(m, values, gamma)


def value_iteration(
    P: Model | FlatModel,
    gamma: float,
    tol: float = 1e-12,
    max_iterations: int = 100_000,
    horizon: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Compute the optimal state values and a greedy optimal policy.

    Args:
        P: the toy-text model (or its ``FlatModel``).
        gamma: discount factor in [0, 1]. With 1 and no horizon, every state's optimal value
            must be finite (true of FrozenLake, CliffWalking, Taxi and GridWorld's default
            rewards).
        tol: without a horizon, sweep until no value changes by more than this; the result
            is then polished to exact values (policy iteration for gamma < 1; for
            gamma == 1 the exact value of the greedy policy, where it agrees with the sweeps).
        max_iterations: the most sweeps before giving up (without a horizon).
        horizon: if given, the optimum over at most this many steps (backward induction;
            the policy returned is the optimal first action, which may change as fewer
            steps remain).

    Returns:
        (V*, π*): float64 values per state and the first optimal action per state.

    Raises:
        ValueError: ``horizon`` is not None or a whole number >= 1.
        ArithmeticError: with ``gamma == 1`` and no horizon the values did not converge
            (some value is infinite, e.g. a positive reward that can be collected forever).
    """
    _check_horizon(horizon)
    m = FlatModel.of(P)
    if horizon is not None:
        q = optimal_q(m, gamma, horizon)
        return q.max(axis=1), np.argmax(q, axis=1)
    values = np.zeros(m.n_states)
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
    m: FlatModel, policy: np.ndarray, gamma: float
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


def _chain(
    m: FlatModel, policy: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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


def _evaluate(m: FlatModel, policy: np.ndarray, gamma: float) -> np.ndarray:
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


def _evaluate_total(m: FlatModel, policy: np.ndarray) -> np.ndarray:
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
    P: Model | FlatModel,
    policy: Sequence[int] | np.ndarray,
    gamma: float,
    horizon: int | None = None,
) -> np.ndarray:
    """Compute the exact value of a deterministic stationary policy.

    Args:
        P: the toy-text model (or its ``FlatModel``).
        policy: the action taken in each state.
        gamma: discount factor in [0, 1].
        horizon: if given, the value of following the policy for at most this many steps
            (an episode time limit, like FrozenLake-v1's 100 steps), by backward induction.

    Returns:
        V^π per state (float64): exact for gamma < 1 and for a horizon; with gamma == 1 and
        no horizon, exact where the policy ends with probability 1, else ±inf or nan.

    Raises:
        ValueError: ``horizon`` is not None or a whole number >= 1.
    """
    _check_horizon(horizon)
    m = FlatModel.of(P)
    actions = np.asarray(policy, dtype=np.int64)
    if horizon is not None:
        src, dst, prob, reward = _chain(m, actions)

        def step(values: np.ndarray) -> np.ndarray:
            return reward + gamma * np.bincount(
                src, weights=prob * values[dst], minlength=m.n_states
            )

        return _induct(step, m.n_states, gamma, horizon)
    if gamma < 1.0:
        return _evaluate(m, actions, gamma)
    return _evaluate_total(m, actions)
