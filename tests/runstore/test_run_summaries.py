"""Run summaries kept at write time (``run_summaries``) equal what ``RunStore.summary``
computes from the episodes, on real trained runs, forks, resumes (truncation) and random
batch splits, on both backends; a deleted run takes its summary with it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.fork import fork_run
from app.training import Trainer
from runstore import Owner, RunStore
from runstore.listing import ListedRun, RunsQuery
from runstore.listing_filters import ColumnFilter, Condition
from runstore.schema import run_summaries
from tests.runstore.support import append_in_batches, make_rows, new_run
from tests.trainer.support import FAST, make_spec, train_new

FIGURES = ("recent_return", "best_return", "alpha", "epsilon")


def listed(store: RunStore, run_id: int) -> ListedRun:
    """Return the run as the runs page lists it (its summary read from the table)."""
    only = ColumnFilter("id", (Condition("equals", run_id),))
    (found,) = store.manage.page(RunsQuery(filters=(only,), archived=None)).runs
    return found


def assert_summary_is_the_recomputation(store: RunStore, run_id: int, exact: bool = True):
    """Assert the stored figures of the run are those ``RunStore.summary`` computes."""
    stored, computed = listed(store, run_id), store.summary(run_id)
    for name in FIGURES:
        expected = getattr(computed, name)
        if name in ("alpha", "epsilon") and expected is None:  # no episode yet: the value now
            expected = store.get_run(run_id).current_params[name]
        if exact or expected is None:
            assert getattr(stored, name) == expected, name
        else:  # a block across a fork: the lineage adds its parts' means
            assert getattr(stored, name) == pytest.approx(expected, rel=1e-12, abs=1e-12), name


def summary_rows(store: RunStore) -> int:
    """Return how many summary rows the store holds."""
    with store._read() as conn:
        return conn.scalar(select(func.count()).select_from(run_summaries))


def train_fork(store: RunStore, run_id: int) -> None:
    """Claim the queued fork here and train it to its end."""
    assert Trainer(store, store.claim_run(run_id, Owner.here()), settings=FAST).run() == "finished"


@pytest.mark.parametrize(
    "overrides",
    [
        {"episodes": 1234, "seed": 3},
        {"env_id": "FrozenLake-v1", "preset": None, "episodes": 777, "algorithm": "sarsa"},
    ],
)
def test_a_trained_runs_summary_is_the_recomputation(store, overrides):
    run_id = train_new(store, make_spec(**overrides)).run_id
    assert_summary_is_the_recomputation(store, run_id)
    assert listed(store, run_id).best_return is not None


def test_forks_summaries_are_the_recomputation_through_their_lineage(store):
    parent = train_new(store, make_spec(episodes=1000, seed=5, checkpoint_every=130)).run_id
    child = fork_run(store, parent, {"at": 390, "episodes": 1100})  # inside block 301..400
    assert_summary_is_the_recomputation(store, child)  # the parent's, up to 390
    train_fork(store, child)
    assert_summary_is_the_recomputation(store, child, exact=False)
    grandchild = fork_run(store, child, {"at": 520, "episodes": 900})
    train_fork(store, grandchild)
    assert_summary_is_the_recomputation(store, grandchild, exact=False)
    assert_summary_is_the_recomputation(store, parent)


def test_a_truncated_run_is_summarised_from_what_remains(store):
    run_id = new_run(store, target=5000)
    append_in_batches(store, run_id, make_rows(1, 1450, seed=2), batch=333)
    for keep in (1234, 1200, 150, 60):
        store.truncate_episodes(run_id, keep)  # a resume from the checkpoint at ``keep``
        assert_summary_is_the_recomputation(store, run_id)
    store.append_episodes(run_id, make_rows(61, 500, seed=9))
    assert_summary_is_the_recomputation(store, run_id)
    store.truncate_episodes(run_id, 0)
    assert listed(store, run_id).recent_return is None
    assert summary_rows(store) == 0


def test_a_deleted_run_takes_its_summary_with_it(store):
    kept, gone = new_run(store), new_run(store)
    for run_id in (kept, gone):
        store.append_episodes(run_id, make_rows(1, 120))
    assert summary_rows(store) == 2
    store.manage.delete(gone)
    assert summary_rows(store) == 1
    assert_summary_is_the_recomputation(store, kept)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sizes=st.lists(st.integers(1, 260), min_size=1, max_size=12), seed=st.integers(0, 99))
def test_any_split_into_batches_gives_the_recomputation(store, sizes, seed):
    run_id = new_run(store, target=10_000)
    first = 1
    for size in sizes:
        store.append_episodes(run_id, make_rows(first, size, seed=seed + first))
        first += size
        assert_summary_is_the_recomputation(store, run_id)
