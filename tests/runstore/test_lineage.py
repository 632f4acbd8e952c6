"""Forks in the store, on both backends: created at a checkpoint, reading their parents'
episodes through the link (episodes, series, summary, exports), the tree, and deletion."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from runstore import CheckpointNotFound, InvalidQuery, RunHasForks, RunStore
from tests.runstore.support import (
    append_in_batches,
    assert_series_equals_raw,
    make_rows,
    new_run,
    stored_rows,
)

STATE = {"epsilon": 0.5, "trainer": {"env_steps": 0}}


def fork_fields(name: str = "fork", target: int = 10_000_000) -> dict:
    """Return the ``create_run`` fields of a fork."""
    return {
        "name": name,
        "env_id": "GridWorld-v0",
        "env_config": {"n_states": 25, "n_actions": 4},
        "hyperparams": {"alpha": 0.05},
        "seed": 0,
        "target_episodes": target,
        "spec": {"env_id": "GridWorld-v0", "preset": "easy"},
    }


def trained(store: RunStore, episodes: int, checkpoints: list[int], seed: int = 0) -> tuple:
    """Return a run with ``episodes`` rows and checkpoints at ``checkpoints``, and its rows."""
    run_id = new_run(store)
    rows = make_rows(1, episodes, seed=seed)
    append_in_batches(store, run_id, rows, 700)
    for episode in checkpoints:
        store.save_checkpoint(run_id, episode, np.full((25, 4), float(episode)), STATE)
    return run_id, rows


def grow(store: RunStore, run_id: int, count: int, seed: int, rows: list[dict]) -> list[dict]:
    """Append ``count`` rows to the run after its last; return the lineage's rows."""
    run = store.get_run(run_id)
    more = make_rows(run.episodes_done + 1, count, seed=seed, steps_before=run.env_steps)
    append_in_batches(store, run_id, more, 900)
    return [*rows[: run.episodes_done], *more]


def test_a_fork_starts_at_the_checkpoint_and_reads_its_parent_up_to_it(store):
    parent, rows = trained(store, 2500, [1000, 2000])
    seen = store.run_revision(parent)
    child = store.lineage.fork(parent, 1000, fork_fields())
    assert store.run_revision(parent) > seen  # its page shows the new fork
    run = store.get_run(child)
    assert (run.status, run.parent_id, run.fork_episode) == ("queued", parent, 1000)
    assert run.episodes_done == 1000
    assert run.env_steps == rows[999]["env_steps"]
    copied = store.load_checkpoint(child, "latest")
    assert copied.episode == 1000 and np.array_equal(copied.q, np.full((25, 4), 1000.0))
    assert copied.agent_state == STATE
    assert stored_rows(store, child) == rows[:1000]
    lineage = grow(store, child, 1700, seed=9, rows=rows)
    assert lineage[1000] != rows[1000]
    assert stored_rows(store, child, 990, 20) == lineage[989:1009]
    for start, end, points in ((None, None, 1000), (None, None, 37), (3, 2699, 50), (995, 1006, 4)):
        window = store.series(child, "return", start, end, points)
        assert_series_equals_raw(window, lineage)
        assert sum(window.count) == min(end or 2700, 2700) - (start or 1) + 1
    # the parent's own reads are unchanged by its fork
    assert_series_equals_raw(store.series(parent, "length", points=70), rows)


def test_a_fork_inside_a_block_stores_only_its_own_episodes_through_truncations(store):
    parent, rows = trained(store, 2400, [1170])
    child = store.lineage.fork(parent, 1170, fork_fields())
    lineage = grow(store, child, 1500, seed=4, rows=rows)
    store.truncate_episodes(child, 1333)  # inside the fork's first block, of 50 and of 100
    assert stored_rows(store, child, 1, 2000)[:1333] == lineage[:1333]
    lineage = grow(store, child, 777, seed=5, rows=lineage[:1333])
    for points in (2110, 1000, 400, 200, 90, 40, 20, 9, 4, 2):
        window = store.series(child, "return", points=points)
        assert_series_equals_raw(window, lineage)
        assert_series_equals_raw(store.series(child, "env_steps", 1100, 1250, points), lineage)
    store.truncate_episodes(child, 1170)  # back to the fork: none of its own is left
    assert store.get_run(child).episodes_done == 1170
    assert store.episodes(child, 1171) == []
    lineage = grow(store, child, 130, seed=6, rows=rows[:1170])
    assert stored_rows(store, child, 1101, 200) == lineage[1100:]
    assert_series_equals_raw(store.series(child, "mean_q", points=3), lineage)
    assert store.summary(child).episodes == 1300
    # the parent's own reads are unchanged by its fork's writes
    assert_series_equals_raw(store.series(parent, "return", points=24), rows)


def test_a_fork_of_a_fork_reads_both_ancestors(store):
    root, rows = trained(store, 600, [200, 400])
    child = store.lineage.fork(root, 400, fork_fields("child"))
    lineage = grow(store, child, 300, seed=5, rows=rows)
    store.save_checkpoint(child, 600, np.ones((25, 4)), STATE)
    with pytest.raises(CheckpointNotFound, match="episodes 400, 600"):
        store.lineage.fork(child, 500, fork_fields("bad"))
    grandchild = store.lineage.fork(child, 600, fork_fields("grandchild"))
    assert store.get_run(grandchild).env_steps == lineage[599]["env_steps"]
    lineage = grow(store, grandchild, 250, seed=6, rows=lineage)
    assert len(lineage) == 850
    got = []
    while batch := store.episodes(grandchild, len(got) + 1, 333):
        got += [episode.to_dict() for episode in batch]
    assert got == lineage
    for points in (1000, 9, 1):
        assert_series_equals_raw(store.series(grandchild, "mean_q", points=points), lineage)
    assert [run.id for run in store.lineage.ancestors(grandchild)] == [child, root]
    assert [run.id for run in store.lineage.children(root)] == [child]
    sibling = store.lineage.fork(root, 200, fork_fields("sibling"))
    tree = [run.id for run in store.lineage.tree(grandchild)]
    assert tree == [root, child, grandchild, sibling]
    assert [run.id for run in store.lineage.tree(sibling)] == tree


def test_the_summary_and_exports_of_a_fork_read_through_it(store):
    parent, rows = trained(store, 450, [300])
    child = store.lineage.fork(parent, 300, fork_fields())
    fresh = store.summary(child, window=100)
    recent = rows[200:300]
    assert fresh.episodes == 300
    assert fresh.recent_return == pytest.approx(sum(r["return"] for r in recent) / 100)
    assert fresh.epsilon == rows[299]["epsilon"]
    best = max(sum(r["return"] for r in rows[i : i + 100]) / 100 for i in (0, 100, 200))
    assert fresh.best_return == pytest.approx(max(best, fresh.recent_return))
    lineage = grow(store, child, 150, seed=3, rows=rows)
    later = store.summary(child, window=100)
    assert later.recent_return == pytest.approx(sum(r["return"] for r in lineage[350:]) / 100)
    assert later.recent_length == pytest.approx(sum(r["length"] for r in lineage[350:]) / 100)
    lines = list(csv.DictReader(io.StringIO("".join(store.iter_csv(child)))))
    assert [int(line["episode"]) for line in lines] == list(range(1, 451))
    assert float(lines[10]["return"]) == rows[10]["return"]
    assert float(lines[400]["return"]) == lineage[400]["return"]
    document = json.loads("".join(store.iter_json(child)))
    assert document["run"]["parent_id"] == parent and document["run"]["fork_episode"] == 300
    assert [row["episode"] for row in document["episodes"]] == list(range(1, 451))
    assert document["episodes"][299]["return"] == rows[299]["return"]


def test_a_fork_is_refused_without_a_checkpoint_there_or_with_too_few_episodes(store):
    parent, _ = trained(store, 300, [100, 200])
    before = store.revision()
    with pytest.raises(CheckpointNotFound) as refused:
        store.lineage.fork(parent, 150, fork_fields())
    assert str(refused.value) == (
        f"run {parent} has no checkpoint at episode 150; its checkpoints are at episodes 100, 200"
    )
    with pytest.raises(InvalidQuery, match="target_episodes=200 is invalid"):
        store.lineage.fork(parent, 200, fork_fields(target=200))
    assert store.revision() == before
    bare = new_run(store)
    with pytest.raises(CheckpointNotFound, match="it has no checkpoint yet"):
        store.lineage.fork(bare, 1, fork_fields())
    assert [run.id for run in store.list_runs()] == [bare, parent]


def test_a_fork_may_start_from_a_changed_agent(store):
    parent, _ = trained(store, 200, [100])
    state = {"epsilon": 0.2, "algorithm": "double_q"}
    child = store.lineage.fork(
        parent, 100, fork_fields(), q=np.eye(25, 4), agent_state=state, evaluation={"gap": 1.5}
    )
    saved = store.load_checkpoint(child, 100)
    assert np.array_equal(saved.q, np.eye(25, 4))
    assert (saved.agent_state, saved.evaluation) == (state, {"gap": 1.5})


def test_a_run_with_forks_cannot_be_deleted_until_they_are(store):
    parent, _ = trained(store, 200, [100])
    child = store.lineage.fork(parent, 100, fork_fields())
    with pytest.raises(RunHasForks, match=rf"run {parent} cannot be deleted: run {child} was"):
        store.delete_run(parent)
    assert store.get_run(parent).episodes_done == 200
    store.delete_run(child)
    store.delete_run(parent)
    assert store.list_runs() == []
