"""Dead and frozen workers: a lease that ends reads ``crashed``, another worker takes the run
over from its checkpoint, and a worker woken after that writes nothing more."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from app.training import create_run
from runstore import RunStore
from tests.trainer.support import assert_contiguous, make_spec, wait_for
from tests.workers.support import (
    Launcher,
    Process,
    freeze,
    kinds,
    reference_rows,
    wait_gone,
)

FOREVER = 5_000_000
"""An episode target no test reaches: such runs end by a pause."""
CRASHED_WITHIN_S = 5.0
"""The issue's promise: a dead worker's run reads crashed this soon after its death."""


def spec_of(seed: int, episodes: int = FOREVER, pace: float | None = 3000):
    """Return the spec of the runs these tests take over (checkpoints every 300 episodes, at
    3,000 episodes a second: comparing every stored row with a reference stays quick)."""
    return make_spec(
        env_id="FrozenLake-v1",
        preset=None,
        episodes=episodes,
        seed=seed,
        checkpoint_every=300,
        pace=pace,
    )


def owner_of(workers: list[Process], pid: int) -> Process:
    """Return the worker whose process group holds process ``pid`` (one of its slots)."""
    group = os.getpgid(pid)
    return next(worker for worker in workers if worker.pid == group)


def pause_and_compare(store: RunStore, run_id: int, folder: Path, seed: int) -> None:
    """Pause the run; assert its episodes equal an uninterrupted run's, row for row."""
    store.request_status(run_id, "paused")
    wait_for(lambda: store.get_run(run_id).status == "paused", 30, "the run paused")
    rows = assert_contiguous(store, run_id)
    assert rows == reference_rows(folder, spec_of(seed, len(rows), pace=None))  # same rows


def test_a_sigkilled_workers_run_is_resumed_by_another_from_its_checkpoint(
    launcher: Launcher, any_store: RunStore, any_url: str, tmp_path: Path
):
    run_id = create_run(any_store, spec_of(seed=7), auto_resume=True)
    workers = [launcher.worker(any_url), launcher.worker(any_url)]
    wait_for(lambda: any_store.get_run(run_id).episodes_done >= 1500, 60, "1500 episodes")
    first = any_store.get_run(run_id)
    holder = owner_of(workers, first.pid)
    holder.kill_group()  # the machine dies: the worker and its slots
    killed = any_store.get_run(run_id)
    checkpoint = any_store.checkpoints(run_id)[-1].episode
    taken = wait_for(
        lambda: (run := any_store.get_run(run_id)).attempt == 2 and run, 30, "a takeover"
    )
    survivor = next(worker for worker in workers if worker is not holder)
    assert owner_of([survivor], taken.pid) is survivor
    events = any_store.events(run_id)
    assert [(e.kind, e.attempt) for e in events] == [
        ("claimed", 1),
        ("crashed", 1),
        ("resumed", 2),
    ]
    assert events[2].episode == checkpoint <= killed.episodes_done
    wait_for(
        lambda: any_store.get_run(run_id).episodes_done > killed.episodes_done + 600,
        60,
        "the resumed run past the crash point",
    )
    pause_and_compare(any_store, run_id, tmp_path, seed=7)


def test_a_sigkilled_cli_train_reads_crashed_within_5_s_and_resumes_at_once(
    launcher: Launcher, store: RunStore, store_url: str
):
    dashboard = launcher.dashboard(store_url, "--slots", "1")
    train = launcher.run(
        "train", "--env", "FrozenLake-v1", "--episodes", str(FOREVER), "--db", store_url
    )
    run_id = wait_for(lambda: store.list_runs() and store.list_runs()[0].id, 60, "the run")
    wait_for(lambda: store.checkpoints(run_id), 60, "a checkpoint")
    train.send(signal.SIGKILL)
    killed = time.monotonic()
    wait_for(
        lambda: dashboard.get(f"/runs/{run_id}")["status"] == "crashed",
        CRASHED_WITHIN_S,
        "crashed within 5 s",
    )
    assert time.monotonic() - killed < CRASHED_WITHIN_S
    crashed = dashboard.get(f"/runs/{run_id}")
    assert "resume" in crashed["error"]
    # The dashboard's own worker leaves a crashed run alone until someone resumes it.
    assert store.get_run(run_id).attempt == 1

    status, body = dashboard.post(f"/runs/{run_id}/resume")
    assert (status, body["status"]) == (202, "queued"), body
    wait_for(
        lambda: store.get_run(run_id).episodes_done > crashed["episodes_done"] + 600,
        60,
        "the dashboard's worker training the run again",
    )
    run = store.get_run(run_id)
    assert (run.status, run.attempt) == ("running", 2)
    assert kinds(store, run_id) == [("claimed", 1), ("crashed", 1), ("resumed", 2)]
    status, body = dashboard.post(f"/runs/{run_id}/pause")
    assert status == 202, body
    wait_for(lambda: store.get_run(run_id).status == "paused", 30, "the run paused")
    assert_contiguous(store, run_id)


def test_a_frozen_worker_woken_after_a_takeover_exits_without_writing(
    launcher: Launcher, any_store: RunStore, any_url: str, tmp_path: Path
):
    run_id = create_run(any_store, spec_of(seed=5), auto_resume=True)
    workers = [launcher.worker(any_url), launcher.worker(any_url)]
    wait_for(lambda: any_store.get_run(run_id).episodes_done >= 1500, 60, "1500 episodes")
    frozen = any_store.get_run(run_id).pid
    holder = owner_of(workers, frozen)
    freeze(frozen, any_url, run_id)
    try:
        wait_for(lambda: any_store.get_run(run_id).attempt == 2, 30, "a takeover")
        taken = any_store.get_run(run_id)
        wait_for(
            lambda: any_store.get_run(run_id).episodes_done > taken.episodes_done + 300,
            60,
            "the new owner training",
        )
    finally:
        os.kill(frozen, signal.SIGCONT)
    wait_gone(frozen, 30, "the woken slot to exit")
    assert f"run {run_id} attempt 1 is no longer owned by" in holder.stderr()
    wait_for(lambda: "starting another" in holder.stderr(), 10, "the slot replaced")
    assert kinds(any_store, run_id) == [("claimed", 1), ("crashed", 1), ("resumed", 2)]
    pause_and_compare(any_store, run_id, tmp_path, seed=5)
