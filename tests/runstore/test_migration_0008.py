"""Migration 0008 (named checkpoints), on SQLite and PostgreSQL: the schema-4 store upgrades
with every checkpoint unnamed and no run asked for one, then takes names (unique within a
run, the same name in two runs); a fresh store has the names from the start."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import create_engine, exc, text

from runstore import RunStore
from runstore.migrate import HEAD
from tests.runstore.support import new_run
from tests.runstore.test_migration_0006 import schema4_url  # noqa: F401  (the fixture)

REVISION = "0008"
"""The migration these tests are about."""


def rows(url: str, sql: str) -> list[tuple]:
    """Return the rows of ``sql`` on the database at ``url`` (a plain engine)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        found = [tuple(row) for row in conn.execute(text(sql))]
    engine.dispose()
    return found


def test_the_schema4_store_upgrades_with_no_names_and_then_takes_them(schema4_url):  # noqa: F811
    store = RunStore(schema4_url)
    try:
        before = {run.id: store.checkpoints(run.id) for run in store.list_runs()}
        assert sum(map(len, before.values())) > 0
        assert all(info.name is None for infos in before.values() for info in infos)
        named = [run_id for run_id, infos in before.items() if infos][:2]
        for run_id in named:
            naming = store.names.give(run_id, "good-alpha", ("running",))
            assert naming.episode == before[run_id][-1].episode
            assert store.names.episode(run_id, "good-alpha") == naming.episode
    finally:
        store.close()
    assert HEAD >= REVISION
    assert rows(schema4_url, "SELECT version_num FROM gridlab_alembic_version") == [(HEAD,)]
    assert rows(schema4_url, "SELECT count(*) FROM runs WHERE checkpoint_request IS NOT NULL") == [
        (0,)
    ]
    counted = "SELECT count(*) FROM checkpoints WHERE name = 'good-alpha'"
    assert rows(schema4_url, counted) == [(2,)]
    # the unique index holds in the database itself
    engine = create_engine(schema4_url)
    run_id = named[0]
    with pytest.raises(exc.IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE checkpoints SET name = 'good-alpha' WHERE run_id = :run AND episode ="
                " (SELECT min(episode) FROM checkpoints WHERE run_id = :run)"
            ),
            {"run": run_id},
        )
    engine.dispose()


def test_a_fresh_store_has_named_checkpoints(store_url):
    store = RunStore(store_url)
    try:
        run_id = new_run(store)
        store.save_checkpoint(run_id, 5, np.eye(2), {}, None, "first")
        assert [(info.episode, info.name) for info in store.checkpoints(run_id)] == [(5, "first")]
    finally:
        store.close()
    assert rows(store_url, "SELECT version_num FROM gridlab_alembic_version") == [(HEAD,)]
