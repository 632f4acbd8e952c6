"""Migration 0002 (leases): the schema-1 store's runs get no claim, a run it left running
reads crashed, and the downgrade gives back schema 1."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, text

from runstore import RunStore
from runstore.migrations import commands
from tests.data.make_schema1_store import STORE_NAME
from tests.data.schema1 import DATA, make_postgres_schema1, schema1_file


def execute(url: str, *statements: str) -> list[tuple]:
    """Run ``statements`` on the database at ``url`` (a plain engine); return the last one's
    rows (empty for a statement without)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for sql in statements:
            result = conn.execute(text(sql))
    rows = [tuple(row) for row in result] if result.returns_rows else []
    engine.dispose()
    return rows


@pytest.fixture
def schema1_url(store_url, tmp_path) -> str:
    """Return the URL of a schema-1 store on each backend, its run 3 left ``running``."""
    if store_url.startswith("sqlite"):
        store_url = f"sqlite:///{schema1_file(tmp_path)}"
    else:
        make_postgres_schema1(store_url)
    execute(store_url, "UPDATE runs SET status = 'running', finished_at = NULL WHERE id = 3")
    return store_url


def test_old_runs_get_no_claim_and_a_running_one_an_ended_lease(schema1_url):
    store = RunStore(schema1_url)
    try:
        finished = [store.get_run(run_id) for run_id in (1, 2)]
        for run in finished:
            assert (run.status, run.attempt, run.owner, run.lease_expires) == (
                "finished",
                0,
                None,
                None,
            )
            assert (run.auto_resume, run.revision, store.events(run.id)) == (False, 0, [])
        left = store.get_run(3)
        assert left.status == "crashed" and left.lease_expired
        lease = left.heartbeat_at + timedelta(seconds=3)
        assert left.lease_expires == pytest.approx(lease.timestamp(), abs=1e-3)
        assert f"the worker (pid {left.pid} on {left.host}) stopped renewing its lease" in (
            left.error
        )
        assert "at episode 600" in left.error
        assert "resume continues from the latest checkpoint (episode 600)" in left.error
        assert store.revision() == 1  # the counter starts at 0; one lease has ended
        store.requeue(3)
        assert store.get_run(3).status == "queued"
        assert [event.kind for event in store.events(3)] == ["crashed"]
    finally:
        store.close()
    assert execute(schema1_url, "SELECT id, revision FROM store_revision") == [(1, 1)]


def test_the_downgrade_gives_back_schema_1(tmp_path):
    built = f"sqlite:///{tmp_path / 'down.sqlite'}"
    engine = create_engine(built)
    with engine.begin() as conn:
        command.upgrade(commands.config(conn), "head")
        command.downgrade(commands.config(conn), commands.BASELINE)
        conn.execute(text("DROP TABLE gridlab_alembic_version"))
    baseline = MetaData()
    source = create_engine(f"sqlite:///file:{DATA / STORE_NAME}?mode=ro&uri=true")
    baseline.reflect(source)
    source.dispose()
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), baseline) == []
    engine.dispose()
