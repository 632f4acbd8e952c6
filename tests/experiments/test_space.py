"""Search spaces and launch requests: every bad value named with the validator's message,
grids of every combination, random draws reproducible and in range."""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from scipy import stats

from app.experiments.request import parse_request
from app.experiments.space import parse_space, parse_text
from app.experiments.trials import first_settings
from gridworld.errors import ValidationError
from gridworld.hyperparams import validate_hyperparams
from gridworld.spec import validate_run_spec

ALPHAS = {"alpha": [0.1, 0.5]}
RANGE = {"low": 0.1, "high": 1}


def request(**fields: object) -> dict:
    """Return a launch request over GridWorld easy with ``fields``."""
    return {"base": {"episodes": 10}, "space": ALPHAS, **fields}


class NoModelEnv(gym.Env[int, int]):
    """A Discrete env without a toy-text model (nothing to plan V* with)."""

    observation_space = spaces.Discrete(2)
    action_space = spaces.Discrete(2)

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[int, dict]:
        super().reset(seed=seed)
        return 0, {}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict]:
        return 0, 0.0, True, False, {}


gym.register("TestNoModel-v0", entry_point=NoModelEnv, max_episode_steps=5)

# (request fields, words the message must hold, field the error names)
BAD = [
    ({"space": {"alpha": [0, 0.2]}}, ["alpha=0", "out of range", "0 < x <= 1"], "alpha"),
    ({"space": {"alpha": [2]}}, ["alpha=2", "out of range"], "alpha"),
    ({"space": {"alpha": ["abc"]}}, ["alpha='abc'", "not a number"], "alpha"),
    ({"space": {"alpha": [True]}}, ["alpha=True", "not a number"], "alpha"),
    ({"space": {"gamma": ["nan"]}}, ["gamma='nan'", "finite"], "gamma"),
    ({"space": {"alpha": [0.1, "0.1"]}}, ["alpha=", "twice"], "alpha"),
    ({"space": {"alpha": []}}, ["alpha=[]", "not a list"], "alpha"),
    ({"space": {"alpha": 0.1}}, ["alpha=0.1", "not a list", "range"], "alpha"),
    ({"space": {"alpha": list(range(1, 102))}}, ["alpha=", "1 to 100"], "alpha"),
    ({"space": {"beta": [1]}}, ["beta", "unknown parameter", "alpha, gamma"], "beta"),
    ({"space": "alpha"}, ["space='alpha'", "not an object"], "space"),
    ({"space": {"alpha": {"low": 0, "high": 1, "steps": 3}}}, ["alpha=0", "0 < x"], "alpha"),
    ({"space": {"alpha": {"low": 0.1, "high": 2, "steps": 3}}}, ["alpha=2"], "alpha"),
    ({"space": {"alpha": {"low": 0.5, "high": 0.1, "steps": 3}}}, ["low is not below"], "alpha"),
    ({"space": {"alpha": {"low": 0.5, "high": 0.5, "steps": 3}}}, ["low < high"], "alpha"),
    ({"space": {"alpha": RANGE}}, ["alpha.steps", "missing for a grid"], "alpha.steps"),
    (
        {"space": {"alpha": {**RANGE, "steps": 1}}},
        ["alpha.steps=1", "from 2 to 100"],
        "alpha.steps",
    ),
    ({"space": {"alpha": {**RANGE, "steps": "x"}}}, ["alpha.steps='x'"], "alpha.steps"),
    (
        {"method": "random", "budget": 2, "space": {"alpha": {**RANGE, "steps": 3}}},
        ["alpha.steps=3", "continuous", "only for grid"],
        "alpha.steps",
    ),
    (
        {"method": "tpe", "budget": 2, "space": {"gamma": {"low": 0, "high": 1, "scale": "log"}}},
        ["gamma.low=0", "log scale", "low > 0"],
        "gamma.low",
    ),
    (
        {"space": {"alpha": {**RANGE, "steps": 3, "scale": "cubic"}}},
        ["alpha.scale='cubic'", "linear, log"],
        "alpha.scale",
    ),
    (
        {"space": {"alpha": {**RANGE, "step": 3}}},
        ["alpha.step=3", "unknown range key"],
        "alpha.step",
    ),
    ({"space": {"alpha": {"high": 1, "steps": 2}}}, ["alpha.low=None", "missing"], "alpha.low"),
    (
        {"space": {"epsilon": [0.01, 0.5]}},
        ["epsilon_min=0.05", "greater than epsilon=0.01"],
        "epsilon_min",
    ),
    (
        {"space": {"epsilon_min": [0.0, 0.5], "epsilon": [0.3, 1.0]}},
        ["epsilon_min=0.5", "greater than epsilon=0.3"],
        "epsilon_min",
    ),
    (
        {"method": "random", "budget": 3, "space": {"alpha_min": {"low": 0.0, "high": 0.5}}},
        ["alpha_min=0.5", "greater than alpha=0.1"],
        "alpha_min",
    ),
    ({"method": "random", "budget": 3, "space": {}}, ["space={}", "empty"], "space"),
    ({"method": "anneal"}, ["method='anneal'", "grid, random, tpe"], "method"),
    ({"method": "hyperband"}, ["method='hyperband'", "grid, random, tpe, pbt"], "method"),
    ({"seeds": 0}, ["seeds=0", "from 1 to 100"], "seeds"),
    ({"seeds": 101}, ["seeds=101", "out of range"], "seeds"),
    ({"seeds": "x"}, ["seeds='x'", "whole number"], "seeds"),
    ({"seeds": 2.5}, ["seeds=2.5"], "seeds"),
    (
        {"base": {"seed": 2**32 - 1}, "seeds": 2},
        ["seeds=2", "pass the largest seed", "at most 1 seeds"],
        "seeds",
    ),
    ({"method": "random"}, ["budget=None", "missing for random"], "budget"),
    ({"method": "tpe", "budget": 0}, ["budget=0", "from 1"], "budget"),
    ({"budget": 3}, ["budget=3", "from 1 to 2"], "budget"),
    ({"method": "random", "budget": 101, "seeds": 100}, ["budget=101", "out of range"], "budget"),
    (
        {
            "space": {
                "alpha": [i / 100 for i in range(1, 101)],
                "gamma": [i / 100 for i in range(100)],
            },
            "seeds": 2,
        },
        ["space=", "10000 settings x 2 seeds", "more than 10000 runs"],
        "space",
    ),
    ({"objective": "speed"}, ["objective='speed'", "final_return, auc"], "objective"),
    (
        {"objective": "episodes_to_threshold"},
        ["threshold=None", "missing for the objective"],
        "threshold",
    ),
    ({"threshold": "high"}, ["threshold='high'", "not a number"], "threshold"),
    ({"threshold": float("inf")}, ["threshold=inf", "finite"], "threshold"),
    ({"pruner": "hyperband"}, ["pruner='hyperband'", "none, median, halving"], "pruner"),
    ({"slots": 0}, ["slots=0", "from 1 to 1024"], "slots"),
    ({"base": "easy"}, ["base='easy'", "not an object"], "base"),
    ({"base": {"episodes": 0}}, ["episodes=0", "1 to 10000000"], "episodes"),
    ({"base": {"name": "mine"}}, ["base.name='mine'", "named after"], "base.name"),
    ({"base": {"colour": "red"}}, ["colour='red'", "unknown field"], "colour"),
    ({"base": {"env_id": "NoSuchEnv-v0"}}, ["env='NoSuchEnv-v0'"], "env"),
    ({"name": ""}, ["name=''", "empty"], "name"),
    ({"name": "a\nb"}, ["name=", "U+000A"], "name"),
    ({"colour": "red"}, ["colour='red'", "unknown field", "name, method, base"], "colour"),
    (
        {"space": {"algorithm": ["sarsa", "td"]}},
        ["algorithm='td'", "q_learning, sarsa"],
        "algorithm",
    ),
    ({"space": {"algorithm": [5]}}, ["algorithm=5", "not text"], "algorithm"),
    ({"space": {"algorithm": ["sarsa", "sarsa"]}}, ["algorithm=", "twice"], "algorithm"),
    (
        {"method": "random", "budget": 2, "space": {"algorithm": {"low": 0, "high": 1}}},
        ["algorithm=", "takes no range", "a list of values"],
        "algorithm",
    ),
    (
        {"base": {"env_id": "TestNoModel-v0"}, "objective": "normalised_score"},
        ["objective='normalised_score'", "no model"],
        "objective",
    ),
]


@pytest.mark.parametrize(("fields", "words", "field"), BAD, ids=[str(f)[:60] for f, *_ in BAD])
def test_a_bad_request_is_refused_naming_the_field_and_value(fields, words, field):
    with pytest.raises(ValidationError) as refused:
        parse_request(request(**fields))
    for word in words:
        assert word in str(refused.value), (word, str(refused.value))
    assert refused.value.field == field


def test_a_request_that_is_not_an_object_is_refused():
    with pytest.raises(ValidationError, match="body=\\[1\\] is invalid: not an object"):
        parse_request([1])


@pytest.mark.parametrize(
    ("space", "same_as"),
    [
        ({"alpha": [0.1, 0]}, {"alpha": 0}),
        ({"epsilon_decay": ["1.5"]}, {"epsilon_decay": "1.5"}),
        ({"gamma": {"low": -1, "high": 1, "steps": 2}}, {"gamma": -1}),
    ],
)
def test_a_bad_value_gets_exactly_the_hyperparameter_validators_message(space, same_as):
    with pytest.raises(ValidationError) as validator:
        validate_hyperparams(same_as)
    with pytest.raises(ValidationError) as refused:
        parse_request(request(space=space))
    assert str(refused.value) == str(validator.value)


def test_a_base_spec_error_is_the_run_spec_validators():
    with pytest.raises(ValidationError) as validator:
        validate_run_spec({"preset": "impossible"})
    with pytest.raises(ValidationError) as refused:
        parse_request(request(base={"preset": "impossible"}))
    assert str(refused.value) == str(validator.value)


def test_defaults_a_grid_of_the_lists_with_one_seed():
    plan = parse_request(request())
    assert (plan.method, plan.seeds, plan.budget, plan.objective, plan.pruner) == (
        "grid",
        (0,),
        2,
        "final_return",
        "none",
    )
    assert plan.name == "grid sweep on GridWorld-v0" and not plan.needs_study


def test_a_grid_is_every_combination_of_lists_and_ranges():
    space = parse_space(
        {"alpha": [0.1, 0.5], "epsilon_decay": {"low": 0.9, "high": 0.99, "steps": 3}},
        "grid",
        validate_run_spec({}),
    )
    settings = first_settings(space, space.grid_size(), seed=0)
    assert settings == [
        {"alpha": alpha, "epsilon_decay": decay}
        for alpha in (0.1, 0.5)
        for decay in (0.9, 0.945, 0.99)
    ]


def test_a_log_grid_range_is_evenly_spaced_on_the_log_scale():
    space = parse_space(
        {"alpha": {"low": 0.001, "high": 1, "steps": 4, "scale": "log"}},
        "grid",
        validate_run_spec({}),
    )
    assert first_settings(space, 4, seed=0) == [{"alpha": a} for a in (0.001, 0.01, 0.1, 1.0)]


def test_a_grid_budget_below_its_size_takes_distinct_combinations_reproducibly():
    space = parse_space(
        {"alpha": [0.1, 0.2, 0.3], "gamma": [0.9, 0.95, 0.99]}, "grid", validate_run_spec({})
    )
    every = first_settings(space, 9, seed=0)
    chosen = first_settings(space, 4, seed=3)
    assert len(chosen) == 4 and all(setting in every for setting in chosen)
    assert len({tuple(setting.values()) for setting in chosen}) == 4
    assert chosen == first_settings(space, 4, seed=3)
    assert chosen == sorted(chosen, key=every.index)


def test_random_draws_are_reproducible_and_in_range():
    space = parse_space(
        {"alpha": {"low": 0.01, "high": 0.5}, "gamma": [0.9, 0.99], "epsilon_decay": RANGE},
        "random",
        validate_run_spec({}),
    )
    draws = first_settings(space, 200, seed=5)
    assert draws == first_settings(space, 200, seed=5)
    assert draws != first_settings(space, 200, seed=6)
    assert all(0.01 <= d["alpha"] <= 0.5 and 0.1 <= d["epsilon_decay"] <= 1 for d in draws)
    assert {d["gamma"] for d in draws} == {0.9, 0.99}


def test_a_log_range_draws_log_uniformly_and_a_linear_one_uniformly():
    base = validate_run_spec({})
    log_space = parse_space({"alpha": {"low": 0.001, "high": 1, "scale": "log"}}, "random", base)
    linear_space = parse_space({"alpha": {"low": 0.001, "high": 1}}, "random", base)
    logs = np.log10([d["alpha"] for d in first_settings(log_space, 2000, seed=1)])
    linear = np.array([d["alpha"] for d in first_settings(linear_space, 2000, seed=1)])
    assert stats.kstest(logs, stats.uniform(loc=-3, scale=3).cdf).pvalue > 0.01
    assert stats.kstest(linear, stats.uniform(loc=0.001, scale=0.999).cdf).pvalue > 0.01
    assert abs(np.mean(logs < -2) - 1 / 3) < 0.04  # a third of the log scale lies below 0.01
    assert np.mean(linear < 0.01) < 0.02
    assert math.isclose(np.median(logs), -1.5, abs_tol=0.1)


def test_a_stored_space_reads_back_the_same():
    base = validate_run_spec({})
    raw = {"alpha": ["0.1", 0.3], "gamma": {"low": "0.9", "high": 1, "steps": 3, "scale": "log"}}
    space = parse_space(raw, "grid", base)
    assert space.to_dict() == {
        "alpha": [0.1, 0.3],
        "gamma": {"low": 0.9, "high": 1.0, "scale": "log", "steps": 3},
    }
    assert parse_space(space.to_dict(), "grid", base) == space


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("0.05,0.1, 0.2", ["0.05", "0.1", "0.2"]),
        ("0.01:1", {"low": "0.01", "high": "1", "scale": "linear"}),
        ("0.01:1:5", {"low": "0.01", "high": "1", "scale": "linear", "steps": "5"}),
        ("0.001:1:4:log", {"low": "0.001", "high": "1", "scale": "log", "steps": "4"}),
        ("0.001:1:log", {"low": "0.001", "high": "1", "scale": "log"}),
        ("0.1", None),
    ],
)
def test_command_line_space_syntax(text, entry):
    assert parse_text("alpha", text) == entry


@pytest.mark.parametrize("text", ["1:2:3:4", ":log", "1:2:3:4:log"])
def test_a_malformed_command_line_range_is_named(text):
    with pytest.raises(ValidationError, match=r"alpha=.* not a range; allowed: LOW:HIGH"):
        parse_text("alpha", text)


def test_an_empty_end_of_a_command_line_range_gets_the_validators_message():
    with pytest.raises(ValidationError, match="alpha='' is invalid: not a number"):
        parse_space({"alpha": parse_text("alpha", "0.5:")}, "random", validate_run_spec({}))


def test_algorithms_are_a_categorical_parameter_of_every_method():
    base = validate_run_spec({})
    grid = parse_space({"algorithm": ["sarsa", "double_q"], "alpha": [0.1, 0.2]}, "grid", base)
    assert first_settings(grid, 4, seed=0) == [
        {"algorithm": algorithm, "alpha": alpha}
        for algorithm in ("sarsa", "double_q")
        for alpha in (0.1, 0.2)
    ]
    space = parse_space({"algorithm": ["q_learning", "expected_sarsa"]}, "random", base)
    drawn = {setting["algorithm"] for setting in first_settings(space, 50, seed=2)}
    assert drawn == {"q_learning", "expected_sarsa"}
