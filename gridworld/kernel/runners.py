"""The two kernels: each plays a chunk of episodes of one env with one agent.

``PythonRunner`` is ``run_episode`` in a loop: any env, and the reference. ``CompiledRunner``
plays the env's table (``table_model``) in ``jitted.run_episodes``: it hands the agent's
table, schedule and random generator to the compiled loop and takes them back after the
chunk through ``state_dict``/``load_state_dict``, and it gives the env the generator state
its last reset and steps left, so the agent, the env and a checkpoint of them are what the
Python kernel leaves, and either kernel can continue the other.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from ..agents import ALGORITHMS, NonFiniteQError, TabularAgent
from ..episode import run_episode
from .batch import EpisodeBatch
from .model import Model

CHUNK_FLOATS = ("ret", "epsilon", "alpha", "mean_q", "max_q", "mean_abs_td")
"""``EpisodeStats`` fields of the compiled loop's float output, in its column order."""
CHUNK_INTS = ("length", "terminated", "truncated", "success")
"""...and of its integer output (the last three are flags)."""


class PythonRunner:
    """Plays episodes with ``run_episode``: any env with Discrete spaces."""

    name = "python"

    def __init__(self, env: gym.Env, agent: TabularAgent) -> None:
        """Play ``env`` with ``agent``."""
        self.env = env
        self.agent = agent

    def run(self, count: int, seed: int | None = None) -> EpisodeBatch:
        """Play and learn from ``count`` episodes.

        Args:
            count: how many.
            seed: the first episode's reset seed; None draws every seed from the agent.

        Returns:
            The episodes; a non-finite update ends the chunk early, as the batch's error.
        """
        stats = []
        try:
            for _ in range(count):
                stats.append(run_episode(self.env, self.agent, seed))
                seed = None
        except NonFiniteQError as exc:
            return EpisodeBatch.from_stats(stats, exc)
        return EpisodeBatch.from_stats(stats)


class CompiledRunner:
    """Plays episodes of a toy-text env's table in the compiled loop."""

    name = "compiled"

    def __init__(self, env: gym.Env, agent: TabularAgent, model: Model) -> None:
        """Play ``env`` (whose table is ``model``) with ``agent``; numba loads here."""
        from . import jitted  # numba and the machine code load only for a compiled run

        self.env = env
        self.agent = agent
        self.model = model
        self.code = ALGORITHMS.index(agent.algorithm)
        self._run_episodes = jitted.run_episodes

    def run(self, count: int, seed: int | None = None) -> EpisodeBatch:
        """Play and learn from ``count`` episodes (see ``PythonRunner.run``).

        Returns:
            The episodes; a non-finite update ends the chunk early, as the batch's error.

        Raises:
            ValueError: ``seed`` lies outside [0, 2**32) (run specs' seeds lie inside; the
                compiled loop seeds the env stream from one 32-bit word).
        """
        if seed is not None and not 0 <= seed < 2**32:
            raise ValueError(f"seed={seed!r}: the compiled kernel takes seeds in [0, 2**32)")
        agent = self.agent
        state = agent.state_dict()
        double = agent.algorithm == "double_q"
        if double:
            tables = np.array([state["q1"], state["q2"]], dtype=np.float64)
            q = tables[0] + tables[1]
        else:
            q, tables = state["q"], np.zeros((2, 1, 1))
        hp = agent.hyperparams
        decays = (hp.epsilon_decay, hp.epsilon_min, hp.alpha_decay, hp.alpha_min)
        schedule = np.array([agent.epsilon, agent.alpha, hp.gamma, *decays])
        floats = np.zeros((count, len(CHUNK_FLOATS)))
        ints = np.zeros((count, len(CHUNK_INTS)), np.int64)
        counts = np.zeros((count, agent.n_actions), np.int64)
        env = np.zeros(4, np.uint64)
        done, bad_state, bad_action, bad_value = self._run_episodes(
            self.model, self.code, agent.rng, -1 if seed is None else seed,
            q, tables, schedule, env, floats, ints, counts,
        )  # fmt: skip
        agent.load_state_dict(
            {
                **state,
                "q": q / 2.0 if double else q,
                **({"q1": tables[0], "q2": tables[1]} if double else {}),
                "epsilon": float(schedule[0]),
                "alpha": float(schedule[1]),
                "episode": agent.episode + done,
                "rng": agent.rng.bit_generator.state,
            }
        )
        self._give_env_stream(env)
        error = None
        if bad_state >= 0:
            error = NonFiniteQError(agent.episode + 1, int(bad_state), int(bad_action), bad_value)
        return EpisodeBatch(_columns(floats[:done], ints[:done], counts[:done], hp.gamma), error)

    def _give_env_stream(self, env: np.ndarray) -> None:
        """Give the env the generator its last reset made, in the state its draws left."""
        words = [int(word) for word in env]
        generator = np.random.Generator(np.random.PCG64())
        generator.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": words[0] << 64 | words[1], "inc": words[2] << 64 | words[3]},
            "has_uint32": 0,
            "uinteger": 0,
        }
        self.env.unwrapped.np_random = generator


def _columns(
    floats: np.ndarray, ints: np.ndarray, counts: np.ndarray, gamma: float
) -> dict[str, np.ndarray]:
    """Return the compiled loop's outputs as ``EpisodeBatch`` columns: numpy arrays (views
    of the outputs where they can be: what the store writes needs no Python values)."""
    columns = {name: floats[:, i] for i, name in enumerate(CHUNK_FLOATS)}
    columns["length"] = ints[:, 0]
    for i, name in enumerate(CHUNK_INTS[1:], start=1):
        columns[name] = ints[:, i].astype(bool)
    columns["gamma"] = np.full(len(ints), gamma)
    columns["action_counts"] = counts
    return columns
