"""The agent learns optimal policies, its state round-trips exactly, and planning is exact."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from gridworld.agent import NonFiniteQError, QLearningAgent
from gridworld.episode import run_episode
from gridworld.hyperparams import Hyperparams
from gridworld.planning import evaluate_policy, value_iteration
from gridworld.spec import make_env, validate_run_spec


def train(env, hyperparams, episodes, seed=0):
    agent = QLearningAgent(env.observation_space.n, env.action_space.n, hyperparams, seed=seed)
    for episode in range(episodes):
        run_episode(env, agent, seed=seed if episode == 0 else None)
    return agent


@pytest.mark.parametrize(
    ("preset", "episodes"),
    [("easy", 400), ("medium", 3000)],
)
def test_greedy_policy_reaches_the_optimal_value(preset, episodes):
    """Within the stated number of episodes the greedy policy is exactly optimal at the start."""
    env = make_env(validate_run_spec({"preset": preset}))
    hp = Hyperparams(alpha=0.5, gamma=0.95, epsilon=1.0, epsilon_decay=0.995, epsilon_min=0.1)
    agent = train(env, hp, episodes)
    P, start = env.unwrapped.P, env.unwrapped.start_state
    v_opt, _ = value_iteration(P, hp.gamma)
    v_greedy = evaluate_policy(P, agent.greedy_policy(), hp.gamma)
    assert v_greedy[start] == pytest.approx(v_opt[start], abs=1e-6)


def test_frozenlake_greedy_success_gets_within_two_points_of_optimal():
    env = gym.make("FrozenLake-v1")  # 4x4, slippery, 100-step limit
    P = env.unwrapped.P
    _, optimal_policy = value_iteration(P, 1.0)
    optimal = evaluate_policy(P, optimal_policy, 1.0, horizon=100)[0]
    assert optimal == pytest.approx(0.74, abs=0.01)
    hp = Hyperparams(
        alpha=0.2,
        gamma=0.99,
        epsilon=1.0,
        epsilon_decay=0.999,
        epsilon_min=0.05,
        alpha_decay=0.9995,
        alpha_min=0.01,
    )
    agent = train(env, hp, 12_000, seed=1)
    learned = evaluate_policy(P, agent.greedy_policy(), 1.0, horizon=100)[0]
    assert learned >= optimal - 0.02, (learned, optimal)


def test_state_dict_round_trip_continues_bit_identically():
    env_a = make_env(validate_run_spec({"preset": "hard"}))
    env_b = make_env(validate_run_spec({"preset": "hard"}))
    agent = train(env_a, Hyperparams(), 200, seed=5)
    saved = agent.state_dict()
    env_state = env_a.unwrapped.np_random.bit_generator.state

    copy = QLearningAgent(env_b.observation_space.n, 4, Hyperparams(), seed=999)
    copy.load_state_dict(saved)
    env_b.reset(seed=0)
    env_b.unwrapped.np_random.bit_generator.state = env_state
    assert np.array_equal(copy.q, agent.q) and copy.epsilon == agent.epsilon
    for _ in range(100):
        assert run_episode(env_a, agent) == run_episode(env_b, copy)
    assert np.array_equal(copy.q, agent.q)
    assert copy.rng.bit_generator.state == agent.rng.bit_generator.state


def test_ties_are_broken_at_random_not_towards_action_zero():
    agent = QLearningAgent(1, 4, Hyperparams(epsilon=0.0, epsilon_min=0.0), seed=0)
    picks = {agent.act(0) for _ in range(200)}
    assert picks == {0, 1, 2, 3}


def test_non_finite_q_value_is_refused_with_episode_state_and_action():
    agent = QLearningAgent(3, 2, Hyperparams(alpha=1.0, gamma=1.0), seed=0)
    agent.episode = 41
    with pytest.raises(NonFiniteQError) as caught:
        agent.update(2, 1, float("inf"), 0, terminated=True)
    assert "episode 42, state 2, action 1" in str(caught.value)
    assert agent.q[2, 1] == 0.0


def test_decay_and_hyperparameter_changes():
    hp = Hyperparams(epsilon=1.0, epsilon_decay=0.5, epsilon_min=0.2, alpha=0.4, alpha_decay=0.5)
    agent = QLearningAgent(2, 2, hp, seed=0)
    for _ in range(3):
        agent.end_episode()
    assert agent.epsilon == 0.2 and agent.alpha == 0.05 and agent.episode == 3
    agent.set_hyperparams(hp.updated({"alpha": 0.3}))
    assert agent.alpha == 0.3 and agent.epsilon == 0.2


def test_run_episode_reports_consistent_stats_on_wrapped_envs():
    env = gym.make("Taxi-v4")
    agent = QLearningAgent(500, 6, Hyperparams(), seed=0)
    stats = run_episode(env, agent, seed=0)
    assert sum(stats.action_counts) == stats.length
    assert stats.terminated or stats.truncated
    assert stats.epsilon == 1.0 and agent.epsilon < 1.0
    assert stats.max_q == agent.q.max() and stats.mean_q == pytest.approx(agent.q.mean())
    row = stats.to_row()
    assert set(row) == {
        "return",
        "length",
        "success",
        "epsilon",
        "alpha",
        "gamma",
        "mean_q",
        "max_q",
        "mean_abs_td",
        "action_counts",
    }


@pytest.mark.parametrize(
    ("env_id", "gamma", "expected"),
    [
        ("FrozenLake-v1", 1.0, 0.8235),  # the classic optimal success probability
        ("CliffWalking-v1", 1.0, -13.0),  # the 13-step path along the cliff
        ("Taxi-v4", 1.0, None),
    ],
)
def test_value_iteration_matches_known_values(env_id, gamma, expected):
    env = gym.make(env_id).unwrapped
    v_opt, policy = value_iteration(env.P, gamma)
    v_policy = evaluate_policy(env.P, policy, gamma)
    np.testing.assert_allclose(v_policy, v_opt, atol=1e-6)
    if expected is not None:
        start = int(np.argmax(env.initial_state_distrib))
        assert v_opt[start] == pytest.approx(expected, abs=1e-3)
    else:  # Taxi: every start can be served for a positive return (20 minus the steps).
        starts = np.flatnonzero(env.initial_state_distrib)
        assert np.all(v_opt[starts] > 0) and np.all(v_opt[starts] <= 20)
