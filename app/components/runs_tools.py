"""The runs page's filters (experiment, tag, "show archived") and its selection actions
(archive, unarchive and delete the selected runs, the two that hide or remove runs after a
confirmation)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from app import ids
from app.context import get_store
from app.manage import archive_run, delete_run, for_each
from app.rules import parse_id
from gridworld.errors import ValidationError


def runs_filters(
    experiments: list[dict[str, Any]],
    experiment: int | None,
    tags: list[str],
    tag: str | None,
    show_archived: bool,
) -> html.Div:
    """Return the filter row: experiment, tag and the "show archived" switch."""
    return html.Div(
        [
            html.Div(
                dcc.Dropdown(
                    id=ids.RUNS_EXPERIMENT,
                    options=experiments,
                    value=experiment,
                    placeholder="all runs (filter by experiment)",
                    clearable=True,
                ),
                style={"minWidth": "18rem"},
            ),
            html.Div(
                dcc.Dropdown(
                    id=ids.RUNS_TAG,
                    options=tag_options(tags),
                    value=tag,
                    placeholder="any tag (filter by tag)",
                    clearable=True,
                ),
                style={"minWidth": "14rem"},
            ),
            dbc.Switch(
                id=ids.RUNS_SHOW_ARCHIVED,
                label="show archived",
                value=show_archived,
                className="mb-0",
            ),
            dcc.Store(id=ids.RUNS_FILTER_QUERY),
        ],
        className="d-flex align-items-center flex-wrap gap-3 mb-2",
    )


def tag_options(tags: list[str]) -> list[dict[str, str]]:
    """Return the tag filter's options."""
    return [{"label": tag, "value": tag} for tag in tags]


def selection_actions() -> html.Div:
    """Return the selection's buttons (enabled while rows are selected), the confirmation
    dialog they open and the message line."""
    return html.Div(
        [
            html.Span("Selected runs:", className="text-muted small me-2"),
            dbc.ButtonGroup(
                [
                    dbc.Button("Archive", id=ids.RUNS_ARCHIVE, disabled=True),
                    dbc.Button("Unarchive", id=ids.RUNS_UNARCHIVE, disabled=True),
                    dbc.Button("Delete…", id=ids.RUNS_DELETE, color="danger", disabled=True),
                ],
                size="sm",
                className="me-2",
            ),
            dcc.ConfirmDialog(id=ids.RUNS_CONFIRM),
            dcc.Store(id=ids.RUNS_PENDING),
            dbc.Alert(
                id=ids.RUNS_MANAGE_MESSAGE,
                is_open=False,
                dismissable=True,
                className="mb-0 py-1 px-2 small",
            ),
        ],
        className="d-flex align-items-center flex-wrap gap-1 mb-2",
    )


SELECTION_ACTIONS = {ids.RUNS_ARCHIVE: "archive", ids.RUNS_DELETE: "delete"}
"""The selection buttons that ask for a confirmation first, and what they do."""


def selected_ids(rows: object) -> list[int]:
    """Return the ids of the grid's selected rows (what the browser sent; anything else
    is skipped)."""
    if not isinstance(rows, list):
        return []
    found = []
    for row in rows:
        try:
            found.append(parse_id("run_id", row.get("id") if isinstance(row, dict) else None))
        except ValidationError:
            continue
    return list(dict.fromkeys(found))


def buttons_disabled(rows: object) -> tuple[bool, bool, bool]:
    """Return whether the Archive, Unarchive and Delete buttons are disabled (no selection)."""
    none = not selected_ids(rows)
    return none, none, none


def ask(_: int | None, __: int | None, rows: object) -> tuple[Any, ...]:
    """Open the confirmation for archiving or deleting the selected runs.

    Returns:
        The question, whether it shows, and the pending action with the runs it names.
    """
    action = SELECTION_ACTIONS.get(str(ctx.triggered_id))
    run_ids = selected_ids(rows)
    if action is None or not run_ids:
        raise PreventUpdate
    listed = ", ".join(f"#{run_id}" for run_id in run_ids)
    count = f"{len(run_ids)} run{'s' if len(run_ids) != 1 else ''} ({listed})"
    question = (
        f"Delete {count} for good, with their episodes, checkpoints and parameter changes?"
        " This cannot be undone."
        if action == "delete"
        else f"Archive {count}? They are hidden from lists until brought back."
    )
    return question, True, {"action": action, "runs": run_ids}


def act(_: int | None, __: int | None, pending: object, rows: object, version: object) -> Any:
    """Archive or delete the runs the accepted confirmation named, or unarchive the
    selected runs.

    Returns:
        The message (what was done, and each refusal), its colour, that it shows, and a new
        version that refreshes the grid.
    """
    store = get_store()
    if ctx.triggered_id == ids.RUNS_UNARCHIVE:
        action, run_ids = "unarchive", selected_ids(rows)
    elif isinstance(pending, dict) and pending.get("action") in SELECTION_ACTIONS.values():
        action, run_ids = (
            pending["action"],
            selected_ids([{"id": run_id} for run_id in pending.get("runs") or []]),
        )
    else:
        raise PreventUpdate
    actions: dict[str, Callable[..., object]] = {
        "archive": partial(archive_run, store),
        "unarchive": partial(archive_run, store, archived=False),
        "delete": partial(delete_run, store),
    }
    do = actions[action]
    refused = for_each(do, run_ids)
    done = len(run_ids) - len(refused)
    said = [f"{done} run{'s' if done != 1 else ''} {action}d.", *refused]
    message = [html.Div(line) for line in said]
    count = version if isinstance(version, int) and not isinstance(version, bool) else 0
    return message, "warning" if refused else "success", True, count + 1


def init_app(app: dash.Dash) -> None:
    """Register the selection's callbacks on ``app`` itself (see ``fork_card.init_app``)."""
    app.callback(
        Output(ids.RUNS_ARCHIVE, "disabled"),
        Output(ids.RUNS_UNARCHIVE, "disabled"),
        Output(ids.RUNS_DELETE, "disabled"),
        Input(ids.RUNS_GRID, "selectedRows"),
    )(buttons_disabled)
    app.callback(
        Output(ids.RUNS_CONFIRM, "message"),
        Output(ids.RUNS_CONFIRM, "displayed"),
        Output(ids.RUNS_PENDING, "data"),
        Input(ids.RUNS_ARCHIVE, "n_clicks"),
        Input(ids.RUNS_DELETE, "n_clicks"),
        State(ids.RUNS_GRID, "selectedRows"),
        prevent_initial_call=True,
    )(ask)
    app.callback(
        Output(ids.RUNS_MANAGE_MESSAGE, "children"),
        Output(ids.RUNS_MANAGE_MESSAGE, "color"),
        Output(ids.RUNS_MANAGE_MESSAGE, "is_open"),
        Output(ids.RUNS_VERSION, "data", allow_duplicate=True),
        Input(ids.RUNS_CONFIRM, "submit_n_clicks"),
        Input(ids.RUNS_UNARCHIVE, "n_clicks"),
        State(ids.RUNS_PENDING, "data"),
        State(ids.RUNS_GRID, "selectedRows"),
        State(ids.RUNS_VERSION, "data"),
        prevent_initial_call=True,
    )(act)
