"""The experiments page, ``/experiments``: every experiment in the store, each linking to its
page, and the form that launches a new one.

The list follows the store's revision (``components.revision_poll``): a sweep launched from
the CLI or the API shows within about a second, and its runs' progress with it.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from app import ids
from app.components.revision_poll import RevisionPoll
from app.context import get_store
from app.views.experiments_list import experiment_rows
from app.views.revision import read_revision
from app.views.run_status import status_color

dash.register_page(__name__, path="/experiments", order=5, title="gridlab · experiments")

POLL = RevisionPoll(tick=ids.EXPERIMENTS_REFRESH, revision=ids.EXPERIMENTS_REVISION)
"""The page's poll of the store's revision."""
POLL.register()

COLUMNS = {
    "id": "#",
    "name": "Name",
    "method": "Method",
    "status": "Status",
    "objective": "Objective",
    "trials": "Trials",
    "runs": "Runs",
    "created": "Created (UTC)",
}
"""The list's columns: row key → header."""


def layout(**_: object) -> html.Div:
    """Return the experiments page: title, the new-experiment form (collapsed) and the list."""
    store = get_store()
    revision = read_revision(store)
    return html.Div(
        [
            html.H2("Experiments", id=ids.PAGE_TITLE),
            *POLL.components(revision),
            html.Div(experiment_list(experiment_rows(store)), id=ids.EXPERIMENTS_LIST),
        ]
    )


def experiment_list(rows: list[dict[str, Any]]) -> Any:
    """Return the table of experiments (a hint when there is none)."""
    if not rows:
        return html.P(
            "No experiments yet: launch one with the form above or `python run.py sweep`.",
            id=ids.EXPERIMENTS_EMPTY,
            className="text-muted",
        )
    head = html.Thead(html.Tr([html.Th(title) for title in COLUMNS.values()]))
    body = html.Tbody([html.Tr([_cell(row, key) for key in COLUMNS]) for row in rows])
    return dbc.Table([head, body], hover=True, size="sm", className="align-middle")


def _cell(row: dict[str, Any], key: str) -> html.Td:
    """Return one cell: the name links to the experiment's page, the status is a badge."""
    if key == "name":
        return html.Td(dcc.Link(row["name"], href=f"/experiments/{row['id']}"))
    if key == "status":
        return html.Td(dbc.Badge(row["status"], color=status_color(row["status"])))
    return html.Td(row[key])


@callback(
    Output(ids.EXPERIMENTS_LIST, "children"),
    Input(ids.EXPERIMENTS_REVISION, "data"),
    prevent_initial_call=True,
)
def refresh(_: Any) -> Any:
    """Redraw the list when the store moved.

    Returns:
        The table of every experiment.
    """
    return experiment_list(experiment_rows(get_store()))
