"""Fencing: a worker that lost its claim writes nothing, whatever the write (both backends)."""

from __future__ import annotations

import numpy as np
import pytest

from runstore import LeaseLost, Owner, RunStore
from tests.runstore.support import make_rows, new_run, stored_rows
from tests.trainer.support import wait_for

HERE = Owner("box-a", 101, 1000.0)
THERE = Owner("box-b", 202, 2000.0)

STALE_WRITES = {
    "append_episodes": lambda store, run, claim: store.append_episodes(
        run, make_rows(21, 5), claim=claim
    ),
    "truncate_episodes": lambda store, run, claim: store.truncate_episodes(run, 5, claim=claim),
    "save_checkpoint": lambda store, run, claim: store.save_checkpoint(
        run, 20, np.ones((2, 2)), {"epsilon": 0.5}, claim=claim
    ),
    "take_pending_params": lambda store, run, claim: store.take_pending_params(
        run, 20, claim=claim
    ),
    "add_warning": lambda store, run, claim: store.add_warning(run, "slow", claim=claim),
    "set_status": lambda store, run, claim: store.set_status(run, "paused", claim=claim),
    "release": lambda store, run, claim: store.release(claim, "queued", event="interrupted"),
}


def everything(store: RunStore, run_id: int) -> dict:
    """Return what the store answers about the run (to compare before and after)."""
    return {
        "run": store.get_run(run_id).to_dict(),
        "episodes": stored_rows(store, run_id),
        "checkpoints": [info.to_dict() for info in store.checkpoints(run_id)],
        "changes": [change.to_dict() for change in store.param_changes(run_id)],
        "events": [event.to_dict() for event in store.events(run_id)],
        "revision": store.revision(),
    }


@pytest.fixture
def taken_over(store_url):
    """Yield (store, run id, stale claim): the claim's lease ended and another worker took
    the run over, with a lease that outlasts the test; a change is pending."""
    short = RunStore(store_url, lease_seconds=0.5, heartbeat_seconds=0.1)
    store = RunStore(store_url, lease_seconds=600)
    run_id = new_run(store)
    stale = short.claim_next(HERE)
    short.append_episodes(run_id, make_rows(1, 20), claim=stale)
    short.save_checkpoint(run_id, 10, np.zeros((2, 2)), {}, claim=stale)
    wait_for(lambda: store.get_run(run_id).status == "crashed", 10, "the lease to end")
    fresh = store.claim_run(run_id, THERE)
    assert fresh.attempt == stale.attempt + 1
    store.request_params(run_id, {"alpha": 0.3}, "api")
    yield store, run_id, stale
    short.close()
    store.close()


@pytest.mark.parametrize("write", STALE_WRITES)
def test_a_stale_claim_writes_nothing(taken_over, write):
    store, run_id, stale = taken_over
    before = everything(store, run_id)
    with pytest.raises(
        LeaseLost,
        match=rf"run {run_id} attempt 1 is no longer owned by {HERE.label}: attempt 2 holds it now",
    ) as lost:
        STALE_WRITES[write](store, run_id, stale)
    assert (lost.value.run_id, lost.value.attempt, lost.value.owner) == (run_id, 1, HERE.label)
    assert everything(store, run_id) == before


def test_a_stale_renewal_answers_false_and_writes_nothing(taken_over):
    store, run_id, stale = taken_over
    before = everything(store, run_id)
    assert store.renew_lease(stale) is False
    assert everything(store, run_id) == before


def test_a_claim_ends_with_its_run_stopped_or_deleted(store):
    run_id = new_run(store)
    claim = store.claim_next(HERE)
    store.release(claim, "stopped")
    with pytest.raises(LeaseLost, match="it is stopped now"):
        store.append_episodes(run_id, make_rows(1, 1), claim=claim)
    other = new_run(store)
    claim = store.claim_next(HERE)
    store.delete_run(other)
    assert store.renew_lease(claim) is False
    with pytest.raises(LeaseLost, match="the run was deleted"):
        store.add_warning(other, "gone", claim=claim)
