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
from app.components.checkpoint_card import checkpoint_card
from app.components.curve_panel import curve_controls, curve_graphs
from app.components.diagnostics import diagnostics, diagnostics_card
from app.components.fork_card import fork_card, requested_checkpoint
from app.components.history import history_card, history_list
from app.components.lineage_card import lineage_card
from app.components.manage_card import delete_question, manage_card
from app.components.param_editor import change_list, param_editor
from app.components.revision_poll import RevisionPoll
from app.components.trajectory_card import trajectory_card
from app.context import get_store
from app.figures.theme import themed
from app.page_parts import missing_run, run_and_revision, stored_run_id
from app.rules import Action, Conflict, parse_id
from app.views.curves import CURVES, page_curves
from app.views.diagnostics import WINDOW, action_shares, diagnostic_rows
from app.views.history import event_rows
from app.views.params import change_rows, current_values, field_errors, queued_text, typed_values
from app.views.reads import summary_of
from app.views.run_pace import pace_text, run_pace
from app.views.run_status import ENDS, run_status
from app.views.run_view import QUERY_KEYS, view_from
from app.views.run_warnings import shown_warnings
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
TRIGGERS: dict[str, tuple[str, Action]] = {
    ids.RUN_PAUSE: ("n_clicks", Action.PAUSE),
    ids.RUN_RESUME: ("n_clicks", Action.RESUME),
    ids.RUN_STOP_CONFIRM: ("submit_n_clicks", Action.STOP),
}
"""What starts each control action: the Pause and Resume buttons, and the accepted
confirmation of Stop (the Stop button only asks for it)."""


def layout(run_id: str | None = None, fork: str | None = None, **query: object) -> html.Div:
    """Return the page of ``run_id``.

    Args:
        run_id: the run id from the URL; without one (as Dash calls a layout to build the
            validation layout) the page of ``VALIDATION_RUN``.
        fork: ``?fork=N`` (the policy page's "Fork from here"): the fork card's checkpoint.
        **query: the view settings of ``views.run_view.QUERY_KEYS`` (``x``, ``smooth``,
            ``logy``, ``bands``, ``zoom``).

    Returns:
        The page, or a "not found" notice for an unknown or malformed id.
    """
    found = run_and_revision(run_id)
    if found is None:
        return missing_run("Run", run_id, ids.RUN_MISSING)
    run, revision = found
    view = view_from(query)
    infos = [] if run_id is None else get_store().checkpoints(run.id)
    recorded = [] if run_id is None else get_store().trajectories(run.id)
    return html.Div(
        [
            dcc.Store(id=ids.RUN_ID, data=run.id),
            dcc.Store(id=ids.RUN_ZOOM, data=view.zoom_data()),
            dcc.Store(id=ids.RUN_QUERY_KEYS, data=list(QUERY_KEYS)),
            dcc.Store(id=ids.RUN_QUERY, data=None),
            dcc.Store(id=ids.RUN_CHANGED, data=None),
            dcc.Store(id=ids.RUN_ASKED, data=None),
            dcc.ConfirmDialog(id=ids.RUN_STOP_CONFIRM, message=_stop_question(run.id, run.name)),
            *POLL.components(revision),
            header.run_header(run),
            *header.banners(),
            dbc.Row(
                [
                    dbc.Col(
                        [curve_controls(view), curve_graphs(), trajectory_card(run, recorded)],
                        lg=9,
                    ),
                    dbc.Col(
                        [
                            diagnostics_card(),
                            param_editor(current_values(run)),
                            history_card(),
                            lineage_card(),
                            checkpoint_card(run.id, infos),
                            fork_card(infos, requested_checkpoint(fork)),
                            manage_card(run),
                        ],
                        lg=3,
                    ),
                ],
                className="g-3",
            ),
        ]
    )


@callback(
    Output(ids.RUN_TITLE_NAME, "children"),
    Output(ids.RUN_DELETE_CONFIRM, "message"),
    Output(ids.RUN_STATUS, "children"),
    Output(ids.RUN_EPISODES, "children"),
    Output(ids.RUN_PROGRESS, "value"),
    Output(ids.RUN_PROGRESS, "label"),
    Output(ids.RUN_PACE, "children"),
    *(Output(button, "disabled") for button in header.CONTROLS),
    Output(ids.RUN_PARAMS_APPLY, "disabled"),
    Output(ids.run_param(ALL), "readonly"),
    Output(ids.RUN_PARAMS_LOCKED, "children"),
    Output(ids.RUN_ERROR, "children"),
    Output(ids.RUN_ERROR, "is_open"),
    Output(ids.RUN_WARNINGS, "children"),
    Output(ids.RUN_DIAGNOSTICS, "children"),
    Output(ids.RUN_CHANGES, "children"),
    Output(ids.RUN_HISTORY, "children"),
    Output(ids.run_param(ALL), "placeholder"),
    Output(ids.RUN_ACTION_MESSAGE, "is_open", allow_duplicate=True),
    Input(ids.RUN_REVISION, "data"),
    Input(ids.RUN_CHANGED, "data"),
    State(ids.RUN_ID, "data"),
    State(ids.RUN_ASKED, "data"),
    prevent_initial_call="initial_duplicate",
)
def refresh_status(_: Any, __: Any, run_id: int, asked: object) -> tuple[Any, ...]:
    """Re-read the run's name, status, progress, diagnostics, parameter changes and history.

    Returns:
        The title's name and the Delete button's question (a rename shows at once), the
        header (with the pace: ``views.run_pace``), banner, diagnostics, change-list and
        history contents, which buttons are disabled and fields read-only
        (``rules.allowed_actions``), why edits are refused, the editor's current values, and
        the "pause/stop requested" message closed once the run is no longer waiting for it.
    """
    store, run_id = get_store(), stored_run_id(run_id)
    try:
        run = store.get_run(run_id)
        summary = summary_of(store, run_id, window=WINDOW)
        changes = store.param_changes(run_id)
        events = store.events(run_id)
        pace = run_pace(store, run)
    except RunNotFound:
        raise PreventUpdate from None
    status = run_status(run, shown_warnings(store, run))
    error = header.error_banner(status)
    editable = Action.EDIT in status.allowed
    return (
        run.name,
        delete_question(run),
        header.status_badges(status),
        status.episodes,
        status.progress,
        status.progress_label,
        pace_text(pace),
        *(action not in status.allowed for action in header.CONTROLS.values()),
        not editable,
        [not editable] * len(HYPERPARAM_NAMES),
        status.edit_refusal,
        error,
        error is not None,
        header.warning_alerts(status),
        diagnostics(diagnostic_rows(summary), action_shares(run.env_id, summary)),
        change_list(change_rows(changes, run)),
        history_list(event_rows(events)),
        current_values(run),
        False if status.settled(asked) else no_update,
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
    Input(ids.THEME, "data"),
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
    theme: object,
    run_id: int,
) -> tuple[Any, ...]:
    """Redraw every curve from decimated windows (the zoomed one when zoomed), in the
    page's theme.

    Returns:
        One figure per ``CURVES`` entry.
    """
    run_id = stored_run_id(run_id)
    try:
        figures = page_curves(get_store(), run_id, x_mode, weight, log_y, bands, zoom)
    except RunNotFound:
        raise PreventUpdate from None
    return tuple(themed(figure, theme) for figure in figures)


clientside_callback(
    ClientsideFunction("run", "zoomWindow"),
    Output(ids.RUN_ZOOM, "data"),
    *(Input(ids.run_curve(key), "relayoutData") for key in CURVES),
    State(ids.RUN_X, "value"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction("run", "writeQuery"),
    Output(ids.RUN_QUERY, "data"),
    Input(ids.RUN_X, "value"),
    Input(ids.RUN_SMOOTH, "value"),
    Input(ids.RUN_LOGY, "value"),
    Input(ids.RUN_BANDS, "value"),
    Input(ids.RUN_ZOOM, "data"),
    State(ids.RUN_QUERY_KEYS, "data"),
)
clientside_callback(
    ClientsideFunction("run", "reconnecting"),
    Output(ids.RUN_RECONNECTING, "style"),
    Input(ids.RUN_REFRESH, "n_intervals"),
    Input(ids.RUN_HEARD, "data"),
    prevent_initial_call=True,
)


clientside_callback(
    ClientsideFunction("run", "askToConfirm"),
    Output(ids.RUN_STOP_CONFIRM, "displayed"),
    Input(ids.RUN_STOP, "n_clicks"),
    prevent_initial_call=True,
)


@callback(
    Output(ids.RUN_ACTION_MESSAGE, "children"),
    Output(ids.RUN_ACTION_MESSAGE, "color"),
    Output(ids.RUN_ACTION_MESSAGE, "is_open"),
    Output(ids.RUN_ACTION_MESSAGE, "duration"),
    Output(ids.RUN_CHANGED, "data", allow_duplicate=True),
    Output(ids.RUN_ASKED, "data"),
    *(Input(trigger, prop) for trigger, (prop, _) in TRIGGERS.items()),
    State(ids.RUN_ID, "data"),
    prevent_initial_call=True,
)
def control(_: int | None, __: int | None, ___: int | None, run_id: int) -> tuple[Any, ...]:
    """Pause, resume or stop the run (a stop once its confirmation was accepted).

    Returns:
        A message saying what was asked (or why it was refused), its colour, how long it
        shows (a pause or stop's until ``refresh_status`` sees it done), a change stamp
        that makes the status and curves refresh at once, and the action asked.
    """
    store = get_store()
    trigger = TRIGGERS.get(str(ctx.triggered_id))
    if trigger is None:  # only a crafted request names another trigger
        raise PreventUpdate
    action = trigger[1]
    try:
        run_id = parse_id("run_id", run_id)
        if action is Action.PAUSE:
            pause_run(store, run_id)
        elif action is Action.RESUME:
            resume_run(store, run_id)
        else:
            stop_run(store, run_id)
    except (ValidationError, Conflict, RunNotFound) as exc:
        return str(exc).strip("'\""), "warning", True, header.MESSAGE_MS, no_update, None
    duration = None if action in ENDS else header.MESSAGE_MS
    return header.REQUESTED[action], "info", True, duration, _stamp(), action.value


@callback(
    Output(ids.run_param(ALL), "invalid"),
    Output(ids.run_param_feedback(ALL), "children"),
    Output(ids.run_param(ALL), "value"),
    Output(ids.RUN_PARAMS_MESSAGE, "children"),
    Output(ids.RUN_CHANGED, "data", allow_duplicate=True),
    Input(ids.RUN_PARAMS_APPLY, "n_clicks"),
    Input(ids.run_param(ALL), "n_submit"),
    State(ids.run_param(ALL), "value"),
    State(ids.RUN_PARAMS_APPLY, "disabled"),
    State(ids.RUN_ID, "data"),
    prevent_initial_call=True,
)
def apply_params(
    _: int | None, __: list[int | None], values: list[Any], locked: bool, run_id: int
) -> tuple[Any, ...]:
    """Validate the typed values and queue them as parameter changes (Apply, or Enter in a
    field; nothing while Apply is disabled).

    Returns:
        Per-field invalid flags and messages (the offending field only), the field values
        (cleared once queued), a summary message and a change stamp.
    """
    if locked:
        raise PreventUpdate
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


def _stop_question(run_id: int, name: str) -> str:
    """Return the question the Stop button asks before it stops the run."""
    return (
        f"Stop run #{run_id} {name}? It saves a checkpoint and ends;"
        " Resume continues it from there later."
    )


def _stamp() -> str:
    """Return a fresh value for the change stamp (the current time)."""
    return datetime.now(UTC).isoformat()
