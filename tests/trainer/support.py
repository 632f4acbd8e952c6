"""Helpers shared by the trainer and CLI tests."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from app.training import LoopSettings, Trainer, claim_new_run
from gridworld.spec import RunSpec, validate_run_spec
from runstore import Claim, RunStore

FAST = LoopSettings(flush_seconds=0.05, control_seconds=0.02)
"""Loop settings for tests: the store sees episodes and requests sooner."""


def make_spec(**overrides: object) -> RunSpec:
    """Return a validated spec: GridWorld easy unless overridden."""
    mapping: dict[str, object] = {"env_id": "GridWorld-v0", "preset": "easy", "episodes": 300}
    mapping.update(overrides)
    return validate_run_spec(mapping)


def train_new(store: RunStore, spec: RunSpec, settings: LoopSettings = FAST) -> Claim:
    """Create a run for ``spec`` claimed by this process and train it here to its end."""
    claim = claim_new_run(store, spec)
    assert Trainer(store, claim, settings=settings).run() == "finished"
    return claim


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> object:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def rows_without_wall_time(store: RunStore, run_id: int) -> list[dict]:
    """Return every episode row of the run, wall_time removed (the only non-deterministic field)."""
    rows: list[dict] = []
    while True:
        batch = store.episodes(run_id, start=len(rows) + 1, limit=10_000)
        if not batch:
            return [{k: v for k, v in row.items() if k != "wall_time"} for row in rows]
        rows.extend(row.to_dict() for row in batch)


def assert_contiguous(store: RunStore, run_id: int) -> list[dict]:
    """Assert the run's episodes are 1..episodes_done with cumulative env_steps; return them."""
    rows = rows_without_wall_time(store, run_id)
    run = store.get_run(run_id)
    assert [row["episode"] for row in rows] == list(range(1, run.episodes_done + 1))
    steps = 0
    for row in rows:
        steps += row["length"]
        assert row["env_steps"] == steps
    return rows
