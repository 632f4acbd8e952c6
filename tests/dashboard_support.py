"""Seeded stores for the dashboard's API, browser and benchmark tests."""

from __future__ import annotations

import math
import sqlite3
from typing import Any

import numpy as np

from app.training import create_run
from gridworld.spec import validate_run_spec
from runstore import RunStore
from tests.trainer.support import wait_for

__all__ = ["episode_rows", "fill", "seeded_run", "snapshot", "wait_for"]


def episode_rows(first: int, count: int, steps_before: int = 0) -> list[dict[str, Any]]:
    """Return ``count`` deterministic, plausible episode rows numbered from ``first``."""
    rows, steps = [], steps_before
    for episode in range(first, first + count):
        length = 5 + episode % 17
        steps += length
        rows.append(
            {
                "episode": episode,
                "return": math.sin(episode / 50) + (episode % 7) / 10,
                "length": length,
                "success": episode % 3 == 0,
                "epsilon": max(0.05, 0.999**episode),
                "alpha": 0.1,
                "gamma": 0.99,
                "mean_q": 0.01 * (episode % 100),
                "max_q": 1.0,
                "mean_abs_td": 1.0 / episode,
                "env_steps": steps,
                "wall_time": episode / 1000,
                "action_counts": [
                    length // 4,
                    length // 4,
                    length // 4,
                    length - 3 * (length // 4),
                ],
            }
        )
    return rows


def fill(store: RunStore, run_id: int, episodes: int, batch: int = 5000) -> None:
    """Append ``episodes`` rows to the run (continuing from its last episode), in batches."""
    run = store.get_run(run_id)
    first, steps = run.episodes_done + 1, run.env_steps
    last = first + episodes - 1
    while first <= last:
        rows = episode_rows(first, min(batch, last - first + 1), steps)
        store.append_episodes(run_id, rows)
        first, steps = rows[-1]["episode"] + 1, rows[-1]["env_steps"]


def seeded_run(
    store: RunStore, *, status: str, episodes: int, name: str = "seeded", target: int = 1000
) -> int:
    """Create a GridWorld easy run in ``status`` with ``episodes`` done and a checkpoint."""
    spec = validate_run_spec({"preset": "easy", "episodes": target, "name": name})
    run_id = create_run(store, spec)
    if episodes:
        fill(store, run_id, episodes)
        n_states = store.get_run(run_id).env_config.get("n_states", 16)
        store.save_checkpoint(
            run_id, episodes, np.arange(n_states * 4, dtype=float).reshape(n_states, 4), {}
        )
    if status != "queued":
        store.set_status(run_id, "running")
    if status not in ("queued", "running"):
        error = "NonFiniteQError: Q became NaN at episode 7" if status == "error" else None
        store.set_status(run_id, status, error=error)
    return run_id


def snapshot(url: str) -> list[str]:
    """Return every row of a SQLite store as SQL text (to compare before/after a request)."""
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return list(connection.iterdump())
    finally:
        connection.close()
