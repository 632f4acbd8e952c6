"""Fixtures of the view tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.views.reads import episode_rows
from gridworld.spec import env_config, validate_run_spec


@pytest.fixture
def env_steps(store) -> Callable[[int], dict[int, int]]:
    """Return a reader of a run's environment steps so far at each episode (episode → steps)."""

    def read(run_id: int) -> dict[int, int]:
        rows = episode_rows(store, run_id, 1, 10_000)
        return {row["episode"]: row["env_steps"] for row in rows}

    return read


@pytest.fixture
def run_of(store) -> Callable[[str | None], int]:
    """Return a creator of GridWorld runs learning with an algorithm; None stores the spec
    without the field, as runs stored before it existed are."""

    def create(algorithm: str | None) -> int:
        spec = validate_run_spec({"episodes": 10, "algorithm": algorithm})
        stored = spec.to_dict()
        if algorithm is None:
            del stored["algorithm"]
        return store.create_run(
            name=f"{algorithm} run",
            env_id=spec.env_id,
            env_config=env_config(spec),
            hyperparams=spec.hyperparams.to_dict(),
            seed=spec.seed,
            target_episodes=spec.episodes,
            spec=stored,
        )

    return create
