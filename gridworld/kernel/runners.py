"""The two kernels: each plays a chunk of episodes of one env with one agent.

``PythonRunner`` is ``run_episode`` in a loop: any env, and the reference. ``CompiledRunner``
plays the env's table (``table_model``) in ``jitted.run_episodes``: it hands the agent's
table, schedule and random generator to the compiled loop and takes them back after the
chunk through ``state_dict``/``load_state_dict``, and it gives the env the generator state
its last reset and steps left, so the agent, the env and a checkpoint of them are what the
Python kernel leaves, and either kernel can continue the other. The episodes a chunk is asked
to record keep their steps: in a ``StepLog`` (Python), or in ``StepArrays`` made for those
episodes alone (compiled).
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..agents import ALGORITHMS, NonFiniteQError, TabularAgent
from ..agents.double_q import DoubleQAgent
from ..episode import EpisodeStats, run_episode
from ..trajectory import NO_STEPS, StepLog, StepsWanted, Trajectory
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

    def run(
        self, count: int, seed: int | None = None, steps: StepsWanted = NO_STEPS
    ) -> EpisodeBatch:
        """Play and learn from ``count`` episodes.

        Args:
            count: how many.
            seed: the first episode's reset seed; None draws every seed from the agent.
            steps: the episodes whose steps to keep, and how many of them.

        Returns:
            The episodes and the recorded ones' trajectories; a non-finite update ends the
            chunk early, as the batch's error.
        """
        stats: list[EpisodeStats] = []
        kept: dict[int, Trajectory] = {}
        try:
            for i in range(count):
                log = StepLog(steps.max_steps) if i in steps.indexes else None
                stats.append(run_episode(self.env, self.agent, seed, log))
                if log is not None:
                    kept[i] = log.trajectory(stats[-1].length, stats[-1].epsilon)
                seed = None
        except NonFiniteQError as exc:
            return EpisodeBatch.from_stats(stats, exc, kept)
        return EpisodeBatch.from_stats(stats, None, kept)


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

    def run(
        self, count: int, seed: int | None = None, steps: StepsWanted = NO_STEPS
    ) -> EpisodeBatch:
        """Play and learn from ``count`` episodes (see ``PythonRunner.run``); the recorded
        episodes write their steps into arrays made for them alone.

        Returns:
            The episodes and the recorded ones' trajectories; a non-finite update ends the
            chunk early, as the batch's error.

        Raises:
            ValueError: ``seed`` lies outside [0, 2**32) (run specs' seeds lie inside; the
                compiled loop seeds the env stream from one 32-bit word).
        """
        if seed is not None and not 0 <= seed < 2**32:
            raise ValueError(f"seed={seed!r}: the compiled kernel takes seeds in [0, 2**32)")
        agent = self.agent
        pair = agent.tables if isinstance(agent, DoubleQAgent) else None  # (Q1, Q2)
        double = pair is not None
        if pair is not None:
            tables = np.array(pair)
            q = tables[0] + tables[1]
        else:
            q, tables = agent.q, np.zeros((2, 1, 1))
        hp = agent.hyperparams
        decays = (hp.epsilon_decay, hp.epsilon_min, hp.alpha_decay, hp.alpha_min)
        schedule = np.array([agent.epsilon, agent.alpha, hp.gamma, *decays])
        floats = np.zeros((count, len(CHUNK_FLOATS)))
        ints = np.zeros((count, len(CHUNK_INTS)), np.int64)
        counts = np.zeros((count, agent.n_actions), np.int64)
        env = np.zeros(4, np.uint64)
        kept = StepArrays.make(count, sorted(steps.indexes), steps.max_steps, agent.n_actions)
        done, bad_state, bad_action, bad_value = self._run_episodes(
            self.model, self.code, agent.rng, -1 if seed is None else seed,
            q, tables, schedule, env, floats, ints, counts, *kept.arrays(),
        )  # fmt: skip
        agent.load_learned(  # the kernel drew from ``agent.rng`` itself
            {
                "q": q,
                **({"q1": tables[0], "q2": tables[1]} if double else {}),
                "epsilon": float(schedule[0]),
                "alpha": float(schedule[1]),
                "episode": agent.episode + done,
            }
        )
        self._give_env_stream(env)
        error = None
        if bad_state >= 0:
            error = NonFiniteQError(agent.episode + 1, int(bad_state), int(bad_action), bad_value)
        columns = _columns(floats[:done], ints[:done], counts[:done], hp.gamma)
        trajectories = kept.trajectories(done, ints[:, 0], floats[:, 1], 0.5 if double else 1.0)
        return EpisodeBatch(columns, error, trajectories)

    def _give_env_stream(self, env: np.ndarray) -> None:
        """Give the env the generator its last reset made, in the state its draws left."""
        words = [int(word) for word in env]
        state = {
            "bit_generator": "PCG64",
            "state": {"state": words[0] << 64 | words[1], "inc": words[2] << 64 | words[3]},
            "has_uint32": 0,
            "uinteger": 0,
        }
        generator = getattr(self.env.unwrapped, "_np_random", None)
        if not isinstance(generator, np.random.Generator) or not isinstance(
            generator.bit_generator, np.random.PCG64
        ):  # a new one seeded from the OS costs 40 us a chunk: the env's own is reused
            generator = np.random.Generator(np.random.PCG64(0))
            self.env.unwrapped.np_random = generator
        generator.bit_generator.state = state


@dataclass(frozen=True)
class StepArrays:
    """The compiled loop's step output: one slot per recorded episode (none for a chunk
    that records nothing, so the loop only ever tests ``slot >= 0``)."""

    slot: np.ndarray
    """int64 [episodes]: each episode's slot, -1 for one not recorded."""
    ints: np.ndarray
    """int64 [slots, max_steps, 3]: state, action, next state."""
    floats: np.ndarray
    """float64 [slots, max_steps, 2]: reward, TD error."""
    q: np.ndarray
    """float64 [slots, max_steps, actions]: the table's row of the state, before the update."""

    @classmethod
    def make(cls, count: int, record: list[int], max_steps: int, n_actions: int) -> StepArrays:
        """Return empty arrays for the episodes ``record`` (indexes below ``count``) of a
        chunk of ``count``.

        Returns:
            The arrays.
        """
        slot = np.full(count, -1, np.int64)
        slot[record] = np.arange(len(record))
        size = len(record)
        return cls(
            slot,
            np.empty((size, max_steps, 3), np.int64),
            np.empty((size, max_steps, 2)),
            np.empty((size, max_steps, n_actions)),
        )

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return the arrays in ``jitted.run_episodes``'s order."""
        return self.slot, self.ints, self.floats, self.q

    def trajectories(
        self, done: int, lengths: np.ndarray, epsilons: np.ndarray, scale: float
    ) -> dict[int, Trajectory]:
        """Return the trajectories of the recorded episodes among the first ``done``.

        Args:
            done: the episodes the loop completed.
            lengths: each episode's steps.
            epsilons: each episode's epsilon.
            scale: what the table's values are multiplied by to show them (Double
                Q-learning's sum of two tables: 0.5).

        Returns:
            Index in the chunk to trajectory.
        """
        kept = {}
        for index in np.flatnonzero(self.slot[:done] >= 0).tolist():
            slot, length = int(self.slot[index]), int(lengths[index])
            n = min(length, self.ints.shape[1])
            ints, floats = self.ints[slot, :n], self.floats[slot, :n]
            columns = {
                "state": ints[:, 0].copy(),
                "action": ints[:, 1].copy(),
                "reward": floats[:, 0].copy(),
                "next_state": ints[:, 2].copy(),
                "epsilon": np.full(n, epsilons[index]),
                "td_error": floats[:, 1].copy(),
                "q": self.q[slot, :n] * scale,
            }
            kept[index] = Trajectory(length, columns)
        return kept


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
