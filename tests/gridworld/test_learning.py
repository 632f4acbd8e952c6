"""The agent learns optimal policies and its state round-trips exactly."""

from __future__ import annotations

import json

import gymnasium as gym
import numpy as np
import pytest

from gridworld.agents import NonFiniteQError, QLearningAgent
from gridworld.episode import run_episode, success_reward
from gridworld.hyperparams import Hyperparams
from gridworld.planning import evaluate_policy, optimal_q, value_iteration
from gridworld.spec import make_env, validate_run_spec
from tests.gridworld.support import off_policy_episode


def train(env, hyperparams, episodes, seed=0):
    agent = QLearningAgent(env.observation_space.n, env.action_space.n, hyperparams, seed=seed)
    for _ in range(episodes):
        run_episode(env, agent)
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
    v_greedy = evaluate_policy(P, np.argmax(agent.q, axis=1), hp.gamma)
    assert v_greedy[start] == pytest.approx(v_opt[start], abs=1e-6)


def test_frozenlake_greedy_success_gets_within_two_points_of_optimal():
    """Success probability is the undiscounted value; the 100-step limit is the horizon."""
    env = gym.make("FrozenLake-v1")  # 4x4, slippery, 100-step limit
    P = env.unwrapped.P
    optimal = value_iteration(P, 1.0, horizon=100)[0][0]
    assert optimal == pytest.approx(0.7442, abs=1e-4)
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
    learned = evaluate_policy(P, np.argmax(agent.q, axis=1), 1.0, horizon=100)[0]
    assert learned >= optimal - 0.02, (learned, optimal)


def test_state_dict_round_trip_continues_bit_identically():
    """A restored agent on a freshly made env plays exactly the episodes the original plays."""
    spec = validate_run_spec({"preset": "hard"})
    env_a = make_env(spec)
    agent = train(env_a, Hyperparams(alpha_decay=0.999), 200, seed=5)
    saved = agent.state_dict()
    stored = json.loads(json.dumps({k: v for k, v in saved.items() if k != "q"}))

    env_b = make_env(spec)
    copy = QLearningAgent(env_b.observation_space.n, 4, Hyperparams(), seed=999)
    copy.load_state_dict({**stored, "q": saved["q"].tolist()})
    assert np.array_equal(copy.q, agent.q) and copy.epsilon == agent.epsilon
    assert (copy.alpha, copy.episode, copy.hyperparams) == (agent.alpha, 200, agent.hyperparams)
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


def test_same_agent_state_and_env_give_identical_episodes():
    """run_episode seeds the env from the agent's generator, so old env history is irrelevant."""

    def episodes(warm_up):
        env = gym.make("GridWorld-v0", preset="hard")
        for _ in range(warm_up):  # consume the env's own random stream
            env.reset()
            env.step(0)
        agent = QLearningAgent(144, 4, Hyperparams(), seed=11)
        return [run_episode(env, agent) for _ in range(30)]

    assert episodes(0) == episodes(17)
    other = QLearningAgent(144, 4, Hyperparams(), seed=12)
    env = gym.make("GridWorld-v0", preset="hard")
    assert [run_episode(env, other) for _ in range(30)] != episodes(0)


def test_load_state_dict_refuses_a_wrong_shape_and_unknown_generator():
    agent = QLearningAgent(3, 2, Hyperparams(), seed=0)
    with pytest.raises(ValueError, match=r"shape \(2, 2\) does not match \(3, 2\)"):
        agent.load_state_dict({**agent.state_dict(), "q": np.zeros((2, 2))})
    state = agent.state_dict()
    state["rng"] = {**state["rng"], "bit_generator": "os"}
    with pytest.raises(ValueError, match="unknown bit generator 'os'"):
        agent.load_state_dict(state)


@pytest.mark.parametrize(
    ("env_id", "reward"), [("FrozenLake-v1", 1.0), ("CliffWalking-v1", -1.0), ("Taxi-v4", 20.0)]
)
def test_success_without_is_success_is_the_best_ending(env_id, reward):
    """Envs without info["is_success"] succeed by ending on their best terminal reward."""
    env = gym.make(env_id)
    assert success_reward(env) == reward
    P = env.unwrapped.P
    agent = QLearningAgent(len(P), len(P[0]), Hyperparams(epsilon=0.0, epsilon_min=0.0), seed=0)
    agent.load_state_dict({**agent.state_dict(), "q": optimal_q(P, 1.0)})
    stats = run_episode(env, agent)
    assert stats.terminated and stats.success


def test_gridworld_success_comes_from_info():
    env = gym.make("GridWorld-v0", desc=["TSG"])  # a random walk ends left (trap) or right
    agent = QLearningAgent(3, 4, Hyperparams(epsilon=1.0, epsilon_decay=1.0), seed=3)
    stats = [run_episode(env, agent) for _ in range(50)]
    assert {(s.success, s.ret > 0, s.terminated) for s in stats} == {
        (True, True, True),
        (False, False, True),
    }


@pytest.mark.parametrize("env_id, preset", [("GridWorld-v0", "hard"), ("Taxi-v4", None)])
def test_the_inlined_episode_loop_equals_act_and_update_bit_for_bit(env_id, preset):
    spec = validate_run_spec({"env_id": env_id, "preset": preset} if preset else {"env_id": env_id})
    fast_env, slow_env = make_env(spec), make_env(spec)
    n_states, n_actions = int(fast_env.observation_space.n), int(fast_env.action_space.n)
    params = Hyperparams(alpha=0.5, epsilon=0.5, epsilon_decay=0.99)
    fast = QLearningAgent(n_states, n_actions, params, seed=7)
    slow = QLearningAgent(n_states, n_actions, params, seed=7)
    for _ in range(150):
        seed = int(fast.rng.integers(2**31))
        assert seed == int(slow.rng.integers(2**31))
        stats = run_episode(fast_env, fast, seed=seed)
        total, abs_td, counts, _ = off_policy_episode(slow_env, slow, seed)
        assert (stats.ret, list(stats.action_counts)) == (total, counts)
        assert stats.mean_abs_td == abs_td / sum(counts)
        assert (stats.mean_q, stats.max_q) == slow.table_stats()
        table = fast.q.tolist()  # the cached statistics equal a scan of the whole table
        assert stats.mean_q == sum(map(sum, table)) / (n_states * n_actions)
        assert stats.max_q == max(map(max, table))
    assert np.array_equal(fast.q, slow.q)
    assert fast.rng.bit_generator.state == slow.rng.bit_generator.state
