"""A trainer's writes are fenced on its claim: a lost claim writes nothing more, and the
heartbeat keeps the claim of a slow loop."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time

import pytest

from app.training import Trainer, claim_new_run
from runstore import Owner, RunNotFound, RunStore
from tests.trainer.support import FAST, make_spec, wait_for

FOREVER = 5_000_000
ELSEWHERE = Owner("elsewhere", 1, 1.0)
"""Another worker, on another machine."""


def dump(store_url: str) -> list[str]:
    """Return the whole SQLite store as SQL statements, read past the store's own API."""
    with contextlib.closing(sqlite3.connect(store_url.removeprefix("sqlite:///"))) as conn:
        return list(conn.iterdump())


@pytest.fixture
def short_lease(store_url):
    """Yield a store whose claims last half a second (renewed every 0.1 s)."""
    opened = RunStore(store_url, lease_seconds=0.5, heartbeat_seconds=0.1)
    yield opened
    opened.close()


def test_a_claim_taken_over_by_another_worker_writes_nothing(short_lease, store_url, caplog):
    stale = claim_new_run(short_lease, make_spec(episodes=300))  # nothing renews its lease
    wait_for(lambda: short_lease.get_run(stale.run_id).status == "crashed", 5, "the lease over")
    with contextlib.closing(RunStore(store_url, lease_seconds=600)) as elsewhere:
        taken = elsewhere.claim_run(stale.run_id, ELSEWHERE)  # lasts past this test
    before = dump(store_url)
    with caplog.at_level(logging.WARNING):
        assert Trainer(short_lease, stale, settings=FAST).run() is None
    assert dump(store_url) == before
    run = short_lease.get_run(stale.run_id)
    assert (run.status, run.attempt, run.owner) == ("running", 2, taken.owner)
    (line,) = caplog.messages
    assert line.startswith(f"run {stale.run_id} attempt 1 is no longer owned by {stale.owner}")
    assert line.endswith("; this worker stops training it")


def test_a_run_deleted_while_it_trains_stops_its_worker_quietly(store):
    claim = claim_new_run(store, make_spec(episodes=FOREVER))
    deleted: list[int] = []

    def delete_once(done: int, mean_return: float) -> None:
        if done >= 200 and not deleted:
            store.delete_run(claim.run_id)
            deleted.append(done)

    assert Trainer(store, claim, settings=FAST, on_progress=delete_once).run() is None
    assert deleted
    with pytest.raises(RunNotFound):
        store.get_run(claim.run_id)
    assert store.list_runs() == []


def test_the_heartbeat_keeps_the_claim_of_a_loop_slower_than_the_lease(short_lease):
    claim = claim_new_run(short_lease, make_spec(episodes=300))
    seen: list[str] = []

    def slow_first_flush(done: int, mean_return: float) -> None:
        if not seen:
            time.sleep(3 * short_lease.lease_seconds)  # busy well past the lease
            seen.append(short_lease.get_run(claim.run_id).status)

    trainer = Trainer(short_lease, claim, settings=FAST, on_progress=slow_first_flush)
    assert trainer.run() == "finished"
    assert seen == ["running"]
    assert [event.kind for event in short_lease.events(claim.run_id)] == ["claimed"]
