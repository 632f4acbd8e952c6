"""Planning against the textbook: values worked out by hand, known figures, Monte Carlo rollouts.

Every expected number here is derived in a comment or measured by playing the real env; none
is produced by the code under test.
"""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest

from gridworld.config import GridWorldConfig
from gridworld.optimality import Optimality, time_limit
from gridworld.planning import FlatModel, evaluate_policy, optimal_q, value_iteration

LEFT, RIGHT = 0, 1


def corridor(length: int) -> dict:
    """States 0..length-1 in a row; stepping right from the second-to-last ends with reward 1.

    Every other step rewards 0 (a goal-only reward); left from state 0 stays there; the last
    state is the terminal goal.
    """
    goal = length - 1
    P: dict = {}
    for s in range(goal):
        right = (1.0, s + 1, 1.0, True) if s + 1 == goal else (1.0, s + 1, 0.0, False)
        P[s] = {LEFT: [(1.0, max(s - 1, 0), 0.0, False)], RIGHT: [right]}
    P[goal] = {LEFT: [(1.0, goal, 0.0, True)], RIGHT: [(1.0, goal, 0.0, True)]}
    return P


def one_hot(n: int, state: int = 0) -> np.ndarray:
    start = np.zeros(n)
    start[state] = 1.0
    return start


def prefer(action: int, n_states: int, n_actions: int = 2) -> np.ndarray:
    """A Q-table whose greedy action is ``action`` in every state."""
    q = np.zeros((n_states, n_actions))
    q[:, action] = 1.0
    return q


@pytest.mark.parametrize("gamma", [1.0, 0.9])
def test_a_horizon_shorter_than_the_distance_to_the_goal_is_worth_nothing(gamma):
    P = corridor(5)  # the goal is 4 steps from state 0; its reward comes on the 4th step
    for horizon in (1, 2, 3):
        assert value_iteration(P, gamma, horizon=horizon)[0][0] == 0.0
        assert evaluate_policy(P, [RIGHT] * 5, gamma, horizon=horizon)[0] == 0.0
    for horizon in (4, 5, 50):
        assert value_iteration(P, gamma, horizon=horizon)[0][0] == pytest.approx(gamma**3)
        assert evaluate_policy(P, [RIGHT] * 5, gamma, horizon=horizon)[0] == pytest.approx(gamma**3)
    assert value_iteration(P, gamma)[0][0] == pytest.approx(gamma**3)
    assert evaluate_policy(P, [LEFT] * 5, gamma, horizon=50)[0] == 0.0


def test_optimal_share_is_judged_with_the_whole_horizon_ahead():
    P, start = corridor(5), one_hot(5)
    # gamma = 0.9, so a detour costs. Three steps ahead the goal is out of reach from state
    # 0, so both actions are optimal there; states 1-3 must go right; the terminal state 4
    # has only ties. Always-left is therefore optimal in states 0 and 4: 2 of 5.
    short = Optimality(FlatModel.of(P), start, horizon=3)
    assert short.score(prefer(LEFT, 5), 0.9) == {
        "v_opt": 0.0,
        "v_greedy": 0.0,
        "gap": 0.0,
        "optimal_share": 0.4,
    }
    assert short.score(prefer(RIGHT, 5), 0.9)["optimal_share"] == 1.0
    # Four steps ahead the goal (worth 0.9**3 from state 0) is reachable from every state:
    # only state 4 is left.
    long = Optimality(FlatModel.of(P), start, horizon=4)
    scored = long.score(prefer(LEFT, 5), 0.9)
    assert scored == pytest.approx(
        {"v_opt": 0.729, "v_greedy": 0.0, "gap": 0.729, "optimal_share": 0.2}
    )
    # With gamma = 1 a detour is free while the goal stays within reach: from state 3, left
    # then right, right still reaches it in 3 steps, so left is optimal there too.
    assert short.score(prefer(LEFT, 5), 1.0)["optimal_share"] == 0.6


def gamble() -> dict:
    """State 0: "safe" earns 1 and stays; "gamble" ends with 4 or earns 0 and stays, 50/50.

    State 1 is terminal.
    """
    safe, risky = 0, 1
    return {
        0: {safe: [(1.0, 0, 1.0, False)], risky: [(0.5, 1, 4.0, True), (0.5, 0, 0.0, False)]},
        1: {safe: [(1.0, 1, 0.0, True)], risky: [(1.0, 1, 0.0, True)]},
    }


def test_a_small_mdp_solved_by_hand():
    """gamma = 0.9. Q_k(safe) = 1 + 0.9 V_{k-1}; Q_k(gamble) = 0.5 * 4 + 0.5 * 0.9 V_{k-1}.

    k=1: safe 1, gamble 2 -> V1 = 2 (gamble).
    k=2: safe 1 + 1.8 = 2.8, gamble 2 + 0.9 = 2.9 -> V2 = 2.9 (gamble).
    k=3: safe 1 + 2.61 = 3.61, gamble 2 + 1.305 = 3.305 -> V3 = 3.61 (safe).
    Unlimited: safe forever is 1 / (1 - 0.9) = 10; then gamble is 2 + 0.45 * 10 = 6.5 < 10.
    Always safe for 3 steps: 1 + 0.9 + 0.81 = 2.71; always gamble: V1 = 2, V2 = 2 + 0.45 * 2
    = 2.9, V3 = 2 + 0.45 * 2.9 = 3.305.
    """
    P = gamble()
    expected = {1: (2.0, 1), 2: (2.9, 1), 3: (3.61, 0)}
    for horizon, (value, action) in expected.items():
        values, policy = value_iteration(P, 0.9, horizon=horizon)
        assert values[0] == pytest.approx(value) and policy[0] == action
        assert values[1] == 0.0
    values, policy = value_iteration(P, 0.9)
    assert values[0] == pytest.approx(10.0) and policy[0] == 0
    np.testing.assert_allclose(optimal_q(P, 0.9)[0], [10.0, 6.5])
    np.testing.assert_allclose(optimal_q(P, 0.9, horizon=3)[0], [3.61, 3.305])
    assert evaluate_policy(P, [0, 0], 0.9, horizon=3)[0] == pytest.approx(2.71)
    assert evaluate_policy(P, [1, 1], 0.9, horizon=3)[0] == pytest.approx(3.305)
    # The best 3-step plan gambles only in its last two steps; a stationary policy cannot.
    scorer = Optimality(FlatModel.of(P), one_hot(2), horizon=3)
    safe = scorer.score(prefer(0, 2), 0.9)
    assert safe["v_opt"] == pytest.approx(3.61) and safe["v_greedy"] == pytest.approx(2.71)
    assert safe["gap"] == pytest.approx(0.9) and safe["optimal_share"] == 1.0
    risky = scorer.score(prefer(1, 2), 0.9)
    assert risky["gap"] == pytest.approx(0.305) and risky["optimal_share"] == 0.5


def rollouts(env: gym.Env, act, episodes: int, seed: int) -> float:
    """Return the success rate of ``act(state, step)`` played on ``env`` as it truncates."""
    successes = 0
    for i in range(episodes):
        state, _ = env.reset(seed=seed + i)
        for step in range(10**6):
            state, reward, terminated, truncated, _ = env.step(act(state, step))
            if terminated or truncated:
                successes += reward > 0
                break
    return successes / episodes


def within_ci(rate: float, p: float, episodes: int) -> bool:
    """Whether a measured success rate lies within 4 standard errors of ``p``."""
    return abs(rate - p) <= 4 * math.sqrt(p * (1 - p) / episodes)


def test_frozenlake_optimal_success_with_and_without_its_100_step_limit():
    """4x4 slippery FrozenLake, gamma = 1, so values are success probabilities.

    Unlimited, the optimum is the well-known 0.8235. FrozenLake-v1 truncates at 100 steps:
    the optimum then is 0.7442 (a time-dependent plan) and the unlimited optimal policy, kept
    stationary, succeeds with 0.7402. Rollouts in the real env (its own TimeLimit) agree.
    """
    limited = gym.make("FrozenLake-v1")
    P = limited.unwrapped.P
    unlimited_v, policy = value_iteration(P, 1.0)
    assert unlimited_v[0] == pytest.approx(0.8235, abs=1e-4)
    scorer = Optimality.for_env(limited)
    assert scorer is not None and scorer.horizon == 100
    # With gamma = 1 every action of the top row is worth the same 0.8235 (the agent can
    # always get back), up to a rounding error of 2e-16 that decides which one comes first
    # and changes with numpy's version; always going up never leaves the row. Rounded, the
    # ties are exact and the first maximum is the textbook policy (left at the start).
    scored = scorer.score(np.round(optimal_q(P, 1.0), 12), 1.0)
    assert scored["v_opt"] == pytest.approx(0.7442, abs=1e-4)
    assert scored["v_greedy"] == pytest.approx(0.7402, abs=1e-4)

    episodes = 3000
    stationary = rollouts(limited, lambda s, t: policy[s], episodes, seed=0)
    assert within_ci(stationary, scored["v_greedy"], episodes), stationary
    # The time-dependent optimum, played with Q* for the steps that remain, reaches 0.7442.
    model = FlatModel.of(P)
    plans = [np.argmax(optimal_q(model, 1.0, horizon=100 - t), axis=1) for t in range(100)]
    timed = rollouts(limited, lambda s, t: plans[t][s], episodes, seed=10**6)
    assert within_ci(timed, scored["v_opt"], episodes), timed
    long = gym.make("FrozenLake-v1", max_episode_steps=10_000)
    unlimited = rollouts(long, lambda s, t: policy[s], episodes, seed=2 * 10**6)
    assert within_ci(unlimited, unlimited_v[0], episodes), unlimited
    assert not within_ci(unlimited, scored["v_greedy"], episodes)


def test_time_limit_is_the_registration_the_make_call_or_gridworlds_own():
    assert time_limit(gym.make("FrozenLake-v1")) == 100
    assert time_limit(gym.make("FrozenLake8x8-v1")) == 200
    assert time_limit(gym.make("Taxi-v4")) == 200
    assert time_limit(gym.make("CliffWalking-v1")) is None
    assert time_limit(gym.make("FrozenLake-v1", max_episode_steps=30)) == 30
    assert time_limit(gym.make("GridWorld-v0", preset="easy")) == 100  # its config's max_steps
    assert time_limit(gym.make("GridWorld-v0", preset="easy", max_episode_steps=7)) == 7
    assert Optimality.for_env(gym.make("Blackjack-v1")) is None  # no model: nothing to score


def test_gridworld_scores_are_cut_by_its_own_step_limit():
    """ "S...G": the goal is 4 steps away; each step costs 0.01 and the goal pays 1 (gamma 1)."""
    config = GridWorldConfig.from_map(["S...G"], max_steps=3)
    short = Optimality.for_env(gym.make("GridWorld-v0", config=config))
    assert short is not None and short.horizon == 3
    right = prefer(1, 5, 4)  # GridWorld's action 1 is right
    assert short.score(right, 1.0)["v_opt"] == pytest.approx(-0.03)  # 3 steps, no goal
    enough = Optimality.for_env(gym.make("GridWorld-v0", desc=["S...G"]))
    assert enough is not None and enough.horizon == 100  # a map's default max_steps
    assert enough.score(right, 1.0) == pytest.approx(
        {"v_opt": 0.97, "v_greedy": 0.97, "gap": 0.0, "optimal_share": 1.0}
    )


def test_long_horizons_stop_early_where_the_rest_cannot_change_the_value():
    """A 100 000-step limit gives the unlimited values, solved independently by a linear solve."""
    hard = gym.make("GridWorld-v0", preset="hard").unwrapped  # slippery: values converge slowly
    exact, policy = value_iteration(hard.P, 0.99)
    np.testing.assert_allclose(
        value_iteration(hard.P, 0.99, horizon=100_000)[0], exact, rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(
        evaluate_policy(hard.P, policy, 0.99, horizon=100_000), exact, rtol=0, atol=1e-9
    )
    # gamma = 1 on a deterministic corridor reaches a fixed point after the distance.
    assert evaluate_policy(corridor(5), [RIGHT] * 5, 1.0, horizon=100_000)[0] == 1.0


def test_a_policy_that_never_ends_keeps_paying_for_every_step_of_the_limit():
    grid = gym.make("GridWorld-v0", desc=["S.G"]).unwrapped
    left = [3, 3, 3]  # into the wall forever: -0.01 per step
    assert evaluate_policy(grid.P, left, 1.0, horizon=250)[0] == pytest.approx(-2.5)
    assert evaluate_policy(grid.P, left, 1.0)[0] == -np.inf


@pytest.mark.parametrize("horizon", [0, -1, 2.5, True, "100"])
def test_a_horizon_must_be_a_whole_number_of_steps(horizon):
    with pytest.raises(ValueError, match="horizon"):
        value_iteration(corridor(3), 1.0, horizon=horizon)
    with pytest.raises(ValueError, match="horizon"):
        evaluate_policy(corridor(3), [RIGHT] * 3, 1.0, horizon=horizon)


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


def test_evaluate_policy_is_exact_for_policies_that_never_end():
    """gamma=1: a policy walking into a wall forever loses -inf; a zero-reward loop is worth 0."""
    grid = gym.make("GridWorld-v0", desc=["S.G"]).unwrapped
    left, right = 3, 1
    values = evaluate_policy(grid.P, [left, right, left], 1.0)
    assert values[0] == -np.inf and values[1] == pytest.approx(1.0)
    assert evaluate_policy(grid.P, [right, right, left], 1.0)[0] == pytest.approx(0.99)
    lake = gym.make("FrozenLake-v1").unwrapped
    assert evaluate_policy(lake.P, np.zeros(16, dtype=int), 1.0)[0] == 0.0  # left: 0 forever
    np.testing.assert_allclose(
        evaluate_policy(grid.P, [right] * 3, 0.9, horizon=1), [-0.01, 1.0, 0.0]
    )


def test_scores_use_the_start_distribution():
    """Taxi starts anywhere (passenger and taxi at random): an untrained table loses."""
    taxi = gym.make("Taxi-v4")
    scorer = Optimality.for_env(taxi)
    assert scorer is not None and scorer.horizon == 200
    scored = scorer.score(np.zeros((500, 6)), 0.99)
    assert scored["v_opt"] > 0 > scored["v_greedy"] and scored["gap"] > 0
    # Action 0 (south) forever costs -1 a step: 200 steps of -1, discounted.
    assert scored["v_greedy"] == pytest.approx(-(1 - 0.99**200) / (1 - 0.99))


@pytest.mark.parametrize("gamma", [0.9, 1.0])
def test_a_scorer_that_saw_other_policies_scores_each_as_a_fresh_one_does(gamma):
    """A scorer remembers its last policy's value (checkpoints of a converged run share it):
    whatever it scored before, each Q-table scores as on a new scorer, a table with the same
    greedy policy but other values (and another discount factor) included."""
    env = gym.make("FrozenLake-v1")
    rng = np.random.default_rng(4)
    tables = [rng.normal(size=(16, 4)) for _ in range(3)]
    same_policy = tables[0] + 5.0  # every action shifted alike: the same first maxima
    used = Optimality.for_env(env)
    assert used is not None
    sequence = [tables[0], same_policy, tables[1], tables[0], tables[2], tables[2], tables[0]]
    for q in sequence:
        for discount in (gamma, 0.5):
            fresh = Optimality.for_env(env)
            assert fresh is not None
            assert used.score(q, discount) == fresh.score(q, discount)
    assert used.score(tables[0], gamma) != used.score(tables[1], gamma)
