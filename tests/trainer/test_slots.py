"""Slot processes of a WorkerPool: claiming, steering through control rows, crashes, shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import gymnasium as gym
import pytest

from app.actions import pause_run, resume_run, stop_run
from app.rules import Conflict
from app.training import WorkerPool, claim_new_run, create_run
from app.training.slots import ClaimGate
from runstore import RunStore
from tests.trainer.support import (
    FAST,
    assert_contiguous,
    make_spec,
    rows_without_wall_time,
    train_new,
    wait_for,
)

FOREVER = 5_000_000
"""An episode target no test reaches: such runs end by pause, stop or kill."""


def status_of(store: RunStore, run_id: int) -> str:
    return store.get_run(run_id).status


def kinds(store: RunStore, run_id: int) -> list[tuple[str, int]]:
    return [(event.kind, event.attempt) for event in store.events(run_id)]


def test_slots_claim_queued_runs_and_obey_pause_stop_and_resume(store, store_url):
    a, b, c = (
        create_run(store, make_spec(episodes=FOREVER, seed=seed, checkpoint_every=500))
        for seed in range(3)
    )
    with WorkerPool(store_url, 3, settings=FAST) as pool:
        wait_for(
            lambda: all(store.get_run(i).episodes_done > 0 for i in (a, b, c)),
            60,
            "three runs training",
        )
        assert {store.get_run(i).pid for i in (a, b, c)} == set(pool.pids())
        assert {status_of(store, i) for i in (a, b, c)} == {"running"}

        pause_run(store, a)
        stop_run(store, b)
        wait_for(lambda: status_of(store, a) == "paused", 5, "run a paused")
        wait_for(lambda: status_of(store, b) == "stopped", 5, "run b stopped")
        for run_id in (a, b):
            run = store.get_run(run_id)
            assert store.checkpoints(run_id)[-1].episode == run.episodes_done
            assert (run.requested_status, run.owner) == (None, None)
        assert status_of(store, c) == "running"
        refused = (
            f"run {c} is running; only paused, stopped, crashed, error or pruned runs can be"
            " resumed"
        )
        with pytest.raises(Conflict) as caught:
            resume_run(store, c)
        assert str(caught.value) == refused

        paused_at = store.get_run(a).episodes_done
        resume_run(store, a)
        wait_for(
            lambda: store.get_run(a).episodes_done > paused_at + 50, 30, "run a training again"
        )
        assert (status_of(store, a), store.get_run(a).attempt) == ("running", 2)
    # Shutting the pool down puts the runs in training back in the queue, checkpointed.
    for run_id, final in ((a, "queued"), (b, "stopped"), (c, "queued")):
        run = store.get_run(run_id)
        assert run.status == final
        assert store.checkpoints(run_id)[-1].episode == run.episodes_done
        assert_contiguous(store, run_id)
    assert kinds(store, a) == [("claimed", 1), ("resumed", 2), ("interrupted", 2)]
    assert kinds(store, c) == [("claimed", 1), ("interrupted", 1)]


def test_a_run_paused_or_stopped_while_queued_is_never_claimed(store, store_url):
    paused = create_run(store, make_spec(episodes=200))
    stopped = create_run(store, make_spec(episodes=200))
    pause_run(store, paused)
    stop_run(store, stopped)
    assert (status_of(store, paused), status_of(store, stopped)) == ("paused", "stopped")
    later = create_run(store, make_spec(episodes=200))
    with WorkerPool(store_url, 1, settings=FAST):
        wait_for(lambda: status_of(store, later) == "finished", 60, "the later run finished")
    for run_id in (paused, stopped):
        run = store.get_run(run_id)
        assert (run.attempt, run.episodes_done) == (0, 0)


def test_resuming_a_run_asked_to_pause_cancels_the_request(store_url):
    store = RunStore(store_url, lease_seconds=60)  # the claim below lasts through the test
    try:
        claim = claim_new_run(store, make_spec(episodes=FOREVER))
        pause_run(store, claim.run_id)
        assert store.get_run(claim.run_id).requested_status == "paused"
        resume_run(store, claim.run_id)
        run = store.get_run(claim.run_id)
        assert (run.status, run.requested_status, run.attempt) == ("running", "running", 1)
    finally:
        store.close()


def test_param_change_takes_effect_at_the_stamped_episode(store, store_url):
    spec = make_spec(episodes=FOREVER, hyperparams={"alpha": 0.5, "gamma": 0.95, "epsilon": 0.9})
    run_id = create_run(store, spec)
    with WorkerPool(store_url, 1, settings=FAST):
        wait_for(lambda: store.get_run(run_id).episodes_done > 20, 30, "first episodes")
        store.request_params(run_id, {"alpha": 0.25, "gamma": 0.8, "epsilon": 0.3}, "api")
        changes = wait_for(
            lambda: [c for c in store.param_changes(run_id) if c.applied_episode is not None],
            5,
            "the change applied",
        )
        stamped = {c.applied_episode for c in changes}
        assert len(changes) == 3 and len(stamped) == 1
        episode = stamped.pop()
        wait_for(lambda: store.get_run(run_id).episodes_done > episode + 3, 10, "later episodes")
        pause_run(store, run_id)
        wait_for(lambda: status_of(store, run_id) == "paused", 5, "paused")
    before, at, after = (row.to_dict() for row in store.episodes(run_id, episode - 1, 3))
    assert (before["alpha"], before["gamma"]) == (0.5, 0.95)
    assert before["epsilon"] != 0.3
    assert (at["episode"], at["alpha"], at["gamma"], at["epsilon"]) == (episode, 0.25, 0.8, 0.3)
    assert (after["alpha"], after["gamma"]) == (0.25, 0.8)
    assert after["epsilon"] <= 0.3
    current = store.get_run(run_id).current_params
    assert (current["alpha"], current["gamma"], current["epsilon"]) == (0.25, 0.8, 0.3)


def test_a_sigkilled_slot_reads_crashed_is_replaced_and_its_run_resumes_exactly(store, store_url):
    spec_every = {"checkpoint_every": 300}
    spec = make_spec(env_id="FrozenLake-v1", preset=None, episodes=FOREVER, seed=7, **spec_every)
    run_id = create_run(store, spec)
    with WorkerPool(store_url, 1, settings=FAST) as pool:
        wait_for(lambda: store.get_run(run_id).episodes_done >= 700, 60, "700 episodes")
        slot = store.get_run(run_id).pid
        os.kill(slot, signal.SIGKILL)
        killed = time.monotonic()
        wait_for(lambda: status_of(store, run_id) == "crashed", 5, "crashed within 5 s")
        assert time.monotonic() - killed < 5
        crashed = store.get_run(run_id)
        assert "resume" in crashed.error
        assert_contiguous(store, run_id)
        assert store.checkpoints(run_id)[-1].episode <= crashed.episodes_done
        wait_for(lambda: pool.pids() and slot not in pool.pids(), 10, "the slot replaced")
        assert crashed.attempt == 1  # without auto_resume, nobody takes a crashed run

        resume_run(store, run_id)
        wait_for(
            lambda: store.get_run(run_id).episodes_done > crashed.episodes_done + 300,
            60,
            "the resumed run past the crash point",
        )
        pause_run(store, run_id)
        wait_for(lambda: status_of(store, run_id) == "paused", 5, "paused")
    resumed = assert_contiguous(store, run_id)
    assert kinds(store, run_id) == [("claimed", 1), ("crashed", 1), ("resumed", 2)]
    reference = train_new(
        store,
        make_spec(env_id="FrozenLake-v1", preset=None, episodes=len(resumed), seed=7, **spec_every),
    )
    assert resumed == rows_without_wall_time(store, reference.run_id)


gym.register("gridlab-test/OnlyInTheTests-v0", entry_point="gymnasium.envs.toy_text:FrozenLakeEnv")
"""An env the test process knows and the slot processes do not."""


def test_a_run_that_fails_in_its_slot_is_recorded_and_the_slot_trains_the_next(store, store_url):
    failing = create_run(
        store, make_spec(env_id="gridlab-test/OnlyInTheTests-v0", preset=None, episodes=100)
    )
    later = create_run(store, make_spec(episodes=200))
    with WorkerPool(store_url, 1, settings=FAST) as pool:
        (slot,) = pool.pids()
        wait_for(lambda: status_of(store, later) == "finished", 60, "the later run finished")
        assert pool.pids() == [slot] == [store.get_run(later).pid]  # the same, alive slot
    run = store.get_run(failing)
    assert run.status == "error"
    assert run.error.startswith("worker failed: ValidationError: env=")
    assert "gridlab-test/OnlyInTheTests-v0" in run.error


def test_runs_beyond_the_slots_wait_queued_and_start_when_a_slot_frees(store, store_url):
    first = create_run(store, make_spec(episodes=200))
    second = create_run(store, make_spec(episodes=200, seed=1))
    with WorkerPool(store_url, 1, settings=FAST):
        wait_for(lambda: status_of(store, first) == "finished", 60, "first finished")
        wait_for(lambda: status_of(store, second) == "finished", 60, "second finished")
    assert store.get_run(second).started_at >= store.get_run(first).finished_at


PARENT = """
import signal, sys, time
from app.training import WorkerPool
from tests.trainer.support import FAST

if __name__ == "__main__":
    url, graceful = sys.argv[1], sys.argv[2] == "graceful"
    if graceful:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with WorkerPool(url, 2, settings=FAST):
        print("started", flush=True)
        time.sleep(600)
"""


@pytest.mark.parametrize("parent_kind", ["graceful", "default-handler"])
def test_sigterm_of_the_parent_puts_every_run_back_in_the_queue(
    store, store_url, tmp_path, parent_kind
):
    ids = [create_run(store, make_spec(episodes=FOREVER, seed=s)) for s in range(2)]
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(PARENT))
    with subprocess.Popen(
        [sys.executable, str(script), store_url, parent_kind],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    ) as parent:
        try:
            assert parent.stdout.readline().strip() == "started"
            wait_for(
                lambda: all(store.get_run(i).episodes_done > 0 for i in ids), 60, "both training"
            )
            parent.send_signal(signal.SIGTERM)
            wait_for(
                lambda: all(status_of(store, i) == "queued" for i in ids), 5, "queued within 5 s"
            )
            parent.wait(10)
        finally:
            if parent.poll() is None:
                parent.kill()
    for run_id in ids:
        run = store.get_run(run_id)
        assert store.checkpoints(run_id)[-1].episode == run.episodes_done
        assert kinds(store, run_id) == [("claimed", 1), ("interrupted", 1)]
        assert_contiguous(store, run_id)


def test_closing_the_claim_gate_waits_for_a_claim_in_flight_and_ends_claiming():
    gate = ClaimGate(2)
    entered, release = threading.Event(), threading.Event()
    claimed: list[object] = []

    def slow_claim():
        entered.set()
        release.wait(10)
        return None

    claimer = threading.Thread(target=lambda: claimed.append(gate.claim(1, slow_claim)))
    claimer.start()
    assert entered.wait(10)
    closer = threading.Thread(target=gate.close, args=(lambda index: True, 10))
    closer.start()
    closer.join(0.3)
    assert closer.is_alive(), "close returned while a claim was in flight"
    release.set()
    closer.join(10)
    claimer.join(10)
    assert not closer.is_alive() and claimed == [None]
    calls: list[int] = []
    assert gate.claim(0, lambda: calls.append(0)) is False
    assert calls == []


def test_closing_the_claim_gate_ignores_a_dead_slot_caught_inside_a_claim():
    gate = ClaimGate(1)
    stuck = threading.Event()
    threading.Thread(target=gate.claim, args=(0, lambda: stuck.wait(10)), daemon=True).start()
    time.sleep(0.05)
    closer = threading.Thread(target=gate.close, args=(lambda index: False, 10))
    closer.start()
    closer.join(5)
    stuck.set()
    assert not closer.is_alive(), "close waited on a slot that is not alive"
