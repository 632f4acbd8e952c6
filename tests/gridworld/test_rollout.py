"""The greedy rollout of a Q-table: one episode worked out by hand, ties, the step bound, and
which maps are deterministic."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import gridworld  # noqa: F401  (registers GridWorld-v0)
from gridworld.env import Action
from gridworld.rollout import greedy_rollout, is_deterministic


def test_the_greedy_policy_walks_to_the_goal_with_each_steps_td_error():
    env = gym.make("GridWorld-v0", desc=["S.G"])
    q = np.zeros((3, 4))
    q[0, Action.RIGHT], q[1, Action.RIGHT] = 0.5, 0.8
    trajectory = greedy_rollout(env, q, gamma=0.9, seed=0, max_steps=50)
    columns = trajectory.columns
    assert trajectory.length == trajectory.steps == 2
    assert columns["state"].tolist() == [0, 1]
    assert columns["action"].tolist() == [Action.RIGHT, Action.RIGHT]
    assert columns["next_state"].tolist() == [1, 2]
    assert columns["reward"].tolist() == [-0.01, 1.0]
    assert columns["epsilon"].tolist() == [0.0, 0.0]
    # -0.01 + 0.9 * max Q(1) - Q(0, right); at the goal no future: 1.0 - Q(1, right)
    assert columns["td_error"].tolist() == pytest.approx([-0.01 + 0.9 * 0.8 - 0.5, 1.0 - 0.8])
    assert columns["q"].tolist() == [q[0].tolist(), q[1].tolist()]


def test_ties_are_broken_by_the_seed_and_the_steps_are_bounded():
    env = gym.make("GridWorld-v0", preset="easy")
    q = np.zeros((25, 4))  # every action tied: a random walk
    runs = [greedy_rollout(env, q, 0.99, seed, 7).columns["action"].tolist() for seed in (1, 1, 2)]
    assert runs[0] == runs[1] and len(runs[0]) == 7
    assert runs[0] != runs[2]


def test_the_same_seed_gives_the_same_sample_of_a_slippery_map():
    env = gym.make("FrozenLake-v1")
    q = np.tile([0.0, 0.1, 0.2, 0.0], (16, 1))  # always right
    first, again = (greedy_rollout(env, q, 0.99, 5, 100).columns for _ in range(2))
    assert first["next_state"].tolist() == again["next_state"].tolist()


@pytest.mark.parametrize(
    ("make", "deterministic"),
    [
        (lambda: gym.make("GridWorld-v0", preset="easy"), True),
        (lambda: gym.make("GridWorld-v0", preset="hard"), False),  # slip 0.2
        (lambda: gym.make("FrozenLake-v1"), False),
        (lambda: gym.make("FrozenLake-v1", is_slippery=False), True),
        (lambda: gym.make("CliffWalking-v1"), True),
        (lambda: gym.make("CartPole-v1"), False),  # no model at all
    ],
)
def test_a_map_is_deterministic_when_every_action_has_one_outcome(make, deterministic):
    assert is_deterministic(make()) is deterministic
