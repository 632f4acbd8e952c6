"""Migration 0010: an old store (the schema-4 test store, upgraded through every migration
since, on SQLite and PostgreSQL) gains the index on its runs' tags, and the runs page's tag
list reads that index alone instead of every run's whole row."""

from __future__ import annotations

from sqlalchemy import Text, cast, create_engine, select

from runstore import RunStore
from runstore.schema import RunRow
from tests.runstore.test_migration_0009 import upgraded_store

INDEX = "ix_runs_tags"


def tags_plan(url: str) -> str:
    """Return how the database reads the distinct lists of tags (its query plan, as text)."""
    engine = create_engine(url)
    query = select(cast(RunRow.tags, Text)).distinct()
    compiled = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql("SET enable_seqscan = off")  # a few rows: force the choice
                return " ".join(conn.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
            return " ".join(row[3] for row in plan)
    finally:
        engine.dispose()


def test_an_old_store_gains_the_index_and_lists_its_tags_from_it(store_url, tmp_path):
    url = upgraded_store(store_url, tmp_path)
    store = RunStore(url)
    try:
        before = store.manage.tags()
        oldest = store.list_runs()[-1]
        store.manage.retag(oldest.id, add=["zeta", "alpha"])
        assert store.manage.tags() == sorted({*before, "zeta", "alpha"})
        assert INDEX in tags_plan(url)
    finally:
        store.close()


def test_a_new_store_lists_its_tags_from_the_index(store_url):
    RunStore(store_url).close()
    assert INDEX in tags_plan(store_url)
