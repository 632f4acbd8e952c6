"""The policy page's Replay card: one episode of the agent on the grid, step by step.

The picker offers the newest recorded episode (the default, which follows the run while it
trains), the greedy rollout of the checkpoint the page's scrubber shows, and every recorded
episode. The server reads the episode once and sends its frames (``views.replay``); the
browser draws each frame (``assets/replay.js``), so playing, stepping and dragging the step
slider cost no store read. The list of episodes follows the page's revision poll. Envs
without a grid (Taxi) get a step table instead of the map.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import numpy as np
from dash import ClientsideFunction, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids
from app.context import get_store
from app.figures.policy_map import kind_names, map_rows
from app.figures.replay import TRACES, replay_map
from app.figures.theme import themed
from app.page_parts import stored_run_id
from app.views.replay import (
    GREEDY,
    NEWEST,
    advance,
    choice_options,
    newest_episode,
    parse_choice,
    replay_script,
)
from app.views.replay_reads import NothingToReplay, greedy_replay, recorded_replay
from app.views.trajectories import StepView, step_columns, step_table
from gridworld.errors import ValidationError
from runstore import Run, RunNotFound, TrajectoryRecord

PLAY_MS = 400
"""Milliseconds per step while playing."""
TRIGGERS = {
    ids.REPLAY_PLAY: "play",
    ids.REPLAY_PREVIOUS: "previous",
    ids.REPLAY_NEXT: "next",
    ids.REPLAY_PLAYER: "tick",
}
"""What each of the stepper's inputs asks (``views.replay.advance``); others: a new script."""


def card() -> dbc.Card:
    """Return the Replay card (filled by its callbacks).

    Returns:
        The card: the episode picker and its note, the step buttons and slider, the map (or
        the step table) and the frame's caption.
    """
    buttons = [
        dbc.Button("◀ Step", id=ids.REPLAY_PREVIOUS, color="secondary", outline=True, size="sm"),
        dbc.Button("▶ Play", id=ids.REPLAY_PLAY, color="primary", size="sm"),
        dbc.Button("Step ▶", id=ids.REPLAY_NEXT, color="secondary", outline=True, size="sm"),
    ]
    slider = dcc.Slider(
        id=ids.REPLAY_STEP, min=0, max=0, step=1, value=0, marks=None, updatemode="drag"
    )
    return dbc.Card(
        [
            dbc.CardHeader("Replay"),
            dbc.CardBody(
                [
                    dcc.Dropdown(
                        id=ids.REPLAY_CHOICE,
                        options=choice_options([]),
                        value=NEWEST,
                        clearable=False,
                    ),
                    html.Div(id=ids.REPLAY_NOTE, className="text-muted small my-1"),
                    dbc.Row(
                        [
                            dbc.Col(dbc.ButtonGroup(buttons), width="auto"),
                            dbc.Col(slider, className="scrubber"),
                        ],
                        align="center",
                    ),
                    html.Div(id=ids.REPLAY_CAPTION, className="fw-semibold my-1"),
                    dcc.Graph(id=ids.REPLAY_MAP, style={"height": "460px"}),
                    html.Div(id=ids.REPLAY_TABLE),
                    dcc.Interval(id=ids.REPLAY_PLAYER, interval=PLAY_MS, disabled=True),
                    dcc.Store(id=ids.REPLAY_NEWEST, data=None),
                    dcc.Store(id=ids.REPLAY_SCRIPT, data=None),
                ]
            ),
        ],
        id=ids.REPLAY_CARD,
        className="mb-3",
    )


def list_episodes(_: Any, run_id: object, known: object, choice: object) -> tuple[Any, Any]:
    """Read the run's recorded episodes into the picker (at load and when the run moved).

    Returns:
        The options (with the one picked even when the store no longer keeps it) and the
        newest episode; no update for what did not change.
    """
    try:
        infos = get_store().trajectories(stored_run_id(run_id))
    except RunNotFound:
        raise PreventUpdate from None
    options = choice_options(infos)
    try:
        picked = parse_choice(choice)
    except ValidationError:
        picked = NEWEST
    if isinstance(picked, int) and picked not in {info.episode for info in infos}:
        options.append({"label": f"episode {picked} · no longer stored", "value": picked})
    return (no_update if options == known else options), newest_episode(infos)


def load(
    choice: object, _newest: object, index: object, _: object, theme: object, run_id: object
) -> tuple[Any, ...]:
    """Read the episode picked (the newest, a recorded one, or the greedy rollout of the
    checkpoint shown) and send its frames.

    The newest episode is the store's (the page's copy only says when it moved).

    Returns:
        The script, the note, the step slider's end, the map's style and the step table;
        no update when what changed does not concern the choice.
    """
    trigger = ctx.triggered_id
    if trigger == ids.REPLAY_NEWEST and choice != NEWEST:
        raise PreventUpdate
    if trigger in (ids.POLICY_SLIDER, ids.POLICY_EPISODES) and choice != GREEDY:
        raise PreventUpdate
    store = get_store()
    try:
        run = store.get_run(stored_run_id(run_id))
        picked = parse_choice(choice)
        if picked == GREEDY:
            replay = greedy_replay(store, run, index)
        else:
            episode = newest_episode(store.trajectories(run.id)) if picked == NEWEST else picked
            if not isinstance(episode, int):
                raise NothingToReplay("no recorded episode yet: the newest appears here")
            replay = recorded_replay(store, run.id, episode)
    except RunNotFound:
        raise PreventUpdate from None
    except (ValidationError, NothingToReplay) as exc:
        return None, str(exc), 0, {"display": "none"}, None
    return _frames(run, replay.record, replay.note, theme)


def _frames(run: Run, record: TrajectoryRecord, note: str, theme: object) -> tuple:
    """Return the card's outputs for one episode of ``run``: its frames on the run's map,
    or with a step table when the env has no grid."""
    view = StepView.of(run)
    script = replay_script(record.columns, view.actions, view.width)
    last = len(script.captions) - 1
    rows = map_rows(run.env_id, run.env_config, int(run.env_config.get("n_states") or 0))
    if rows is None:
        return script.to_data(None, TRACES), note, last, {"display": "none"}, _table(view, record)
    figure = replay_map(rows, kind_names(run.env_id))
    figure.update_layout(uirevision=f"replay-{run.id}")
    drawn = themed(figure.to_dict(), theme)
    return script.to_data(drawn, TRACES), note, last, {"height": "460px"}, None


def _table(view: StepView, record: TrajectoryRecord) -> html.Div:
    """Return the episode's steps as a table (the run page's trajectory columns)."""
    columns = step_columns(view, int(np.shape(record.columns["q"])[1]))
    rows = step_table(view, record)
    table = dbc.Table(
        [
            html.Thead(html.Tr([html.Th(column["headerName"]) for column in columns])),
            html.Tbody(
                [html.Tr([html.Td(row[column["field"]]) for column in columns]) for row in rows]
            ),
        ],
        size="sm",
        striped=True,
        className="mb-0",
    )
    return html.Div(table, style={"maxHeight": "360px", "overflowY": "auto"})


def step(
    _play: object,
    _previous: object,
    _next: object,
    _tick: object,
    _script: object,
    shown: object,
    last: object,
    paused: object,
) -> tuple[int, bool, str]:
    """Move the replay on a button, a player tick or a new episode (its start, paused).

    Returns:
        The step shown, whether the player is off, and the play button's label.
    """
    frame, stopped = advance(TRIGGERS.get(str(ctx.triggered_id), "script"), shown, last, paused)
    return frame, stopped, "▶ Play" if stopped else "⏸ Pause"


def init_app(app: dash.Dash) -> None:
    """Register the card's callbacks on ``app`` itself (see ``fork_card.init_app``)."""
    app.callback(
        Output(ids.REPLAY_CHOICE, "options"),
        Output(ids.REPLAY_NEWEST, "data"),
        Input(ids.POLICY_REVISION, "data"),
        State(ids.POLICY_RUN, "data"),
        State(ids.REPLAY_CHOICE, "options"),
        State(ids.REPLAY_CHOICE, "value"),
    )(list_episodes)
    app.callback(
        Output(ids.REPLAY_SCRIPT, "data"),
        Output(ids.REPLAY_NOTE, "children"),
        Output(ids.REPLAY_STEP, "max"),
        Output(ids.REPLAY_MAP, "style"),
        Output(ids.REPLAY_TABLE, "children"),
        Input(ids.REPLAY_CHOICE, "value"),
        Input(ids.REPLAY_NEWEST, "data"),
        Input(ids.POLICY_SLIDER, "value"),
        Input(ids.POLICY_EPISODES, "data"),
        Input(ids.THEME, "data"),
        State(ids.POLICY_RUN, "data"),
    )(load)
    app.callback(
        Output(ids.REPLAY_STEP, "value"),
        Output(ids.REPLAY_PLAYER, "disabled"),
        Output(ids.REPLAY_PLAY, "children"),
        Input(ids.REPLAY_PLAY, "n_clicks"),
        Input(ids.REPLAY_PREVIOUS, "n_clicks"),
        Input(ids.REPLAY_NEXT, "n_clicks"),
        Input(ids.REPLAY_PLAYER, "n_intervals"),
        Input(ids.REPLAY_SCRIPT, "data"),
        State(ids.REPLAY_STEP, "value"),
        State(ids.REPLAY_STEP, "max"),
        State(ids.REPLAY_PLAYER, "disabled"),
        prevent_initial_call=True,
    )(step)
    app.clientside_callback(
        ClientsideFunction("replay", "frame"),
        Output(ids.REPLAY_MAP, "figure"),
        Output(ids.REPLAY_CAPTION, "children"),
        Input(ids.REPLAY_STEP, "value"),
        Input(ids.REPLAY_SCRIPT, "data"),
    )
