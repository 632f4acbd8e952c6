"""Engines for the store's backends, and the one transaction helper.

SQLite: every pooled connection gets incremental auto-vacuum (a new file), WAL,
``synchronous=NORMAL``, foreign keys and a busy
timeout once, in a ``connect`` listener. pysqlite's own transaction handling is switched off
so that write transactions can ``BEGIN IMMEDIATE``: they take the write lock up front instead
of failing with SQLITE_BUSY_SNAPSHOT when a read turns into a write, and readers (WAL) never
block them. PostgreSQL: reads run at REPEATABLE READ so that one query sees one snapshot.
A schema change on SQLite runs with foreign-key enforcement off (see ``transaction``).

The engines count the SQLite connections this process holds to each file
(``holds_connections``): while it holds any, the file must not be opened other than through
SQLite, because closing any descriptor of a file drops every POSIX lock the process holds on
it, SQLite's too. Another process closing its last connection would then take the database
for unused, checkpoint it and reset its WAL under this process's connections, which from then
on read a stale snapshot or "database disk image is malformed".
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry

from .errors import StoreError

BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "gridlab_write"
FILE_KEY = "gridlab_file"
_open_files: Counter[tuple[int, int]] = Counter()
"""This process's open SQLite connections per file, by (device, inode)."""
_open_files_lock = threading.Lock()


def make_engine(url: str) -> Engine:
    """Return an engine for ``url`` with the backend's settings applied.

    Raises:
        StoreError: the URL is malformed or names a backend other than SQLite or PostgreSQL.
    """
    try:
        parsed = make_url(url)
    except SQLAlchemyError as exc:
        raise StoreError(f"store URL {url!r} is not valid: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = store_file(url)
        if path is not None:
            create_private_file(path)
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        if path is not None:
            event.listen(engine, "connect", partial(_count_connection, path))
            event.listen(engine, "close", _uncount_connection)
        return engine
    if backend == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    raise StoreError(
        f"store URL {url!r} uses {backend!r}; allowed: sqlite:///PATH or postgresql+psycopg://..."
    )


def store_file(url: str) -> Path | None:
    """Return the file a SQLite store URL names, or None (an in-memory or non-SQLite store).

    Raises:
        StoreError: the URL is malformed.
    """
    try:
        parsed = make_url(url)
    except SQLAlchemyError as exc:
        raise StoreError(f"store URL {url!r} is not valid: {exc}") from None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def shown_url(url: str) -> str:
    """Return how a person is told which store ``url`` opens: a SQLite file by its absolute
    path (``sqlite:////home/me/gridlab.sqlite``), a database server with its password
    hidden.

    Raises:
        StoreError: the URL is malformed.
    """
    path = store_file(url)
    if path is not None:
        return f"sqlite:///{path.resolve()}"
    return make_url(url).render_as_string(hide_password=True)


def create_private_file(path: Path) -> None:
    """Create ``path`` as an empty file readable and writable by its owner only (0600).

    SQLite gives a database's ``-wal`` and ``-shm`` files the database file's mode, so a
    new store's files all stay private whatever the umask: runs, names and Q-tables are
    the owner's. An existing file (a store, or anything else) is left exactly as it is:
    its owner may share it on purpose. Made at once with that mode, never chmod-ed later,
    so no other user can open it in between. No folder is created: a ``--db`` with a typo
    in its folder is refused rather than growing a tree of folders.

    Raises:
        StoreError: the folder does not exist or is a file, or the file cannot be created
            there (an existing file, even one that cannot be opened, is left for SQLite to
            open or refuse with its own reason).
    """
    folder = path.parent
    if not folder.is_dir():
        problem = "is a file, not a folder" if folder.exists() else "does not exist"
        raise StoreError(f"the store's folder {folder} {problem}; gridlab creates no folders")
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        if not os.path.lexists(path):
            raise StoreError(f"cannot create the store {path}: {exc.strerror}") from None


def _sqlite_connect(dbapi_connection: sqlite3.Connection, connection_record: object) -> None:
    """Set the per-connection PRAGMAs once and take over transaction control."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    if cursor.execute("PRAGMA page_count").fetchone()[0] == 0:
        # a new file: before WAL writes its header (see ``manage_store``); set on an existing
        # file the PRAGMA would write to it, even when it changes nothing
        cursor.execute("PRAGMA auto_vacuum=INCREMENTAL")
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA foreign_keys=ON",
        f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    ):
        cursor.execute(pragma)
    cursor.close()


def holds_connections(path: Path) -> bool:
    """Return whether this process has open SQLite connections to the file at ``path``."""
    try:
        info = path.stat()
    except OSError:
        return False
    with _open_files_lock:
        return _open_files[(info.st_dev, info.st_ino)] > 0


def _count_connection(
    path: Path, dbapi_connection: sqlite3.Connection, record: ConnectionPoolEntry
) -> None:
    """Count a new connection to the file at ``path`` (it exists once connected)."""
    info = path.stat()
    key = record.info[FILE_KEY] = (info.st_dev, info.st_ino)
    with _open_files_lock:
        _open_files[key] += 1


def _uncount_connection(dbapi_connection: sqlite3.Connection, record: ConnectionPoolEntry) -> None:
    """Forget a closed connection."""
    key = record.info.pop(FILE_KEY, None)
    if key is not None:
        with _open_files_lock:
            _open_files[key] -= 1


def _sqlite_begin(connection: Connection) -> None:
    """Open the transaction: IMMEDIATE for writers, deferred (a snapshot) for readers."""
    write = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def transaction(engine: Engine, *, write: bool, foreign_keys: bool = True) -> Iterator[Connection]:
    """Yield a connection inside one transaction: committed on success, rolled back on error.

    Args:
        engine: the store's engine.
        write: the transaction writes (SQLite: BEGIN IMMEDIATE).
        foreign_keys: False for a schema change on SQLite: a batch migration rebuilds a
            table and drops the old one, and with enforcement on that DROP would delete
            every row referencing it (ON DELETE CASCADE). The caller checks the keys
            (``PRAGMA foreign_key_check``) before the block ends; enforcement is back on
            when the connection returns to the pool. No effect on PostgreSQL.

    Yields:
        The connection.

    Raises:
        StoreError: any database error, with the driver's message (domain errors raised
            inside the block pass through unchanged).
    """
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as connection:
            if sqlite:
                connection.execution_options(**{WRITE_OPTION: write})
            elif not write:
                connection.execution_options(isolation_level="REPEATABLE READ")
            keys = _foreign_keys_off(connection) if sqlite and not foreign_keys else nullcontext()
            with keys, connection.begin():
                yield connection
    except SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        raise StoreError(f"database error: {detail}") from exc


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """Switch SQLite's foreign-key enforcement off for the block (outside any transaction,
    where the PRAGMA takes effect: straight on the driver's connection, so that SQLAlchemy
    does not begin one first)."""
    cursor = connection.connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
