"""Recorded steps: both kernels record the same steps, bit for bit, for every algorithm; the
steps are the textbook loop's; recording changes nothing the episodes learn; a wandering
episode keeps only its first ``max_steps``."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from gridworld.agents import ALGORITHMS, TabularAgent
from gridworld.kernel import EpisodeBatch, make_runner
from gridworld.trajectory import INT_COLUMNS, NO_STEPS, STEP_COLUMNS, StepsWanted, Trajectory
from tests.gridworld.support import off_policy_episode, sarsa_episode
from tests.gridworld.test_kernel import DETERMINISTIC, SLIPPERY, agent_for, make, state_of

RECORD = [0, 1, 7, 30, 59]
"""The chunk indexes recorded (of 60 episodes)."""


def played(
    env_id: str, kwargs: dict, algorithm: str, kernel: str, steps: StepsWanted = NO_STEPS
) -> tuple:
    """Return the batch of 60 episodes one kernel plays, and the agent and env state after."""
    env = make(env_id, kwargs)
    agent = agent_for(env, algorithm)
    batch = make_runner(env, agent, kernel).run(60, 3, steps)
    state = state_of(agent, env)
    env.close()
    return batch, state


def exact(trajectory: Trajectory) -> dict[str, tuple]:
    """Return a trajectory as comparable bytes: every column's dtype, shape and bits."""
    columns = trajectory.columns
    assert list(columns) == list(STEP_COLUMNS)
    return {
        name: (str(values.dtype), values.shape, values.tobytes())
        for name, values in columns.items()
    } | {"length": (trajectory.length,)}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("case", [*DETERMINISTIC, "gridworld_slippery", "frozenlake_8x8"])
def test_both_kernels_record_the_same_steps(case, algorithm):
    env_id, kwargs = {**DETERMINISTIC, **SLIPPERY}[case]
    python, _ = played(env_id, kwargs, algorithm, "python", StepsWanted(RECORD, 1000))
    compiled, _ = played(env_id, kwargs, algorithm, "compiled", StepsWanted(RECORD, 1000))
    assert sorted(python.trajectories) == sorted(compiled.trajectories) == RECORD
    for index in RECORD:
        assert exact(compiled.trajectories[index]) == exact(python.trajectories[index]), index
    lengths = [python.trajectories[i].length for i in RECORD]
    assert lengths == [python.columns["length"][i] for i in RECORD]
    for trajectory in python.trajectories.values():
        assert all(trajectory.columns[name].dtype == np.int64 for name in INT_COLUMNS)
        assert trajectory.columns["q"].shape == (trajectory.steps, agent_actions(env_id, kwargs))


def agent_actions(env_id: str, kwargs: dict) -> int:
    """Return the size of the env's action space."""
    env = make(env_id, kwargs)
    try:
        return int(env.action_space.n)
    finally:
        env.close()


@pytest.mark.parametrize("kernel", ["python", "compiled"])
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_recording_changes_nothing_the_episodes_learn(kernel, algorithm):
    env_id, kwargs = SLIPPERY["frozenlake_8x8"]
    plain, plain_state = played(env_id, kwargs, algorithm, kernel)
    recorded, recorded_state = played(env_id, kwargs, algorithm, kernel, StepsWanted(RECORD))
    assert plain.trajectories == {}
    assert recorded.stats() == plain.stats()
    assert recorded_state == plain_state


class Recorder:
    """Wraps an agent's ``update`` to note every step the textbook loop takes: the state's
    Q-values before the update (as the agent shows them) and the TD error it returns."""

    def __init__(self, agent: TabularAgent) -> None:
        self.agent = agent
        self.steps: list[tuple] = []
        self._update = agent.update
        agent.update = self.update  # type: ignore[method-assign]

    def update(self, state, action, reward, next_state, terminated, next_action=None):
        row = self.agent.q[state].copy()
        td_error = self._update(state, action, reward, next_state, terminated, next_action)
        self.steps.append((state, action, reward, next_state, td_error, row))
        return td_error


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_the_recorded_steps_are_the_textbook_loops_steps(algorithm):
    env_id, kwargs = DETERMINISTIC["cliffwalking"]
    env = make(env_id, kwargs)
    agent = agent_for(env, algorithm)
    batch = make_runner(env, agent, "compiled").run(12, 4, StepsWanted(range(12)))
    env_b = make(env_id, kwargs)
    reference = agent_for(env_b, algorithm)
    recorder = Recorder(reference)
    loop = sarsa_episode if algorithm == "sarsa" else off_policy_episode
    for index in range(12):
        recorder.steps.clear()
        epsilon = reference.epsilon
        seed = 4 if index == 0 else int(reference.rng.integers(2**31))  # as run_episode
        loop(env_b, reference, seed)
        columns = batch.trajectories[index].columns
        state, action, reward, next_state, td_error, rows = zip(*recorder.steps, strict=True)
        assert columns["state"].tolist() == list(state)
        assert columns["action"].tolist() == list(action)
        assert columns["reward"].tolist() == list(reward)
        assert columns["next_state"].tolist() == list(next_state)
        assert columns["td_error"].tolist() == list(td_error)
        assert columns["q"].tolist() == [row.tolist() for row in rows]
        assert columns["epsilon"].tolist() == [epsilon] * len(state)
    env.close()
    env_b.close()


@pytest.mark.parametrize("kernel", ["python", "compiled"])
def test_a_long_episode_keeps_its_first_steps_and_its_length(kernel):
    env_id, kwargs = DETERMINISTIC["cliffwalking"]  # a random walk there takes hundreds
    python, _ = played(env_id, kwargs, "q_learning", "python", StepsWanted([0], 1000))
    full = python.trajectories[0]
    assert full.steps == full.length > 25
    cut, _ = played(env_id, kwargs, "q_learning", kernel, StepsWanted([0], 25))
    short = cut.trajectories[0]
    assert short.length == full.length and short.steps == 25
    for name, values in short.columns.items():
        assert values.tobytes() == full.columns[name][:25].tobytes(), name


def test_a_chunk_that_records_nothing_allocates_no_step_slots():
    env_id, kwargs = DETERMINISTIC["gridworld_medium"]
    batch, _ = played(env_id, kwargs, "double_q", "compiled")
    assert isinstance(batch, EpisodeBatch) and batch.trajectories == {}


def test_the_python_kernel_records_any_env():
    env = gym.make("FrozenLake-v1", is_slippery=False)
    env = gym.wrappers.TransformReward(env, lambda r: 2 * r)  # no table model: the Python loop
    agent = agent_for(env, "expected_sarsa")
    runner = make_runner(env, agent, "auto")
    assert runner.name == "python"
    batch = runner.run(5, 1, StepsWanted([4]))
    assert list(batch.trajectories) == [4]
    assert batch.trajectories[4].length == batch.columns["length"][4]
    env.close()
