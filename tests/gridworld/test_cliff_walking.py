"""Sutton & Barto's Example 6.6 (cliff walking) on ``CliffWalking-v1``: SARSA learns the safe
path and earns more online, Q-learning learns the optimal path along the cliff and earns less.

Settings as in the book: epsilon = 0.1 and alpha = 0.5, both constant, gamma = 1, 500
episodes, here over 20 seeds. CliffWalking-v1 has no time limit: an episode under an
epsilon-greedy policy ends with probability 1, so training is the book's, but a generous
limit is set all the same (and checked never reached), so that a broken agent fails instead
of running forever; the greedy walks after training get a step cap, since a greedy policy
may circle. The greedy paths are judged seed by seed, by a majority with a margin: a single
SARSA agent's greedy policy can still circle after 500 episodes (its values keep moving
with a constant alpha), so asking it of every seed would fail on an unlucky one, while a
mean table over seeds would hide whether individual agents learned the path at all.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from gridworld.agents import TabularAgent, make_agent
from gridworld.episode import run_episode
from gridworld.hyperparams import Hyperparams

SETTINGS = Hyperparams(alpha=0.5, gamma=1.0, epsilon=0.1, epsilon_decay=1.0, epsilon_min=0.1)
EPISODES = 500
SEEDS = range(20)
TRAINING_LIMIT = 100_000
"""Steps per training episode at most (never reached: checked)."""
WALK_CAP = 100
"""Steps a greedy walk may take before it counts as circling."""
COLUMNS = 12
CLIFF_SIDE = {2 * COLUMNS + column for column in range(1, COLUMNS - 1)}
"""The states right above the cliff (row 2, columns 1 to 10): the optimal path walks them."""
OPTIMAL_RETURN = -13


def trained(algorithm: str, seed: int) -> tuple[TabularAgent, list[float]]:
    """Return an agent after the book's 500 episodes, and each episode's online return."""
    env = gym.make("CliffWalking-v1", max_episode_steps=TRAINING_LIMIT)
    agent = make_agent(algorithm, 48, 4, SETTINGS, seed)
    returns = []
    for _ in range(EPISODES):
        stats = run_episode(env, agent)
        assert stats.terminated and not stats.truncated
        returns.append(stats.ret)
    return agent, returns


def greedy_walk(agent: TabularAgent) -> tuple[list[float], list[int]]:
    """Walk the agent's greedy policy (ties at random) from the start in a fresh env.

    Returns:
        The rewards and the states visited (start included); the walk stops at the goal or
        after ``WALK_CAP`` steps.
    """
    env = gym.make("CliffWalking-v1")
    state, _ = env.reset(seed=0)
    rewards, states = [], [state]
    for _ in range(WALK_CAP):
        state, reward, terminated, _, _ = env.step(agent.greedy_action(state))
        rewards.append(float(reward))
        states.append(state)
        if terminated:
            break
    return rewards, states


@pytest.fixture(scope="module")
def runs() -> dict[str, list[tuple[TabularAgent, list[float]]]]:
    """Both algorithms trained over every seed."""
    return {name: [trained(name, seed) for seed in SEEDS] for name in ("q_learning", "sarsa")}


def test_sarsa_earns_more_online_than_q_learning(runs):
    late = {name: np.mean([r[400:500] for _, r in trained]) for name, trained in runs.items()}
    assert late["sarsa"] > late["q_learning"], late
    # The book's Figure 6.4 shows about -25 and -50 here.
    assert -35 < late["sarsa"] < -15 and -65 < late["q_learning"] < -35, late


def test_q_learning_walks_the_cliff_edge_optimally(runs):
    walks = [greedy_walk(agent) for agent, _ in runs["q_learning"]]
    optimal = [  # the 13 steps along the cliff's edge
        sum(rewards) == OPTIMAL_RETURN and set(path) >= CLIFF_SIDE for rewards, path in walks
    ]
    assert sum(optimal) >= 0.9 * len(walks), [sum(rewards) for rewards, _ in walks]


def test_sarsa_walks_a_longer_path_away_from_the_edge(runs):
    walks = [greedy_walk(agent) for agent, _ in runs["sarsa"]]
    safe = [
        path[-1] == 47  # the goal, within the cap
        and -100.0 not in rewards  # no fall
        and sum(rewards) < OPTIMAL_RETURN  # longer than the optimal path
        and not CLIFF_SIDE & set(path)  # never beside the cliff
        for rewards, path in walks
    ]
    assert sum(safe) >= 0.75 * len(walks), [(sum(rewards), path) for rewards, path in walks]
