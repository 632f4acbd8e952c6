"""The revision a page polls: it moves with every write, and only then, over a real store."""

from __future__ import annotations

from app.views.revision import next_revision, read_revision, run_key
from tests.dashboard_support import fill, seeded_run


def test_the_store_revision_moves_on_a_write_anywhere_and_not_on_reads(store):
    first = next_revision(store, None)
    assert first is not None
    assert next_revision(store, first) is None
    store.list_runs()
    assert next_revision(store, first) is None
    run_id = seeded_run(store, status="paused", episodes=0, name="new")
    moved = next_revision(store, first)
    assert moved is not None and moved != first
    store.get_run(run_id)
    assert next_revision(store, moved) is None


def test_a_run_revision_moves_with_that_run_only(store):
    mine = seeded_run(store, status="running", episodes=10, name="mine")
    other = seeded_run(store, status="running", episodes=10, name="other")
    known = read_revision(store, mine)
    fill(store, other, 5)
    store.set_status(other, "paused")
    assert next_revision(store, known, mine) is None
    fill(store, mine, 5)
    after_episodes = next_revision(store, known, mine)
    assert after_episodes is not None
    store.request_status(mine, "paused")  # a control row from anywhere counts too
    assert next_revision(store, after_episodes, mine) is not None


def test_a_deleted_run_has_nothing_new_to_show(store):
    run_id = seeded_run(store, status="paused", episodes=3)
    known = read_revision(store, run_id)
    store.delete_run(run_id)
    assert next_revision(store, known, run_id) is None
    assert next_revision(store, None, run_id) is None


def test_a_run_key_changes_exactly_when_the_run_does(store):
    run_id = seeded_run(store, status="running", episodes=10)
    key = run_key(store.get_run(run_id))
    assert run_key(store.get_run(run_id)) == key
    fill(store, run_id, 1)
    moved = run_key(store.get_run(run_id))
    assert moved[0] == run_id and moved != key
