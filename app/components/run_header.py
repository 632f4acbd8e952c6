"""The run page's header: name, status, controls, links and progress, and its banners."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from app import ids
from app.components.pace_control import pace_control
from app.rules import Action
from app.views.run_status import RunStatus
from gridworld.agents import algorithm_label
from runstore import Run

CONTROLS = {ids.RUN_PAUSE: Action.PAUSE, ids.RUN_RESUME: Action.RESUME, ids.RUN_STOP: Action.STOP}
"""The header's buttons and the action each asks for, in button order."""
REQUESTED = {
    Action.PAUSE: "Pause requested: the worker checkpoints and stops after this episode.",
    Action.RESUME: "Resumed from the latest checkpoint.",
    Action.STOP: "Stop requested: the run checkpoints and ends.",
}
"""What the page says once a button's action was asked for."""
MESSAGE_MS = 6000
"""How long an action's message shows (a pause or stop's stays until the run gets there)."""


def _controls() -> dbc.ButtonGroup:
    """Return the pause, resume and stop buttons (enabled by the refresh callback)."""
    return dbc.ButtonGroup(
        [
            dbc.Button("Pause", id=ids.RUN_PAUSE, color="warning", outline=True, size="sm"),
            dbc.Button("Resume", id=ids.RUN_RESUME, color="success", outline=True, size="sm"),
            dbc.Button("Stop", id=ids.RUN_STOP, color="danger", outline=True, size="sm"),
        ],
        className="me-3",
    )


def _links(run_id: int) -> html.Span:
    """Return the links to the run's policy and episode log pages and its exports."""
    return html.Span(
        [
            dcc.Link("Policy", href=f"/runs/{run_id}/policy", id=ids.RUN_POLICY_LINK),
            " · ",
            dcc.Link("Episode log", href=f"/runs/{run_id}/episodes", id=ids.RUN_EPISODES_LINK),
            " · ",
            html.A("Download CSV", href=f"/api/runs/{run_id}/export.csv", id=ids.RUN_CSV),
            " · ",
            html.A("Download JSON", href=f"/api/runs/{run_id}/export.json", id=ids.RUN_JSON),
        ],
        className="small",
    )


def run_header(run: Run) -> html.Div:
    """Return the title row (name, status, reconnecting badge, controls, links), the env,
    algorithm, episodes and pace (episodes per second, ETA) line and the progress bar; the
    refresh callback fills in the live parts."""
    reconnecting = dbc.Badge(
        "reconnecting…",
        id=ids.RUN_RECONNECTING,
        color="danger",
        className="me-3",
        style={"display": "none"},
    )
    return html.Div(
        [
            html.Div(
                [
                    html.H2(
                        [f"#{run.id} ", html.Span(run.name, id=ids.RUN_TITLE_NAME)],
                        id=ids.PAGE_TITLE,
                        className="me-3 mb-0",
                    ),
                    html.Span(id=ids.RUN_STATUS, className="me-3"),
                    reconnecting,
                    _controls(),
                    pace_control(run),
                    _links(run.id),
                ],
                className="d-flex flex-wrap align-items-center gap-1",
            ),
            html.Div(
                [
                    html.Span(run.env_id, className="text-muted small me-3", id=ids.RUN_ENV),
                    html.Span(algorithm_label(run.spec), className="text-muted small me-3"),
                    html.Span(id=ids.RUN_EPISODES, className="small me-3"),
                    html.Span(id=ids.RUN_PACE, className="small text-muted me-3"),
                ],
                className="mt-1",
            ),
            dbc.Progress(
                id=ids.RUN_PROGRESS, value=0, className="my-2", style={"height": "1.1rem"}
            ),
        ]
    )


def banners() -> list[Any]:
    """Return the error banner, the warnings and the action message, empty until filled."""
    return [
        dbc.Alert(id=ids.RUN_ERROR, color="danger", is_open=False),
        html.Div(id=ids.RUN_WARNINGS),
        dbc.Alert(id=ids.RUN_ACTION_MESSAGE, is_open=False, duration=MESSAGE_MS),
    ]


def status_badges(status: RunStatus) -> list[dbc.Badge]:
    """Return the status badge, and a badge for a requested status not reached yet."""
    badges = [dbc.Badge(status.status, color=status.color)]
    if status.requested:
        badges.append(dbc.Badge(f"{status.requested} requested", color="light", text_color="dark"))
    return badges


def error_banner(status: RunStatus) -> list[Any] | None:
    """Return the error banner's content for a failed run (None for any other run)."""
    if status.error is None:
        return None
    return [html.Strong(f"Run {status.status}: "), status.error]


def warning_alerts(status: RunStatus) -> list[dbc.Alert]:
    """Return one small alert per warning the run recorded."""
    return [
        dbc.Alert(text, color="warning", className="py-1 mb-1 small run-warning")
        for text in status.warnings
    ]
