"""Migrations 0005 and 0006: a store written at schema 4 (one row per episode; forks)
upgrades (run labels, then episode blocks and rollups by size) and answers exactly as it did,
forks through their parents included; a store it cannot upgrade without losing episodes is
refused unchanged.

The schema-4 store in tests/data was written by commit b8590aa (see
tests/data/make_schema4_store.py) together with what that code answered about it. Its runs
7, 8 and 9 are a run, its fork at 1,170 and the fork's fork at 1,300.
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
from tests.dashboard_support import seeded_run
from tests.data.make_schema4_store import EXPECTED_NAME, STORE_NAME, all_episodes, snapshot4
from tests.data.schema1 import DATA, copy_to_postgres, project
from tests.runstore.support import assert_series_equals_raw, make_rows

EXPECTED = json.loads((DATA / EXPECTED_NAME).read_text())
FORK, FORK_OF_FORK = 8, 9


@pytest.fixture
def schema4_url(store_url, tmp_path) -> str:
    """Return the URL of the schema-4 store on each backend."""
    if store_url.startswith("sqlite"):
        path = tmp_path / "gridlab.sqlite"
        shutil.copyfile(DATA / STORE_NAME, path)
        return f"sqlite:///{path}"
    copy_to_postgres(DATA / STORE_NAME, store_url, "0004", keep_version=True)
    return store_url


def scalars(url: str, sql: str) -> list:
    """Return the first column of ``sql`` on the database at ``url`` (a plain engine)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        values = list(conn.execute(text(sql)).scalars())
    engine.dispose()
    return values


def assert_answers_as_at_schema_4(store: RunStore) -> None:
    """Assert the store answers what the schema-4 code answered about the same data."""
    actual = json.loads(json.dumps(snapshot4(store)))
    for key, expected in EXPECTED.items():
        assert project(actual[key], expected) == expected, key


def test_a_schema4_store_upgrades_and_answers_exactly_as_before(schema4_url):
    store = RunStore(schema4_url)
    try:
        assert_answers_as_at_schema_4(store)
    finally:
        store.close()
    assert scalars(schema4_url, "SELECT version_num FROM gridlab_alembic_version") == [HEAD]
    blocks = scalars(schema4_url, "SELECT run_id FROM episode_blocks ORDER BY run_id, block")
    assert blocks == [
        run["id"]
        for run in EXPECTED["runs"]
        for _ in range((run["fork_episode"] or 0) // BLOCK, -(-run["episodes_done"] // BLOCK))
    ]
    skips = "SELECT skip FROM episode_blocks WHERE run_id = {} ORDER BY block"
    assert scalars(schema4_url, skips.format(FORK)) == [170, 0]
    assert scalars(schema4_url, skips.format(FORK_OF_FORK)) == [300]
    sizes = scalars(schema4_url, "SELECT DISTINCT size FROM rollup_packs ORDER BY size")
    assert sizes == list(ROLLUP_SIZES)
    tables = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'episodes'"
    if schema4_url.startswith("sqlite"):
        tables = "SELECT count(*) FROM sqlite_master WHERE name = 'episodes'"
    assert scalars(schema4_url, tables) == [0]


def test_an_upgraded_store_never_gives_a_deleted_runs_id_again(schema4_url):
    store = RunStore(schema4_url)
    try:
        store.manage.delete(FORK_OF_FORK)  # the newest run
        again = seeded_run(store, status="finished", episodes=5)
    finally:
        store.close()
    assert again == FORK_OF_FORK + 1


@pytest.mark.parametrize("run_id", [1, FORK, FORK_OF_FORK])
def test_the_new_rollup_sizes_hold_what_the_episodes_add_up_to(schema4_url, run_id):
    store = RunStore(schema4_url)
    try:
        rows = all_episodes(store, run_id)
        for metric, points in (("return", 52), ("wall_time", 13), ("length", 6), ("epsilon", 3)):
            series = store.series(run_id, metric, points=points)
            assert series.bucket in (50, 200, 500, 1000)
            assert_series_equals_raw(series, rows)
    finally:
        store.close()


@pytest.mark.parametrize(
    ("run_id", "keep", "count"), [(6, 37, 226), (FORK_OF_FORK, 1320, 130), (FORK, 1170, 226)]
)
def test_an_upgraded_store_keeps_taking_writes_into_its_last_block(
    schema4_url, run_id, keep, count
):
    store = RunStore(schema4_url)
    try:
        kept = all_episodes(store, run_id)[:keep]
        store.truncate_episodes(run_id, keep)
        assert all_episodes(store, run_id) == kept
        more = make_rows(keep + 1, count, seed=6, steps_before=kept[-1]["env_steps"])
        store.append_episodes(run_id, more[:100])
        store.append_episodes(run_id, more[100:])
        assert all_episodes(store, run_id) == kept + more
        for metric, points in (("return", 300), ("mean_q", 7), ("env_steps", 2)):
            assert_series_equals_raw(store.series(run_id, metric, points=points), kept + more)
    finally:
        store.close()


def dump(path: Path) -> list[str]:
    """Return the SQL text of everything in the SQLite file."""
    with sqlite3.connect(path) as conn:
        lines = list(conn.iterdump())
    conn.close()
    return lines


@pytest.mark.parametrize(("run_id", "missing"), [(4, 1500), (FORK, 1171)])
def test_a_store_with_a_missing_episode_is_refused_unchanged(tmp_path, run_id, missing):
    path = tmp_path / "gridlab.sqlite"
    shutil.copyfile(DATA / STORE_NAME, path)
    with sqlite3.connect(path) as conn:
        conn.execute(f"DELETE FROM episodes WHERE run_id = {run_id} AND episode = {missing}")
    conn.close()
    before = dump(path)
    message = f"run {run_id} has episode {missing + 1} but no episode {missing}"
    with pytest.raises(StoreError, match=message):
        RunStore(f"sqlite:///{path}")
    assert dump(path) == before
    assert scalars(f"sqlite:///{path}", "SELECT version_num FROM gridlab_alembic_version") == [
        "0004"
    ]
