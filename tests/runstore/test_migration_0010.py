"""Migration 0010: an old store (the schema-4 test store, upgraded through every migration
since, on SQLite and PostgreSQL) gains the runs page's two indexes: its tag list reads the
tags' index alone instead of every run's whole row, and its newest-first block of the runs
not archived is read in the order of the other, without sorting them all."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Text, cast, create_engine, select

from runstore import RunStore
from runstore.schema import RunRow
from tests.runstore.test_migration_0009 import upgraded_store


def plan(url: str, query: Select[Any]) -> str:
    """Return how the database runs ``query`` (its query plan, as text)."""
    engine = create_engine(url)
    compiled = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql("SET enable_seqscan = off")  # a few rows: force the choice
                return " ".join(conn.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
            found = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
            return " ".join(row[3] for row in found)
    finally:
        engine.dispose()


TAGS = select(cast(RunRow.tags, Text)).distinct()
"""The runs page's tag list (``RunStore.manage.tags``)."""
NEWEST_BLOCK = (
    select(RunRow.id).where(RunRow.archived_at.is_(None)).order_by(RunRow.id.desc()).limit(50)
)
"""The ids of the runs page's first block (``listing.page`` in its default order)."""


def assert_the_page_reads_its_indexes(url: str) -> None:
    """Assert the tag list reads the tags' index, and (SQLite) the first block the other, in
    its order, with no sort (PostgreSQL sorts the ids it reads from either index on
    ``archived_at``)."""
    assert "ix_runs_tags" in plan(url, TAGS)
    if url.startswith("sqlite"):
        newest = plan(url, NEWEST_BLOCK)
        assert "ix_runs_archived_at_id" in newest and "B-TREE FOR ORDER BY" not in newest


def test_an_old_store_gains_the_indexes_and_lists_its_tags_from_them(store_url, tmp_path):
    url = upgraded_store(store_url, tmp_path)
    store = RunStore(url)
    try:
        before = store.manage.tags()
        oldest = store.list_runs()[-1]
        store.manage.retag(oldest.id, add=["zeta", "alpha"])
        assert store.manage.tags() == sorted({*before, "zeta", "alpha"})
        assert_the_page_reads_its_indexes(url)
    finally:
        store.close()


def test_a_new_store_reads_the_runs_page_from_its_indexes(store_url):
    RunStore(store_url).close()
    assert_the_page_reads_its_indexes(store_url)
