"""Which SQLite store files this process has open, so that opening one again never touches
the file outside SQLite.

POSIX advisory locks belong to a process and a file: closing any descriptor of the file
releases every lock the process holds on it, the SHARED lock each SQLite connection keeps on
the database included. Without that lock, another process that closes its last connection
takes itself for the last user, checkpoints and deletes the ``-wal`` and ``-shm`` files this
process still works in, and the store is corrupted ("database disk image is malformed"; see
SQLite's "How To Corrupt An SQLite Database File", section 2.2). The inspection of a store
file before its engine connects reads the file outside SQLite, so it may run only while no
store of this process has the file open.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_lock = threading.Lock()
_open: Counter[Path] = Counter()


@contextmanager
def opening(path: Path | None) -> Iterator[bool]:
    """Hold the lock on this process's open store files while a store on ``path`` opens.

    Args:
        path: the store's SQLite file, or None (PostgreSQL, in-memory SQLite).

    Yields:
        Whether the file may be read outside SQLite: no store of this process has it open.
        When the block ends without an error the file counts as open until ``closed``.
    """
    with _lock:
        yield path is not None and _open[path] == 0
        if path is not None:
            _open[path] += 1


def closed(path: Path | None) -> None:
    """Record that one store of this process on ``path`` has closed."""
    if path is None:
        return
    with _lock:
        _open[path] -= 1
        if _open[path] <= 0:
            del _open[path]
