"""Migration 0009: stores from before trajectories (the schema-4 test store, upgraded through
every migration since, on SQLite and PostgreSQL) gain an empty ``trajectories`` table and take
trajectories with their episodes from then on; a new store has the table from the start."""

from __future__ import annotations

import shutil

import numpy as np
from sqlalchemy import create_engine, inspect, text

from runstore import RunStore, TrajectoryBatch, TrajectoryRecord
from runstore.migrate import HEAD
from tests.data.make_schema4_store import STORE_NAME
from tests.data.schema1 import DATA, copy_to_postgres
from tests.runstore.support import make_rows

REVISION = "0009"
"""This migration's revision id."""
COLUMNS = ["run_id", "episode", "kind", "length", "steps", "data"]


def upgraded_store(store_url: str, tmp_path) -> str:
    """Return the URL of the schema-4 test store on ``store_url``'s backend (not yet opened)."""
    if not store_url.startswith("sqlite"):
        copy_to_postgres(DATA / STORE_NAME, store_url, "0004", keep_version=True)
        return store_url
    path = tmp_path / "schema4.sqlite"
    shutil.copyfile(DATA / STORE_NAME, path)
    return f"sqlite:///{path}"


def table_facts(url: str) -> tuple[list[str], int, list[str]]:
    """Return the trajectories table's columns, its row count and the stored revision."""
    engine = create_engine(url)
    try:
        columns = [column["name"] for column in inspect(engine).get_columns("trajectories")]
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM trajectories")).scalar_one()
            versions = list(
                conn.execute(text("SELECT version_num FROM gridlab_alembic_version")).scalars()
            )
    finally:
        engine.dispose()
    return columns, count, versions


def steps_of(count: int) -> dict[str, np.ndarray]:
    """Return step columns of ``count`` steps."""
    return {"state": np.arange(count), "q": np.linspace(-1, 1, count * 4).reshape(count, 4)}


def test_an_old_store_gains_an_empty_table_and_takes_trajectories(store_url, tmp_path):
    url = upgraded_store(store_url, tmp_path)
    store = RunStore(url)
    try:
        assert table_facts(url) == (COLUMNS, 0, [HEAD])
        assert HEAD >= REVISION
        oldest = store.list_runs()[-1]  # not a fork, and done: make room for 3 episodes
        assert store.trajectories(oldest.id) == []
        store.truncate_episodes(oldest.id, oldest.episodes_done - 3)
        run = store.get_run(oldest.id)
        first = run.episodes_done + 1
        rows = make_rows(first, 3, steps_before=run.env_steps)
        record = TrajectoryRecord(first + 1, "every", 7, steps_of(7))
        store.append_episodes(run.id, rows, steps=TrajectoryBatch([record], keep_last=20))
        assert [info.episode for info in store.trajectories(run.id)] == [first + 1]
        assert (
            store.trajectory(run.id, first + 1).columns["q"].tolist() == steps_of(7)["q"].tolist()
        )
        store.manage.delete(run.id)
    finally:
        store.close()
    assert table_facts(url)[1] == 0


def test_a_new_store_has_the_table(store_url):
    RunStore(store_url).close()
    assert table_facts(store_url) == (COLUMNS, 0, [HEAD])
