"""Each algorithm's update against values worked by hand on tiny tables, its episode loop
against the textbook's step-by-step box, and its checkpoint round trip."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from gridworld.agents import ALGORITHMS, TabularAgent, make_agent
from gridworld.episode import run_episode
from gridworld.errors import ValidationError
from gridworld.hyperparams import Hyperparams
from gridworld.spec import RunSpec, make_env, validate_run_spec
from tests.gridworld.support import off_policy_episode, sarsa_episode

TABLE = [[1.0, 2.0], [3.0, -1.0], [0.0, 0.0]]
"""The worked examples' table: 3 states, 2 actions."""
ALPHA, GAMMA = 0.5, 0.9
OPEN_MAP = ["S.......", ".##.....", "........", "...T....", "........", ".....#..", "........"]
"""A GridWorld map whose goal a wandering agent often misses within its 100 steps."""


def loaded(algorithm: str, *tables: list[list[float]], **hyperparams: float) -> TabularAgent:
    """Return an agent of ``algorithm`` holding ``tables`` (Q, or Q1 and Q2 for double_q)."""
    settings = {"alpha": ALPHA, "gamma": GAMMA, **hyperparams}
    shape = np.shape(tables[0])
    agent = make_agent(algorithm, shape[0], shape[1], Hyperparams(**settings), seed=0)
    state = agent.state_dict()
    if algorithm == "double_q":
        state["q1"], state["q2"] = tables
    else:
        (state["q"],) = tables
    agent.load_state_dict(state)
    return agent


def test_the_algorithms_in_order_and_an_unknown_one_refused():
    assert ALGORITHMS == ("q_learning", "sarsa", "expected_sarsa", "double_q")
    assert [make_agent(name, 2, 2).algorithm for name in ALGORITHMS] == list(ALGORITHMS)
    with pytest.raises(ValidationError, match="algorithm='td' is invalid: unknown algorithm"):
        make_agent("td", 2, 2)


def test_q_learning_bootstraps_on_the_max_and_not_at_a_terminal():
    agent = loaded("q_learning", TABLE)
    # target = 1 + 0.9 * max(3, -1) = 3.7; TD = 3.7 - 2 = 1.7; Q = 2 + 0.5 * 1.7
    assert agent.update(0, 1, 1.0, 1, terminated=False) == pytest.approx(1.7)
    assert agent.q[0, 1] == pytest.approx(2.85)
    # terminal: target = -2; TD = -2 - 3 = -5; Q = 3 + 0.5 * -5
    assert agent.update(1, 0, -2.0, 2, terminated=True) == pytest.approx(-5.0)
    assert agent.q[1, 0] == pytest.approx(0.5)


def test_sarsa_bootstraps_on_the_next_action_chosen():
    agent = loaded("sarsa", TABLE)
    # A' = 1: target = 1 + 0.9 * Q(1, 1) = 1 - 0.9 = 0.1; TD = -1.9; Q = 2 - 0.95
    assert agent.update(0, 1, 1.0, 1, False, next_action=1) == pytest.approx(-1.9)
    assert agent.q[0, 1] == pytest.approx(1.05)
    # A' = 0: target = 1 + 0.9 * 3 = 3.7; TD = 3.7 - 1.05 = 2.65; Q = 1.05 + 1.325
    assert agent.update(0, 1, 1.0, 1, False, next_action=0) == pytest.approx(2.65)
    assert agent.q[0, 1] == pytest.approx(2.375)
    # terminal: no A' needed; Q = 3 + 0.5 * (-2 - 3)
    assert agent.update(1, 0, -2.0, 2, terminated=True) == pytest.approx(-5.0)
    assert agent.q[1, 0] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="next_action"):
        agent.update(0, 0, 1.0, 1, terminated=False)


def test_expected_sarsa_takes_the_expectation_under_epsilon_greedy():
    agent = loaded("expected_sarsa", TABLE, epsilon=0.2)
    # pi(.|1) = (0.1 + 0.8, 0.1); E = 0.9 * 3 + 0.1 * -1 = 2.6; target = 1 + 0.9 * 2.6 = 3.34
    assert agent.update(0, 1, 1.0, 1, terminated=False) == pytest.approx(1.34)
    assert agent.q[0, 1] == pytest.approx(2.67)
    assert agent.update(1, 0, -2.0, 2, terminated=True) == pytest.approx(-5.0)


def test_expected_sarsa_shares_the_greedy_mass_among_ties_as_acting_does():
    tied = [[0.0, 0.0, 0.0], [2.0, 2.0, -1.0]]
    agent = loaded("expected_sarsa", tied, epsilon=0.3, alpha=1.0, gamma=1.0)
    # pi(.|1) = (0.1 + 0.35, 0.1 + 0.35, 0.1); E = 0.45 * 2 + 0.45 * 2 + 0.1 * -1 = 1.7
    agent.update(0, 0, 0.0, 1, terminated=False)
    assert agent.q[0, 0] == pytest.approx(1.7)
    # The policy acting follows: those very probabilities.
    draws = 40_000
    picks = Counter(agent.act(1) for _ in range(draws))
    shares = [picks[action] / draws for action in range(3)]
    assert shares == pytest.approx([0.45, 0.45, 0.1], abs=0.01)


def test_expected_sarsa_follows_the_decayed_epsilon():
    agent = loaded("expected_sarsa", TABLE, epsilon=1.0, epsilon_decay=0.5, epsilon_min=0.0)
    agent.end_episode()  # epsilon 0.5: pi(.|1) = (0.75, 0.25); E = 2.25 - 0.25 = 2.0
    agent.update(0, 1, 1.0, 1, terminated=False)  # target = 1 + 0.9 * 2 = 2.8
    assert agent.q[0, 1] == pytest.approx(2.4)


def _double_update(q1, q2, seed: int, **step) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (Q1, Q2, q) after one update from the given tables with an agent seeded ``seed``."""
    agent = loaded("double_q", q1, q2)
    agent.rng = np.random.default_rng(seed)
    agent.update(**{"state": 0, "action": 1, "reward": 1.0, "next_state": 1, **step})
    first, second = agent.tables
    return first, second, agent.q


def test_double_q_updates_exactly_one_table_evaluated_by_the_other():
    q1, q2 = [[1.0, 2.0], [3.0, -1.0]], [[0.0, 4.0], [5.0, 7.0]]
    learned = Counter()
    for seed in range(200):
        first, second, q = _double_update(q1, q2, seed, terminated=False)
        if not np.array_equal(first, q1):
            # Q1 learns: argmax Q1(1,.) = 0, so target = 1 + 0.9 * Q2(1, 0) = 5.5
            assert np.array_equal(second, q2)
            assert first[0, 1] == pytest.approx(2.0 + 0.5 * (5.5 - 2.0))
            assert np.count_nonzero(first != q1) == 1
            learned["q1"] += 1
        else:
            # Q2 learns: argmax Q2(1,.) = 1, so target = 1 + 0.9 * Q1(1, 1) = 0.1
            assert second[0, 1] == pytest.approx(4.0 + 0.5 * (0.1 - 4.0))
            assert np.count_nonzero(second != q2) == 1
            learned["q2"] += 1
        assert q[0, 1] == pytest.approx((first[0, 1] + second[0, 1]) / 2)
    assert 70 <= learned["q1"] <= 130 and learned["q1"] + learned["q2"] == 200


def test_double_q_breaks_argmax_ties_at_random_and_does_not_bootstrap_at_a_terminal():
    q1, q2 = [[1.0, 2.0], [3.0, 3.0]], [[0.0, 4.0], [5.0, 7.0]]
    values = set()
    for seed in range(100):
        first, second, _ = _double_update(q1, q2, seed, terminated=False)
        values.add(round(float(first[0, 1] if first[0, 1] != 2.0 else second[0, 1]), 6))
    # Q1 learns via Q2(1, 0) = 5 (target 5.5) or Q2(1, 1) = 7 (target 7.3); Q2 learns via
    # its argmax 1 and Q1(1, 1) = 3 (target 3.7).
    assert values == {3.75, 4.65, 3.85}
    ends = set()
    for seed in range(40):
        first, second, _ = _double_update(q1, q2, seed, reward=-2.0, terminated=True)
        ends.add((float(first[0, 1]), float(second[0, 1])))
    assert ends == {(0.0, 4.0), (2.0, 1.0)}  # 2 + 0.5 * (-2 - 2); 4 + 0.5 * (-2 - 4)


def test_double_q_acts_on_the_sum_and_shows_the_mean_of_its_tables():
    agent = loaded("double_q", [[1.0, 0.0]], [[0.0, 2.0]], epsilon=0.0, epsilon_min=0.0)
    assert {agent.act(0) for _ in range(50)} == {1}  # Q1 alone would pick 0
    assert agent.q.tolist() == [[0.5, 1.0]]
    assert agent.table_stats() == (0.75, 1.0)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize(
    "spec_fields", [{"desc": [*OPEN_MAP, ".......G"]}, {"env_id": "Taxi-v4"}], ids=["open", "taxi"]
)
def test_play_equals_the_textbook_step_by_step_loop(algorithm, spec_fields):
    spec = validate_run_spec(spec_fields)
    fast_env, slow_env = make_env(spec), make_env(spec)
    n_states, n_actions = int(fast_env.observation_space.n), int(fast_env.action_space.n)
    params = Hyperparams(alpha=0.5, epsilon=0.5, epsilon_decay=0.99)
    fast = make_agent(algorithm, n_states, n_actions, params, seed=7)
    slow = make_agent(algorithm, n_states, n_actions, params, seed=7)
    by_the_box = sarsa_episode if algorithm == "sarsa" else off_policy_episode
    truncations = 0
    for _ in range(120):
        seed = int(fast.rng.integers(2**31))
        assert seed == int(slow.rng.integers(2**31))
        stats = run_episode(fast_env, fast, seed=seed)
        total, abs_td, counts, truncated = by_the_box(slow_env, slow, seed)
        assert (stats.ret, list(stats.action_counts), stats.truncated) == (total, counts, truncated)
        assert stats.mean_abs_td == abs_td / sum(counts)
        assert (stats.mean_q, stats.max_q) == slow.table_stats()
        assert stats.max_q == fast.q.max() and stats.mean_q == pytest.approx(fast.q.mean())
        truncations += truncated
    assert truncations > 0  # the time-limit path too (SARSA: an A' chosen, never taken)
    assert np.array_equal(fast.q, slow.q)
    assert fast.rng.bit_generator.state == slow.rng.bit_generator.state


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_state_dict_round_trip_continues_bit_identically(algorithm):
    """Saved as a checkpoint saves it (the table apart, the rest through JSON), restored
    into a fresh agent on a fresh env, the copy plays exactly the original's episodes."""
    spec = validate_run_spec({"preset": "hard"})
    env_a, env_b = make_env(spec), make_env(spec)
    agent = make_agent(algorithm, 144, 4, Hyperparams(alpha_decay=0.999), seed=5)
    for _ in range(150):
        run_episode(env_a, agent)
    saved = agent.state_dict()
    stored = json.loads(json.dumps({k: v for k, v in saved.items() if k != "q"}))
    copy = make_agent(algorithm, 144, 4, Hyperparams(), seed=999)
    copy.load_state_dict({**stored, "q": saved["q"]})
    assert np.array_equal(copy.q, agent.q) and copy.table_stats() == agent.table_stats()
    assert (copy.epsilon, copy.alpha, copy.episode) == (agent.epsilon, agent.alpha, 150)
    for _ in range(80):
        assert run_episode(env_a, agent) == run_episode(env_b, copy)
    assert np.array_equal(copy.q, agent.q)
    assert copy.rng.bit_generator.state == agent.rng.bit_generator.state


def test_a_state_loads_only_into_its_own_algorithm():
    sarsa_state = make_agent("sarsa", 3, 2).state_dict()
    with pytest.raises(ValueError, match="'sarsa' agent's state cannot load into 'q_learning'"):
        make_agent("q_learning", 3, 2).load_state_dict(sarsa_state)
    older = {k: v for k, v in make_agent("q_learning", 3, 2).state_dict().items()}
    del older["algorithm"]  # saved before agents named their algorithm
    make_agent("q_learning", 3, 2).load_state_dict(older)
    double = make_agent("double_q", 3, 2)
    without_tables = {k: v for k, v in double.state_dict().items() if k not in ("q1", "q2")}
    with pytest.raises(ValueError, match="both tables, q1 and q2"):
        double.load_state_dict(without_tables)
    with pytest.raises(ValueError, match=r"shape \(2, 2\) does not match \(3, 2\)"):
        double.load_state_dict({**double.state_dict(), "q2": np.zeros((2, 2))})


def test_the_spec_names_its_algorithm_and_older_specs_are_q_learning():
    spec = validate_run_spec({"algorithm": "sarsa", "episodes": 10})
    assert spec.algorithm == "sarsa" and spec.to_dict()["algorithm"] == "sarsa"
    assert RunSpec.from_dict(spec.to_dict()) == spec
    stored_before = {k: v for k, v in spec.to_dict().items() if k != "algorithm"}
    assert RunSpec.from_dict(stored_before).algorithm == "q_learning"
    assert validate_run_spec({"algorithm": None}).algorithm == "q_learning"
    assert validate_run_spec({"algorithm": ""}).algorithm == "q_learning"
