"""Fixtures of the worker tests: real processes over a store on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from runstore import RunStore
from tests.workers.support import Launcher

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture
def launcher(tmp_path: Path) -> Iterator[Launcher]:
    """Yield a launcher of gridlab processes; whatever is still running at the end is killed."""
    started = Launcher(tmp_path)
    try:
        yield started
    finally:
        started.close()


@pytest.fixture(params=BACKENDS)
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return the URL of a fresh store on each backend: a SQLite file, a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'workers.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def any_store(any_url: str) -> Iterator[RunStore]:
    """Yield an open store over ``any_url``; close it afterwards."""
    opened = RunStore(any_url)
    yield opened
    opened.close()
