"""The run page's fork card: fork the run at one of its checkpoints, with changed settings.

The checkpoint list (named checkpoints first, by name; then every checkpoint by episode)
follows the run's revision (checkpoints saved or named anywhere appear); the
request goes through ``app.fork.fork_run``, so the card says what the CLI and the API say
for the same bad value, and links to the queued fork.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from app import ids
from app.context import get_store
from app.fork import fork_run
from app.rules import MAX_ID, Conflict, format_number, parse_id
from app.views.params import typed_values
from gridworld.agents import ALGORITHM_LABELS
from gridworld.errors import ValidationError
from gridworld.hyperparams import HYPERPARAM_NAMES
from gridworld.numbers import parse_int
from runstore import CheckpointInfo, CheckpointNotFound, RunNotFound

SAME_ALGORITHM = ""
"""The algorithm choice that keeps the parent's."""


def checkpoint_options(infos: list[CheckpointInfo]) -> list[dict[str, Any]]:
    """Return the checkpoint dropdown's options: the named checkpoints by name (their
    value the name), then every checkpoint by episode (its value the episode), newest
    first."""
    newest = list(reversed(infos))
    named = [
        {"label": f"{info.name} · episode {format_number(info.episode)}", "value": info.name}
        for info in newest
        if info.name is not None
    ]
    return named + [
        {"label": f"episode {format_number(info.episode)}", "value": info.episode}
        for info in newest
    ]


def requested_checkpoint(value: object) -> int | None:
    """Return the checkpoint a ``?fork=N`` link asks for, None for none or a malformed one."""
    try:
        return parse_int("fork", value, 1, MAX_ID) if value is not None else None
    except ValidationError:
        return None


def fork_card(infos: list[CheckpointInfo], at: int | None) -> dbc.Card:
    """Return the fork card.

    Args:
        infos: the run's checkpoints.
        at: the checkpoint episode to preselect (a ``?fork=N`` link), else the latest.
    """
    episodes = [info.episode for info in infos]
    chosen = at if at in episodes else (episodes[-1] if episodes else None)
    algorithms = [{"label": "same as the run", "value": SAME_ALGORITHM}] + [
        {"label": label, "value": name} for name, label in ALGORITHM_LABELS.items()
    ]
    fields = [
        dbc.Row(
            [
                dbc.Label(name, html_for=ids.fork_param(name), width=5),
                dbc.Col(
                    dbc.Input(id=ids.fork_param(name), type="text", size="sm", placeholder="same"),
                    width=7,
                ),
            ],
            className="mb-1",
        )
        for name in HYPERPARAM_NAMES
    ]
    return dbc.Card(
        [
            dbc.CardHeader("Fork"),
            dbc.CardBody(
                [
                    html.P(
                        "A new run from a checkpoint: its curves continue this run's; blank"
                        " fields keep the checkpoint's settings.",
                        className="text-muted small",
                    ),
                    dbc.Label("checkpoint", html_for=ids.FORK_AT),
                    dcc.Dropdown(
                        id=ids.FORK_AT,
                        options=checkpoint_options(infos),
                        value=chosen,
                        clearable=False,
                        className="mb-2",
                    ),
                    dbc.Label("algorithm", html_for=ids.FORK_ALGORITHM),
                    dcc.Dropdown(
                        id=ids.FORK_ALGORITHM,
                        options=algorithms,
                        value=SAME_ALGORITHM,
                        clearable=False,
                        className="mb-2",
                    ),
                    *fields,
                    dbc.Row(
                        [
                            dbc.Label("episodes", html_for=ids.FORK_EPISODES, width=5),
                            dbc.Col(
                                dbc.Input(id=ids.FORK_EPISODES, size="sm", placeholder="the run's"),
                                width=7,
                            ),
                        ],
                        className="mb-1",
                    ),
                    dbc.Button("Fork", id=ids.FORK_SUBMIT, size="sm", className="mt-1"),
                    html.Div(id=ids.FORK_MESSAGE, className="small mt-2"),
                ]
            ),
        ],
        id=ids.FORK_CARD,
        className="mt-3",
    )


def refresh_checkpoints(_: Any, run_id: int) -> list[dict[str, Any]]:
    """Return the checkpoint options as the store has them now."""
    try:
        infos = get_store().checkpoints(parse_id("run_id", run_id))
    except (RunNotFound, ValidationError):
        raise PreventUpdate from None
    return checkpoint_options(infos)


def submit(
    _: int | None, at: Any, algorithm: Any, values: list[Any], episodes: Any, run_id: int
) -> Any:
    """Queue the fork; return a link to it, or the reason it was refused."""
    body: dict[str, Any] = {"at": at, "hyperparams": typed_values(values)}
    if algorithm:
        body["algorithm"] = algorithm
    if episodes not in (None, ""):
        body["episodes"] = str(episodes).strip()
    try:
        child = fork_run(get_store(), parse_id("run_id", run_id), body)
    except (ValidationError, CheckpointNotFound, RunNotFound, Conflict) as exc:
        return dbc.Alert(str(exc).strip("'\""), color="warning", className="mb-0 p-2")
    return html.Span(
        ["Forked: ", dcc.Link(f"run {child}", href=f"/runs/{child}", id=ids.FORK_LINK)]
    )


def init_app(app: dash.Dash) -> None:
    """Register the card's callbacks on ``app`` itself: this module is imported once per
    process, while Dash runs the pages' modules again for every app (a module-level
    ``dash.callback`` here would go to the first app served and to no app after it)."""
    app.callback(
        Output(ids.FORK_AT, "options"),
        Input(ids.RUN_REVISION, "data"),
        State(ids.RUN_ID, "data"),
        prevent_initial_call=True,
    )(refresh_checkpoints)
    app.callback(
        Output(ids.FORK_MESSAGE, "children"),
        Input(ids.FORK_SUBMIT, "n_clicks"),
        State(ids.FORK_AT, "value"),
        State(ids.FORK_ALGORITHM, "value"),
        State(ids.fork_param(ALL), "value"),
        State(ids.FORK_EPISODES, "value"),
        State(ids.RUN_ID, "data"),
        prevent_initial_call=True,
    )(submit)
