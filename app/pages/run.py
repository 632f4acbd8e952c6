"""The live run page, ``/runs/<id>``: status and controls, live parameters, learning curves
(decimated windows with min–max bands, smoothing, zoom at full resolution, change markers)
and diagnostics.

While the run is live a 1 s ``dcc.Interval`` re-reads only windows of at most
``views.zoom.POINTS`` buckets per curve, so nothing the browser holds grows with the run.
When the server cannot be reached the page says "reconnecting" and keeps its last data.
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
from app.components.param_editor import change_list, param_editor
from app.context import get_store
from app.page_parts import VALIDATION_RUN, missing_run, run_from_path
from app.rules import Action, Conflict
from app.views.curves import CURVES, page_curves
from app.views.diagnostics import WINDOW, action_shares, diagnostic_rows
from app.views.params import change_rows, current_values, field_errors, queued_text, typed_values
from app.views.reads import summary_of
from app.views.run_status import run_status
from gridworld.errors import ValidationError
from gridworld.hyperparams import HYPERPARAM_NAMES
from runstore import RunNotFound

dash.register_page(__name__, path_template="/runs/<run_id>", order=4, title="gridlab · run")

REFRESH_MS = 1000
"""Refresh period while the run is live."""


def layout(run_id: str | None = None, **_: object) -> html.Div:
    """Return the page of ``run_id``.

    Args:
        run_id: the run id from the URL; without one (as Dash calls a layout to build the
            validation layout) the page of ``VALIDATION_RUN``.

    Returns:
        The page, or a "not found" notice for an unknown or malformed id.
    """
    run = VALIDATION_RUN if run_id is None else run_from_path(run_id)
    if run is None:
        return missing_run("Run", run_id, ids.RUN_MISSING)
    return html.Div(
        [
            dcc.Store(id=ids.RUN_ID, data=run.id),
            dcc.Store(id=ids.RUN_API, data=f"/api/runs/{run.id}"),
            dcc.Store(id=ids.RUN_ZOOM, data=None),
            dcc.Store(id=ids.RUN_CHANGED, data=None),
            dcc.Interval(id=ids.RUN_REFRESH, interval=REFRESH_MS, disabled=not run.is_live),
            header.run_header(run),
            *header.banners(),
            dbc.Row(
                [
                    dbc.Col([curve_controls(), curve_graphs()], lg=9),
                    dbc.Col([diagnostics_card(), param_editor(current_values(run))], lg=3),
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
    Output(ids.run_param(ALL), "placeholder"),
    Output(ids.RUN_REFRESH, "disabled"),
    Input(ids.RUN_REFRESH, "n_intervals"),
    Input(ids.RUN_CHANGED, "data"),
    State(ids.RUN_ID, "data"),
)
def refresh_status(_: int | None, __: Any, run_id: int) -> tuple[Any, ...]:
    """Re-read the run's status, progress, diagnostics and parameter changes.

    Returns:
        The header, banner, diagnostics and change-history contents, which buttons are
        disabled (``rules.allowed_actions``), the editor's current values, and whether to
        stop refreshing (the run is no longer live).
    """
    store = get_store()
    try:
        run = store.get_run(run_id)
        summary = summary_of(store, run_id, window=WINDOW)
        changes = store.param_changes(run_id)
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
        current_values(run),
        not status.live,
    )


@callback(
    *(Output(ids.run_curve(key), "figure") for key in CURVES),
    Input(ids.RUN_REFRESH, "n_intervals"),
    Input(ids.RUN_X, "value"),
    Input(ids.RUN_SMOOTH, "value"),
    Input(ids.RUN_LOGY, "value"),
    Input(ids.RUN_BANDS, "value"),
    Input(ids.RUN_ZOOM, "data"),
    Input(ids.RUN_CHANGED, "data"),
    State(ids.RUN_ID, "data"),
)
def refresh_curves(
    _: int | None,
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
    State(ids.RUN_API, "data"),
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
    action = header.CONTROLS[str(ctx.triggered_id)]
    try:
        if action is Action.PAUSE:
            pause_run(store, run_id)
        elif action is Action.RESUME:
            resume_run(store, run_id)
        else:
            stop_run(store, run_id)
    except (Conflict, RunNotFound) as exc:
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
        queued = change_params(get_store(), run_id, typed, "ui")
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
