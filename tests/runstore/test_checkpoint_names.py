"""Named checkpoints in the store, on SQLite and PostgreSQL: asked of a running run's worker
or given to the latest checkpoint, unique within a run, kept when a checkpoint is replaced,
a run is rewound or released, and found by name."""

from __future__ import annotations

import time

import numpy as np
import pytest

from runstore import (
    CheckpointNameRefused,
    LeaseLost,
    NamedCheckpointNotFound,
    Owner,
    RunNotFound,
    RunStore,
)
from tests.runstore.support import make_rows, new_run

ASK = ("running",)


def table(value: float) -> np.ndarray:
    """Return a 25 x 4 Q-table filled with ``value``."""
    return np.full((25, 4), value)


def trained(store: RunStore, episodes: int = 300, every: int = 100) -> int:
    """Return a run with ``episodes`` episodes and a checkpoint every ``every`` of them."""
    run_id = new_run(store)
    store.append_episodes(run_id, make_rows(1, episodes))
    for episode in range(every, episodes + 1, every):
        store.save_checkpoint(run_id, episode, table(episode), {"at": episode})
    return run_id


def names(store: RunStore, run_id: int) -> dict[int, str | None]:
    """Return the run's checkpoints: episode → name."""
    return {info.episode: info.name for info in store.checkpoints(run_id)}


def test_a_run_not_training_gets_the_name_on_its_latest_checkpoint(store):
    run_id = trained(store)
    naming = store.names.give(run_id, "good-alpha", ASK)
    assert (naming.episode, naming.requested) == (300, False)
    assert names(store, run_id) == {100: None, 200: None, 300: "good-alpha"}
    assert store.names.episode(run_id, "good-alpha") == 300
    loaded = store.load_checkpoint(run_id, 300)
    assert loaded.name == "good-alpha" and np.array_equal(loaded.q, table(300))
    listed = store.checkpoints(run_id)
    assert listed[-1].to_dict()["name"] == "good-alpha"
    assert "name" not in listed[0].to_dict()  # an unnamed one reads as before


def test_names_are_unique_within_a_run_and_free_across_runs(store):
    first, second = trained(store), trained(store)
    store.names.give(first, "good", ASK)
    store.save_checkpoint(first, 400, table(4), {})
    with pytest.raises(CheckpointNameRefused, match="already has a checkpoint named 'good'"):
        store.names.give(first, "good", ASK)
    assert store.names.give(second, "good", ASK).episode == 300
    store.names.give(first, "better", ASK)
    with pytest.raises(CheckpointNameRefused, match=r"checkpoint \(episode 400\) is already"):
        store.names.give(first, "best", ASK)
    assert names(store, first) == {100: None, 200: None, 300: "good", 400: "better"}


def test_a_run_without_checkpoints_is_refused_and_an_unknown_run_is_not_found(store):
    run_id = new_run(store)
    with pytest.raises(CheckpointNameRefused, match="is queued and has no checkpoint to name"):
        store.names.give(run_id, "good", ASK)
    with pytest.raises(RunNotFound):
        store.names.give(999, "good", ASK)
    with pytest.raises(NamedCheckpointNotFound, match="it has no named checkpoint"):
        store.names.episode(run_id, "good")


def test_a_running_run_is_asked_and_its_workers_save_settles_the_request(store):
    run_id = trained(store)
    claim = store.claim_run(run_id, Owner.here())
    naming = store.names.give(run_id, "mid", ASK)
    assert (naming.episode, naming.requested) == (None, True)
    assert store.poll_control(run_id).checkpoint_request == "mid"
    assert names(store, run_id) == {100: None, 200: None, 300: None}
    with pytest.raises(CheckpointNameRefused, match="already asked to save a checkpoint named"):
        store.names.give(run_id, "other", ASK)
    store.append_episodes(run_id, make_rows(301, 37, steps_before=10**6), claim=claim)
    store.save_checkpoint(run_id, 337, table(337), {}, None, "mid", claim=claim)
    assert store.poll_control(run_id).checkpoint_request is None
    assert names(store, run_id)[337] == "mid"
    # a later checkpoint at the same episode (the worker's own, unnamed) keeps the name
    store.save_checkpoint(run_id, 337, table(338), {}, claim=claim)
    assert store.load_checkpoint(run_id, 337).name == "mid"
    store.release(claim, "finished")
    assert store.names.episode(run_id, "mid") == 337


def test_a_release_with_the_request_pending_names_the_latest_checkpoint(store):
    run_id = trained(store)
    claim = store.claim_run(run_id, Owner.here())
    store.names.give(run_id, "at-the-end", ASK)
    store.save_checkpoint(run_id, 300, table(9), {}, claim=claim)  # the final checkpoint
    store.release(claim, "paused")
    assert names(store, run_id)[300] == "at-the-end"
    assert store.poll_control(run_id).checkpoint_request is None


def test_a_status_change_drops_a_request_and_a_lost_lease_saves_nothing(store_url):
    short = RunStore(store_url, lease_seconds=0.2, heartbeat_seconds=0.05)
    try:
        run_id = trained(short)
        claim = short.claim_run(run_id, Owner.here())
        short.names.give(run_id, "lost", ASK)
        short.set_status(run_id, "stopped", claim=claim)
        assert short.poll_control(run_id).checkpoint_request is None
        assert set(names(short, run_id).values()) == {None}
        claim = short.claim_run(run_id, Owner.here())
        short.names.give(run_id, "again", ASK)
        time.sleep(0.4)  # the lease ends: another worker takes the run over
        short.claim_run(run_id, Owner("elsewhere", 1, 1.0))
        assert short.poll_control(run_id).checkpoint_request is None
        with pytest.raises(LeaseLost):
            short.save_checkpoint(run_id, 300, table(1), {}, None, "again", claim=claim)
        assert set(names(short, run_id).values()) == {None}
    finally:
        short.close()


def test_rewinding_a_run_to_its_latest_checkpoint_keeps_a_named_one(store):
    run_id = trained(store, episodes=250, every=100)
    claim = store.claim_run(run_id, Owner.here())
    store.names.give(run_id, "keep-me", ASK)
    store.save_checkpoint(run_id, 250, table(250), {}, None, "keep-me", claim=claim)
    store.append_episodes(run_id, make_rows(251, 40, steps_before=10**6), claim=claim)
    store.truncate_episodes(run_id, 250, claim=claim)  # what a resumed worker does first
    assert names(store, run_id) == {100: None, 200: None, 250: "keep-me"}
    assert store.get_run(run_id).episodes_done == 250


def test_a_missing_name_lists_the_names_there(store):
    run_id = trained(store)
    store.names.give(run_id, "good", ASK)
    with pytest.raises(NamedCheckpointNotFound) as refused:
        store.names.episode(run_id, "nope")
    assert str(refused.value) == (
        f"run {run_id} has no checkpoint named 'nope'; its named checkpoints are 'good'"
        " (episode 300)"
    )
    assert refused.value.named == {"good": 300}


def test_deleting_a_run_deletes_its_named_checkpoints(store):
    run_id = trained(store)
    store.names.give(run_id, "good", ASK)
    store.manage.delete(run_id)
    again = trained(store)
    assert store.names.give(again, "good", ASK).episode == 300
