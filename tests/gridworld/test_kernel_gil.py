"""The compiled loop releases the GIL for its whole chunk: another thread (the trainer's
writer) runs Python meanwhile.

No clock is read. A second thread watches the chunk's output array while the loop fills it;
it can run only between the call's start and its end if the GIL is released inside, and
then it sees the rows fill, one state after another. With the GIL held for the chunk
it could only ever see the array before the call (nothing filled) or after (all filled).
"""

from __future__ import annotations

import threading

import gymnasium as gym
import numpy as np

from gridworld.agents import make_agent
from gridworld.hyperparams import Hyperparams
from gridworld.kernel import table_model
from gridworld.kernel.jitted import I_LENGTH, Q_LEARNING, run_episodes
from gridworld.kernel.runners import CHUNK_FLOATS, CHUNK_INTS, StepArrays

EPISODES = 100_000
"""Episodes of the watched chunk: long enough that the watcher is scheduled inside it."""
GLIMPSES = 10
"""Distinct half-filled states the watcher must see (it sees hundreds with the GIL free)."""
ATTEMPTS = 5
"""Chunks played until the watcher saw one half filled (one suffices with the GIL free)."""


def play_watched(env: gym.Env, count: int) -> tuple[set[int], int]:
    """Play ``count`` Q-learning episodes of ``env`` in one compiled call while a thread
    counts the filled rows of its output, over and over, until the call returns.

    Returns:
        (the filled-row counts the thread saw, the episodes the call completed).
    """
    agent = make_agent("q_learning", 1, 1, Hyperparams(), 0)  # only its generator is used
    q = np.zeros((env.observation_space.n, env.action_space.n))  # type: ignore[attr-defined]
    schedule = np.array([1.0, 0.5, 0.99, 0.999, 0.05, 1.0, 0.5])
    ints = np.zeros((count, len(CHUNK_INTS)), np.int64)
    arrays = (np.zeros((count, len(CHUNK_FLOATS))), ints, np.zeros((count, q.shape[1]), np.int64))
    steps = StepArrays.make(count, [], 1, q.shape[1]).arrays()  # no episode recorded
    seen: set[int] = set()
    started, returned = threading.Event(), threading.Event()

    def watch() -> None:
        started.set()
        while not returned.is_set():
            seen.add(int(np.count_nonzero(ints[:, I_LENGTH])))

    watcher = threading.Thread(target=watch)
    watcher.start()
    started.wait()
    model, env_state = table_model(env), np.zeros(4, np.uint64)
    done = run_episodes(
        model, Q_LEARNING, agent.rng, 0, q, np.zeros((2, 1, 1)), schedule, env_state, *arrays,
        *steps,
    )[0]  # fmt: skip
    returned.set()
    watcher.join()
    return seen, done


def test_another_thread_runs_python_while_a_compiled_chunk_plays():
    env = gym.make("GridWorld-v0", preset="medium")
    play_watched(env, 10)  # compiled (or loaded from the cache) before anything is watched
    for _ in range(ATTEMPTS):
        seen, done = play_watched(env, EPISODES)
        assert done == EPISODES
        if len({filled for filled in seen if 0 < filled < EPISODES}) >= GLIMPSES:
            return
    raise AssertionError(f"the watcher only saw {sorted(seen)} rows filled: the GIL was held")
