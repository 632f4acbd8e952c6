"""The compiled episode loop: every algorithm of ``gridworld.agents`` over a toy-text table.

Everything numba compiles lives in this one module: numba's cache keys a function on its own
file, so a caller cached beside a changed callee in another file would keep the old callee.

It plays a ``gridworld.kernel.model.Model`` (an env's table as arrays). The loop reproduces
the Python kernel draw for draw and float for float:

- the agent's ``numpy.random.Generator`` is passed in as it is (numba calls its bit
  generator, so the Python object's state advances), drawn in the agent's order;
- the env's stream is gymnasium's: ``reset(seed=s)`` makes ``PCG64(SeedSequence(s))``, which
  ``_seed_env`` and ``_env_random`` compute here (128-bit arithmetic on two 64-bit words);
- the Q-table's row sums follow Python's built-in ``sum`` (compensated from Python 3.12 on)
  and row maxima its ``max`` (the first of equal values), as the agents' caches hold them.

Numbers are chosen once: no fast-math, so no fused multiply-adds or reassociation. A recorded
episode writes each step (before its update, and the TD error after) into the arrays of its
slot, as ``TabularAgent.play`` keeps it in a ``StepLog``; the others only test their slot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit
from numpy.random import Generator

from .model import Model

log = logging.getLogger(__name__)

Q_LEARNING, SARSA, EXPECTED_SARSA, DOUBLE_Q = 0, 1, 2, 3
"""Algorithm codes, in ``gridworld.agents.ALGORITHMS`` order."""
SEED_BOUND = 2**31
"""Env seeds drawn from the agent's generator lie in [0, SEED_BOUND) (``run_episode``'s)."""
COMPENSATED_SUM = sum([0.1] * 10) == 1.0
"""Whether this Python's built-in ``sum`` of floats is compensated (Neumaier, 3.12 on)."""
F_RETURN, F_EPSILON, F_ALPHA, F_MEAN_Q, F_MAX_Q, F_MEAN_ABS_TD = range(6)
"""Columns of the float output."""
I_LENGTH, I_TERMINATED, I_TRUNCATED, I_SUCCESS = range(4)
"""Columns of the integer output."""

_M32 = np.uint64(0xFFFFFFFF)
_S16, _S32, _S11, _S58, _S63, _S64 = (np.uint64(n) for n in (16, 32, 11, 58, 63, 64))
_ONE = np.uint64(1)
_INIT_A, _MULT_A = np.uint64(0x43B0D7E5), np.uint64(0x931E8875)
_INIT_B, _MULT_B = np.uint64(0x8B51F9DD), np.uint64(0x58F38DED)
_MIX_L, _MIX_R = np.uint64(0xCA01F9DD), np.uint64(0x4973F715)
_PCG_HI, _PCG_LO = np.uint64(0x2360ED051FC65DA4), np.uint64(0x4385DF649FCCF645)
_DOUBLE_UNIT = 1.0 / 9007199254740992.0

Step = tuple[int, int, float, int, bool, int]
"""One step to learn from: (S, A, R, S', terminal, A' or -1)."""
Played = tuple[float, float, int, float, bool, bool, int, int, int, float]
"""What ``_play`` returns (see there)."""


def cached(function: Callable[..., Any]) -> Any:
    """Return ``function`` compiled, its machine code cached on disk where that is possible.

    numba's own choice of folder: ``NUMBA_CACHE_DIR`` when set, else ``__pycache__`` beside
    this file when it is writable (a source checkout), else the user's cache folder
    (``~/.cache/numba``: a read-only install). With none of them writable, every process
    compiles the kernel anew (a warning says so) instead of failing.

    Returns:
        The numba dispatcher.
    """
    try:
        return njit(cache=True, nogil=True)(function)
    except RuntimeError as exc:  # numba found no writable cache folder
        log.warning("compiling the training kernel without a cache: %s", exc)
        return njit(nogil=True)(function)


# -- the env's random stream: PCG64(SeedSequence(seed)) -------------------------------------


@njit
def _mulhi(a: np.uint64, b: np.uint64) -> np.uint64:
    """High 64 bits of the 128-bit product of two uint64."""
    a_lo, a_hi, b_lo, b_hi = a & _M32, a >> _S32, b & _M32, b >> _S32
    cross_1, cross_2 = a_lo * b_hi, a_hi * b_lo
    middle = ((a_lo * b_lo) >> _S32) + (cross_1 & _M32) + (cross_2 & _M32)
    return a_hi * b_hi + (cross_1 >> _S32) + (cross_2 >> _S32) + (middle >> _S32)


@njit
def _pcg_step(env: np.ndarray) -> None:
    """state = state * multiplier + inc (mod 2**128); env = [hi, lo, inc_hi, inc_lo]."""
    hi, lo = env[0], env[1]
    new_hi = _mulhi(lo, _PCG_LO) + hi * _PCG_LO + lo * _PCG_HI
    new_lo = lo * _PCG_LO
    low = new_lo + env[3]
    env[0] = new_hi + env[2] + (_ONE if low < new_lo else np.uint64(0))
    env[1] = low


@njit
def _env_random(env: np.ndarray) -> float:
    """The env generator's next ``random()``: PCG64's XSL-RR output, 53 bits to [0, 1)."""
    _pcg_step(env)
    hi, lo = env[0], env[1]
    word, rotation = hi ^ lo, hi >> _S58
    word = (word >> rotation) | (word << ((_S64 - rotation) & _S63))
    return np.float64(word >> _S11) * _DOUBLE_UNIT


@njit
def _hashmix(value: np.uint64, hash_const: np.uint64) -> tuple[np.uint64, np.uint64]:
    """SeedSequence's hashmix on 32-bit words; returns (value, the next hash constant)."""
    value = (value ^ hash_const) & _M32
    hash_const = (hash_const * _MULT_A) & _M32
    value = (value * hash_const) & _M32
    return value ^ (value >> _S16), hash_const


@njit
def _seed_env(env: np.ndarray, seed: int | np.integer) -> None:
    """Set env to ``PCG64(SeedSequence(seed))``'s state, ``0 <= seed < 2**32``."""
    pool = np.zeros(4, np.uint64)
    hash_const = _INIT_A
    for i in range(4):
        pool[i], hash_const = _hashmix(np.uint64(seed) if i == 0 else np.uint64(0), hash_const)
    for source in range(4):
        for target in range(4):
            if source != target:
                hashed, hash_const = _hashmix(pool[source], hash_const)
                mixed = (_MIX_L * pool[target] - _MIX_R * hashed) & _M32
                pool[target] = mixed ^ (mixed >> _S16)
    words = np.zeros(8, np.uint64)
    hash_const = _INIT_B
    for i in range(8):
        value = pool[i % 4] ^ hash_const
        hash_const = (hash_const * _MULT_B) & _M32
        value = (value * hash_const) & _M32
        words[i] = value ^ (value >> _S16)
    seed_hi, seed_lo = words[0] | (words[1] << _S32), words[2] | (words[3] << _S32)
    inc_hi, inc_lo = words[4] | (words[5] << _S32), words[6] | (words[7] << _S32)
    env[2] = (inc_hi << _ONE) | (inc_lo >> _S63)
    env[3] = (inc_lo << _ONE) | _ONE
    env[0], env[1] = env[2], env[3]  # state 0, one step: state = inc
    low = env[1] + seed_lo
    env[0] = env[0] + seed_hi + (_ONE if low < env[1] else np.uint64(0))
    env[1] = low
    _pcg_step(env)


# -- the table's row statistics, as Python's sum and max give them --------------------------
#
# Helpers take whole arrays and indices, never row views, and the step loop calls as few as
# it can: every array handed to a compiled function costs a reference count in and out,
# which costs more than the arithmetic of a step.


@njit
def _add(total: float, compensation: float, x: float) -> tuple[float, float]:
    """One term of Python's ``sum``: (total + x, the compensation so far)."""
    t = total + x
    if COMPENSATED_SUM:
        if abs(total) >= abs(x):
            compensation += (total - t) + x
        else:
            compensation += (x - t) + total
    return t, compensation


@njit
def _finish(total: float, compensation: float) -> float:
    """The end of Python's ``sum``: the compensation added, unless zero or not finite."""
    if compensation != 0.0 and np.isfinite(compensation):
        return total + compensation
    return total


@njit
def _refresh_row(q: np.ndarray, row_sum: np.ndarray, row_max: np.ndarray, state: int) -> None:
    """Set the cached ``sum`` and ``max`` of row ``state`` (``max``: the first largest)."""
    total = compensation = 0.0
    best = q[state, 0]
    for a in range(q.shape[1]):
        total, compensation = _add(total, compensation, q[state, a])
        if q[state, a] > best:
            best = q[state, a]
    row_sum[state] = _finish(total, compensation)
    row_max[state] = best


@njit
def _table_stats(row_sum: np.ndarray, row_max: np.ndarray) -> tuple[float, float]:
    """(``sum(row_sums)``, ``max(row_maxima)``), as ``TabularAgent.table_stats`` takes them."""
    total = compensation = 0.0
    best = row_max[0]
    for s in range(row_sum.shape[0]):
        total, compensation = _add(total, compensation, row_sum[s])
        if row_max[s] > best:
            best = row_max[s]
    return _finish(total, compensation), best


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
    u = _env_random(env)
    for s in range(model.start_cumulative.shape[0]):
        if model.start_cumulative[s] > u:
            return s
    return 0


@njit
def _outcome(sample: np.ndarray, subtract: bool, k: int, env: np.ndarray, sa: int) -> int:
    """Sample which of the k outcomes of (s, a) happens; ``sa`` is ``s * A + a`` in the
    flattened [S * A, K] ``sample`` (probabilities, or cumulative ones when not
    ``subtract``)."""
    u = _env_random(env)
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
        greedy = _greedy(rng, ahead, next_state, _row_max(ahead, next_state))
        target = reward + gamma * tables[1 - learning, next_state, greedy]
    old = tables[learning, state, action]
    td_error = target - old
    value = old + alpha * td_error
    total = value + tables[1 - learning, state, action]
    if np.isfinite(total):
        tables[learning, state, action] = value
        q[state, action] = total
        _refresh_row(q, row_sum, row_max, state)
    return td_error, total


@njit
def _row_max(table: np.ndarray, state: int) -> float:
    """``max`` of row ``state`` (the first largest)."""
    best = table[state, 0]
    for a in range(table.shape[1]):
        if table[state, a] > best:
            best = table[state, a]
    return best


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
        _refresh_row(q, row_sum, row_max, state)
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
        _refresh_row(q, row_sum, row_max, s)
    steps_out = (step_ints, step_floats, step_q)
    for i in range(floats.shape[0]):
        seed = first_seed if i == 0 and first_seed >= 0 else rng.integers(0, SEED_BOUND)
        _seed_env(env, seed)
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
        table_sum, table_max = _table_stats(row_sum, row_max)
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


@cached
def env_random_draws(seed: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``count`` draws of the env stream ``reset(seed=seed)`` starts (a test probe of
    the stream against ``numpy``), and the stream's state after them.

    Returns:
        (float64 [count], uint64 [4] as [state hi, state lo, inc hi, inc lo]).
    """
    env = np.zeros(4, np.uint64)
    _seed_env(env, seed)
    out = np.empty(count)
    for i in range(count):
        out[i] = _env_random(env)
    return out, env
