"""Fixtures of the view tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.views.reads import episode_rows


@pytest.fixture
def env_steps(store) -> Callable[[int], dict[int, int]]:
    """Return a reader of a run's environment steps so far at each episode (episode → steps)."""

    def read(run_id: int) -> dict[int, int]:
        rows = episode_rows(store, run_id, 1, 10_000)
        return {row["episode"]: row["env_steps"] for row in rows}

    return read
