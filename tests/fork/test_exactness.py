"""A fork with unchanged settings plays exactly the episodes its parent played after the
checkpoint, row for row (real trainers on a real SQLite file; a real worker process too)."""

from __future__ import annotations

import pytest

from app.fork import fork_run
from app.training import Trainer
from runstore import Owner, RunStore
from tests.trainer.support import FAST, make_spec, rows_without_wall_time, train_new, wait_for
from tests.workers.support import Launcher


def train_fork(store: RunStore, run_id: int) -> str | None:
    """Claim the queued fork here and train it to its end; return its final status."""
    return Trainer(store, store.claim_run(run_id, Owner.here()), settings=FAST).run()


@pytest.mark.parametrize("algorithm", ["q_learning", "sarsa", "double_q"])
def test_a_fork_with_unchanged_settings_plays_the_parents_episodes(store, algorithm):
    spec = make_spec(
        env_id="FrozenLake-v1",
        preset=None,
        episodes=900,
        seed=4,
        checkpoint_every=150,
        algorithm=algorithm,
        hyperparams={"epsilon_decay": 0.995},
    )
    parent = train_new(store, spec).run_id
    expected = rows_without_wall_time(store, parent)
    child = fork_run(store, parent, {"at": 300})
    assert store.get_run(child).episodes_done == 300
    assert train_fork(store, child) == "finished"
    assert rows_without_wall_time(store, child) == expected
    own = store.episodes(child, 301, 1)[0]
    assert (own.episode, own.env_steps) == (301, expected[300]["env_steps"])
    # a fork of the fork, at one of the fork's own checkpoints: the same episodes again
    grandchild = fork_run(store, child, {"at": 600})
    assert [run.id for run in store.lineage.ancestors(grandchild)] == [child, parent]
    assert train_fork(store, grandchild) == "finished"
    assert rows_without_wall_time(store, grandchild) == expected
    assert store.summary(grandchild) == store.summary(parent)


def test_a_queued_fork_is_claimed_and_trained_by_a_worker(tmp_path):
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    store = RunStore(url)
    try:
        spec = make_spec(episodes=400, seed=7, checkpoint_every=100)
        parent = train_new(store, spec).run_id
        child = fork_run(store, parent, {"at": "latest", "episodes": 700})
        assert store.get_run(child).fork_episode == 400
        launcher = Launcher(tmp_path)
        try:
            launcher.worker(url)
            wait_for(
                lambda: store.get_run(child).status == "finished", 120, "the worker to train it"
            )
        finally:
            launcher.close()
        rows = rows_without_wall_time(store, child)
        assert [row["episode"] for row in rows] == list(range(1, 701))
        assert rows[:400] == rows_without_wall_time(store, parent)
        steps = rows[399]["env_steps"]
        for row in rows[400:]:
            steps += row["length"]
            assert row["env_steps"] == steps
        assert [info.episode for info in store.checkpoints(child)][:2] == [400, 500]
    finally:
        store.close()
