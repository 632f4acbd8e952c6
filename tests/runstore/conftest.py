"""One suite over both backends: a SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import pytest

from runstore import RunStore
from tests.store_template import open_store

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path) -> str:
    """Return the URL of a fresh database on each backend: empty, or for a test that opens
    the ``store`` fixture holding a new store's tables already (each backend's copy of a
    template)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.sqlite'}"
    server = request.getfixturevalue("postgres_server")
    return server.new_database(with_schema="store" in request.fixturenames)


@pytest.fixture
def store(store_url, store_template):
    """Return an open RunStore on a fresh database; close it afterwards."""
    opened = open_store(store_url, store_template)
    yield opened
    opened.close()


@pytest.fixture
def long(store_url):
    """Yield a store whose claims outlast any test. A run whose lease ended reads crashed
    and its revision moves: a default 3 s claim ended between two reads of a test on a
    loaded CI machine."""
    opened = RunStore(store_url, lease_seconds=600)
    yield opened
    opened.close()
