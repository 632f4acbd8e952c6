"""The run page's checkpoints card: "Save checkpoint now" with a name (Enter or the button),
and the run's named checkpoints.

The save goes through ``app.named_checkpoints``, so the card says what the CLI and the API
say for the same bad name or refused save: a run being trained has its worker asked for a
checkpoint of its current state (it shows in the list within about a second); any other
run's latest checkpoint gets the name at once. The list follows the run's revision.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids
from app.context import get_store
from app.named_checkpoints import naming_text, save_checkpoint_now
from app.rules import CHECKPOINT_NAME_ALLOWED, Conflict, format_number, parse_id
from gridworld.errors import ValidationError
from runstore import CheckpointInfo, RunNotFound

NONE_NAMED = "No named checkpoints yet."


def checkpoint_card(run_id: int, infos: list[CheckpointInfo]) -> dbc.Card:
    """Return the card for the run with checkpoints ``infos``."""
    return dbc.Card(
        [
            dbc.CardHeader("Checkpoints"),
            dbc.CardBody(
                [
                    dbc.Label("Save checkpoint now, named", html_for=ids.RUN_CHECKPOINT_NAME),
                    dbc.InputGroup(
                        [
                            dbc.Input(
                                id=ids.RUN_CHECKPOINT_NAME,
                                placeholder="e.g. good-alpha",
                                autoComplete="off",
                                maxLength=200,
                            ),
                            dbc.Button("Save now", id=ids.RUN_CHECKPOINT_SAVE, outline=True),
                        ],
                        size="sm",
                    ),
                    html.Div(CHECKPOINT_NAME_ALLOWED, className="form-text"),
                    html.Div(id=ids.RUN_CHECKPOINT_MESSAGE, className="small mt-1"),
                    html.Div(
                        named_list(run_id, infos), id=ids.RUN_CHECKPOINT_NAMED, className="mt-2"
                    ),
                ]
            ),
        ],
        id=ids.RUN_CHECKPOINTS,
        className="mt-3",
    )


def named_list(run_id: int, infos: list[CheckpointInfo]) -> Any:
    """Return the run's named checkpoints, newest first: name, episode, a fork link."""
    named = [info for info in reversed(infos) if info.name is not None]
    if not named:
        return html.Div(NONE_NAMED, className="text-muted small")
    return html.Ul(
        [
            html.Li(
                [
                    html.Strong(info.name),
                    f" · episode {format_number(info.episode)} · ",
                    dcc.Link("fork", href=f"/runs/{run_id}?fork={info.episode}#{ids.FORK_CARD}"),
                ],
                className="small",
            )
            for info in named
        ],
        className="mb-0 ps-3",
    )


def refresh(_: Any, __: Any, run_id: object) -> Any:
    """Return the list of named checkpoints as the store has it now (the run's revision
    moved, or the page changed something)."""
    try:
        rid = parse_id("run_id", run_id)
        return named_list(rid, get_store().checkpoints(rid))
    except (ValidationError, RunNotFound):
        raise PreventUpdate from None


def submit(_: Any, __: Any, typed: object, run_id: object) -> tuple[Any, ...]:
    """Save the checkpoint named as typed (the button, or Enter in the field).

    Returns:
        The message (what was done, or the validator's or the store's refusal), whether
        the field is invalid, its value (cleared once done) and a change stamp that makes
        the page refresh the list (and its status).
    """
    if typed is None or (isinstance(typed, str) and not typed.strip()):
        return "Type a name first.", False, no_update, no_update
    try:
        naming = save_checkpoint_now(get_store(), parse_id("run_id", run_id), typed)
    except ValidationError as exc:
        return html.Span(str(exc), className="text-danger"), True, no_update, no_update
    except (Conflict, RunNotFound) as exc:
        return html.Span(str(exc), className="text-danger"), False, no_update, no_update
    stamp = datetime.now(UTC)
    return f"{naming_text(naming)} ({stamp:%H:%M:%S})", False, None, stamp.isoformat()


def init_app(app: dash.Dash) -> None:
    """Register the card's callbacks on ``app`` itself (see ``fork_card.init_app``)."""
    app.callback(
        Output(ids.RUN_CHECKPOINT_NAMED, "children"),
        Input(ids.RUN_REVISION, "data"),
        Input(ids.RUN_CHANGED, "data"),
        State(ids.RUN_ID, "data"),
        prevent_initial_call=True,
    )(refresh)
    app.callback(
        Output(ids.RUN_CHECKPOINT_MESSAGE, "children"),
        Output(ids.RUN_CHECKPOINT_NAME, "invalid"),
        Output(ids.RUN_CHECKPOINT_NAME, "value"),
        Output(ids.RUN_CHANGED, "data", allow_duplicate=True),
        Input(ids.RUN_CHECKPOINT_SAVE, "n_clicks"),
        Input(ids.RUN_CHECKPOINT_NAME, "n_submit"),
        State(ids.RUN_CHECKPOINT_NAME, "value"),
        State(ids.RUN_ID, "data"),
        prevent_initial_call=True,
    )(submit)
