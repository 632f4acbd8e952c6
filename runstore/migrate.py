"""Bringing a database to the schema this code reads: create it, upgrade it, or refuse it.

A gridlab store has a ``gridlab_meta`` table whose ``schema_version`` row is the number of
its newest migration, and (from schema version 1 on, when written by a gridlab with
migrations) an ``gridlab_alembic_version`` table naming that migration. A store from before
migrations has ``schema_version = '1'`` and no ``gridlab_alembic_version``.

- No database yet (no file, an empty file, an empty database): the tables are created from
  the models and stamped at the head revision.
- An older store: upgraded in place, in one transaction, to the head; a SQLite file is
  first copied beside itself (``<name>.schema-<version>.bak``).
- A store newer than this code, a SQLite file of another application, a file that is not
  SQLite, a truncated one, a directory: refused with a message naming the file, and left
  byte for byte as it was (a SQLite file is inspected read-only before the engine, which
  switches files to WAL, ever connects).

Alembic is imported only to create or upgrade a store: opening one that is current (the
common case, and every worker process) does not pay for it.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, inspect, text, update
from sqlalchemy.engine import make_url

from .engine import holds_connections, transaction
from .errors import SchemaVersionError, StoreError
from .migrations import sqlite_file
from .schema import SCHEMA_VERSION, VERSION_TABLE, Base, Meta, store_revision

HEAD = f"{SCHEMA_VERSION:04d}"
"""The head revision's id: revision ids are schema versions in four digits."""
SCHEMA_LOCK = 7202611
"""PostgreSQL advisory lock held while a database's schema is checked or changed."""
META = Meta.__tablename__
GRIDLAB_TABLES = frozenset(Base.metadata.tables) | {VERSION_TABLE}
SQLITE_TABLES = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'"
)
log = logging.getLogger(__name__)


class Step(Enum):
    """What a database needs before this code can use it."""

    CREATE = "create"
    CURRENT = "current"
    UPGRADE = "upgrade"


@dataclass(frozen=True)
class Found:
    """What a database holds, as far as the schema goes."""

    tables: frozenset[str]
    schema_version: str | None
    """``gridlab_meta.schema_version``; None without the table or the row."""
    revisions: tuple[str, ...]
    """The rows of ``gridlab_alembic_version``; empty without the table."""


def prepare_schema(engine: Engine, url: str) -> None:
    """Make the database at ``url`` a store of the current schema, or refuse it unchanged.

    Args:
        engine: the store's engine, not connected yet.
        url: the store's URL, for messages (its password is not shown).

    Raises:
        SchemaVersionError: the store was written by a newer gridlab.
        StoreError: it is not a gridlab store (another application's database, not SQLite,
            damaged, a directory), or it cannot be read, copied or written.
    """
    path = _sqlite_file(engine)
    where = str(path) if path else make_url(url).render_as_string(hide_password=True)
    own_database = engine.dialect.name == "sqlite"
    # A file this process has connections to is a store already, and opening it outside
    # SQLite would drop their locks (see ``engine``): it is only surveyed in the transaction.
    if path is not None and not holds_connections(path):
        found = _survey_file(path)
        if found is not None:
            _plan(found, where, own_database=own_database)
    with transaction(engine, write=True, foreign_keys=False) as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": SCHEMA_LOCK})
        found = _survey(conn)  # again: another process may have been first
        step = _plan(found, where, own_database=own_database)
        if step is Step.CREATE:
            _create(conn)
        elif step is Step.UPGRADE:
            _upgrade(conn, found, path, where)


def _sqlite_file(engine: Engine) -> Path | None:
    """Return the engine's SQLite file, or None (PostgreSQL, or an in-memory database)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database).resolve()


def read_found(tables: Iterable[str], column: Callable[[str], list[Any]]) -> Found:
    """Return what a database holds.

    Args:
        tables: the names of its tables.
        column: runs a SQL query and returns its first column.

    Returns:
        The tables, the stored schema version and the Alembic revisions.
    """
    names = frozenset(tables)
    version = None
    if META in names:
        values = column(f"SELECT value FROM {META} WHERE \"key\" = 'schema_version'")
        version = str(values[0]) if values else None
    revisions: tuple[str, ...] = ()
    if VERSION_TABLE in names:
        revisions = tuple(
            str(value) for value in column(f"SELECT version_num FROM {VERSION_TABLE}")
        )
    return Found(names, version, revisions)


def _survey_file(path: Path) -> Found | None:
    """Return what the SQLite file holds, read without changing it; None if no database."""
    connection = sqlite_file.open_read_only(path)
    if connection is None:
        return None
    with closing(connection):
        try:
            tables = [name for (name,) in connection.execute(SQLITE_TABLES)]
            return read_found(tables, lambda sql: [row[0] for row in connection.execute(sql)])
        except sqlite3.DatabaseError as exc:
            if exc.sqlite_errorname in ("SQLITE_BUSY", "SQLITE_LOCKED"):
                raise StoreError(f"{path} is locked by another process ({exc})") from None
            raise StoreError(
                f"{path} cannot be read as a SQLite database ({exc}); gridlab left it"
                f" unchanged. {sqlite_file.NEW_STORE_HINT}"
            ) from None


def _survey(conn: Connection) -> Found:
    """Return what the database behind ``conn`` holds."""
    return read_found(
        inspect(conn).get_table_names(), lambda sql: list(conn.exec_driver_sql(sql).scalars())
    )


def _plan(found: Found, where: str, *, own_database: bool) -> Step:
    """Return what the database needs, or refuse it.

    Args:
        found: what it holds.
        where: the file or URL, for messages.
        own_database: the database is the store's alone (SQLite), so any table without
            ``gridlab_meta`` is another application's; on PostgreSQL only tables with
            gridlab's names are.

    Raises:
        SchemaVersionError: a newer gridlab wrote it.
        StoreError: it is not a gridlab store.
    """
    if META not in found.tables:
        foreign = found.tables if own_database else found.tables & GRIDLAB_TABLES
        if foreign:
            raise StoreError(
                f"{where} is not a gridlab store: it has tables ({', '.join(sorted(foreign))})"
                f" but no {META} table; gridlab left it unchanged."
                f" {sqlite_file.NEW_STORE_HINT}"
            )
        return Step.CREATE
    version = found.schema_version
    if version is None or not re.fullmatch("[0-9]{1,9}", version):
        raise StoreError(
            f"{where} has a {META} table without a schema version it can read ({version!r}):"
            f" it is damaged or not a gridlab store; gridlab left it unchanged."
        )
    if int(version) > SCHEMA_VERSION:
        raise _newer(where, f"has schema version {version}")
    unknown = [rev for rev in found.revisions if not _is_known(rev)]
    if unknown or len(found.revisions) > 1:
        raise _newer(where, f"is at migration {', '.join(found.revisions)} (this gridlab: {HEAD})")
    if found.revisions == (HEAD,):
        return Step.CURRENT
    if not found.revisions and version != "1":
        raise StoreError(
            f"{where} has schema version {version} but no {VERSION_TABLE} table: it is"
            " damaged; gridlab left it unchanged."
        )
    return Step.UPGRADE


def _is_known(revision: str) -> bool:
    """Return whether ``revision`` is one of this code's migrations (0001 up to HEAD)."""
    return bool(re.fullmatch("[0-9]{4}", revision)) and 1 <= int(revision) <= SCHEMA_VERSION


def _newer(where: str, detail: str) -> SchemaVersionError:
    """Return the refusal of a store written by a newer gridlab."""
    return SchemaVersionError(
        f"the store at {where} {detail}, but this gridlab reads version {SCHEMA_VERSION};"
        " open it with the gridlab that wrote it (or a newer one) or start a new store"
        " (--db). gridlab left it unchanged."
    )


def _create(conn: Connection) -> None:
    """Create the tables of the current schema in an empty database and stamp it."""
    from .migrations import commands

    Base.metadata.create_all(conn)
    commands.stamp_head(conn)
    conn.execute(insert(Meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
    conn.execute(insert(store_revision).values(id=1, revision=0))


def _upgrade(conn: Connection, found: Found, path: Path | None, where: str) -> None:
    """Copy a SQLite store beside itself, then migrate it to the head (in ``conn``'s
    transaction, which holds the write lock) and record the new schema version."""
    from .migrations import commands

    assert found.schema_version is not None  # _plan refuses a store without one
    backup = sqlite_file.copy_beside(path, found.schema_version) if path else None
    commands.upgrade_to_head(conn, stamped=bool(found.revisions))
    if conn.dialect.name == "sqlite":
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise StoreError(
                f"upgrading {where} would leave {len(broken)} rows pointing at missing"
                f" ones (first: table {broken[0][0]}, row {broken[0][1]}); nothing was changed"
            )
    conn.execute(update(Meta).where(Meta.key == "schema_version").values(value=str(SCHEMA_VERSION)))
    log.warning(
        "upgraded the store %s from schema version %s%s to version %s (migration %s)%s",
        where,
        found.schema_version,
        "" if found.revisions else ", from before migrations,",
        SCHEMA_VERSION,
        HEAD,
        f"; a copy of it as it was is {backup}" if backup else "",
    )
