"""The live run page, ``/runs/<id>``: status and controls, live parameters, learning curves
(decimated windows with min–max bands, smoothing, zoom at full resolution, change markers)
and diagnostics.

While the run is live a 1 s ``dcc.Interval`` re-reads only windows of at most
``run_view.POINTS`` buckets per curve, so nothing the browser holds grows with the run. When
the server cannot be reached the page says "reconnecting" and keeps its last data.

(The module sorts after ``policy`` and ``episodes`` in Dash's page registry, so
``/runs/<id>/policy`` reaches its own page before this template's wildcard.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import (
    ALL,
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

from app.actions import change_params, pause_run, resume_run, stop_run
from app.context import get_pool, get_store
from app.figures.curves import X_MODES
from app.figures.policy import action_labels
from app.page_parts import STATUS_COLORS, format_figure, missing_run, run_from_path
from app.rules import RESUMABLE, Conflict
from app.run_view import CURVES, curve_figures, zoom_window
from gridworld.errors import ValidationError
from gridworld.hyperparams import HYPERPARAM_NAMES
from runstore import LIVE_STATUSES, Run, RunNotFound

dash.register_page(__name__, path_template="/runs/<run_id>", title="gridlab · run")

REFRESH_MS = 1000
"""Refresh period while the run is live."""
DIAGNOSTIC_WINDOW = 100
"""Episodes the diagnostics average over."""
SMOOTH_DEFAULT = 0.6
CURVE_HEIGHT = 280


def layout(run_id: str | None = None, **_: object) -> html.Div:
    """Return the page of ``run_id``.

    Args:
        run_id: the run id from the URL.

    Returns:
        The page, or a "not found" notice for an unknown or malformed id.
    """
    run = run_from_path(run_id)
    if run is None:
        return missing_run("Run", run_id, "run-missing")
    return html.Div(
        [
            dcc.Store(id="run-id", data=run.id),
            dcc.Store(id="run-zoom", data=None),
            dcc.Store(id="run-changed", data=None),
            dcc.Interval(id="run-refresh", interval=REFRESH_MS, disabled=not run.is_live),
            _header(run),
            dbc.Alert(id="run-error", color="danger", is_open=False),
            html.Div(id="run-warnings"),
            dbc.Alert(id="run-action-message", is_open=False, duration=6000),
            dbc.Row(
                [
                    dbc.Col([_curve_controls(), _curves()], lg=9),
                    dbc.Col([_diagnostics(), _param_editor(run)], lg=3),
                ],
                className="g-3",
            ),
        ]
    )


def _header(run: Run) -> html.Div:
    """Return the title row: name, status, progress, controls and links."""
    buttons = dbc.ButtonGroup(
        [
            dbc.Button("Pause", id="run-pause", color="warning", outline=True, size="sm"),
            dbc.Button("Resume", id="run-resume", color="success", outline=True, size="sm"),
            dbc.Button("Stop", id="run-stop", color="danger", outline=True, size="sm"),
        ],
        className="me-3",
    )
    links = html.Span(
        [
            dcc.Link("Policy", href=f"/runs/{run.id}/policy", id="run-policy-link"),
            " · ",
            dcc.Link("Episode log", href=f"/runs/{run.id}/episodes", id="run-episodes-link"),
            " · ",
            html.A("Download CSV", href=f"/api/runs/{run.id}/export.csv", id="run-csv"),
            " · ",
            html.A("Download JSON", href=f"/api/runs/{run.id}/export.json", id="run-json"),
        ],
        className="small",
    )
    return html.Div(
        [
            html.Div(
                [
                    html.H2(f"#{run.id} {run.name}", id="page-title", className="me-3 mb-0"),
                    html.Span(id="run-status", className="me-3"),
                    dbc.Badge(
                        "reconnecting…",
                        id="run-reconnecting",
                        color="danger",
                        className="me-3",
                        style={"display": "none"},
                    ),
                    buttons,
                    links,
                ],
                className="d-flex flex-wrap align-items-center gap-1",
            ),
            html.Div(
                [
                    html.Span(run.env_id, className="text-muted small me-3", id="run-env"),
                    html.Span(id="run-episodes", className="small me-3"),
                ],
                className="mt-1",
            ),
            dbc.Progress(id="run-progress", value=0, className="my-2", style={"height": "1.1rem"}),
        ]
    )


def _curve_controls() -> dbc.Row:
    """Return the smoothing slider, the x-axis choice and the scale and band switches."""
    return dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Smoothing (EMA)", html_for="run-smooth", className="small mb-0"),
                    dcc.Slider(
                        id="run-smooth",
                        min=0,
                        max=0.99,
                        step=0.01,
                        value=SMOOTH_DEFAULT,
                        marks={0: "0", 0.5: "0.5", 0.9: "0.9"},
                        allow_direct_input=False,
                    ),
                ],
                md=4,
            ),
            dbc.Col(
                [
                    dbc.Label("x axis", className="small mb-0"),
                    dbc.RadioItems(
                        id="run-x",
                        options=[{"label": text, "value": key} for key, text in X_MODES.items()],
                        value="episode",
                        inline=True,
                    ),
                ],
                md=5,
            ),
            dbc.Col(
                [
                    dbc.Switch(id="run-logy", label="log y", value=False),
                    dbc.Switch(id="run-bands", label="min–max bands", value=True),
                ],
                md=3,
            ),
        ],
        className="g-2 mb-1",
    )


def _curves() -> html.Div:
    """Return one graph per learning curve, with a hint on zooming."""
    graphs = [
        dbc.Col(
            dcc.Graph(
                id=f"run-curve-{key}",
                config={"displaylogo": False},
                style={"height": f"{CURVE_HEIGHT}px"},  # no jump when the figure arrives
            ),
            md=6,
        )
        for key in CURVES
    ]
    hint = html.P(
        "Drag to zoom: the window is re-read at full resolution on every curve."
        " Double-click to see the whole run.",
        className="text-muted small mb-0",
    )
    return html.Div([dbc.Row(graphs, className="g-2"), hint])


def _diagnostics() -> dbc.Card:
    """Return the diagnostics card (filled by the refresh callback)."""
    return dbc.Card(
        [
            dbc.CardHeader(f"Diagnostics (last {DIAGNOSTIC_WINDOW} episodes)"),
            dbc.CardBody(id="run-diagnostics", className="small"),
        ],
        className="mb-3",
    )


def _param_editor(run: Run) -> dbc.Card:
    """Return the live parameter editor and the history of changes."""
    rows = [
        dbc.Row(
            [
                dbc.Label(name, html_for={"type": "run-param", "name": name}, width=5),
                dbc.Col(
                    [
                        dbc.Input(
                            id={"type": "run-param", "name": name},
                            type="text",
                            inputMode="decimal",
                            size="sm",
                            placeholder=format_figure(run.current_params.get(name)),
                        ),
                        dbc.FormFeedback(
                            id={"type": "run-param-feedback", "name": name}, type="invalid"
                        ),
                    ],
                    width=7,
                ),
            ],
            className="mb-1",
        )
        for name in HYPERPARAM_NAMES
    ]
    return dbc.Card(
        [
            dbc.CardHeader("Hyperparameters"),
            dbc.CardBody(
                [
                    html.P(
                        "Type new values and apply: they take effect at the next episode.",
                        className="text-muted small",
                    ),
                    *rows,
                    dbc.Button("Apply", id="run-params-apply", size="sm", className="mt-1"),
                    html.Div(id="run-params-message", className="small mt-2"),
                    html.H6("Changes", className="mt-3"),
                    html.Div(id="run-changes", className="small"),
                ]
            ),
        ]
    )


# -- refresh -----------------------------------------------------------------------------


@callback(
    Output("run-status", "children"),
    Output("run-episodes", "children"),
    Output("run-progress", "value"),
    Output("run-progress", "label"),
    Output("run-pause", "disabled"),
    Output("run-resume", "disabled"),
    Output("run-stop", "disabled"),
    Output("run-error", "children"),
    Output("run-error", "is_open"),
    Output("run-warnings", "children"),
    Output("run-diagnostics", "children"),
    Output("run-changes", "children"),
    Output({"type": "run-param", "name": ALL}, "placeholder"),
    Output("run-refresh", "disabled"),
    Input("run-refresh", "n_intervals"),
    Input("run-changed", "data"),
    State("run-id", "data"),
)
def refresh_status(_: int | None, __: Any, run_id: int) -> tuple:
    """Re-read the run's status, progress, diagnostics and parameter changes.

    Returns:
        The header, banner, diagnostics and change-history contents, the editor's current
        values, and whether to stop refreshing (the run is no longer live).
    """
    store = get_store()
    try:
        run = store.get_run(run_id)
    except RunNotFound:
        raise PreventUpdate from None
    summary = store.summary(run_id, window=DIAGNOSTIC_WINDOW).to_dict()
    share = 100.0 * run.episodes_done / max(1, run.target_episodes)
    pending = run.requested_status if run.is_live and run.requested_status else None
    badge = [dbc.Badge(run.status, color=STATUS_COLORS.get(run.status, "secondary"))]
    if pending and pending != run.status:
        badge.append(dbc.Badge(f"{pending} requested", color="light", text_color="dark"))
    episodes = f"{run.episodes_done:,} / {run.target_episodes:,} episodes"
    if run.env_steps:
        episodes += f" · {run.env_steps:,} env steps"
    failed = run.status in ("error", "crashed") and bool(run.error)
    warnings = [
        dbc.Alert(text, color="warning", className="py-1 mb-1 small run-warning")
        for text in run.warnings
    ]
    return (
        badge,
        episodes,
        share,
        f"{share:.0f}%" if share >= 8 else "",
        run.status not in LIVE_STATUSES or pending in ("paused", "stopped"),
        not (run.status in RESUMABLE or pending in ("paused", "stopped")),
        run.status not in (*LIVE_STATUSES, "paused"),
        [html.Strong(f"Run {run.status}: "), run.error or ""] if failed else None,
        failed,
        warnings,
        _diagnostic_table(run, summary),
        _change_list(store.param_changes(run_id)[-20:]),
        [format_figure(run.current_params.get(name)) for name in HYPERPARAM_NAMES],
        not run.is_live,
    )


def _diagnostic_table(run: Run, summary: dict[str, Any]) -> Any:
    """Return the diagnostics: current schedule values, Q statistics and recent behaviour."""
    if summary.get("recent_return") is None:
        return html.P("No episodes yet.", className="text-muted mb-0")
    figures = [
        ("ε (epsilon)", summary["epsilon"]),
        ("α (alpha)", summary["alpha"]),
        ("mean Q", summary["mean_q"]),
        ("max Q", summary["max_q"]),
        ("mean |TD error|", summary["mean_abs_td"]),
        ("success rate", f"{100 * summary['recent_success']:.1f}%"),
        ("mean return", summary["recent_return"]),
        ("best mean return", summary["best_return"]),
        ("mean length", summary["recent_length"]),
    ]
    table = html.Table(
        html.Tbody(
            [
                html.Tr(
                    [html.Th(name, className="fw-normal text-muted"), html.Td(format_figure(value))]
                )
                for name, value in figures
            ]
        ),
        className="table table-sm mb-2",
        id="run-diagnostic-table",
    )
    shares = summary.get("action_share") or []
    labels = action_labels(run.env_id, len(shares))
    bars = [
        html.Div(
            [
                html.Span(label, className="d-inline-block", style={"width": "4.5rem"}),
                html.Span(
                    className="d-inline-block bg-info",
                    style={"width": f"{60 * value:.1f}%", "height": "0.7rem"},
                ),
                html.Span(f" {100 * value:.0f}%"),
            ],
            className="action-share",
        )
        for label, value in zip(labels, shares, strict=False)
    ]
    return [table, html.Div("action distribution", className="text-muted"), *bars]


def _change_list(changes: list) -> Any:
    """Return the newest-first list of parameter changes: pending, or the episode applied."""
    if not changes:
        return html.P("None yet.", className="text-muted mb-0")
    items = []
    for change in reversed(changes):
        when = (
            dbc.Badge("pending", color="warning", text_color="dark")
            if change.applied_episode is None
            else f"episode {change.applied_episode:,}"
        )
        items.append(
            html.Li(
                [
                    f"{change.param} {format_figure(change.old_value)}"
                    f" → {format_figure(change.new_value)} · ",
                    when,
                    html.Span(f" ({change.source})", className="text-muted"),
                ],
                className="run-change",
            )
        )
    return html.Ul(items, className="list-unstyled mb-0")


@callback(
    *[Output(f"run-curve-{key}", "figure") for key in CURVES],
    Input("run-refresh", "n_intervals"),
    Input("run-x", "value"),
    Input("run-smooth", "value"),
    Input("run-logy", "value"),
    Input("run-bands", "value"),
    Input("run-zoom", "data"),
    Input("run-changed", "data"),
    State("run-id", "data"),
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
) -> tuple:
    """Redraw every curve from decimated windows (the zoomed one when zoomed).

    Returns:
        One figure per ``CURVES`` entry.
    """
    store = get_store()
    x_mode = x_mode if x_mode in X_MODES else "episode"
    try:
        window = None
        if isinstance(zoom, dict) and zoom.get("x_mode") == x_mode:
            window = zoom_window(store, run_id, x_mode, float(zoom["x0"]), float(zoom["x1"]))
        figures = curve_figures(
            store,
            run_id,
            x_mode=x_mode,
            weight=min(0.99, max(0.0, float(weight or 0.0))),
            log_y=bool(log_y),
            bands=bool(bands),
            window=window,
        )
    except RunNotFound:
        raise PreventUpdate from None
    return tuple(figures[key] for key in CURVES)


# A zoom on any curve becomes {x_mode, x0, x1} in the browser, at once: a server callback
# here would be cancelled by the relayout events every redraw fires right after the zoom.
clientside_callback(
    """
    function() {
        const noUpdate = window.dash_clientside.no_update;
        const triggered = window.dash_clientside.callback_context.triggered;
        const event = triggered && triggered.length ? triggered[0].value : null;
        if (!event) { return noUpdate; }
        if (event["xaxis.autorange"]) { return null; }
        let range = event["xaxis.range"];
        if (!range && "xaxis.range[0]" in event && "xaxis.range[1]" in event) {
            range = [event["xaxis.range[0]"], event["xaxis.range[1]"]];
        }
        if (!range) { return noUpdate; }
        const x0 = Number(range[0]), x1 = Number(range[1]);
        if (!isFinite(x0) || !isFinite(x1)) { return noUpdate; }
        const xMode = arguments[arguments.length - 1];
        return {x_mode: xMode, x0: Math.min(x0, x1), x1: Math.max(x0, x1)};
    }
    """,
    Output("run-zoom", "data"),
    *[Input(f"run-curve-{key}", "relayoutData") for key in CURVES],
    State("run-x", "value"),
    prevent_initial_call=True,
)


# -- actions -----------------------------------------------------------------------------


@callback(
    Output("run-action-message", "children"),
    Output("run-action-message", "color"),
    Output("run-action-message", "is_open"),
    Output("run-changed", "data", allow_duplicate=True),
    Input("run-pause", "n_clicks"),
    Input("run-resume", "n_clicks"),
    Input("run-stop", "n_clicks"),
    State("run-id", "data"),
    prevent_initial_call=True,
)
def control(_: int | None, __: int | None, ___: int | None, run_id: int) -> tuple:
    """Pause, resume or stop the run.

    Returns:
        A message saying what was asked (or why it was refused), its colour, and a change
        stamp that makes the status and curves refresh at once.
    """
    store = get_store()
    action = str(ctx.triggered_id).removeprefix("run-")
    try:
        if action == "pause":
            pause_run(store, run_id)
            text = "Pause requested: the worker checkpoints and stops after this episode."
        elif action == "resume":
            resume_run(store, get_pool(), run_id)
            text = "Resumed from the latest checkpoint."
        else:
            stop_run(store, run_id)
            text = "Stop requested: the run checkpoints and ends."
    except (Conflict, RunNotFound) as exc:
        return str(exc).strip("'\""), "warning", True, no_update
    return text, "info", True, _stamp()


@callback(
    Output({"type": "run-param", "name": ALL}, "invalid"),
    Output({"type": "run-param-feedback", "name": ALL}, "children"),
    Output({"type": "run-param", "name": ALL}, "value"),
    Output("run-params-message", "children"),
    Output("run-changed", "data", allow_duplicate=True),
    Input("run-params-apply", "n_clicks"),
    State({"type": "run-param", "name": ALL}, "value"),
    State("run-id", "data"),
    prevent_initial_call=True,
)
def apply_params(_: int | None, values: list[Any], run_id: int) -> tuple:
    """Validate the typed values and queue them as parameter changes.

    Returns:
        Per-field invalid flags and messages (the offending field only), the field values
        (cleared once queued), a summary message and a change stamp.
    """
    names = list(HYPERPARAM_NAMES)
    typed = {
        name: str(value).strip()
        for name, value in zip(names, values, strict=True)
        if value is not None and str(value).strip()
    }
    clear = [False] * len(names)
    blank = [""] * len(names)
    keep = [no_update] * len(names)
    if not typed:
        return clear, blank, keep, "Type a new value first.", no_update
    try:
        queued = change_params(get_store(), run_id, typed, "ui")
    except ValidationError as exc:
        invalid = [name == exc.field for name in names]
        feedback = [str(exc) if name == exc.field else "" for name in names]
        if not any(invalid):
            return clear, blank, keep, str(exc), no_update
        return invalid, feedback, keep, "", no_update
    except (Conflict, RunNotFound) as exc:
        return clear, blank, keep, str(exc).strip("'\""), no_update
    text = ", ".join(f"{c['param']} → {format_figure(c['new_value'])}" for c in queued)
    return clear, blank, [None] * len(names), f"Queued: {text}.", _stamp()


def _stamp() -> str:
    """Return a fresh value for the change stamp (the current time)."""
    return datetime.now(UTC).isoformat()


clientside_callback(
    """
    async function(_, runId) {
        const hidden = {display: "none"};
        const shown = {display: "inline-block"};
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), 3000);
        try {
            const response = await fetch(`/api/runs/${runId}`,
                                         {cache: "no-store", signal: abort.signal});
            return response.ok ? hidden : shown;
        } catch (error) {
            return shown;
        } finally {
            clearTimeout(timer);
        }
    }
    """,
    Output("run-reconnecting", "style"),
    Input("run-refresh", "n_intervals"),
    State("run-id", "data"),
    prevent_initial_call=True,
)
