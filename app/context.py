"""Where a request finds the app's run store (``server.extensions``)."""

from __future__ import annotations

from flask import current_app

from runstore import RunStore

STORE_KEY = "gridlab.store"


def get_store() -> RunStore:
    """Return the run store of the app serving this request (route or Dash callback)."""
    return current_app.extensions[STORE_KEY]
