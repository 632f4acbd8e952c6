"""``RunStore.manage`` on both backends: names, tags, notes, archiving and deleting runs."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from runstore import RunNotFound, RunStore
from runstore.migrate import HEAD
from runstore.schema import Base
from tests.dashboard_support import seeded_run
from tests.data.schema1 import make_postgres_schema1, schema1_file

RUN_TABLES = sorted(
    (table.name, column.name)
    for table in Base.metadata.tables.values()
    for column in table.columns
    if any(key.column.table.name == "runs" for key in column.foreign_keys)
)
"""Every (table, column) that points at a run: what a delete must leave empty."""


def rows_of(store: RunStore, run_id: int) -> dict[str, int]:
    """Return how many rows of each table point at the run (and the run's own row)."""
    engine = create_engine(store.url)
    with engine.connect() as conn:
        counts = {
            f"{table}.{column}": conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE {column} = :id"), {"id": run_id}
            ).scalar_one()
            for table, column in RUN_TABLES
        }
        counts["runs.id"] = conn.execute(
            text("SELECT count(*) FROM runs WHERE id = :id"), {"id": run_id}
        ).scalar_one()
    engine.dispose()
    return counts


def test_labels_round_trip_and_bump_the_revision(store):
    run_id = seeded_run(store, status="finished", episodes=10)
    before = store.run_revision(run_id)
    assert store.manage.rename(run_id, "renamed").name == "renamed"
    assert store.manage.retag(run_id, ["b", "a"]).tags == ["a", "b"]
    assert store.manage.retag(run_id, ["c"], ["a", "never-had"]).tags == ["b", "c"]
    assert store.manage.write_note(run_id, "# Why\n\nalpha too *high*").note.startswith("# Why")
    run = store.get_run(run_id)
    assert (run.name, run.tags, run.note, run.archived) == (
        "renamed",
        ["b", "c"],
        "# Why\n\nalpha too *high*",
        False,
    )
    assert store.run_revision(run_id) > before
    assert run.to_dict()["tags"] == ["b", "c"]
    for call in (
        lambda: store.manage.rename(999, "x"),
        lambda: store.manage.retag(999, ["x"]),
        lambda: store.manage.write_note(999, "x"),
        lambda: store.manage.archive(999),
        lambda: store.manage.delete(999),
    ):
        with pytest.raises(RunNotFound):
            call()


def test_archived_runs_are_listed_only_when_asked_and_come_back(store):
    kept, archived = (seeded_run(store, status="finished", episodes=5) for _ in range(2))
    stamped = store.manage.archive(archived).archived_at
    assert stamped is not None
    assert store.manage.archive(archived).archived_at == stamped  # archiving again keeps it
    assert [run.id for run in store.manage.list_runs()] == [kept]
    assert [run.id for run in store.manage.list_runs(archived=True)] == [archived]
    assert [run.id for run in store.manage.list_runs(archived=None)] == [archived, kept]
    assert [run.id for run in store.list_runs()] == [archived, kept]  # unchanged: every run
    assert store.manage.archive(archived, archived=False).archived_at is None
    assert [run.id for run in store.manage.list_runs()] == [archived, kept]


def test_runs_are_listed_by_tag(store):
    first, second = (seeded_run(store, status="finished", episodes=5) for _ in range(2))
    store.manage.retag(first, ["sweep-a", "good"])
    store.manage.retag(second, ["sweep-a"])
    assert [run.id for run in store.manage.list_runs(tag="sweep-a")] == [second, first]
    assert [run.id for run in store.manage.list_runs(tag="good")] == [first]
    assert store.manage.list_runs(tag="none") == []
    store.manage.archive(first)
    assert store.manage.tags() == ["good", "sweep-a"]


def test_a_guard_refuses_inside_the_transaction_and_nothing_changes(store):
    run_id = seeded_run(store, status="paused", episodes=20)
    before = rows_of(store, run_id)

    def refuse(run):
        assert run.id == run_id and run.status == "paused"
        raise RuntimeError("refused")

    for call in (store.manage.delete, store.manage.archive):
        with pytest.raises(RuntimeError, match="refused"):
            call(run_id, guard=refuse)
    assert rows_of(store, run_id) == before
    assert not store.get_run(run_id).archived


def test_delete_removes_every_row_keyed_on_the_run_and_nothing_else(store):
    other = seeded_run(store, status="finished", episodes=150)
    run_id = seeded_run(store, status="running", episodes=150)
    store.request_params(run_id, {"alpha": 0.2}, "cli")
    store.take_pending_params(run_id, 150)
    store.set_status(run_id, "stopped")
    store.manage.retag(run_id, ["x"])
    counts = rows_of(store, run_id)
    for table in ("episode_blocks.run_id", "rollup_packs.run_id", "checkpoints.run_id"):
        assert counts[table] > 0, table
    assert counts["param_changes.run_id"] == 1 and counts["run_events.run_id"] >= 0
    others = rows_of(store, other)
    store.manage.delete(run_id)
    assert set(rows_of(store, run_id).values()) == {0}
    assert rows_of(store, other) == others
    with pytest.raises(RunNotFound):
        store.get_run(run_id)


def _pages(url: str) -> tuple[int, int]:
    """Return a SQLite store's page count and free-list length."""
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = (
            conn.exec_driver_sql("PRAGMA page_count").scalar_one(),
            conn.exec_driver_sql("PRAGMA freelist_count").scalar_one(),
        )
    engine.dispose()
    return counts


def test_a_new_sqlite_store_gives_a_deleted_runs_space_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'space.sqlite'}"
    store = RunStore(url)
    try:
        small = seeded_run(store, status="finished", episodes=10)
        empty_ish = _pages(url)[0]
        big = seeded_run(store, status="finished", episodes=3000, target=3000)
        for episode in range(100, 3001, 100):
            store.save_checkpoint(big, episode, np.random.default_rng(episode).random((400, 4)), {})
        grown = _pages(url)[0]
        assert grown > empty_ish + 50
        store.manage.delete(big)
        pages, free = _pages(url)
        assert free == 0
        assert pages < empty_ish + 10, (empty_ish, grown, pages)
        assert store.get_run(small).episodes_done == 10
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_old_store_migrates_with_no_labels_and_nothing_lost(backend, tmp_path, request):
    if backend == "sqlite":
        url = f"sqlite:///{schema1_file(tmp_path)}"
    else:
        url = request.getfixturevalue("postgres_server").new_database()
        make_postgres_schema1(url)
    store = RunStore(url)
    try:
        runs = store.list_runs()
        assert runs and all((run.tags, run.note, run.archived_at) == ([], "", None) for run in runs)
        first = runs[-1]
        episodes = store.get_run(first.id).episodes_done
        assert store.manage.retag(first.id, ["old"]).tags == ["old"]
        assert store.manage.archive(first.id).archived
        assert store.get_run(first.id).episodes_done == episodes
    finally:
        store.close()
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM gridlab_alembic_version")).all() == [
            (HEAD,)
        ]
    engine.dispose()


def test_the_id_of_a_deleted_run_is_never_given_again(store):
    kept = seeded_run(store, status="finished", episodes=5)
    newest = seeded_run(store, status="finished", episodes=5)
    store.manage.delete(newest)
    again = seeded_run(store, status="finished", episodes=5)
    assert kept < newest < again
