"""Fixtures for the trainer tests: a fresh SQLite run store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from runstore import RunStore


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'runs.sqlite'}"


@pytest.fixture
def store(store_url: str) -> Iterator[RunStore]:
    store = RunStore(store_url)
    yield store
    store.close()
