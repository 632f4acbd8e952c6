"""The experiments page, ``/experiments``: every experiment in the store, each linking to its
page, and the form that launches a new one.

The list follows the store's revision (``components.revision_poll``): a sweep launched from
the CLI or the API shows within about a second, and its runs' progress with it.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html
from dash.exceptions import PreventUpdate

from app import ids
from app.components.new_experiment_form import new_experiment_form
from app.components.revision_poll import RevisionPoll
from app.context import get_store
from app.experiments.launch import launch_experiment
from app.views.experiments_list import experiment_rows
from app.views.new_experiment import FORM_FIELDS, error_field, new_experiment_request
from app.views.revision import read_revision
from app.views.run_status import status_color
from gridworld.errors import ValidationError
from runstore import StoreError

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
    title = html.Div(
        [
            html.H2("Experiments", id=ids.PAGE_TITLE, className="mb-0"),
            dbc.Button("+ New experiment", id=ids.NEWEXP_TOGGLE, color="primary"),
        ],
        className="d-flex justify-content-between align-items-end mb-3",
    )
    return html.Div(
        [
            title,
            dbc.Collapse(new_experiment_form(), id=ids.NEWEXP_COLLAPSE, is_open=False),
            dbc.Alert(id=ids.NEWEXP_MESSAGE, color="danger", is_open=False, dismissable=True),
            dcc.Location(id=ids.NEWEXP_LOCATION, refresh="callback-nav"),
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


clientside_callback(
    ClientsideFunction("experiments", "toggleForm"),
    Output(ids.NEWEXP_COLLAPSE, "is_open"),
    Input(ids.NEWEXP_TOGGLE, "n_clicks"),
    State(ids.NEWEXP_COLLAPSE, "is_open"),
    prevent_initial_call=True,
)


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


def _form_outputs() -> dict[str, Any]:
    """Return the launch callback's outputs: each field's invalid flag and feedback, the
    message alert and the address to go to."""
    return {
        "invalid": {name: Output(ids.newexp_field(name), "invalid") for name in FORM_FIELDS},
        "feedback": {name: Output(ids.newexp_feedback(name), "children") for name in FORM_FIELDS},
        "message": Output(ids.NEWEXP_MESSAGE, "children"),
        "open": Output(ids.NEWEXP_MESSAGE, "is_open"),
        "href": Output(ids.NEWEXP_LOCATION, "href"),
    }


@callback(
    output=_form_outputs(),
    inputs={
        "submit": Input(ids.NEWEXP_SUBMIT, "n_clicks"),
        "values": {name: State(ids.newexp_field(name), "value") for name in FORM_FIELDS},
    },
    prevent_initial_call=True,
)
def launch(submit: int | None, values: dict[str, Any]) -> dict[str, Any]:
    """Launch an experiment from the form through ``launch_experiment`` and open its page.

    Returns:
        The outputs of ``_form_outputs``: a validation error marks its field invalid with the
        validator's message (nothing is written), or shows it in the alert when no field
        holds the value; a store that cannot take it shows an alert; a launched experiment
        sends the browser to its page.
    """
    if not submit:
        raise PreventUpdate
    invalid = dict.fromkeys(FORM_FIELDS, False)
    feedback = dict.fromkeys(FORM_FIELDS, "")
    clean = {"invalid": invalid, "feedback": feedback, "message": "", "open": False}
    try:
        experiment = launch_experiment(get_store(), new_experiment_request(values))
    except ValidationError as exc:
        field = error_field(exc)
        if field is None:
            return {**clean, "message": str(exc), "open": True, "href": dash.no_update}
        invalid[field], feedback[field] = True, str(exc)
        return {**clean, "href": dash.no_update}
    except StoreError as exc:
        message = f"Cannot launch the experiment: {exc}"
        return {**clean, "message": message, "open": True, "href": dash.no_update}
    return {**clean, "href": f"/experiments/{experiment.id}"}
