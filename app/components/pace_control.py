"""The run page's pace control beside Pause/Resume: a pace in episodes per second (Enter
or Set) or full speed, queued through ``app.actions.change_pace`` as a recorded change, so
it says what the CLI and the API say for the same bad value."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from app import ids
from app.actions import change_pace
from app.context import get_store
from app.rules import Action, Conflict, allowed_actions, parse_id
from gridworld.errors import ValidationError
from gridworld.pace import FULL_SPEED, current_pace, pace_text, validate_pace
from runstore import Run, RunNotFound


def pace_control(run: Run) -> html.Div:
    """Return the pace input (its placeholder the run's pace now), Set and Full speed
    buttons, and the message line under them."""
    return html.Div(
        [
            dbc.InputGroup(
                [
                    dbc.InputGroupText("pace"),
                    dbc.Input(
                        id=ids.RUN_PACE_INPUT,
                        type="text",
                        inputMode="decimal",
                        placeholder=shown_pace(run),
                        autoComplete="off",
                        style={"maxWidth": "9rem"},
                    ),
                    dbc.Button("Set", id=ids.RUN_PACE_SET, color="secondary", outline=True),
                    dbc.Button("Full speed", id=ids.RUN_PACE_FULL, color="secondary", outline=True),
                ],
                size="sm",
                style={"width": "auto"},
            ),
            html.Div(id=ids.RUN_PACE_MESSAGE, className="small"),
        ],
        className="me-3",
    )


def shown_pace(run: Run) -> str:
    """Return the run's pace now in words (``200 episodes/s``, ``full speed``)."""
    return pace_text(current_pace(run.current_params, run.spec.get("pace")))


def refresh(_: Any, __: Any, run_id: int) -> tuple[str, bool, bool, bool]:
    """Return the input's placeholder (the run's pace now) and whether the input and
    buttons are disabled (the run's status allows no change)."""
    try:
        run = get_store().get_run(parse_id("run_id", run_id))
    except (ValidationError, RunNotFound):
        raise PreventUpdate from None
    locked = Action.EDIT not in allowed_actions(run)
    return shown_pace(run), locked, locked, locked


def submit(_: Any, __: Any, ___: Any, typed: object, run_id: int) -> tuple[Any, ...]:
    """Queue the typed pace (Set, Enter) or full speed.

    Returns:
        The message (what was queued, or the validator's or the rules' refusal), whether
        the input is invalid, its value (cleared once queued) and a change stamp that makes
        the page refresh its status and changes list.
    """
    wanted = FULL_SPEED if ctx.triggered_id == ids.RUN_PACE_FULL else typed
    if wanted is None or (isinstance(wanted, str) and not wanted.strip()):
        return "Type a pace first.", False, no_update, no_update
    try:
        change = change_pace(get_store(), parse_id("run_id", run_id), wanted, "ui")
    except ValidationError as exc:
        return html.Span(str(exc), className="text-danger"), True, no_update, no_update
    except (Conflict, RunNotFound) as exc:
        return (
            html.Span(str(exc).strip("'\""), className="text-danger"),
            False,
            no_update,
            no_update,
        )
    asked = pace_text(validate_pace(change["new_value"]))
    return f"Pace {asked} requested.", False, None, datetime.now(UTC).isoformat()


def init_app(app: dash.Dash) -> None:
    """Register the control's callbacks on ``app`` itself (see ``fork_card.init_app``)."""
    app.callback(
        Output(ids.RUN_PACE_INPUT, "placeholder"),
        Output(ids.RUN_PACE_INPUT, "disabled"),
        Output(ids.RUN_PACE_SET, "disabled"),
        Output(ids.RUN_PACE_FULL, "disabled"),
        Input(ids.RUN_REVISION, "data"),
        Input(ids.RUN_CHANGED, "data"),
        State(ids.RUN_ID, "data"),
    )(refresh)
    app.callback(
        Output(ids.RUN_PACE_MESSAGE, "children"),
        Output(ids.RUN_PACE_INPUT, "invalid"),
        Output(ids.RUN_PACE_INPUT, "value"),
        Output(ids.RUN_CHANGED, "data", allow_duplicate=True),
        Input(ids.RUN_PACE_SET, "n_clicks"),
        Input(ids.RUN_PACE_INPUT, "n_submit"),
        Input(ids.RUN_PACE_FULL, "n_clicks"),
        State(ids.RUN_PACE_INPUT, "value"),
        State(ids.RUN_ID, "data"),
        prevent_initial_call=True,
    )(submit)
