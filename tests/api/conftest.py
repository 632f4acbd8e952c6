"""An app over a seeded SQLite store and its Flask test client."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.factory import create_app
from tests.dashboard_support import seeded_run


@pytest.fixture
def runs(store) -> SimpleNamespace:
    """Seed runs in each interesting state; return their ids by state."""
    return SimpleNamespace(
        running=seeded_run(store, status="running", episodes=250, name="live one"),
        finished=seeded_run(store, status="finished", episodes=120, name="=cmd|' /C calc'!A0"),
        paused=seeded_run(store, status="paused", episodes=40, name="paused one"),
        failed=seeded_run(store, status="error", episodes=10, name="broken"),
    )


@pytest.fixture
def client(store_url, runs):
    app = create_app(store_url)
    yield app.server.test_client()
    app.server.extensions["gridlab.store"].close()
