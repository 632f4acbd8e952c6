"""Migration 0004: a store written at schema 3 (one row per episode) upgrades into episode
blocks and rollups by size, and answers exactly as it did; a store it cannot upgrade
without losing episodes is refused unchanged.

The schema-3 store in tests/data was written by commit 0d87e58 (see
tests/data/make_schema3_store.py) together with what that code answered about it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from runstore import RunStore, StoreError
from runstore.blocks import BLOCK
from runstore.migrate import HEAD
from runstore.schema import ROLLUP_SIZES
from tests.data.make_schema3_store import EXPECTED_NAME, STORE_NAME, all_episodes, snapshot3
from tests.data.schema1 import DATA, copy_to_postgres, project
from tests.runstore.support import assert_series_equals_raw, make_rows

EXPECTED = json.loads((DATA / EXPECTED_NAME).read_text())


@pytest.fixture
def schema3_url(store_url, tmp_path) -> str:
    """Return the URL of the schema-3 store on each backend."""
    if store_url.startswith("sqlite"):
        path = tmp_path / "gridlab.sqlite"
        shutil.copyfile(DATA / STORE_NAME, path)
        return f"sqlite:///{path}"
    copy_to_postgres(DATA / STORE_NAME, store_url, "0003", keep_version=True)
    return store_url


def scalars(url: str, sql: str) -> list:
    """Return the first column of ``sql`` on the database at ``url`` (a plain engine)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        values = list(conn.execute(text(sql)).scalars())
    engine.dispose()
    return values


def assert_answers_as_at_schema_3(store: RunStore) -> None:
    """Assert the store answers what the schema-3 code answered about the same data."""
    actual = json.loads(json.dumps(snapshot3(store)))
    for key, expected in EXPECTED.items():
        assert project(actual[key], expected) == expected, key


def test_a_schema3_store_upgrades_and_answers_exactly_as_before(schema3_url):
    store = RunStore(schema3_url)
    try:
        assert_answers_as_at_schema_3(store)
    finally:
        store.close()
    assert scalars(schema3_url, "SELECT version_num FROM gridlab_alembic_version") == [HEAD]
    runs = {run["id"]: run["episodes_done"] for run in EXPECTED["runs"]}
    blocks = scalars(schema3_url, "SELECT run_id FROM episode_blocks ORDER BY run_id, block")
    assert blocks == [run for run, done in runs.items() for _ in range(-(-done // BLOCK))]
    sizes = scalars(schema3_url, "SELECT DISTINCT size FROM rollups ORDER BY size")
    assert sizes == list(ROLLUP_SIZES)
    tables = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'episodes'"
    if schema3_url.startswith("sqlite"):
        tables = "SELECT count(*) FROM sqlite_master WHERE name = 'episodes'"
    assert scalars(schema3_url, tables) == [0]


def test_the_new_rollup_sizes_hold_what_the_episodes_add_up_to(schema3_url):
    store = RunStore(schema3_url)
    try:
        rows = all_episodes(store, 1)
        for metric, points in (("return", 52), ("wall_time", 13), ("length", 6), ("epsilon", 3)):
            series = store.series(1, metric, points=points)
            assert series.bucket in (50, 200, 500, 1000)
            assert_series_equals_raw(series, rows)
    finally:
        store.close()


def test_an_upgraded_store_keeps_taking_writes_into_its_last_block(schema3_url):
    store = RunStore(schema3_url)
    try:
        kept = all_episodes(store, 6)[:37]
        store.truncate_episodes(6, 37)
        more = make_rows(38, 263, seed=6, steps_before=kept[-1]["env_steps"])
        store.append_episodes(6, more[:100])
        store.append_episodes(6, more[100:])
        assert all_episodes(store, 6) == kept + more
        for metric, points in (("return", 300), ("mean_q", 7), ("env_steps", 2)):
            assert_series_equals_raw(store.series(6, metric, points=points), kept + more)
    finally:
        store.close()


def dump(path: Path) -> list[str]:
    """Return the SQL text of everything in the SQLite file."""
    with sqlite3.connect(path) as conn:
        lines = list(conn.iterdump())
    conn.close()
    return lines


def test_a_store_with_a_missing_episode_is_refused_unchanged(tmp_path):
    path = tmp_path / "gridlab.sqlite"
    shutil.copyfile(DATA / STORE_NAME, path)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM episodes WHERE run_id = 4 AND episode = 1500")
    conn.close()
    before = dump(path)
    with pytest.raises(StoreError, match="run 4 has episode 1501 but no episode 1500"):
        RunStore(f"sqlite:///{path}")
    assert dump(path) == before
    assert scalars(f"sqlite:///{path}", "SELECT version_num FROM gridlab_alembic_version") == [
        "0003"
    ]
