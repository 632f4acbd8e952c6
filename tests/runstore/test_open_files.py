"""Opening a store that this process already has open keeps SQLite's locks on the file.

Closing any descriptor of a file drops every POSIX lock the process holds on it; reading a
store file outside SQLite while one of this process's connections holds its SHARED lock lets
another process delete the -wal this process still uses (a corrupted store). The check runs
in a second process, as the other process of that scenario would see the locks.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from runstore import RunStore, StoreError

SHARED_RANGE = (0x40000002, 510)
"""SQLite's SHARED lock bytes on the database file (os_unix.c: SHARED_FIRST, SHARED_SIZE)."""
PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, int(sys.argv[3]), int(sys.argv[2]))
except OSError:
    print("held")
else:
    print("free")
"""


def shared_lock_seen_from_another_process(path: Path) -> bool:
    """Return whether another process finds a SHARED lock on the SQLite file at ``path``."""
    start, length = SHARED_RANGE
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(path), str(start), str(length)],
        capture_output=True,
        text=True,
        check=True,
    )
    return probe.stdout.strip() == "held"


def test_a_second_open_of_the_same_file_keeps_the_first_ones_locks(tmp_path):
    path = tmp_path / "store.sqlite"
    first = RunStore(f"sqlite:///{path}")
    try:
        with first._engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
            assert shared_lock_seen_from_another_process(path)
            second = RunStore(f"sqlite:///{path}")
            assert second.list_runs() == []
            assert shared_lock_seen_from_another_process(path)
            second.close()
            assert shared_lock_seen_from_another_process(path)
    finally:
        first.close()


def test_a_file_is_inspected_again_once_every_store_on_it_closed(tmp_path):
    path = tmp_path / "store.sqlite"
    RunStore(f"sqlite:///{path}").close()
    path.write_bytes(b"not a database at all, " * 10)
    with pytest.raises(StoreError, match="is not a SQLite database"):
        RunStore(f"sqlite:///{path}")
    assert path.read_bytes() == b"not a database at all, " * 10
