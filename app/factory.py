"""The application factory: one Dash app (with its Flask server) over one run store.

Callbacks are checked against a validation layout, not let through: Dash builds it at the
first request from the frame and every page's layout called without arguments (each page
then draws a sample: the run pages draw ``page_parts.VALIDATION_RUN``), so a callback naming
a component no page has is reported in the browser (and by the tests) instead of ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import html

from app import api, dash_requests, ids, security
from app.components import (
    checkpoint_card,
    fork_card,
    lineage_card,
    manage_card,
    pace_control,
    replay_card,
    runs_tools,
    theme,
    trajectory_card,
    visit_maps,
)
from app.context import STORE_KEY
from app.request_json import StrictJSONProvider
from runstore import RunStore

ROOT = Path(__file__).resolve().parent.parent
PAGES_FOLDER = Path(__file__).resolve().parent / "pages"
ASSETS_FOLDER = ROOT / "assets"  # beside app/: in a clone and in site-packages (setup.cfg)


def create_app(store_url: str, *, allowed_hosts: Sequence[str] | None = None) -> dash.Dash:
    """Build the gridlab dashboard over the run store at ``store_url``.

    Args:
        store_url: SQLAlchemy URL of the run store (``sqlite:///gridlab.sqlite``,
            ``postgresql+psycopg://...``).
        allowed_hosts: the ``Host`` values served (``security.served_hosts`` of the address
            and port it listens on); None serves 127.0.0.1, localhost and [::1] on any port.
            Any other host is refused before any route runs (DNS rebinding).

    Returns:
        The Dash app; its Flask server is ``app.server`` and carries the store in
        ``server.extensions["gridlab.store"]``.
    """
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PAGES_FOLDER),
        assets_folder=str(ASSETS_FOLDER),
        title="gridlab",
        update_title="",  # no "Updating..." title while callbacks run
    )
    app.server.extensions[STORE_KEY] = RunStore(store_url)
    security.init_app(app.server, allowed_hosts)
    app.server.json = StrictJSONProvider(app.server)  # request bodies, Dash's included
    dash_requests.init_app(app)
    theme.init_app(app)
    checkpoint_card.init_app(app)
    fork_card.init_app(app)
    lineage_card.init_app(app)
    manage_card.init_app(app)
    pace_control.init_app(app)
    replay_card.init_app(app)
    runs_tools.init_app(app)
    trajectory_card.init_app(app)
    visit_maps.init_app(app)
    api.init_app(app.server)
    app.layout = _shell()
    return app


def _shell() -> html.Div:
    """Return the frame every page sits in: the navigation bar and the page container."""
    navbar = dbc.NavbarSimple(
        brand="gridlab",
        brand_href="/",
        id=ids.NAVBAR,
        color="dark",
        dark=True,
        children=[
            dbc.NavItem(dbc.NavLink("Runs", href="/")),
            dbc.NavItem(dbc.NavLink("Compare", href="/compare")),
            dbc.NavItem(dbc.NavLink("Experiments", href="/experiments")),
        ],
    )
    page = dbc.Container(dash.page_container, fluid=True, className="py-3")
    return html.Div([theme.theme_store(), navbar, page])
