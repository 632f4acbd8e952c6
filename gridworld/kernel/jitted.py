"""The compiled episode loop: every algorithm of ``gridworld.agents`` over a toy-text table.

It plays a ``gridworld.kernel.model.Model`` (an env's table as arrays). The loop reproduces
the Python kernel draw for draw and float for float:

- the agent's ``numpy.random.Generator`` is passed in as it is (numba calls its bit
  generator, so the Python object's state advances), drawn in the agent's order;
- the env's stream is gymnasium's ``PCG64(SeedSequence(seed))`` per reset (``stream``);
- the Q-table's row sums and maxima are Python's ``sum`` and ``max`` of them (``rows``), as
  the agents' caches hold them.

Numbers are chosen once: no fast-math, so no fused multiply-adds or reassociation. A recorded
episode writes each step (before its update, and the TD error after) into the arrays of its
slot, as ``TabularAgent.play`` keeps it in a ``StepLog``; the others only test their slot.

The loop compiles from this module, ``stream`` and ``rows``. numba's cache looks at this
file alone, so ``compile_cache.refresh`` (at import) empties the cache whenever any of
those files (or ``model``) changed since it was filled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numba import njit
from numpy.random import Generator

from . import model, rows, stream
from .compile_cache import cached, refresh
from .model import Model
from .rows import refresh_row, row_maximum, table_stats
from .stream import env_random, seed_env

Q_LEARNING, SARSA, EXPECTED_SARSA, DOUBLE_Q = 0, 1, 2, 3
"""Algorithm codes, in ``gridworld.agents.ALGORITHMS`` order."""
SEED_BOUND = 2**31
"""Env seeds drawn from the agent's generator lie in [0, SEED_BOUND) (``run_episode``'s)."""
F_RETURN, F_EPSILON, F_ALPHA, F_MEAN_Q, F_MAX_Q, F_MEAN_ABS_TD = range(6)
"""Columns of the float output."""
I_LENGTH, I_TERMINATED, I_TRUNCATED, I_SUCCESS = range(4)
"""Columns of the integer output."""

Step = tuple[int, int, float, int, bool, int]
"""One step to learn from: (S, A, R, S', terminal, A' or -1)."""
Played = tuple[float, float, int, float, bool, bool, int, int, int, float]
"""What ``_play`` returns (see there)."""


# -- acting, stepping, learning ----------------------------------------------------------


@njit
def _greedy(rng: Generator, q: np.ndarray, state: int, best: float) -> int:
    """The action of row ``state`` holding ``best``; ties broken by one draw, only then."""
    first, ties = -1, 0
    for a in range(q.shape[1]):
        if q[state, a] == best:
            ties += 1
            if first < 0:
                first = a
    if ties == 1:
        return first
    pick = int(rng.random() * ties)
    for a in range(q.shape[1]):
        if q[state, a] == best:
            if pick == 0:
                return a
            pick -= 1
    return first


@njit(inline="always")
def _act(rng: Generator, q: np.ndarray, row_max: np.ndarray, state: int, epsilon: float) -> int:
    """Epsilon-greedy: a uniform action with probability epsilon, else the greedy one."""
    if rng.random() < epsilon:
        return int(rng.random() * q.shape[1])
    return _greedy(rng, q, state, row_max[state])


@njit
def _reset(model: Model, env: np.ndarray) -> int:
    """The episode's start state (a draw from the env's stream unless it is fixed)."""
    if model.start_state >= 0:
        return model.start_state
    u = env_random(env)
    for s in range(model.start_cumulative.shape[0]):
        if model.start_cumulative[s] > u:
            return s
    return 0


@njit
def _outcome(sample: np.ndarray, subtract: bool, k: int, env: np.ndarray, sa: int) -> int:
    """Sample which of the k outcomes of (s, a) happens; ``sa`` is ``s * A + a`` in the
    flattened [S * A, K] ``sample`` (probabilities, or cumulative ones when not
    ``subtract``)."""
    u = env_random(env)
    if subtract:
        for o in range(k):
            u -= sample[sa, o]
            if u < 0:
                return o
        return k - 1
    for o in range(k):
        if sample[sa, o] > u:
            return o
    return 0


@njit
def _double_update(
    rng: Generator,
    q: np.ndarray,
    tables: np.ndarray,
    row_sum: np.ndarray,
    row_max: np.ndarray,
    step: Step,
    alpha: float,
    gamma: float,
) -> tuple[float, float]:
    """Double Q-learning's update: a coin picks the table that learns, evaluated by the
    other at its own greedy action in S' (a tie broken at random).

    Returns:
        (TD error, the new Q1 + Q2 of (S, A): not finite means nothing was written).
    """
    state, action, reward, next_state, terminal, _ = step
    learning = 0 if rng.random() < 0.5 else 1
    target = reward
    if not terminal:
        ahead = tables[learning]
        greedy = _greedy(rng, ahead, next_state, row_maximum(ahead, next_state))
        target = reward + gamma * tables[1 - learning, next_state, greedy]
    old = tables[learning, state, action]
    td_error = target - old
    value = old + alpha * td_error
    total = value + tables[1 - learning, state, action]
    if np.isfinite(total):
        tables[learning, state, action] = value
        q[state, action] = total
        refresh_row(q, row_sum, row_max, state)
    return td_error, total


@njit
def _td_update(
    algorithm: int,
    q: np.ndarray,
    row_sum: np.ndarray,
    row_max: np.ndarray,
    step: Step,
    params: tuple[float, float, float],
) -> tuple[float, float]:
    """Q-learning's, SARSA's or Expected SARSA's update; params = (epsilon, alpha, gamma).

    Returns:
        (TD error, the new Q(S, A): not finite means nothing was written).
    """
    state, action, reward, next_state, terminal, next_action = step
    epsilon, alpha, gamma = params
    target = reward
    if not terminal:
        if algorithm == Q_LEARNING:
            target = reward + gamma * row_max[next_state]
        elif algorithm == SARSA:
            target = reward + gamma * q[next_state, next_action]
        else:
            mean = row_sum[next_state] / q.shape[1]
            target = reward + gamma * (epsilon * mean + (1.0 - epsilon) * row_max[next_state])
    old = q[state, action]
    td_error = target - old
    value = old + alpha * td_error
    if np.isfinite(value):
        q[state, action] = value
        refresh_row(q, row_sum, row_max, state)
    return td_error, value


@njit
def _keep_step(
    steps_out: tuple[np.ndarray, np.ndarray, np.ndarray],
    slot: int,
    index: int,
    step: Step,
    q: np.ndarray,
) -> None:
    """Write step ``index`` of a recorded episode before its update: state, action and
    next state to ``steps_out[0]``, the reward to ``steps_out[1]`` (the TD error follows
    the update), and the state's row of ``q`` to ``steps_out[2]``."""
    ints, floats, rows = steps_out
    state = step[0]
    ints[slot, index, 0] = state
    ints[slot, index, 1] = step[1]
    ints[slot, index, 2] = step[3]
    floats[slot, index, 0] = step[2]
    for a in range(q.shape[1]):
        rows[slot, index, a] = q[state, a]


def _player(recorded: bool) -> Any:
    """Return the episode loop, compiled to keep the steps of its episode (``recorded``) or
    compiled without a trace of that: an episode that is not recorded runs the loop as it
    was before trajectories existed."""

    @njit
    def play(
        model: Model,
        algorithm: int,
        rng: Generator,
        env: np.ndarray,
        q: np.ndarray,
        tables: np.ndarray,
        row_sum: np.ndarray,
        row_max: np.ndarray,
        params: tuple[float, float, float],
        counts: np.ndarray,
        slot: int,
        steps_out: tuple[np.ndarray, np.ndarray, np.ndarray],
    ) -> Played:
        """Play and learn from one episode; params = (epsilon, alpha, gamma).

        Compiled ``recorded``, its first steps go to slot ``slot`` of ``steps_out`` (see
        ``_keep_step``); compiled not, ``slot`` and ``steps_out`` are not read.

        Returns:
            (return, sum of |TD|, steps, last reward, terminated, truncated, last state,
            the failing state or -1, its action, its non-finite value).
        """
        epsilon, alpha, gamma = params
        n_actions = q.shape[1]
        outcomes, next_states, rewards, terminals = (
            model.outcomes, model.next_state, model.reward, model.terminal,
        )  # fmt: skip
        subtract, step_limit, time_limit = model.subtract, model.step_limit, model.time_limit
        sample = (model.prob if subtract else model.cumulative).reshape(q.size, -1)
        state = _reset(model, env)
        action = _act(rng, q, row_max, state, epsilon)
        total = abs_td = 0.0
        steps = 0
        while True:
            k = outcomes[state, action]
            j = (
                0
                if subtract and k == 1
                else _outcome(sample, subtract, k, env, state * n_actions + action)
            )
            next_state, reward = next_states[state, action, j], rewards[state, action, j]
            terminal = terminals[state, action, j]
            steps += 1
            truncated = (step_limit > 0 and not terminal and steps >= step_limit) or (
                time_limit > 0 and steps >= time_limit
            )
            next_action = -1
            if algorithm == SARSA and not terminal:
                next_action = _act(rng, q, row_max, next_state, epsilon)
            step = (state, action, reward, next_state, terminal, next_action)
            keep = recorded and steps <= steps_out[0].shape[1]
            if keep:
                _keep_step(steps_out, slot, steps - 1, step, q)
            if algorithm == DOUBLE_Q:
                td_error, value = _double_update(
                    rng, q, tables, row_sum, row_max, step, alpha, gamma
                )
            else:
                td_error, value = _td_update(algorithm, q, row_sum, row_max, step, params)
            if keep:
                steps_out[1][slot, steps - 1, 1] = td_error
            if not np.isfinite(value):
                ended = (total, abs_td, steps, reward, terminal, truncated, next_state)
                return (*ended, state, action, value)
            abs_td += abs(td_error)
            total += reward
            counts[action] += 1
            if terminal or truncated:
                return total, abs_td, steps, reward, terminal, truncated, next_state, -1, 0, 0.0
            if algorithm != SARSA:
                next_action = _act(rng, q, row_max, next_state, epsilon)
            state, action = next_state, next_action

    return play


_play = _player(False)
_play_recorded = _player(True)


@cached
def run_episodes(
    model: Model,
    algorithm: int,
    rng: Generator,
    first_seed: int,
    q: np.ndarray,
    tables: np.ndarray,
    schedule: np.ndarray,
    env: np.ndarray,
    floats: np.ndarray,
    ints: np.ndarray,
    counts: np.ndarray,
    slots: np.ndarray,
    step_ints: np.ndarray,
    step_floats: np.ndarray,
    step_q: np.ndarray,
) -> tuple[int, int, int, float]:
    """Play ``floats.shape[0]`` episodes, each reset with a seed drawn from ``rng`` (the first
    with ``first_seed`` instead when it is not negative), writing one row of ``floats``,
    ``ints`` and ``counts`` per episode, and the first steps of the episodes with a slot to
    it (``runners.StepArrays``).

    Args:
        q: float64 [S, A], the table acted on (Q1 + Q2 for Double Q-learning); updated.
        tables: float64 [2, S, A], Q1 and Q2 (Double Q-learning; else unused); updated.
        schedule: float64 (epsilon, alpha, gamma, epsilon_decay, epsilon_min, alpha_decay,
            alpha_min); epsilon and alpha are decayed in place after every episode.
        env: uint64 [4], the env stream's state after the last episode.
        slots: int64 [episodes], each episode's slot in the step arrays, or -1.
        step_ints: int64 [slots, max steps, 3]: state, action, next state per step.
        step_floats: float64 [slots, max steps, 2]: reward, TD error per step.
        step_q: float64 [slots, max steps, actions]: ``q``'s row of the state per step,
            before the step's update.

    Returns:
        (episodes completed, the failing state or -1, its action, its non-finite value).
    """
    n_cells = q.shape[0] * q.shape[1]
    divisor = 2.0 if algorithm == DOUBLE_Q else 1.0
    row_sum = np.empty(q.shape[0])
    row_max = np.empty(q.shape[0])
    for s in range(q.shape[0]):
        refresh_row(q, row_sum, row_max, s)
    steps_out = (step_ints, step_floats, step_q)
    for i in range(floats.shape[0]):
        seed = first_seed if i == 0 and first_seed >= 0 else rng.integers(0, SEED_BOUND)
        seed_env(env, seed)
        epsilon, alpha = schedule[0], schedule[1]
        params = (epsilon, alpha, schedule[2])
        if slots[i] >= 0:
            episode = _play_recorded(
                model, algorithm, rng, env, q, tables, row_sum, row_max, params, counts[i],
                slots[i], steps_out,
            )  # fmt: skip
        else:
            episode = _play(
                model, algorithm, rng, env, q, tables, row_sum, row_max, params, counts[i],
                -1, steps_out,
            )  # fmt: skip
        total, abs_td, steps, reward, terminal, truncated, last, bad_state = episode[:8]
        if bad_state >= 0:
            return i, bad_state, episode[8], episode[9] / divisor
        if model.success_by_goal:
            success = model.goal[last]
        else:
            success = terminal and reward >= model.success_reward
        floats[i, F_RETURN] = total
        floats[i, F_EPSILON] = epsilon
        floats[i, F_ALPHA] = alpha
        table_sum, table_max = table_stats(row_sum, row_max)
        floats[i, F_MEAN_Q] = table_sum / n_cells / divisor
        floats[i, F_MAX_Q] = table_max / divisor
        floats[i, F_MEAN_ABS_TD] = abs_td / steps
        ints[i, I_LENGTH] = steps
        ints[i, I_TERMINATED] = terminal
        ints[i, I_TRUNCATED] = truncated
        ints[i, I_SUCCESS] = success
        decayed = epsilon * schedule[3]
        schedule[0] = decayed if decayed > schedule[4] else schedule[4]
        decayed = alpha * schedule[5]
        schedule[1] = decayed if decayed > schedule[6] else schedule[6]
    return floats.shape[0], -1, 0, 0.0


SOURCES = (*(Path(str(module.__file__)) for module in (model, rows, stream)), Path(__file__))
"""The files ``run_episodes`` compiles from."""
refresh([run_episodes], SOURCES, "run_episodes.sources.sha256")
