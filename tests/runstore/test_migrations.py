"""Schema migrations: a schema-1 store keeps working; anything else is refused untouched.

The schema-1 store in tests/data was written by commit 345a8ac (the last gridlab before
migrations, see tests/data/make_schema1_store.py) together with what that code answered
about it; tests/data/schema1.py puts it on each backend and compares answers.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import SAWarning

from runstore import RunStore, SchemaVersionError, StoreError
from runstore.engine import make_engine, transaction
from runstore.migrate import HEAD
from runstore.migrations import commands
from runstore.schema import SCHEMA_VERSION, VERSION_TABLE, Base
from tests.data.make_schema1_store import STORE_NAME, snapshot
from tests.data.schema1 import (
    DATA,
    assert_answers_as_in_version_1,
    damaged_first_page,
    make_postgres_schema1,
    other_application,
    schema1_file,
    schema1_then,
    truncated,
    upgraded_then,
)
from tests.runstore.support import assert_series_equals_raw, make_rows, new_run

REPO = Path(__file__).resolve().parents[2]


def digest(path: Path) -> str:
    """Return the SHA-256 of the file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def schema1_url(store_url, tmp_path) -> str:
    """Return the URL of a schema-1 store on each backend."""
    if store_url.startswith("sqlite"):
        return f"sqlite:///{schema1_file(tmp_path)}"
    make_postgres_schema1(store_url)
    return store_url


def read_scalars(url: str, sql: str) -> list[Any]:
    """Return the first column of ``sql`` on the database at ``url`` (a plain engine)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        values = list(conn.execute(text(sql)).scalars())
    engine.dispose()
    return values


# -- the upgrade ---------------------------------------------------------------------------


def test_a_schema1_store_is_upgraded_with_everything_in_it(schema1_url):
    store = RunStore(schema1_url)
    try:
        assert_answers_as_in_version_1(snapshot(store))
    finally:
        store.close()
    assert read_scalars(schema1_url, "SELECT version_num FROM gridlab_alembic_version") == [HEAD]
    assert read_scalars(
        schema1_url, "SELECT value FROM gridlab_meta WHERE \"key\" = 'schema_version'"
    ) == [str(SCHEMA_VERSION)]


def test_the_upgrade_copies_the_sqlite_file_first_and_opening_again_changes_nothing(
    tmp_path, caplog
):
    path = schema1_file(tmp_path)
    original = sqlite3.connect(f"file:{DATA / STORE_NAME}?mode=ro", uri=True)
    RunStore(f"sqlite:///{path}").close()
    backup = tmp_path / "gridlab.sqlite.schema-1.bak"
    assert f"upgraded the store {path.resolve()} from schema version 1" in caplog.text
    assert f"a copy of it as it was is {backup.resolve()}" in caplog.text
    assert sorted(os.listdir(tmp_path)) == ["gridlab.sqlite", backup.name]
    copy = sqlite3.connect(backup)
    assert list(copy.iterdump()) == list(original.iterdump())
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copy.close()
    original.close()
    upgraded = digest(path)
    store = RunStore(f"sqlite:///{path}")
    assert_answers_as_in_version_1(snapshot(store))
    store.close()
    assert digest(path) == upgraded
    assert sorted(os.listdir(tmp_path)) == ["gridlab.sqlite", backup.name]


def test_an_existing_backup_is_never_overwritten(tmp_path):
    path = schema1_file(tmp_path)
    taken = tmp_path / "gridlab.sqlite.schema-1.bak"
    taken.write_text("the user's own file")
    RunStore(f"sqlite:///{path}").close()
    assert taken.read_text() == "the user's own file"
    copy = sqlite3.connect(tmp_path / "gridlab.sqlite.schema-1.bak.2")
    assert copy.execute("SELECT count(*) FROM episodes").fetchone() == (2600,)
    copy.close()


def test_an_upgraded_store_keeps_taking_writes(schema1_url):
    store = RunStore(schema1_url)
    try:
        kept = [row.to_dict() for row in store.episodes(3, start=1, limit=450)]
        store.truncate_episodes(3, 450)
        more = make_rows(451, 150, seed=3, steps_before=kept[-1]["env_steps"])
        store.append_episodes(3, more)
        for metric, points in (("return", 600), ("length", 7), ("epsilon", 3)):
            assert_series_equals_raw(store.series(3, metric, points=points), kept + more)
        fresh = new_run(store, target=1000, name="after the upgrade")
        store.append_episodes(fresh, make_rows(1, 250))
        assert store.get_run(fresh).episodes_done == 250
        assert [change.param for change in store.request_params(1, {"alpha": 0.5}, "ui")] == [
            "alpha"
        ]
        store.delete_run(2)
        assert [run.id for run in store.list_runs()] == [fresh, 3, 1]
    finally:
        store.close()


def open_store(url: str) -> None:
    """Process entry: open the store and list its runs."""
    store = RunStore(url)
    try:
        store.list_runs()
    finally:
        store.close()


def test_processes_opening_a_schema1_store_at_once_upgrade_it_once(schema1_url, tmp_path):
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=open_store, args=(schema1_url,)) for _ in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [process.exitcode for process in processes] == [0, 0, 0]
    assert read_scalars(schema1_url, "SELECT version_num FROM gridlab_alembic_version") == [HEAD]
    if schema1_url.startswith("sqlite"):
        assert [name for name in os.listdir(tmp_path) if ".bak" in name] == [
            "gridlab.sqlite.schema-1.bak"
        ]
    store = RunStore(schema1_url)
    assert_answers_as_in_version_1(snapshot(store))
    store.close()


def test_a_later_migration_rebuilding_runs_keeps_every_row(schema1_url, tmp_path):
    """A copy of runstore with one more revision, which rebuilds ``runs`` (on SQLite: a new
    table, the rows copied, the old one dropped, which with foreign keys enforced would
    cascade to every episode). Then today's code refuses the newer store."""
    future = tmp_path / "future"
    shutil.copytree(REPO / "runstore", future / "runstore", ignore=shutil.ignore_patterns("__py*"))
    revision = _add_revision(future / "runstore")
    script = (
        "import json, sys\n"
        f"sys.path[:0] = [{str(future)!r}, {str(REPO)!r}]\n"
        "import runstore\n"
        f"assert runstore.__file__.startswith({str(future)!r}), runstore.__file__\n"
        "from tests.data.make_schema1_store import snapshot\n"
        f"store = runstore.RunStore({schema1_url!r})\n"
        "print(json.dumps(snapshot(store)))\n"
        "store.close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert_answers_as_in_version_1(json.loads(done.stdout))
    assert read_scalars(schema1_url, "SELECT version_num FROM gridlab_alembic_version") == [
        revision
    ]
    assert read_scalars(schema1_url, "SELECT count(future_note) FROM runs") == [0]
    with pytest.raises(SchemaVersionError, match=f"has schema version {int(revision)}, but"):
        RunStore(schema1_url)


def _add_revision(package: Path) -> str:
    """Give the runstore copy at ``package`` a revision after its head; return its id."""
    schema = package / "schema.py"
    source = schema.read_text()
    version = int(re.search(r"^SCHEMA_VERSION = (\d+)$", source, re.M).group(1))
    schema.write_text(
        source.replace(f"SCHEMA_VERSION = {version}\n", f"SCHEMA_VERSION = {version + 1}\n")
    )
    revision, down = f"{version + 1:04d}", f"{version:04d}"
    (package / "migrations" / "versions" / f"{revision}_note.py").write_text(
        '"""Test revision: a new column on runs, and longer names (SQLite rebuilds the table)."""\n'
        "import sqlalchemy as sa\n"
        "from alembic import op\n"
        f"revision = {revision!r}\n"
        f"down_revision = {down!r}\n"
        "def upgrade():\n"
        "    with op.batch_alter_table('runs') as batch:\n"
        "        batch.add_column(sa.Column('future_note', sa.Text(), nullable=True))\n"
        "        batch.alter_column('name', type_=sa.String(300), existing_type=sa.String(200))\n"
    )
    return revision


# -- new stores ----------------------------------------------------------------------------


def test_a_new_store_gets_the_current_schema_stamped_at_the_head(store_url):
    RunStore(store_url).close()
    assert read_scalars(store_url, "SELECT version_num FROM gridlab_alembic_version") == [HEAD]
    engine = create_engine(store_url)
    with engine.connect() as conn:
        assert _differences(conn) == []
    engine.dispose()


def _context(conn):
    """Return a migration context that knows gridlab's version table (not a model table)."""
    return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})


EXPRESSION_INDEXES = {"ix_runs_tags": ("runs", "tags")}
"""The indexes on an expression (name: table, column), which alembic cannot reflect."""


def _differences(conn) -> list:
    """Return how the store's schema differs from the models' (alembic's comparison, which
    skips the expression indexes), plus each expression index the store lacks."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        warnings.filterwarnings("ignore", "autogenerate skipping .* expression-based index")
        found = compare_metadata(_context(conn), Base.metadata)
    if conn.dialect.name == "postgresql":
        sql = "SELECT indexname, tablename, indexdef FROM pg_indexes"
    else:
        sql = "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'"
    indexes = {name: (table, text or "") for name, table, text in conn.exec_driver_sql(sql)}
    for name, (table, column) in EXPRESSION_INDEXES.items():
        built_table, definition = indexes.get(name, ("", ""))
        if built_table != table or column not in definition.lower():
            found.append(("missing expression index", name))
    return found


def test_the_migrations_build_exactly_the_schema_of_the_models(store_url):
    engine = create_engine(store_url)
    with engine.begin() as conn:
        command.upgrade(commands.config(conn), "head")
    with engine.connect() as conn:
        assert _differences(conn) == []
    engine.dispose()


def test_the_baseline_is_the_schema_gridlab_wrote_before_migrations(tmp_path):
    built = tmp_path / "baseline.sqlite"
    engine = create_engine(f"sqlite:///{built}")
    with engine.begin() as conn:
        command.upgrade(commands.config(conn), commands.BASELINE)
        conn.execute(text("DROP TABLE gridlab_alembic_version"))
    engine.dispose()

    def ddl(path: Path) -> list[tuple]:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))

    assert ddl(built) == ddl(DATA / STORE_NAME)


def test_revisions_are_the_schema_versions_in_four_digits():
    assert commands.revisions() == [f"{n:04d}" for n in range(1, SCHEMA_VERSION + 1)]
    assert commands.revisions()[-1] == HEAD


def test_an_empty_file_becomes_a_store(tmp_path):
    path = tmp_path / "touched.sqlite"
    path.touch()
    store = RunStore(f"sqlite:///{path}")
    assert store.get_run(new_run(store)).name == "test run"
    store.close()


def test_opening_a_current_store_does_not_import_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    RunStore(url).close()
    script = (
        "import sys\n"
        "from runstore import RunStore\n"
        f"RunStore({url!r}).close()\n"
        "print(sorted(name for name in sys.modules if name.startswith('alembic')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_schema_transaction_turns_foreign_keys_back_on(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'keys.sqlite'}")
    with transaction(engine, write=True, foreign_keys=False) as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
    with transaction(engine, write=False) as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


# -- refusals ------------------------------------------------------------------------------


REFUSALS = {
    "another application's file": (other_application, StoreError, "is not a gridlab store"),
    "another application's WAL file": (
        lambda path: other_application(path, "WAL"),
        StoreError,
        r"has tables \(notes, runs\) but no gridlab_meta",
    ),
    "a text file": (
        lambda path: path.write_text("name,distance\nmonday,5.2\n" * 40),
        StoreError,
        "is not a SQLite database",
    ),
    "a truncated store": (truncated, StoreError, "is truncated"),
    "a damaged store": (damaged_first_page, StoreError, "cannot be read as a SQLite database"),
    "a store without a version": (
        schema1_then("DELETE FROM gridlab_meta"),
        StoreError,
        "without a schema version it can read",
    ),
    "a version that never lacked migrations": (
        schema1_then("UPDATE gridlab_meta SET value = '0'"),
        StoreError,
        "has schema version 0 but no gridlab_alembic_version table",
    ),
    "a newer version without migrations": (
        schema1_then(f"UPDATE gridlab_meta SET value = '{SCHEMA_VERSION + 1}'"),
        SchemaVersionError,
        f"has schema version {SCHEMA_VERSION + 1}, but this gridlab reads version",
    ),
    "a newer revision": (
        upgraded_then(
            "UPDATE gridlab_alembic_version SET version_num = '9998'",
            "UPDATE gridlab_meta SET value = '9998'",
        ),
        SchemaVersionError,
        "has schema version 9998, but this gridlab reads version",
    ),
    "an unknown revision": (
        upgraded_then("UPDATE gridlab_alembic_version SET version_num = 'ae1027a6acf'"),
        SchemaVersionError,
        "is at migration ae1027a6acf",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_file_that_is_no_store_of_this_gridlab_is_refused_unchanged(case, tmp_path):
    make, error, message = REFUSALS[case]
    path = tmp_path / "gridlab.sqlite"
    make(path)
    before, listing = digest(path), sorted(os.listdir(tmp_path))
    with pytest.raises(error, match=message) as refused:
        RunStore(f"sqlite:///{path}")
    assert str(path.resolve()) in str(refused.value)
    assert "left it unchanged" in str(refused.value)
    assert digest(path) == before
    assert sorted(os.listdir(tmp_path)) == listing


def test_a_directory_is_refused(tmp_path):
    folder = tmp_path / "gridlab.sqlite"
    folder.mkdir()
    with pytest.raises(StoreError, match="is a directory, not a store file"):
        RunStore(f"sqlite:///{folder}")
    assert os.listdir(tmp_path) == ["gridlab.sqlite"] and os.listdir(folder) == []


def test_postgres_refuses_a_newer_store_and_another_applications_runs(postgres_server):
    newer = postgres_server.new_database()
    RunStore(newer).close()
    engine = create_engine(newer)
    with engine.begin() as conn:
        conn.execute(text("UPDATE gridlab_alembic_version SET version_num = '9998'"))
    engine.dispose()
    with pytest.raises(SchemaVersionError, match="is at migration 9998"):
        RunStore(newer)
    assert read_scalars(newer, "SELECT version_num FROM gridlab_alembic_version") == ["9998"]

    other = postgres_server.new_database()
    engine = create_engine(other)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE runs (id serial PRIMARY KEY, distance real)"))
    with pytest.raises(StoreError, match=r"has tables \(runs\) but no gridlab_meta"):
        RunStore(other)
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == ["runs"]
    engine.dispose()


def test_postgres_shares_a_database_with_unrelated_tables(postgres_server):
    url = postgres_server.new_database()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (body text)"))
    engine.dispose()
    store = RunStore(url)
    assert store.get_run(new_run(store)).name == "test run"
    store.close()
