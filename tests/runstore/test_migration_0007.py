"""Migration 0007: a store from before run summaries gets one per run with episodes, equal
to what ``RunStore.summary`` computes from its episodes (forks through their parents), and
keeps them up to date afterwards; a fresh store has the table from the start."""

from __future__ import annotations

import pytest

from runstore import RunStore
from runstore.migrate import HEAD
from tests.runstore import test_migration_0006 as schema4
from tests.runstore.support import make_rows, new_run
from tests.runstore.test_run_summaries import assert_summary_is_the_recomputation

schema4_url = schema4.schema4_url
"""The schema-4 store on each backend (a fixture)."""
REVISION = "0007"
"""This migration's revision."""


def test_an_upgraded_store_has_every_runs_summary(schema4_url):
    store = RunStore(schema4_url)
    try:
        runs = schema4.EXPECTED["runs"]
        for run in runs:
            forked = run["id"] in (schema4.FORK, schema4.FORK_OF_FORK)
            assert_summary_is_the_recomputation(store, run["id"], exact=not forked)
        with_episodes = sorted(run["id"] for run in runs if run["episodes_done"])
        assert schema4.scalars(schema4_url, "SELECT run_id FROM run_summaries ORDER BY run_id") == (
            with_episodes
        )
        versions = "SELECT version_num FROM gridlab_alembic_version"
        assert schema4.scalars(schema4_url, versions) == [HEAD] and HEAD >= REVISION
        fork = schema4.FORK_OF_FORK
        keep = store.get_run(fork).episodes_done - 150
        store.truncate_episodes(fork, keep)
        assert_summary_is_the_recomputation(store, fork, exact=False)
        store.append_episodes(fork, make_rows(keep + 1, 150, seed=1))
        assert_summary_is_the_recomputation(store, fork, exact=False)
    finally:
        store.close()


@pytest.mark.parametrize("episodes", [0, 1, 99, 100, 101])
def test_a_fresh_store_summarises_from_the_first_batch(store, episodes):
    run_id = new_run(store, target=500)
    store.append_episodes(run_id, make_rows(1, episodes))  # none: nothing is written
    assert_summary_is_the_recomputation(store, run_id)
    assert schema4.scalars(store.url, "SELECT count(*) FROM run_summaries") == [min(episodes, 1)]
