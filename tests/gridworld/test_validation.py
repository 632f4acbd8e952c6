"""Every bad hyperparameter, map and run spec gets one clear error naming field and value."""

from __future__ import annotations

import math

import gymnasium as gym
import pytest

from gridworld.config import GridWorldConfig
from gridworld.env import GridWorldEnv
from gridworld.errors import MapError, ValidationError, ValidationErrors, each_error
from gridworld.hyperparams import Hyperparams, validate_hyperparams
from gridworld.spec import RunSpec, env_config, validate_run_spec

BAD_HYPERPARAMS = [
    ({"alpha": 0}, "alpha", "out of range", "0 < x <= 1"),
    ({"alpha": 1.5}, "alpha", "out of range", "0 < x <= 1"),
    ({"gamma": -0.1}, "gamma", "out of range", "0 <= x <= 1"),
    ({"epsilon": math.nan}, "epsilon", "not a finite number", "0 <= x <= 1"),
    ({"epsilon_decay": math.inf}, "epsilon_decay", "not a finite number", "0 < x <= 1"),
    ({"alpha": "fast"}, "alpha", "not a number", "0 < x <= 1"),
    ({"gamma": True}, "gamma", "not a number", "0 <= x <= 1"),
    ({"gamma": None}, "gamma", "not a number", "0 <= x <= 1"),
    ({"gamma": [0.9]}, "gamma", "not a number", "0 <= x <= 1"),
    ({"epsilon": 0.1, "epsilon_min": 0.2}, "epsilon_min", "greater than epsilon=0.1", ""),
    ({"alpha": 0.1, "alpha_min": 0.5}, "alpha_min", "greater than alpha=0.1", ""),
    ({"beta": 0.5}, "beta", "unknown hyperparameter", "alpha, gamma, epsilon"),
]


@pytest.mark.parametrize(("mapping", "field", "reason", "allowed"), BAD_HYPERPARAMS)
def test_bad_hyperparameters_name_field_value_and_range(mapping, field, reason, allowed):
    with pytest.raises(ValidationError) as caught:
        validate_hyperparams(mapping)
    error = caught.value
    assert error.field == field
    assert str(error).startswith(f"{field}=")
    assert reason in str(error)
    assert allowed in str(error)


def test_good_hyperparameters_accept_numbers_and_numeric_strings():
    hp = validate_hyperparams({"alpha": "0.5", "gamma": 1, "epsilon_min": 0})
    assert (hp.alpha, hp.gamma, hp.epsilon_min) == (0.5, 1.0, 0.0)
    assert hp.updated({"alpha": 0.25}) == Hyperparams(alpha=0.25, gamma=1.0, epsilon_min=0.0)
    with pytest.raises(ValidationError, match="alpha=2"):
        hp.updated({"alpha": 2})


BAD_MAPS = [
    ([], "the map is empty"),
    (["...G", "...."], "no start (S)"),
    (["S..G", ".S.."], "two starts, at row 1, column 1 and row 2, column 2"),
    (["S..#", "##.#", "G#.."], "the goal at row 3, column 1 cannot be reached"),
    (["S..G", ".X.."], "unknown character 'X' at row 2, column 2"),
    (["S..G", "..."], "ragged rows: row 2 has 3 columns, row 1 has 4"),
    (["S..."], "no goal (G)"),
    (["STG"], "the goal at row 1, column 3 cannot be reached"),
    (["S....", ".....", "....X", "G...."], "unknown character 'X' at row 3, column 5"),
    ("S..G", "a list of row strings"),
    ([""], "the map is empty"),
]


@pytest.mark.parametrize(("desc", "message"), BAD_MAPS)
def test_bad_maps_name_the_row_and_column(desc, message):
    with pytest.raises(MapError) as caught:
        GridWorldConfig.from_map(desc)
    assert caught.value.field == "desc"
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


BAD_CONFIGS = [
    ({"width": 0}, "width", "an integer from 1 to"),
    ({"slip": 1.5}, "slip", "0 <= slip <= 1"),
    ({"slip": True}, "slip", "0 <= slip <= 1"),
    ({"goal_reward": float("nan")}, "goal_reward", "not a finite number"),
    ({"max_steps": 0}, "max_steps", "an integer from 1 to 100000"),
    ({"max_steps": 2.5}, "max_steps", "an integer from 1 to 100000"),
    ({"traps": frozenset({(1, 2)})}, "traps", "row 1, column 2 is also in goals"),
    ({"walls": frozenset({(5, 0)})}, "walls", "row 5, column 0 is off the grid"),
    ({"goals": ()}, "goals", "at least one goal cell"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_CONFIGS)
def test_bad_configs_name_the_field(changes, field, message):
    fields = {"width": 3, "height": 2, "start": (0, 0), "goals": ((1, 2),), **changes}
    with pytest.raises(ValidationError) as caught:
        GridWorldConfig(**fields)
    assert caught.value.field == field
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"preset": "easy", "desc": ["SG"]}, "desc", "given together with preset"),
        ({"preset": "huge"}, "preset", "easy, medium, hard"),
        ({"desc": ["S#G"]}, "desc", "the goal at row 1, column 3 cannot be reached"),
    ],
)
def test_bad_env_arguments_name_the_field(kwargs, field, message):
    with pytest.raises(ValidationError) as caught:
        gym.make("GridWorld-v0", **kwargs)
    assert caught.value.field == field
    assert message in str(caught.value)


def test_an_unsupported_render_mode_is_refused():
    with pytest.raises(ValidationError, match="render_mode='human' is invalid"):
        GridWorldEnv(render_mode="human")


BAD_SPECS = [
    ({"episodes": 0}, "episodes", "an integer from 1 to 10000000"),
    ({"episodes": "many"}, "episodes", "not a whole number"),
    ({"episodes": 2.5}, "episodes", "not a whole number"),
    ({"seed": -1}, "seed", "an integer from 0 to 4294967295"),
    ({"preset": "impossible"}, "preset", "easy, medium, hard"),
    ({"preset": "easy", "desc": ["SG"]}, "preset", "a preset or a desc"),
    ({"env_id": "CartPole-v1"}, "env", "observation space is Box("),
    ({"env_id": "Blackjack-v1"}, "env", "not Discrete, so a Q-table cannot index it"),
    ({"env_id": "NoSuchEnv-v9"}, "env", "cannot be made"),
    ({"env_id": "Taxi-v3"}, "env", "cannot be made"),
    ({"env_id": 3}, "env", "not a string"),
    ({"env_id": "FrozenLake-v1", "preset": "easy"}, "preset", "only with GridWorld-v0"),
    ({"name": "x" * 101}, "name", "text of 1 to 100 characters"),
    ({"colour": "blue"}, "colour", "unknown field"),
    ({"hyperparams": {"alpha": -1}}, "alpha", "out of range"),
    ({"checkpoint_every": 0}, "checkpoint_every", "an integer from 1"),
    ({"desc": "S.#\n.T"}, "desc", "ragged rows"),
    ({"algorithm": "td_lambda"}, "algorithm", "q_learning, sarsa, expected_sarsa, double_q"),
    ({"algorithm": "SARSA"}, "algorithm", "algorithm='SARSA' is invalid: unknown algorithm"),
    ({"algorithm": ["sarsa"]}, "algorithm", "not text"),
]


@pytest.mark.parametrize(("mapping", "field", "message"), BAD_SPECS)
def test_bad_run_specs_name_the_field(mapping, field, message):
    with pytest.raises(ValidationError) as caught:
        validate_run_spec(mapping)
    assert caught.value.field == field
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "env_id", ["FrozenLake-v1", "FrozenLake8x8-v1", "CliffWalking-v1", "Taxi-v4"]
)
def test_discrete_gymnasium_envs_are_accepted(env_id):
    spec = validate_run_spec({"env_id": env_id, "episodes": "10"})
    assert (spec.env_id, spec.preset, spec.episodes) == (env_id, None, 10)
    config = env_config(spec)
    assert config["n_states"] > 0 and config["n_actions"] > 0


def test_spec_round_trips_and_records_the_grid():
    spec = validate_run_spec({"desc": "S.\n.G", "seed": "3", "hyperparams": {"alpha": 0.2}})
    assert spec.desc == ("S.", ".G") and spec.preset is None and spec.seed == 3
    assert RunSpec.from_dict(spec.to_dict()) == spec
    assert env_config(spec)["grid"]["desc"] == ["S.", ".G"]
    lake = env_config(validate_run_spec({"env_id": "FrozenLake-v1"}))
    assert lake["grid"]["desc"] == ["S...", ".T.T", "...T", "T..G"]


def test_every_bad_field_of_a_run_spec_is_reported_at_once_in_field_order():
    mapping = {
        "name": "",
        "seed": "x",
        "hyperparams": {"gamma": 1.5, "alpha": 0},
        "episodes": "abc",
        "preset": "huge",
        "colour": "blue",
    }
    with pytest.raises(ValidationErrors) as caught:
        validate_run_spec(mapping)
    errors = caught.value.errors
    assert [error.field for error in errors] == [
        "colour",
        "preset",
        "episodes",
        "gamma",
        "alpha",
        "seed",
        "name",
    ]
    assert str(caught.value).splitlines() == [str(error) for error in errors]
    assert all(not isinstance(error, ValidationErrors) for error in errors)
    assert caught.value.field == "colour"


def test_one_bad_field_is_one_plain_error():
    with pytest.raises(ValidationError) as caught:
        validate_run_spec({"episodes": "abc"})
    assert type(caught.value) is ValidationError
    assert each_error(caught.value) == (caught.value,)


def test_every_bad_hyperparameter_is_reported_and_floors_after_the_ranges():
    with pytest.raises(ValidationErrors) as caught:
        validate_hyperparams({"alpha": 0, "beta": 1, "epsilon": 2})
    assert [error.field for error in caught.value.errors] == ["alpha", "beta", "epsilon"]
    with pytest.raises(ValidationErrors) as built:
        Hyperparams(alpha=0, gamma=2)
    assert [error.field for error in built.value.errors] == ["alpha", "gamma"]
