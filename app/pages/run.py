"""The live run page, ``/runs/<id>``: status and controls, live parameters, learning curves
(decimated windows with min–max bands, smoothing, zoom at full resolution, change markers)
and diagnostics.

Every second the page polls the run's revision (``components.revision_poll``), live run or
not; when it moved (episodes, a status written anywhere, ``run.py resume`` from another
process, the run's lease ending), the page re-reads its status, history and windows of at
most ``views.zoom.POINTS`` buckets per curve, so nothing the browser holds grows with the
run. When the server stops answering the poll the page says "reconnecting" and keeps its
last data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import (
    ALL,
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
    no_update,
)
from dash.exceptions import PreventUpdate

from app import ids
from app.actions import change_params, pause_run, resume_run, stop_run
from app.components import run_header as header
from app.components.curve_panel import curve_controls, curve_graphs
from app.components.diagnostics import diagnostics, diagnostics_card
from app.components.fork_card import fork_card, requested_checkpoint
from app.components.history import history_card, history_list
from app.components.lineage_card import lineage_card
from app.components.param_editor import change_list, param_editor
from app.components.revision_poll import RevisionPoll
from app.context import get_store
from app.page_parts import missing_run, run_and_revision, stored_run_id
from app.rules import Action, Conflict, parse_id
from app.views.curves import CURVES, page_curves
from app.views.diagnostics import WINDOW, action_shares, diagnostic_rows
from app.views.history import event_rows
from app.views.params import change_rows, current_values, field_errors, queued_text, typed_values
from app.views.reads import summary_of
from app.views.run_status import run_status
from gridworld.errors import ValidationError
from gridworld.hyperparams import HYPERPARAM_NAMES
from runstore import RunNotFound

dash.register_page(__name__, path_template="/runs/<run_id>", order=4, title="gridlab · run")

POLL = RevisionPoll(
    tick=ids.RUN_REFRESH,
    revision=ids.RUN_REVISION,
    run=ids.RUN_ID,
    heard=ids.RUN_HEARD,
)
"""The page's poll of the run's revision."""
POLL.register()


def layout(run_id: str | None = None, fork: str | None = None, **_: object) -> html.Div:
    """Return the page of ``run_id``.

    Args:
        run_id: the run id from the URL; without one (as Dash calls a layout to build the
            validation layout) the page of ``VALIDATION_RUN``.
        fork: ``?fork=N`` (the policy page's "Fork from here"): the fork card's checkpoint.

    Returns:
        The page, or a "not found" notice for an unknown or malformed id.
    """
    found = run_and_revision(run_id)
    if found is None:
        return missing_run("Run", run_id, ids.RUN_MISSING)
    run, revision = found
    episodes = [] if run_id is None else [info.episode for info in get_store().checkpoints(run.id)]
    return html.Div(
        [
            dcc.Store(id=ids.RUN_ID, data=run.id),
            dcc.Store(id=ids.RUN_ZOOM, data=None),
            dcc.Store(id=ids.RUN_CHANGED, data=None),
            *POLL.components(revision),
            header.run_header(run),
            *header.banners(),
            dbc.Row(
                [
                    dbc.Col([curve_controls(), curve_graphs()], lg=9),
                    dbc.Col(
                        [
                            diagnostics_card(),
                            param_editor(current_values(run)),
                            history_card(),
                            lineage_card(),
                            fork_card(episodes, requested_checkpoint(fork)),
                        ],
                        lg=3,
                    ),
                ],
                className="g-3",
            ),
        ]
    )


@callback(
    Output(ids.RUN_STATUS, "children"),
    Output(ids.RUN_EPISODES, "children"),
    Output(ids.RUN_PROGRESS, "value"),
    Output(ids.RUN_PROGRESS, "label"),
    *(Output(button, "disabled") for button in header.CONTROLS),
    Output(ids.RUN_PARAMS_APPLY, "disabled"),
    Output(ids.RUN_ERROR, "children"),
    Output(ids.RUN_ERROR, "is_open"),
    Output(ids.RUN_WARNINGS, "children"),
    Output(ids.RUN_DIAGNOSTICS, "children"),
    Output(ids.RUN_CHANGES, "children"),
    Output(ids.RUN_HISTORY, "children"),
    Output(ids.run_param(ALL), "placeholder"),
    Input(ids.RUN_REVISION, "data"),
    Input(ids.RUN_CHANGED, "data"),
    State(ids.RUN_ID, "data"),
)
def refresh_status(_: Any, __: Any, run_id: int) -> tuple[Any, ...]:
    """Re-read the run's status, progress, diagnostics, parameter changes and history.

    Returns:
        The header, banner, diagnostics, change-list and history contents, which buttons
        are disabled (``rules.allowed_actions``) and the editor's current values.
    """
    store, run_id = get_store(), stored_run_id(run_id)
    try:
        run = store.get_run(run_id)
        summary = summary_of(store, run_id, window=WINDOW)
        changes = store.param_changes(run_id)
        events = store.events(run_id)
    except RunNotFound:
        raise PreventUpdate from None
    status = run_status(run)
    error = header.error_banner(status)
    return (
        header.status_badges(status),
        status.episodes,
        status.progress,
        status.progress_label,
        *(action not in status.allowed for action in header.CONTROLS.values()),
        Action.EDIT not in status.allowed,
        error,
        error is not None,
        header.warning_alerts(status),
        diagnostics(diagnostic_rows(summary), action_shares(run.env_id, summary)),
        change_list(change_rows(changes)),
        history_list(event_rows(events)),
        current_values(run),
    )


@callback(
    *(Output(ids.run_curve(key), "figure") for key in CURVES),
    Input(ids.RUN_REVISION, "data"),
    Input(ids.RUN_X, "value"),
    Input(ids.RUN_SMOOTH, "value"),
    Input(ids.RUN_LOGY, "value"),
    Input(ids.RUN_BANDS, "value"),
    Input(ids.RUN_ZOOM, "data"),
    Input(ids.RUN_CHANGED, "data"),
    State(ids.RUN_ID, "data"),
)
def refresh_curves(
    _: Any,
    x_mode: str,
    weight: float | None,
    log_y: bool,
    bands: bool,
    zoom: dict | None,
    __: Any,
    run_id: int,
) -> tuple[Any, ...]:
    """Redraw every curve from decimated windows (the zoomed one when zoomed).

    Returns:
        One figure per ``CURVES`` entry.
    """
    run_id = stored_run_id(run_id)
    try:
        return page_curves(get_store(), run_id, x_mode, weight, log_y, bands, zoom)
    except RunNotFound:
        raise PreventUpdate from None


clientside_callback(
    ClientsideFunction("run", "zoomWindow"),
    Output(ids.RUN_ZOOM, "data"),
    *(Input(ids.run_curve(key), "relayoutData") for key in CURVES),
    State(ids.RUN_X, "value"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction("run", "reconnecting"),
    Output(ids.RUN_RECONNECTING, "style"),
    Input(ids.RUN_REFRESH, "n_intervals"),
    Input(ids.RUN_HEARD, "data"),
    prevent_initial_call=True,
)


@callback(
    Output(ids.RUN_ACTION_MESSAGE, "children"),
    Output(ids.RUN_ACTION_MESSAGE, "color"),
    Output(ids.RUN_ACTION_MESSAGE, "is_open"),
    Output(ids.RUN_CHANGED, "data", allow_duplicate=True),
    *(Input(button, "n_clicks") for button in header.CONTROLS),
    State(ids.RUN_ID, "data"),
    prevent_initial_call=True,
)
def control(_: int | None, __: int | None, ___: int | None, run_id: int) -> tuple[Any, ...]:
    """Pause, resume or stop the run.

    Returns:
        A message saying what was asked (or why it was refused), its colour, and a change
        stamp that makes the status and curves refresh at once.
    """
    store = get_store()
    action = header.CONTROLS.get(str(ctx.triggered_id))
    if action is None:  # only a crafted request names another trigger
        raise PreventUpdate
    try:
        run_id = parse_id("run_id", run_id)
        if action is Action.PAUSE:
            pause_run(store, run_id)
        elif action is Action.RESUME:
            resume_run(store, run_id)
        else:
            stop_run(store, run_id)
    except (ValidationError, Conflict, RunNotFound) as exc:
        return str(exc).strip("'\""), "warning", True, no_update
    return header.REQUESTED[action], "info", True, _stamp()


@callback(
    Output(ids.run_param(ALL), "invalid"),
    Output(ids.run_param_feedback(ALL), "children"),
    Output(ids.run_param(ALL), "value"),
    Output(ids.RUN_PARAMS_MESSAGE, "children"),
    Output(ids.RUN_CHANGED, "data", allow_duplicate=True),
    Input(ids.RUN_PARAMS_APPLY, "n_clicks"),
    State(ids.run_param(ALL), "value"),
    State(ids.RUN_ID, "data"),
    prevent_initial_call=True,
)
def apply_params(_: int | None, values: list[Any], run_id: int) -> tuple[Any, ...]:
    """Validate the typed values and queue them as parameter changes.

    Returns:
        Per-field invalid flags and messages (the offending field only), the field values
        (cleared once queued), a summary message and a change stamp.
    """
    count = len(HYPERPARAM_NAMES)
    clear, blank, keep = [False] * count, [""] * count, [no_update] * count
    typed = typed_values(values)
    if not typed:
        return clear, blank, keep, "Type a new value first.", no_update
    try:
        queued = change_params(get_store(), parse_id("run_id", run_id), typed, "ui")
    except ValidationError as exc:
        feedback = field_errors(exc)
        if feedback is None:
            return clear, blank, keep, str(exc), no_update
        return [bool(text) for text in feedback], feedback, keep, "", no_update
    except (Conflict, RunNotFound) as exc:
        return clear, blank, keep, str(exc).strip("'\""), no_update
    return clear, blank, [None] * count, queued_text(queued), _stamp()


def _stamp() -> str:
    """Return a fresh value for the change stamp (the current time)."""
    return datetime.now(UTC).isoformat()
