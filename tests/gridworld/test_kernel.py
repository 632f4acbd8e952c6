"""The compiled kernel plays exactly the Python kernel's episodes, on deterministic and
slippery maps, for every algorithm; its env stream is gymnasium's; it refuses what it
cannot reproduce."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import ClassVar

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.envs.toy_text.frozen_lake import FrozenLakeEnv

from gridworld.agents import ALGORITHMS, TabularAgent, make_agent
from gridworld.errors import ValidationError
from gridworld.hyperparams import Hyperparams
from gridworld.kernel import (
    CompiledRunner,
    PythonRunner,
    make_runner,
    table_model,
    validate_kernel,
)
from gridworld.kernel.stream import env_random_draws

DETERMINISTIC = {
    "gridworld_medium": ("GridWorld-v0", {"preset": "medium"}),
    "frozenlake_4x4_ice_free": ("FrozenLake-v1", {"is_slippery": False}),
    "cliffwalking": ("CliffWalking-v1", {"max_episode_steps": 300}),
    "taxi": ("Taxi-v4", {}),
}
SLIPPERY = {
    "gridworld_slippery": ("GridWorld-v0", {"desc": ["S...", ".#.T", "...G"], "slip": 0.2}),
    "frozenlake_8x8": ("FrozenLake8x8-v1", {}),
    "cliffwalking_slippery": ("CliffWalkingSlippery-v1", {"max_episode_steps": 300}),
    "taxi_rainy": ("Taxi-v4", {"is_rainy": True}),
}
HYPERPARAMS = Hyperparams(
    alpha=0.5, epsilon=1.0, epsilon_decay=0.97, epsilon_min=0.05, alpha_decay=0.995, alpha_min=0.1
)
CHUNKS = (1, 9, 60, 80)
"""Chunk sizes played in turn; a parameter change falls between the third and fourth."""


def make(env_id: str, kwargs: dict) -> gym.Env:
    """Return the env; a slippery GridWorld map is built from its config."""
    if "slip" in kwargs:
        from gridworld.config import GridWorldConfig

        config = GridWorldConfig.from_map(kwargs["desc"], slip=kwargs["slip"])
        return gym.make(env_id, config=config)
    return gym.make(env_id, **kwargs)


def agent_for(env: gym.Env, algorithm: str, seed: int = 7) -> TabularAgent:
    """Return a fresh agent of ``algorithm`` for ``env``."""
    return make_agent(
        algorithm, env.observation_space.n, env.action_space.n, HYPERPARAMS, seed=seed
    )


def state_of(agent: TabularAgent, env: gym.Env) -> str:
    """Return everything a checkpoint holds of the agent and the env, as comparable text."""
    state = agent.state_dict()
    state["q"] = state["q"].tolist()
    state["env_rng"] = env.unwrapped.np_random.bit_generator.state
    return json.dumps(state, sort_keys=True, default=str)


def play_both(env_id: str, kwargs: dict, algorithm: str) -> tuple[list, list, str, str]:
    """Play the same chunks with both kernels from the same seeds.

    Returns:
        (Python's EpisodeStats, compiled EpisodeStats, Python's final state, compiled's).
    """
    played, states = [], []
    for kernel in ("python", "compiled"):
        env = make(env_id, kwargs)
        agent = agent_for(env, algorithm)
        runner = make_runner(env, agent, kernel)
        stats = []
        for i, count in enumerate(CHUNKS):
            if i == 3:  # a live change between chunks, as the trainer applies one
                agent.set_hyperparams(agent.hyperparams.updated({"alpha": 0.3, "gamma": 0.9}))
            stats.extend(runner.run(count, seed=5 if i == 0 else None).stats())
        played.append(stats)
        states.append(state_of(agent, env))
        env.close()
    return played[0], played[1], states[0], states[1]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("case", [*DETERMINISTIC, *SLIPPERY])
def test_compiled_episodes_are_the_python_episodes(case, algorithm):
    env_id, kwargs = {**DETERMINISTIC, **SLIPPERY}[case]
    python, compiled, python_state, compiled_state = play_both(env_id, kwargs, algorithm)
    assert len(python) == len(compiled) == sum(CHUNKS)
    for episode, (expected, got) in enumerate(zip(python, compiled, strict=True), start=1):
        assert got == expected, f"episode {episode}"
    assert compiled_state == python_state
    assert len({s.length for s in python}) > 1  # the episodes are not all alike


def test_slippery_cases_really_draw_from_the_env_stream():
    """The slippery cases would not be equal by luck: their env generator moves."""
    for env_id, kwargs in SLIPPERY.values():
        env = make(env_id, kwargs)
        model = table_model(env)
        assert model is not None and (model.outcomes > 1).any(), env_id
        env.close()


@pytest.mark.parametrize("seed", [0, 1, 5, 12345, 2**31 - 1, 2**32 - 1])
def test_the_env_stream_is_gymnasiums_pcg64_of_a_seed_sequence(seed):
    draws, state = env_random_draws(seed, 500)
    reference, _ = gym.utils.seeding.np_random(seed)
    assert draws.tolist() == reference.random(500).tolist()
    words = [int(word) for word in state]
    pcg = reference.bit_generator.state["state"]
    assert (words[0] << 64 | words[1], words[2] << 64 | words[3]) == (pcg["state"], pcg["inc"])


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_state_left_by_either_kernel_continues_in_the_other(algorithm):
    env_id, kwargs = SLIPPERY["frozenlake_8x8"]
    results = {}
    for first, second in (("python", "compiled"), ("compiled", "python")):
        env = make(env_id, kwargs)
        agent = agent_for(env, algorithm, seed=2)
        make_runner(env, agent, first).run(40, seed=1)
        saved = json.loads(state_of(agent, env))
        env_b = make(env_id, kwargs)
        copy = agent_for(env_b, algorithm, seed=999)
        copy.load_state_dict({**saved, "q": np.array(saved["q"])})
        results[first] = make_runner(env_b, copy, second).run(60).stats()
    assert results["python"] == results["compiled"]


def overflowing(agent: TabularAgent) -> TabularAgent:
    """Load ``agent`` with a table one update takes past the largest float."""
    state = agent.state_dict()
    big = np.full(state["q"].shape, 1.7e308)
    big[::2] = -1.7e308
    state["q"] = big
    if agent.algorithm == "double_q":
        state["q1"], state["q2"] = big, np.zeros_like(big)
    agent.load_state_dict(state)
    return agent


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_non_finite_update_ends_both_kernels_alike(algorithm):
    outcomes = []
    for kernel in ("python", "compiled"):
        env = gym.make("GridWorld-v0", preset="easy")
        agent = overflowing(agent_for(env, algorithm))
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            batch = make_runner(env, agent, kernel).run(50, seed=3)
        error = batch.error
        assert error is not None
        outcomes.append(
            (
                len(batch),
                error.episode,
                error.state,
                error.action,
                error.value,
                state_of(agent, env),
            )
        )
    assert outcomes[0] == outcomes[1]


class Chain(gym.Env[int, int]):
    """Two states, no transition table: only the Python kernel plays it."""

    metadata: ClassVar[dict] = {"render_modes": []}

    def __init__(self) -> None:
        self.observation_space = spaces.Discrete(2)
        self.action_space = spaces.Discrete(2)

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[int, dict]:
        super().reset(seed=seed)
        return 0, {}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict]:
        return 1, float(action), True, False, {}


class IcierLake(FrozenLakeEnv):
    """A FrozenLake subclass: its step could differ, so it is not played compiled."""


def test_envs_the_compiled_loop_cannot_reproduce_get_the_python_kernel():
    refused = {
        "no table": Chain(),
        "another wrapper": gym.wrappers.TransformReward(gym.make("FrozenLake-v1"), lambda r: r),
        "fickle passenger": gym.make("Taxi-v4", fickle_passenger=True),
        "a subclass": IcierLake(),
    }
    for why, env in refused.items():
        assert table_model(env) is None, why
        agent = agent_for(env, "q_learning")
        assert isinstance(make_runner(env, agent), PythonRunner), why
        assert len(make_runner(env, agent).run(3)) == 3, why
        with pytest.raises(ValidationError, match="kernel='compiled' is invalid"):
            make_runner(env, agent, "compiled")
    env = gym.make("CliffWalking-v1")
    assert isinstance(make_runner(env, agent_for(env, "sarsa")), CompiledRunner)
    with pytest.raises(ValueError, match="seeds in"):  # numpy seeds larger ones from 2 words
        make_runner(env, agent_for(env, "sarsa")).run(1, seed=2**32)
    assert isinstance(make_runner(env, agent_for(env, "sarsa"), "python"), PythonRunner)


def test_kernel_names_are_validated():
    assert [validate_kernel(k) for k in (None, "", "auto", "python", "compiled")] == [
        "auto",
        "auto",
        "auto",
        "python",
        "compiled",
    ]
    with pytest.raises(ValidationError, match="kernel='numba' is invalid: unknown kernel"):
        validate_kernel("numba")
    with pytest.raises(ValidationError, match="kernel=1 is invalid: not text"):
        validate_kernel(1)


def test_the_time_limits_come_from_the_wrappers_and_the_map():
    assert table_model(gym.make("FrozenLake8x8-v1")).time_limit == 200
    assert table_model(gym.make("CliffWalking-v1")).time_limit == 0
    medium = table_model(gym.make("GridWorld-v0", preset="medium"))
    assert (medium.time_limit, medium.step_limit) == (0, 200)
    assert table_model(gym.make("GridWorld-v0", max_episode_steps=20)).time_limit == 20


def test_without_a_writable_cache_folder_the_kernel_compiles_anyway(tmp_path: Path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    environment = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(not_a_folder),
        "NUMBA_CACHE_LOCATOR_CLASSES": "UserProvidedCacheLocator",
    }
    probe = (
        "from gridworld.kernel.stream import env_random_draws;"
        "import numpy as np;"
        "draws, _ = env_random_draws(3, 4);"
        "print(draws.tolist() == np.random.Generator(np.random.PCG64(3)).random(4).tolist())"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=Path(__file__).parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "True"
    assert "compiling the training kernel without a cache" in done.stderr
