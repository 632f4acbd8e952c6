"""A new SQLite store, its write-ahead log and shared-memory file are readable by their
owner only, whatever the umask; an existing file keeps the mode its owner gave it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from runstore import RunStore


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Run the test under the common umask 022 (files readable by everyone)."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_and_its_wal_and_shm_are_owner_only(tmp_path, open_umask):
    path = tmp_path / "runs.sqlite"
    store = RunStore(f"sqlite:///{path}")
    try:
        files = [path, path.with_name("runs.sqlite-wal"), path.with_name("runs.sqlite-shm")]
        assert all(file.exists() for file in files)
        assert {file.name: _mode(file) for file in files} == {file.name: 0o600 for file in files}
    finally:
        store.close()


def test_an_existing_store_keeps_its_mode(tmp_path, open_umask):
    path = tmp_path / "shared.sqlite"
    RunStore(f"sqlite:///{path}").close()
    path.chmod(0o640)  # its owner shares it with a group on purpose
    store = RunStore(f"sqlite:///{path}")
    try:
        assert _mode(path) == 0o640
        assert _mode(path.with_name("shared.sqlite-wal")) == 0o640
    finally:
        store.close()
