"""Where a request finds the app's run store and training pool (``server.extensions``)."""

from __future__ import annotations

from flask import current_app

from app.training import TrainingPool
from runstore import RunStore

STORE_KEY = "gridlab.store"
POOL_KEY = "gridlab.pool"


def get_store() -> RunStore:
    """Return the run store of the app serving this request (route or Dash callback)."""
    return current_app.extensions[STORE_KEY]


def get_pool() -> TrainingPool | None:
    """Return the app's training pool, or None for a dashboard that cannot start runs."""
    return current_app.extensions.get(POOL_KEY)
