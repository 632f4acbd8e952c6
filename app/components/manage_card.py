"""The run page's manage card: rename, tags, the Markdown note, archive, delete (after a
confirmation) and "New run with these settings".

Every change goes through ``app.manage``, so the card says what the CLI and the API say for
the same bad value or refused action. A deleted run's page goes back to the runs page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids
from app.context import get_store
from app.manage import archive_run, delete_run, note_run, parse_tags, rename_run, tag_run
from app.rules import Conflict, parse_id
from gridworld.errors import ValidationError
from runstore import Run, RunNotFound, RunStore

NO_NOTE = "*No note yet.*"


def manage_card(run: Run) -> dbc.Card:
    """Return the card for ``run``, filled with its name, tags and note."""
    return dbc.Card(
        [
            dbc.CardHeader("Manage"),
            dbc.CardBody(
                [
                    dbc.Label("name", html_for=ids.RUN_NAME),
                    dbc.InputGroup(
                        [
                            dbc.Input(id=ids.RUN_NAME, value=run.name, autoComplete="off"),
                            dbc.Button("Rename", id=ids.RUN_RENAME, outline=True),
                        ],
                        size="sm",
                        className="mb-2",
                    ),
                    dbc.Label("tags", html_for=ids.RUN_TAGS),
                    dbc.InputGroup(
                        [
                            dbc.Input(
                                id=ids.RUN_TAGS,
                                value=" ".join(run.tags),
                                placeholder="space-separated, e.g. sweep-a good",
                                autoComplete="off",
                            ),
                            dbc.Button("Save tags", id=ids.RUN_TAGS_SAVE, outline=True),
                        ],
                        size="sm",
                    ),
                    html.Div(tag_badges(run), id=ids.RUN_TAG_BADGES, className="mb-2 mt-1"),
                    dbc.Label("note (Markdown)", html_for=ids.RUN_NOTE),
                    dcc.Markdown(run.note or NO_NOTE, id=ids.RUN_NOTE_VIEW, className="small"),
                    dbc.Textarea(id=ids.RUN_NOTE, value=run.note, rows=3, size="sm"),
                    dbc.Button(
                        "Save note", id=ids.RUN_NOTE_SAVE, size="sm", outline=True, className="mt-1"
                    ),
                    html.Hr(),
                    _run_buttons(run),
                    dcc.Link(
                        "New run with these settings →",
                        href=f"/?like={run.id}",
                        id=ids.RUN_LIKE,
                        className="small d-block mt-2",
                    ),
                    html.Div(id=ids.RUN_MANAGE_MESSAGE, className="small mt-2"),
                    dcc.ConfirmDialog(id=ids.RUN_DELETE_CONFIRM, message=delete_question(run)),
                    dcc.Location(id=ids.RUN_MANAGE_LOCATION, refresh="callback-nav"),
                ]
            ),
        ],
        id=ids.RUN_MANAGE,
        className="mt-3",
    )


def _run_buttons(run: Run) -> html.Div:
    """Return the archive and delete buttons and the archived badge."""
    return html.Div(
        [
            dbc.Button(
                archive_label(run), id=ids.RUN_ARCHIVE, size="sm", outline=True, className="me-2"
            ),
            dbc.Button("Delete…", id=ids.RUN_DELETE, size="sm", color="danger", outline=True),
            dbc.Badge(
                "archived",
                id=ids.RUN_ARCHIVED,
                color="secondary",
                className="ms-2",
                style={} if run.archived else {"display": "none"},
            ),
        ]
    )


def tag_badges(run: Run) -> list[dbc.Badge]:
    """Return one badge per tag of the run."""
    return [dbc.Badge(tag, color="info", className="me-1") for tag in run.tags]


def archive_label(run: Run) -> str:
    """Return the archive button's text: what it does to the run."""
    return "Unarchive" if run.archived else "Archive"


def delete_question(run: Run) -> str:
    """Return the question the Delete button asks first."""
    return (
        f"Delete run #{run.id} {run.name} for good, with its episodes, checkpoints and"
        " parameter changes? This cannot be undone."
    )


def wanted_tags(store: RunStore, run_id: int, text: object) -> Run:
    """Give the run exactly the space-separated tags of ``text``; return it.

    Raises:
        ValidationError: a bad tag (field ``tags``).
        RunNotFound: no such run.
    """
    wanted = set(parse_tags(str(text or "").split(), "tags"))
    current = set(store.get_run(run_id).tags)
    return tag_run(store, run_id, sorted(wanted - current), sorted(current - wanted))


ACTIONS: dict[str, Callable[[RunStore, int, dict[str, Any]], tuple[Run | None, str]]] = {
    ids.RUN_RENAME: lambda s, r, v: (rename_run(s, r, v["name"]), "Renamed."),
    ids.RUN_NAME: lambda s, r, v: (rename_run(s, r, v["name"]), "Renamed."),
    ids.RUN_TAGS_SAVE: lambda s, r, v: (wanted_tags(s, r, v["tags"]), "Tags saved."),
    ids.RUN_TAGS: lambda s, r, v: (wanted_tags(s, r, v["tags"]), "Tags saved."),
    ids.RUN_NOTE_SAVE: lambda s, r, v: (note_run(s, r, v["note"]), "Note saved."),
    ids.RUN_ARCHIVE: lambda s, r, v: _toggle_archive(s, r),
    ids.RUN_DELETE_CONFIRM: lambda s, r, v: _delete(s, r),
}
"""What each trigger of the card does: the changed run (None: deleted) and what to say."""


def _delete(store: RunStore, run_id: int) -> tuple[None, str]:
    """Delete the run; return None (no run any more) and what was done."""
    delete_run(store, run_id)
    return None, "Deleted."


def _toggle_archive(store: RunStore, run_id: int) -> tuple[Run, str]:
    """Archive the run, or bring an archived one back; return it and what was done."""
    archived = store.get_run(run_id).archived
    run = archive_run(store, run_id, archived=not archived)
    return run, "Brought back from the archive." if archived else "Archived: hidden from lists."


def act(*args: Any) -> tuple[Any, ...]:
    """Do what the card's trigger asks (the last four arguments are the name, tags and
    note typed, and the run id).

    Returns:
        The message, the note shown, the tag badges, the archive button's text, the
        archived badge's style, and the runs page's address once the run is deleted.
    """
    name, tags, note, run_id = args[-4:]
    action = ACTIONS.get(str(ctx.triggered_id))
    if action is None:  # only a crafted request names another trigger
        raise PreventUpdate
    try:
        run, said = action(
            get_store(), parse_id("run_id", run_id), {"name": name, "tags": tags, "note": note}
        )
    except (ValidationError, Conflict, RunNotFound) as exc:
        alert = dbc.Alert(str(exc).strip("'\""), color="warning", className="mb-0 p-2")
        return alert, no_update, no_update, no_update, no_update, no_update
    if run is None:
        return said, no_update, no_update, no_update, no_update, "/"
    badge = {} if run.archived else {"display": "none"}
    note_view = run.note or NO_NOTE
    return said, note_view, tag_badges(run), archive_label(run), badge, no_update


def init_app(app: dash.Dash) -> None:
    """Register the card's callbacks on ``app`` itself (see ``fork_card.init_app``)."""
    app.clientside_callback(
        ClientsideFunction("run", "askToConfirm"),
        Output(ids.RUN_DELETE_CONFIRM, "displayed"),
        Input(ids.RUN_DELETE, "n_clicks"),
        prevent_initial_call=True,
    )
    app.callback(
        Output(ids.RUN_MANAGE_MESSAGE, "children"),
        Output(ids.RUN_NOTE_VIEW, "children"),
        Output(ids.RUN_TAG_BADGES, "children"),
        Output(ids.RUN_ARCHIVE, "children"),
        Output(ids.RUN_ARCHIVED, "style"),
        Output(ids.RUN_MANAGE_LOCATION, "href"),
        Input(ids.RUN_RENAME, "n_clicks"),
        Input(ids.RUN_NAME, "n_submit"),
        Input(ids.RUN_TAGS_SAVE, "n_clicks"),
        Input(ids.RUN_TAGS, "n_submit"),
        Input(ids.RUN_NOTE_SAVE, "n_clicks"),
        Input(ids.RUN_ARCHIVE, "n_clicks"),
        Input(ids.RUN_DELETE_CONFIRM, "submit_n_clicks"),
        State(ids.RUN_NAME, "value"),
        State(ids.RUN_TAGS, "value"),
        State(ids.RUN_NOTE, "value"),
        State(ids.RUN_ID, "data"),
        prevent_initial_call=True,
    )(act)
