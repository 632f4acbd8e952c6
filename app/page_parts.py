"""What the pages of one run share: the run a URL names (and the revision its page starts
from), or a notice that there is none.

Dash builds its validation layout by calling every page's layout without arguments; the run
pages then draw ``VALIDATION_RUN``, so every component their callbacks name is in that layout.
"""

from __future__ import annotations

from datetime import UTC, datetime

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.exceptions import PreventUpdate

from app import ids
from app.context import get_store
from app.rules import parse_id
from app.views.revision import read_revision
from gridworld.errors import ValidationError
from gridworld.spec import GRIDWORLD_ID
from runstore import Run, RunNotFound

VALIDATION_RUN = Run(
    id=1,
    name="validation",
    env_id=GRIDWORLD_ID,
    env_config={},
    hyperparams={},
    current_params={},
    seed=0,
    spec={},
    target_episodes=1,
    episodes_done=0,
    env_steps=0,
    status="queued",
    requested_status=None,
    error=None,
    warnings=[],
    created_at=datetime(2000, 1, 1, tzinfo=UTC),
    started_at=None,
    finished_at=None,
    heartbeat_at=None,
    pid=None,
    host=None,
)
"""The run a run page is drawn for when Dash calls its layout without a URL (never stored)."""


def run_and_revision(value: object) -> tuple[Run, int] | None:
    """Return the run a URL segment names and the revision its page starts from.

    The revision is read first, so a write landing while the page is drawn moves it again.
    Without a segment (Dash building its validation layout): ``VALIDATION_RUN`` and 0.

    Returns:
        The run and its revision, or None when ``rules.parse_id`` refuses the segment or no
        such run exists.
    """
    if value is None:
        return VALIDATION_RUN, 0
    store = get_store()
    try:
        run_id = parse_id("run_id", value)
        revision = read_revision(store, run_id)
        return store.get_run(run_id), revision
    except (ValidationError, RunNotFound):
        return None


def run_from_path(value: object) -> Run | None:
    """Return the stored run a URL segment names.

    Returns:
        The run, or None when ``rules.parse_id`` refuses the segment or no such run exists.
    """
    try:
        return get_store().get_run(parse_id("run_id", value))
    except (ValidationError, RunNotFound):
        return None


def stored_run_id(value: object) -> int:
    """Return the run id a run page keeps in its ``dcc.Store`` (``rules.parse_id``).

    Raises:
        PreventUpdate: not a run id (only a crafted request sends one): nothing changes.
    """
    try:
        return parse_id("run_id", value)
    except ValidationError:
        raise PreventUpdate from None


def missing_run(title: str, run_id: object, element_id: str) -> html.Div:
    """Return the page shown for a run that does not exist.

    Args:
        title: the page's title.
        run_id: the id as the URL gave it.
        element_id: the notice's id (an ``app.ids`` constant).

    Returns:
        The title and a "run N not found" notice with a link to all runs.
    """
    return html.Div(
        [
            html.H2(title, id=ids.PAGE_TITLE),
            dbc.Alert(
                [f"run {run_id} not found. ", dcc.Link("All runs", href="/")],
                color="warning",
                id=element_id,
            ),
        ]
    )
