"""The episode loop in this process: recording, checkpoints, determinism, faults, fencing."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import warnings
from typing import ClassVar

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

from app.training import LoopSettings, Trainer, checkpoint_interval, claim_new_run, trainer
from app.training.checkpoints import checkpoint_stop
from app.training.trainer import PLATEAU_PREFIX
from gridworld.agents import ALGORITHMS
from runstore import Owner
from tests.trainer.support import (
    FAST,
    assert_contiguous,
    make_spec,
    rows_without_wall_time,
    train_new,
)

EVALUATION_KEYS = {"v_opt", "v_greedy", "gap", "optimal_share"}


def test_worker_module_never_imports_dash(tmp_path):
    code = (
        "import sys, app.training, app.training.foreground;"
        " bad = [m for m in ('dash', 'flask') if m in sys.modules];"
        " sys.exit(f'imported {bad}' if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.returncode == 0, done.stderr + done.stdout


def test_finished_run_has_contiguous_episodes_and_evaluated_checkpoints(store):
    run_id = train_new(store, make_spec(episodes=250, checkpoint_every=100)).run_id
    run = store.get_run(run_id)
    assert (run.status, run.episodes_done, run.error) == ("finished", 250, None)
    assert (run.attempt, run.owner, run.lease_expires) == (1, None, None)
    rows = assert_contiguous(store, run_id)
    assert run.env_steps == rows[-1]["env_steps"]
    checkpoints = store.checkpoints(run_id)
    assert [c.episode for c in checkpoints] == [100, 200, 250]
    # Evaluations are skipped only beyond their time budget; the first and the last always run.
    evaluated = [info for info in checkpoints if info.evaluation is not None]
    assert evaluated[0] is checkpoints[0] and evaluated[-1] is checkpoints[-1]
    for info in evaluated:
        assert set(info.evaluation) == EVALUATION_KEYS
        assert 0.0 <= info.evaluation["optimal_share"] <= 1.0
        assert info.evaluation["gap"] == pytest.approx(
            info.evaluation["v_opt"] - info.evaluation["v_greedy"]
        )
        assert info.evaluation["gap"] >= -1e-9
    latest = store.load_checkpoint(run_id, "latest")
    assert latest.episode == 250
    assert latest.agent_state["trainer"]["env_steps"] == rows[-1]["env_steps"]


def test_default_checkpoint_interval_keeps_a_few_hundred_at_most():
    assert checkpoint_interval(make_spec(episodes=1000)) == 100
    assert checkpoint_interval(make_spec(episodes=10_000_000)) == 50_000
    assert checkpoint_interval(make_spec(episodes=1000, checkpoint_every=7)) == 7


def test_a_chunk_stops_at_the_next_due_checkpoint_or_past_those_due_too_soon():
    assert checkpoint_stop(250, 100, True, 1000.0, 5.0) == 300  # a chosen interval: each
    assert checkpoint_stop(250, 100, False, None, 5.0) == 300  # no rate yet: the next
    assert checkpoint_stop(300, 100, False, 1000.0, 0.0) == 400  # none too soon
    # 0.25 s more at 1,000 episodes/s reaches episode 550: 400 and 500 are skipped
    assert checkpoint_stop(300, 100, False, 1000.0, 0.25) == 600
    assert checkpoint_stop(300, 100, False, 1000.0, -1.0) == 400  # overdue already


def test_default_checkpoints_are_spaced_in_time_as_well(store, monkeypatch):
    monkeypatch.setattr(trainer, "MIN_CHECKPOINT_SECONDS", 3600.0)
    default = train_new(store, make_spec(episodes=1000)).run_id
    assert [info.episode for info in store.checkpoints(default)] == [1000]  # only the final
    chosen = train_new(store, make_spec(episodes=1000, checkpoint_every=250)).run_id
    assert [info.episode for info in store.checkpoints(chosen)] == [250, 500, 750, 1000]


def test_same_spec_and_seed_give_identical_episodes(store):
    spec = make_spec(env_id="FrozenLake-v1", preset=None, episodes=400, seed=11)
    first = train_new(store, spec).run_id
    second = train_new(store, spec).run_id
    assert rows_without_wall_time(store, first) == rows_without_wall_time(store, second)
    other_spec = make_spec(env_id="FrozenLake-v1", preset=None, episodes=400, seed=12)
    other = train_new(store, other_spec).run_id
    assert rows_without_wall_time(store, other) != rows_without_wall_time(store, first)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_paused_and_resumed_equals_uninterrupted(store, algorithm):
    """Pause at an arbitrary episode (not a periodic checkpoint), resume, compare."""
    spec = make_spec(
        env_id="FrozenLake-v1",
        preset=None,
        episodes=600,
        seed=3,
        checkpoint_every=250,
        algorithm=algorithm,
    )
    reference = train_new(store, spec).run_id

    claim = claim_new_run(store, spec)
    progress: list[int] = []
    stop_after_first_flush = LoopSettings(flush_seconds=0.0, flush_episodes=37, control_seconds=0.0)
    status = Trainer(
        store,
        claim,
        settings=stop_after_first_flush,
        should_stop=lambda: bool(progress),
        stop_status="paused",
        on_progress=lambda done, mean: progress.append(done),
    ).run()
    run = store.get_run(claim.run_id)
    assert status == "paused" and run.status == "paused"
    assert 0 < run.episodes_done < 600
    assert store.checkpoints(claim.run_id)[-1].episode == run.episodes_done
    again = store.claim_run(claim.run_id, Owner.here())
    assert again.attempt == 2
    assert Trainer(store, again, settings=FAST).run() == "finished"
    assert rows_without_wall_time(store, claim.run_id) == rows_without_wall_time(store, reference)


def test_the_trainer_learns_with_the_algorithm_its_spec_names(store):
    rows = {}
    for algorithm in ALGORITHMS:
        run_id = train_new(store, make_spec(episodes=60, algorithm=algorithm)).run_id
        assert store.get_run(run_id).spec["algorithm"] == algorithm
        assert store.load_checkpoint(run_id, "latest").agent_state["algorithm"] == algorithm
        rows[algorithm] = repr(rows_without_wall_time(store, run_id))
    assert len(set(rows.values())) == len(ALGORITHMS)


class SimulatedKill(Exception):
    """Raised from the progress callback: the loop dies with episodes past its checkpoint."""


def test_resume_replays_param_changes_applied_after_the_checkpoint(store):
    claim = claim_new_run(store, make_spec(episodes=250, checkpoint_every=100, seed=2))
    run_id = claim.run_id
    every_episode = LoopSettings(flush_seconds=0.0, flush_episodes=1, control_seconds=0.0)

    def progress(done: int, mean_return: float) -> None:
        if done == 130:
            store.request_params(run_id, {"alpha": 0.05, "epsilon": 0.2}, "api")
        if done == 170:
            raise SimulatedKill

    with pytest.raises(SimulatedKill):
        Trainer(store, claim, settings=every_episode, on_progress=progress).run()
    failed = store.get_run(run_id)
    assert (failed.status, failed.error) == ("error", "worker failed: SimulatedKill: ")
    before_kill = rows_without_wall_time(store, run_id)
    assert len(before_kill) == 170
    assert {c.applied_episode for c in store.param_changes(run_id)} == {131}

    again = store.claim_run(run_id, Owner.here())
    assert Trainer(store, again, settings=every_episode).run() == "finished"
    resumed = assert_contiguous(store, run_id)
    assert resumed[:170] == before_kill
    assert before_kill[129]["alpha"] != 0.05  # episode 130: still the old value
    assert (before_kill[130]["alpha"], before_kill[130]["epsilon"]) == (0.05, 0.2)
    assert {c.applied_episode for c in store.param_changes(run_id)} == {131}


def dump(store_url: str) -> list[str]:
    """Return the whole SQLite store as SQL statements, read past the store's own API."""
    with contextlib.closing(sqlite3.connect(store_url.removeprefix("sqlite:///"))) as conn:
        return list(conn.iterdump())


def test_restoring_changes_nothing_and_running_rewinds_then_continues(store, store_url):
    spec = make_spec(episodes=250, checkpoint_every=100, seed=4)
    reference = train_new(store, spec).run_id
    claim = claim_new_run(store, spec)
    run_id = claim.run_id
    every_episode = LoopSettings(flush_seconds=0.0, flush_episodes=1, control_seconds=0.0)

    def kill_at_170(done: int, mean_return: float) -> None:
        if done == 170:
            raise SimulatedKill

    with pytest.raises(SimulatedKill):
        Trainer(store, claim, settings=every_episode, on_progress=kill_at_170).run()
    again = store.claim_run(run_id, Owner.here())
    before = dump(store_url)
    assert len(rows_without_wall_time(store, run_id)) == 170  # 70 past the checkpoint at 100

    resumed = Trainer(store, again, settings=FAST)
    resumed.restore()
    assert dump(store_url) == before
    assert resumed.episode == 100
    assert resumed.run() == "finished"
    assert_contiguous(store, run_id)
    assert rows_without_wall_time(store, run_id) == rows_without_wall_time(store, reference)


def test_checkpoint_evaluations_are_values_within_the_env_time_limit(store):
    """FrozenLake-v1 stops at 100 steps: V*(start) is 0.7442 there, not the unlimited 0.8235."""
    spec = make_spec(env_id="FrozenLake-v1", preset=None, episodes=200, hyperparams={"gamma": 1.0})
    run_id = train_new(store, spec).run_id
    evaluation = store.checkpoints(run_id)[-1].evaluation
    assert evaluation is not None
    assert evaluation["v_opt"] == pytest.approx(0.7442, abs=1e-4)
    assert 0.0 <= evaluation["v_greedy"] <= evaluation["v_opt"]


def test_long_plateau_warns_once(store):
    # Greedy from the start on a deterministic map: the return converges and then stays.
    greedy = {"epsilon": 0.0, "epsilon_min": 0.0}
    spec = make_spec(episodes=1500, checkpoint_every=500, hyperparams=greedy)
    run_id = train_new(store, spec, LoopSettings(plateau_window=20, plateau_patience=300)).run_id
    warnings_ = store.get_run(run_id).warnings
    plateau = [w for w in warnings_ if w.startswith(PLATEAU_PREFIX)]
    assert len(plateau) == 1, warnings_
    assert "mean return" in plateau[0]


class OverflowEnv(gym.Env[int, int]):
    """One state, one action; after 400 steps in all, the reward is huge enough to overflow Q."""

    metadata: ClassVar[dict] = {"render_modes": []}

    def __init__(self) -> None:
        self.observation_space = spaces.Discrete(2)
        self.action_space = spaces.Discrete(1)
        self.steps = 0

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[int, dict]:
        super().reset(seed=seed)
        return 0, {}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict]:
        self.steps += 1
        reward = 1e308 if self.steps > 400 else 1.0
        return 0, reward, False, self.steps % 10 == 0, {}


gym.register("gridlab-test/Overflow-v0", entry_point=OverflowEnv)


def test_non_finite_q_marks_the_run_error_and_keeps_the_last_good_checkpoint(store):
    spec = make_spec(
        env_id="gridlab-test/Overflow-v0",
        preset=None,
        episodes=100,
        checkpoint_every=20,
        hyperparams={"alpha": 1.0, "gamma": 1.0},
    )
    claim = claim_new_run(store, spec)
    run_id = claim.run_id
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        assert Trainer(store, claim, settings=FAST).run() == "error"
    run = store.get_run(run_id)
    assert run.status == "error"
    for word in ("episode", "state", "action", "alpha=1.0", "gamma=1.0", "epsilon"):
        assert word in run.error, run.error
    assert_contiguous(store, run_id)
    assert run.episodes_done == 40  # 400 steps of 10-step episodes; the 41st overflows
    checkpoints = store.checkpoints(run_id)
    assert checkpoints[-1].episode == 40
    assert np.isfinite(store.load_checkpoint(run_id, "latest").q).all()
