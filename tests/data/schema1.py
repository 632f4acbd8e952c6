"""The schema-1 store of this folder on each backend, the comparison of answers, and
files that are no store this gridlab opens (for the refusal tests).

On PostgreSQL the store is rebuilt from the baseline revision and the file's rows, as
gridlab before migrations would have written it there.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import MetaData, create_engine, text

from runstore import RunStore
from runstore.migrations import commands
from tests.data.make_schema1_store import EXPECTED_NAME, STORE_NAME

DATA = Path(__file__).resolve().parent
EXPECTED = json.loads((DATA / EXPECTED_NAME).read_text())


def project(actual: Any, expected: Any) -> Any:
    """Return ``actual`` cut down to the keys ``expected`` has, at every depth."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {key: project(actual.get(key), value) for key, value in expected.items()}
    if isinstance(expected, list) and isinstance(actual, list) and len(actual) == len(expected):
        return [project(a, e) for a, e in zip(actual, expected, strict=True)]
    return actual


def assert_answers_as_in_version_1(answers: dict[str, Any]) -> None:
    """Assert a store's ``snapshot`` is what the schema-1 code answered about the same data
    (on the fields version 1 had: later versions may add fields)."""
    actual = json.loads(json.dumps(answers))
    for key, expected in EXPECTED.items():
        assert project(actual[key], expected) == expected, key


def schema1_file(tmp_path: Path) -> Path:
    """Return a fresh copy of the schema-1 store file."""
    path = tmp_path / "gridlab.sqlite"
    shutil.copyfile(DATA / STORE_NAME, path)
    return path


def make_postgres_schema1(url: str) -> None:
    """Make the empty PostgreSQL database at ``url`` the schema-1 store of the data file, as
    gridlab before migrations wrote it: the baseline's tables, the file's rows and no
    ``gridlab_alembic_version``."""
    copy_to_postgres(DATA / STORE_NAME, url, commands.BASELINE, keep_version=False)


def copy_to_postgres(path: Path, url: str, revision: str, *, keep_version: bool) -> None:
    """Build the tables of migration ``revision`` in the empty PostgreSQL database at
    ``url`` and copy every row of the SQLite store at ``path`` into them.

    Args:
        path: a store file of that revision.
        url: an empty database.
        revision: the migration the file's schema is at.
        keep_version: keep the ``gridlab_alembic_version`` the migrations wrote (False: a
            store from before migrations, which had none).
    """
    source = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    tables = MetaData()
    tables.reflect(source)
    target = create_engine(url)
    with target.begin() as conn, source.connect() as read:
        command.upgrade(commands.config(conn), revision)
        if not keep_version:
            conn.execute(text("DROP TABLE gridlab_alembic_version"))
        written = MetaData()
        written.reflect(conn)
        for table in tables.sorted_tables:
            if table.name == "gridlab_alembic_version":
                continue
            rows = [
                {key: _aware(value) for key, value in row.items()}
                for row in read.execute(table.select()).mappings()
            ]
            conn.execute(written.tables[table.name].delete())  # rows a migration seeded
            if rows:
                conn.execute(written.tables[table.name].insert(), rows)
        for name in written.tables:
            if "id" in written.tables[name].c and name != "store_revision":
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                        f" coalesce(max(id), 0) + 1, false) FROM {name}"
                    )
                )
    source.dispose()
    target.dispose()


def _aware(value: Any) -> Any:
    """Return a naive datetime (as SQLite gives them back) as UTC; anything else as is."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def other_application(path: Path, journal_mode: str = "DELETE") -> None:
    """Write a SQLite file of another application, with a table called ``runs``."""
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA journal_mode={journal_mode}")
        conn.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, distance REAL)")
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO runs (distance) VALUES (5.2), (10.0)")
    conn.close()


def edit(path: Path, *statements: str) -> None:
    """Run SQL on the file with plain sqlite3 (a WAL file stays WAL, its -wal removed)."""
    with sqlite3.connect(path) as conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


def upgraded_then(*statements: str) -> Callable[[Path], None]:
    """Return a maker of a store opened by today's code, then edited by ``statements``."""

    def make(path: Path) -> None:
        shutil.copyfile(DATA / STORE_NAME, path)
        RunStore(f"sqlite:///{path}").close()
        path.with_name(path.name + ".schema-1.bak").unlink()
        edit(path, *statements)

    return make


def schema1_then(*statements: str) -> Callable[[Path], None]:
    """Return a maker of a copy of the schema-1 store, edited by ``statements``."""

    def make(path: Path) -> None:
        shutil.copyfile(DATA / STORE_NAME, path)
        edit(path, *statements)

    return make


def truncated(path: Path) -> None:
    """Write the first half of the schema-1 store."""
    data = (DATA / STORE_NAME).read_bytes()
    path.write_bytes(data[: len(data) // 2])


def damaged_first_page(path: Path) -> None:
    """Write the schema-1 store with its first page (the table list) overwritten."""
    data = bytearray((DATA / STORE_NAME).read_bytes())
    data[100:4096] = b"\xa5" * 3996
    path.write_bytes(bytes(data))
