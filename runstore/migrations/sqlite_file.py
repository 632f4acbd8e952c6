"""A SQLite file looked at and copied without being changed.

The store's engine switches every file it opens to WAL, which rewrites the header, so a file
is first opened here, read-only: a directory, a file that is not SQLite, or a truncated one
is refused before anything touches it. A plain read-only open of a WAL-mode file would
create ``-wal`` and ``-shm`` files beside it; without a ``-wal`` file there is nothing
beyond the file itself to read, so such a file is opened as immutable instead.
"""

from __future__ import annotations

import sqlite3
import stat
from contextlib import closing
from pathlib import Path

from ..engine import BUSY_TIMEOUT_MS
from ..errors import StoreError

MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
WAL_FORMAT = 2
NEW_STORE_HINT = "give another file with --db (a file that does not exist becomes a new store)"


def open_read_only(path: Path) -> sqlite3.Connection | None:
    """Open the SQLite file at ``path`` for reading without changing it.

    Args:
        path: the store's file.

    Returns:
        A read-only connection, or None when there is no database yet: no file, or an empty
        one (SQLite treats both as an empty database).

    Raises:
        StoreError: ``path`` is a directory or not a regular file, cannot be read, is not a
            SQLite database or is shorter than its header says.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(f"{path} is a directory, not a store file; {NEW_STORE_HINT}")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{path} is not a regular file; {NEW_STORE_HINT}")
    if info.st_size == 0:
        return None
    try:
        with path.open("rb") as file:
            header = file.read(HEADER_SIZE)
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from None
    problem = _header_problem(header, info.st_size)
    if problem:
        raise StoreError(f"{path} {problem}; gridlab left it unchanged. {NEW_STORE_HINT}")
    immutable = header[18] == WAL_FORMAT and not _wal_file(path).exists()
    return _connect(path, immutable=immutable)


def _header_problem(header: bytes, size: int) -> str | None:
    """Return what is wrong with a SQLite file's 100-byte header, or None."""
    if len(header) < HEADER_SIZE or not header.startswith(MAGIC):
        return "is not a SQLite database (it has no SQLite header)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return f"has a damaged SQLite header (page size {page_size})"
    pages = int.from_bytes(header[28:32], "big")
    pages_valid = header[24:28] == header[92:96]  # the count is kept by SQLite >= 3.7.0
    if pages_valid and size < pages * page_size:
        return f"is truncated: its header counts {pages * page_size} bytes, the file has {size}"
    return None


def _wal_file(path: Path) -> Path:
    """Return the path of the write-ahead log SQLite keeps beside ``path``."""
    return path.with_name(path.name + "-wal")


def _connect(path: Path, *, immutable: bool) -> sqlite3.Connection:
    """Return a read-only connection to ``path`` (immutable: read the file alone)."""
    uri = path.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
    try:
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path} read-only: {exc}") from None


def copy_beside(path: Path, version: str) -> Path:
    """Copy the SQLite file at ``path`` into a new file beside it, with SQLite's online
    backup API (so that a WAL-mode store is copied as of one moment, WAL included).

    Args:
        path: the store's file; the caller holds its write lock, so the copy is exactly
            what it is about to change.
        version: the store's schema version, for the copy's name.

    Returns:
        The copy: ``<name>.schema-<version>.bak``, or ``.bak.2``, ``.bak.3``... when that
        name is taken (an existing file is never overwritten). It is an ordinary
        rollback-journal SQLite file.

    Raises:
        StoreError: the copy could not be written (nothing of it is left behind).
    """
    target = _claim(path, version)
    try:
        with (
            closing(_connect(path, immutable=False)) as source,
            closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
    except (sqlite3.Error, StoreError) as exc:
        target.unlink(missing_ok=True)
        raise StoreError(f"cannot copy {path} to {target} before upgrading it: {exc}") from None
    return target


def _claim(path: Path, version: str) -> Path:
    """Create and return the first free backup name for ``path`` (an empty file)."""
    number = 1
    while True:
        suffix = "" if number == 1 else f".{number}"
        candidate = path.with_name(f"{path.name}.schema-{version}.bak{suffix}")
        try:
            candidate.touch(exist_ok=False)
        except FileExistsError:
            number += 1
            continue
        except OSError as exc:
            raise StoreError(f"cannot write a backup of {path}: {exc.strerror}") from None
        return candidate
