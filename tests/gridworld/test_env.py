"""GridWorld follows gymnasium's env contract and its maps mean what they say."""

from __future__ import annotations

import json

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import gridworld
from gridworld.config import GridWorldConfig
from gridworld.env import Action

CUSTOM = ["S..#", ".T..", "...G"]


@pytest.mark.parametrize("preset", gridworld.PRESETS)
def test_check_env_passes_for_every_preset(preset):
    check_env(gym.make("GridWorld-v0", preset=preset).unwrapped, skip_render_check=False)


def test_check_env_passes_for_a_custom_map():
    env = gym.make("GridWorld-v0", desc=CUSTOM)
    check_env(env.unwrapped)
    assert env.observation_space.n == 12
    assert env.action_space.n == 4


def test_presets_have_the_promised_shape():
    easy, medium, hard = (GridWorldConfig.from_preset(name) for name in ("easy", "medium", "hard"))
    assert (easy.width, easy.height, easy.slip, len(easy.walls) + len(easy.traps)) == (5, 5, 0, 1)
    assert (medium.width, medium.height) == (8, 8) and medium.walls and medium.traps
    assert hard.width >= 12 and hard.height >= 12 and hard.slip > 0 and len(hard.traps) >= 10


def test_same_seed_gives_identical_trajectories():
    def trajectory(seed):
        env = gym.make("GridWorld-v0", preset="hard")
        actions = np.random.default_rng(7).integers(4, size=300)
        state, _ = env.reset(seed=seed)
        states = [state]
        for action in actions:
            state, _, terminated, truncated, _ = env.step(int(action))
            states.append(state)
            if terminated or truncated:
                state, _ = env.reset()
                states.append(state)
        return states

    assert trajectory(3) == trajectory(3)
    assert trajectory(3) != trajectory(4)


def test_walls_block_goals_and_traps_end_the_episode():
    env = gym.make("GridWorld-v0", desc=CUSTOM).unwrapped
    state, _ = env.reset(seed=0)
    assert state == 0
    # Right twice, then right into the wall at (0, 3): the agent stays at (0, 2).
    for _ in range(3):
        state, reward, terminated, _, _ = env.step(Action.RIGHT)
    assert state == 2 and reward == env.config.step_reward and not terminated
    env.reset()
    state, reward, terminated, _, info = env.step(Action.DOWN)
    state, reward, terminated, _, info = env.step(Action.RIGHT)
    assert state == 5 and reward == env.config.trap_reward and terminated
    assert info["is_success"] is False


def test_reaching_the_goal_succeeds_and_the_time_limit_truncates():
    env = gym.make("GridWorld-v0", desc=["SG"]).unwrapped
    env.reset(seed=0)
    _, reward, terminated, truncated, info = env.step(Action.RIGHT)
    assert (reward, terminated, truncated, info["is_success"]) == (1.0, True, False, True)
    limited = gym.make(
        "GridWorld-v0", config=GridWorldConfig.from_map(["S.G"], max_steps=3)
    ).unwrapped
    limited.reset(seed=0)
    outcomes = [limited.step(Action.LEFT)[2:4] for _ in range(3)]
    assert outcomes == [(False, False), (False, False), (False, True)]


def test_slippery_transitions_follow_the_model():
    env = gym.make("GridWorld-v0", preset="hard").unwrapped
    for by_action in env.P.values():
        for outcomes in by_action.values():
            assert sum(p for p, *_ in outcomes) == pytest.approx(1.0)
    state = env.to_state((5, 0))
    counts = np.zeros(env.observation_space.n)
    env.reset(seed=1)
    for _ in range(4000):
        env.s = state
        env.steps = 0
        counts[env.step(Action.RIGHT)[0]] += 1
    for p, s2, _, _ in env.P[state][Action.RIGHT]:
        assert counts[s2] / 4000 == pytest.approx(p, abs=0.03)


def test_render_modes():
    text = gym.make("GridWorld-v0", desc=CUSTOM, render_mode="ansi")
    text.reset(seed=0)
    assert text.render().splitlines()[0] == "[S] .  .  # "
    image = gym.make("GridWorld-v0", preset="medium", render_mode="rgb_array")
    image.reset(seed=0)
    frame = image.render()
    assert frame.shape == (8 * 16, 8 * 16, 3) and frame.dtype == np.uint8


@pytest.mark.parametrize("preset", gridworld.PRESETS)
def test_config_round_trips_through_json(preset):
    config = GridWorldConfig.from_preset(preset)
    assert GridWorldConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert config.to_desc()[0].startswith("S")


def test_a_config_object_makes_the_same_env_as_its_map():
    config = GridWorldConfig.from_map(CUSTOM, slip=0.1, step_reward=-0.5, max_steps=7)
    env = gym.make("GridWorld-v0", config=config)
    check_env(env.unwrapped)
    assert env.unwrapped.config is config and env.unwrapped.start_state == 0
    # right as chosen, or up (off the grid: stay) / down with half the slip each
    assert env.unwrapped.P[0][Action.RIGHT] == [
        (0.9, 1, -0.5, False),
        (0.05, 0, -0.5, False),
        (0.05, 4, -0.5, False),
    ]
