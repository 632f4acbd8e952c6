"""Runs as jobs: claims, leases, events, control writes, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing
import time

import numpy as np
import pytest

from runstore import Claim, ClaimRefused, InvalidQuery, Owner, RunNotFound, RunStore
from tests.runstore.support import claim_until_empty, make_rows, new_run
from tests.trainer.support import wait_for

SHORT = 0.6
"""A lease that ends quickly (seconds)."""
HERE = Owner("box-a", 101, 1000.0)
THERE = Owner("box-b", 202, 2000.0)


@pytest.fixture
def short(store_url):
    """Yield a store whose claims last SHORT seconds."""
    opened = RunStore(store_url, lease_seconds=SHORT, heartbeat_seconds=0.1)
    yield opened
    opened.close()


def kinds(store: RunStore, run_id: int) -> list[tuple[str, int, int]]:
    """Return the run's events as (kind, attempt, episode)."""
    return [(event.kind, event.attempt, event.episode) for event in store.events(run_id)]


def crashed(store: RunStore, *run_ids: int) -> bool:
    """Return whether every one of the runs reads crashed."""
    return all(store.get_run(run_id).status == "crashed" for run_id in run_ids)


def create(store: RunStore, **options) -> int:
    """Create a 100-episode run with ``create_run`` options; return its id."""
    return store.create_run(
        name="job",
        env_id="GridWorld-v0",
        env_config={},
        hyperparams={"alpha": 0.1},
        seed=0,
        target_episodes=100,
        spec={},
        **options,
    )


# -- claiming -----------------------------------------------------------------------------


def test_a_queued_run_is_claimed_once_and_recorded(store):
    run_id = new_run(store)
    claim = store.claim_next(HERE)
    assert claim == Claim(run_id, 1, "box-a:101:1000.000")
    run = store.get_run(run_id)
    assert (run.status, run.attempt, run.owner, run.pid, run.host) == (
        "running",
        1,
        HERE.label,
        101,
        "box-a",
    )
    assert run.started_at is not None and run.lease_expires is not None
    assert store.claim_next(THERE) is None
    assert kinds(store, run_id) == [("claimed", 1, 0)]
    assert "worker pid 101 on box-a" in store.events(run_id)[0].detail


def test_claim_next_takes_the_oldest_queued_run(store):
    first, second = new_run(store), new_run(store)
    assert store.claim_next(HERE).run_id == first
    assert store.claim_next(HERE).run_id == second
    assert store.claim_next(HERE) is None


def test_a_run_created_with_an_owner_is_already_claimed(store):
    run_id = create(store, owner=HERE)
    run = store.get_run(run_id)
    assert (run.status, run.attempt, run.owner, run.auto_resume) == (
        "running",
        1,
        HERE.label,
        False,
    )
    assert store.claim_next(THERE) is None
    assert kinds(store, run_id) == [("claimed", 1, 0)]
    store.append_episodes(run_id, make_rows(1, 3), claim=Claim(run_id, 1, HERE.label))
    assert store.get_run(run_id).episodes_done == 3


def test_worker_processes_claim_each_run_exactly_once(store, store_url, tmp_path):
    runs = [new_run(store, target=100, name=f"job {i}") for i in range(16)]
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    outs = [tmp_path / f"claims-{i}.json" for i in range(4)]
    processes = [
        context.Process(target=claim_until_empty, args=(store_url, str(out), start)) for out in outs
    ]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(120)
    assert [process.exitcode for process in processes] == [0] * 4
    claims = [claim for out in outs for claim in json.loads(out.read_text())]
    assert sorted(run_id for run_id, _, _ in claims) == runs
    for run_id, attempt, owner in claims:
        run = store.get_run(run_id)
        assert attempt == run.attempt == 1
        assert (run.status, run.episodes_done, run.owner) == ("finished", 5, None)
        assert owner.split(":")[1] == str(run.pid)
        assert kinds(store, run_id) == [("claimed", 1, 0)]


# -- leases -------------------------------------------------------------------------------


def test_a_run_reads_crashed_once_its_lease_ends(short):
    run_id = new_run(short)
    claim = short.claim_next(HERE)
    short.append_episodes(run_id, make_rows(1, 10), claim=claim)
    short.save_checkpoint(run_id, 10, np.zeros((2, 2)), {}, claim=claim)
    short.append_episodes(run_id, make_rows(11, 5), claim=claim)
    revision, run_revision = short.revision(), short.run_revision(run_id)
    assert short.get_run(run_id).status == "running"
    wait_for(lambda: crashed(short, run_id), 10, "the lease to end")
    run = short.get_run(run_id)
    assert run.lease_expired and run.owner == HERE.label and run.attempt == 1
    assert "the worker (pid 101 on box-a, attempt 1) stopped renewing its lease" in run.error
    assert "at episode 15" in run.error
    assert "resume continues from the latest checkpoint (episode 10)" in run.error
    # no write happened, and yet every reader's revision moved
    assert short.revision() == revision + 1
    assert short.run_revision(run_id) == run.revision == run_revision + 1
    assert [listed.status for listed in short.list_runs()] == ["crashed"]


def test_a_run_without_a_checkpoint_says_resume_starts_over(short):
    run_id = new_run(short)
    short.claim_next(HERE)
    wait_for(lambda: crashed(short, run_id), 10, "the lease to end")
    assert "resume starts again from episode 1 (no checkpoint yet)" in short.get_run(run_id).error


def test_renewals_keep_the_lease_and_a_late_one_revives_an_untaken_run(short):
    run_id = new_run(short)
    claim = short.claim_next(HERE)
    deadline = time.monotonic() + 3 * SHORT
    while time.monotonic() < deadline:
        assert short.renew_lease(claim)
        assert short.get_run(run_id).status == "running"
        time.sleep(short.heartbeat_seconds)
    wait_for(lambda: crashed(short, run_id), 10, "the lease to end")
    assert short.renew_lease(claim)  # nobody took the run over: its owner carries on
    assert short.get_run(run_id).status == "running"


def test_claim_next_takes_over_an_ended_auto_resume_run(short, long):
    keep, plain = create(long, auto_resume=True), create(long)
    first = short.claim_next(HERE)
    short.append_episodes(keep, make_rows(1, 30), claim=first)
    short.save_checkpoint(keep, 20, np.zeros((2, 2)), {}, claim=first)
    # by name: on a loaded machine the first lease may have ended already, and claim_next
    # would take ``keep`` over (the very thing under test) and leave ``plain`` queued
    short.claim_run(plain, HERE)
    wait_for(lambda: crashed(long, keep, plain), 10, "both leases to end")
    taken = long.claim_next(THERE)
    assert taken == Claim(keep, 2, THERE.label)
    assert long.claim_next(THERE) is None  # the other one waits for someone to resume it
    assert kinds(long, keep) == [("claimed", 1, 0), ("crashed", 1, 30), ("resumed", 2, 20)]
    events = long.events(keep)
    assert "pid 101 on box-a" in events[1].detail and "at episode 30" in events[1].detail
    assert "worker pid 202 on box-b continues from the checkpoint at episode 20" in (
        events[2].detail
    )
    run = long.get_run(keep)
    assert (run.status, run.owner, run.error, run.host) == ("running", THERE.label, None, "box-b")
    assert long.claim_run(plain, THERE).attempt == 2
    assert kinds(long, plain) == [("claimed", 1, 0), ("crashed", 1, 0), ("claimed", 2, 0)]


def test_claim_run_refuses_a_live_lease_and_a_finished_run(long):
    run_id = new_run(long, target=5)
    claim = long.claim_next(HERE)
    before = long.get_run(run_id), long.events(run_id), long.revision()
    with pytest.raises(
        ClaimRefused,
        match=rf"run {run_id} is running: worker pid 101 on box-a holds its lease \(attempt 1\)",
    ):
        long.claim_run(run_id, THERE)
    assert (long.get_run(run_id), long.events(run_id), long.revision()) == before
    long.append_episodes(run_id, make_rows(1, 5), claim=claim)
    long.release(claim, "finished")
    with pytest.raises(ClaimRefused, match=rf"run {run_id} is finished \(all its 5 episodes"):
        long.claim_run(run_id, THERE)
    with pytest.raises(RunNotFound):
        long.claim_run(999, THERE)


def test_a_paused_run_is_claimed_by_name_and_resumed(long):
    run_id = new_run(long)
    claim = long.claim_next(HERE)
    long.append_episodes(run_id, make_rows(1, 40), claim=claim)
    long.save_checkpoint(run_id, 40, np.zeros((2, 2)), {}, claim=claim)
    long.release(claim, "paused")
    paused = long.get_run(run_id)
    assert (paused.status, paused.owner, paused.lease_expires) == ("paused", None, None)
    assert paused.finished_at is not None
    assert long.claim_run(run_id, THERE).attempt == 2
    assert kinds(long, run_id) == [("claimed", 1, 0), ("resumed", 2, 40)]


def test_a_graceful_stop_puts_the_run_back_in_the_queue(long):
    run_id = new_run(long)
    claim = long.claim_next(HERE)
    long.append_episodes(run_id, make_rows(1, 12), claim=claim)
    long.save_checkpoint(run_id, 12, np.zeros((2, 2)), {}, claim=claim)
    with pytest.raises(InvalidQuery, match="status='running'"):
        long.release(claim, "running")
    with pytest.raises(InvalidQuery, match="event='crashed'"):
        long.release(claim, "queued", event="crashed")
    long.release(claim, "queued", event="interrupted")
    run = long.get_run(run_id)
    assert (run.status, run.owner, run.lease_expires, run.finished_at) == (
        "queued",
        None,
        None,
        None,
    )
    interrupted = long.events(run_id)[-1]
    assert (interrupted.kind, interrupted.attempt, interrupted.episode) == ("interrupted", 1, 12)
    assert "worker pid 101 on box-a was stopped; the run is back in the queue" in (
        interrupted.detail
    )
    assert long.claim_next(THERE).attempt == 2
    assert kinds(long, run_id)[-1] == ("resumed", 2, 12)


# -- control writes -----------------------------------------------------------------------


def test_requeue_puts_resumable_runs_back_and_refuses_live_and_finished_ones(short, long):
    failed = new_run(long)
    claim = long.claim_next(HERE)
    long.append_episodes(failed, make_rows(1, 8), claim=claim)
    long.request_status(failed, "paused")
    long.release(claim, "error", error="NonFiniteQError: Q became NaN")
    long.requeue(failed)
    run = long.get_run(failed)
    assert (run.status, run.error, run.requested_status) == ("queued", None, None)
    long.requeue(failed)  # already queued: nothing to do
    assert long.get_run(failed).status == "queued"
    live = long.claim_next(THERE)
    with pytest.raises(
        ClaimRefused, match=r"holds its lease \(attempt 2\); it cannot be queued again"
    ):
        long.requeue(failed)
    long.release(live, "finished")
    with pytest.raises(ClaimRefused, match="is finished"):
        long.requeue(failed)

    ended = new_run(short)
    short.claim_next(HERE)
    wait_for(lambda: crashed(short, ended), 10, "the lease to end")
    short.requeue(ended)
    run = short.get_run(ended)
    assert (run.status, run.owner, run.lease_expires) == ("queued", None, None)
    assert kinds(short, ended) == [("claimed", 1, 0), ("crashed", 1, 0)]


def test_a_control_status_is_refused_while_a_live_worker_holds_the_run(short, long):
    run_id = new_run(long)
    long.claim_next(HERE)
    with pytest.raises(
        ClaimRefused, match=r"holds its lease \(attempt 1\); ask its worker instead"
    ):
        long.set_status(run_id, "stopped")
    assert long.get_run(run_id).status == "running"
    queued = new_run(long)
    long.set_status(queued, "stopped")
    assert long.get_run(queued).status == "stopped"

    ended = new_run(short)
    short.claim_next(HERE)
    wait_for(lambda: crashed(short, ended), 10, "the lease to end")
    short.set_status(ended, "stopped")
    run = short.get_run(ended)
    assert (run.status, run.owner, run.lease_expires) == ("stopped", None, None)
    assert kinds(short, ended) == [("claimed", 1, 0), ("crashed", 1, 0)]


def test_the_owner_sets_its_status_through_its_claim(long):
    run_id = new_run(long)
    claim = long.claim_next(HERE)
    long.set_status(run_id, "running", claim=claim)
    run = long.get_run(run_id)
    assert (run.status, run.owner, run.pid, run.host) == ("running", HERE.label, 101, "box-a")
    long.set_status(run_id, "running", pid=7, claim=claim)
    assert long.get_run(run_id).pid == 7
    long.set_status(run_id, "stopped", claim=claim)
    run = long.get_run(run_id)
    assert (run.status, run.owner, run.lease_expires) == ("stopped", None, None)
    with pytest.raises(InvalidQuery, match="a claim of run"):
        long.add_warning(run_id, "slow", claim=Claim(run_id + 1, 1, HERE.label))


def test_store_settings_are_checked_and_travel_with_the_store(store_url):
    import pickle

    with pytest.raises(InvalidQuery, match="0 < heartbeat_seconds < lease_seconds"):
        RunStore(store_url, lease_seconds=0.5, heartbeat_seconds=0.5)
    with pytest.raises(InvalidQuery):
        RunStore(store_url, lease_seconds=True)
    store = RunStore(store_url, lease_seconds=2.5, heartbeat_seconds=0.25)
    copy = pickle.loads(pickle.dumps(store))
    assert (copy.lease_seconds, copy.heartbeat_seconds) == (2.5, 0.25)
    copy.close()
    store.close()
