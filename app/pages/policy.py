"""The policy view of one run: what the agent learned, replayed checkpoint by checkpoint.

The page polls the run's revision every second (``components.revision_poll``) and re-reads
the checkpoint list when it moved, so checkpoints saved (or named) anywhere appear within a
second. Named checkpoints are marked by name on the scrubber, and a dropdown of them jumps
the scrubber to one.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids
from app.components import replay_card, visit_maps
from app.components.revision_poll import RevisionPoll
from app.context import get_store
from app.figures.policy import changed_states, optimality_figure
from app.figures.policy_map import policy_figure
from app.figures.theme import themed
from app.page_parts import missing_run, run_and_revision, stored_run_id
from app.rules import format_number
from runstore import CheckpointInfo, RunNotFound

dash.register_page(
    __name__, path_template="/runs/<run_id>/policy", order=2, title="gridlab · policy"
)

PLAY_MS = 700
"""Milliseconds per checkpoint while playing."""
MAX_MARKS = 8
POLL = RevisionPoll(tick=ids.POLICY_REFRESH, revision=ids.POLICY_REVISION, run=ids.POLICY_RUN)
"""The page's poll of the run's revision."""
POLL.register()


NAMED_MARK = {"fontWeight": "bold"}
"""The style of a named checkpoint's mark on the scrubber."""
Names = list[list[Any]]
"""A run's named checkpoints as the page keeps them: ``[episode, name]`` pairs, oldest first."""


def _names(infos: list[CheckpointInfo]) -> Names:
    """Return the named checkpoints among ``infos`` as ``[episode, name]`` pairs."""
    return [[info.episode, info.name] for info in infos if info.name is not None]


def _marks(episodes: list[int], names: Names) -> dict[int, Any]:
    """Return the slider labels (index → label): at most ``MAX_MARKS`` evenly spread
    episodes, and every named checkpoint by its name."""
    if not episodes:
        return {}
    step = max(1, -(-len(episodes) // MAX_MARKS))
    indexes = sorted({*range(0, len(episodes), step), len(episodes) - 1})
    marks: dict[int, Any] = {i: format_number(episodes[i]) for i in indexes}
    where = {episode: i for i, episode in enumerate(episodes)}
    for episode, name in names:
        if episode in where:
            marks[where[episode]] = {"label": name, "style": NAMED_MARK}
    return marks


def _named_options(names: Names) -> list[dict[str, Any]]:
    """Return the named-checkpoint dropdown's options (value: the episode), newest first."""
    return [
        {"label": f"{name} · episode {format_number(episode)}", "value": episode}
        for episode, name in reversed(names)
    ]


def _whole(value: object) -> int:
    """Return a slider position as sent (0 for anything but a whole number)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _scrubber(episodes: list[int], names: Names) -> dbc.Row:
    """Return the play button, the checkpoint slider (at the last of ``episodes``), the
    named checkpoints' dropdown and "Fork from here"."""
    last = max(0, len(episodes) - 1)
    slider = dcc.Slider(
        id=ids.POLICY_SLIDER,
        min=0,
        max=last,
        step=1,
        value=last,
        marks=_marks(episodes, names),
        included=False,
        allow_direct_input=False,
        updatemode="drag",
    )
    play = dbc.Button("▶ Play", id=ids.POLICY_PLAY, color="primary", size="sm")
    fork = dbc.Button(
        "⑂ Fork from here", id=ids.POLICY_FORK, color="secondary", outline=True, size="sm"
    )
    named = dcc.Dropdown(
        id=ids.POLICY_NAMED,
        options=_named_options(names),
        placeholder="named checkpoints…",
        clearable=False,
        searchable=False,
        style={"minWidth": "14rem"},
    )
    npy = html.A("Q-table (.npy)", id=ids.POLICY_NPY, className="small", target="_blank")
    return dbc.Row(
        [
            dbc.Col(play, width="auto"),
            dbc.Col(slider, className="scrubber"),
            dbc.Col(named, width="auto"),
            dbc.Col(fork, width="auto"),
            dbc.Col(npy, width="auto"),
        ],
        align="center",
        className="mb-2",
    )


def layout(run_id: str | None = None, **_: object) -> html.Div:
    """Return the policy view of ``run_id``.

    Args:
        run_id: the run id from the URL; without one (as Dash calls a layout to build the
            validation layout) the view of ``VALIDATION_RUN``, which has no checkpoints.

    Returns:
        The page: checkpoint scrubber with play, the policy map beside the state-visit
        and |TD error| maps, the Replay card and the optimality gap.
    """
    found = run_and_revision(run_id)
    if found is None:
        return missing_run("Policy", run_id, ids.POLICY_MISSING)
    run, revision = found
    infos = [] if run_id is None else get_store().checkpoints(run.id)
    episodes, names = [info.episode for info in infos], _names(infos)
    return html.Div(
        [
            html.H2(f"Policy · {run.name}", id=ids.PAGE_TITLE),
            html.P(
                [f"{run.env_id} · ", dcc.Link("back to the run", href=f"/runs/{run.id}")],
                className="text-muted",
            ),
            dbc.Alert(
                "No checkpoints yet: the policy appears after the first one is saved.",
                id=ids.POLICY_EMPTY,
                color="info",
                is_open=not episodes,
            ),
            dcc.Store(id=ids.POLICY_RUN, data=run.id),
            dcc.Store(id=ids.POLICY_EPISODES, data=episodes),
            dcc.Store(id=ids.POLICY_NAMES, data=names),
            _scrubber(episodes, names),
            html.Div(id=ids.POLICY_LABEL, className="mb-2 fw-semibold"),
            dcc.Interval(id=ids.POLICY_PLAYER, interval=PLAY_MS, disabled=True),
            *POLL.components(revision),
            dbc.Row(
                [
                    dbc.Col(dcc.Graph(id=ids.POLICY_MAP, style={"height": "480px"}), lg=4),
                    visit_maps.column(),
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(replay_card.card(), lg=7),
                    dbc.Col(dcc.Graph(id=ids.POLICY_GAP, style={"height": "360px"}), lg=5),
                ]
            ),
        ]
    )


@callback(
    Output(ids.POLICY_EPISODES, "data"),
    Output(ids.POLICY_NAMES, "data"),
    Output(ids.POLICY_SLIDER, "max"),
    Output(ids.POLICY_SLIDER, "marks"),
    Output(ids.POLICY_EMPTY, "is_open"),
    Output(ids.POLICY_NAMED, "options"),
    Input(ids.POLICY_REVISION, "data"),
    State(ids.POLICY_RUN, "data"),
    State(ids.POLICY_EPISODES, "data"),
    State(ids.POLICY_NAMES, "data"),
    prevent_initial_call=True,
)
def refresh(_: Any, run_id: int, known: object, known_names: object) -> tuple[Any, ...]:
    """Pick up the checkpoints saved, named (or dropped) since the page read them.

    Returns:
        The checkpoint episodes and names, slider bounds and marks, the empty notice and
        the named checkpoints' options; no update when the checkpoints are the ones shown.
    """
    try:
        infos = get_store().checkpoints(stored_run_id(run_id))
    except RunNotFound:
        raise PreventUpdate from None
    episodes, names = [info.episode for info in infos], _names(infos)
    if episodes == known and names == known_names:
        return (no_update,) * 6
    last = max(0, len(episodes) - 1)
    marks = _marks(episodes, names)
    return episodes, names, last, marks, not episodes, _named_options(names)


@callback(
    Output(ids.POLICY_MAP, "figure"),
    Output(ids.POLICY_GAP, "figure"),
    Output(ids.POLICY_LABEL, "children"),
    Input(ids.POLICY_SLIDER, "value"),
    Input(ids.POLICY_EPISODES, "data"),
    Input(ids.THEME, "data"),
    State(ids.POLICY_RUN, "data"),
)
def render(index: int | None, _: list[int], theme: object, run_id: int) -> tuple[Any, Any, str]:
    """Draw the checkpoint at slider position ``index`` against the one before it, in the
    page's theme.

    The checkpoints are the store's (the page's list only says when they changed).

    Returns:
        The policy figure, the optimality-gap figure and a one-line caption.
    """
    store, run_id = get_store(), stored_run_id(run_id)
    try:
        infos = store.checkpoints(run_id)
    except RunNotFound:
        raise PreventUpdate from None
    evaluations = [(info.episode, info.evaluation) for info in infos]
    episodes = [episode for episode, __ in evaluations]
    if not episodes:
        return themed(go.Figure(), theme), themed(optimality_figure(evaluations), theme), ""
    index = min(max(0, _whole(index)), len(episodes) - 1)
    run = store.get_run(run_id)
    checkpoint = store.load_checkpoint(run_id, episodes[index])
    previous = store.load_checkpoint(run_id, episodes[index - 1]).q if index > 0 else None
    figure = policy_figure(checkpoint.q, run.env_id, run.env_config, previous)
    figure.update_layout(uirevision=f"policy-{run_id}")
    changed = int(changed_states(checkpoint.q, previous).sum())
    gap = optimality_figure(evaluations, current=checkpoint.episode)
    caption = (
        f"checkpoint {index + 1} of {len(episodes)} · episode {format_number(checkpoint.episode)}"
    )
    if infos[index].name is not None:
        caption += f" · '{infos[index].name}'"
    if previous is not None:
        caption += f" · greedy action changed in {changed} state{'s' if changed != 1 else ''}"
    evaluation = checkpoint.evaluation
    if evaluation and "gap" in evaluation:
        caption += f" · gap {format_number(float(evaluation['gap']))}"
        caption += f" · optimal share {evaluation.get('optimal_share', float('nan')):.0%}"
    return themed(figure, theme), themed(gap, theme), caption


@callback(
    Output(ids.POLICY_FORK, "href"),
    Output(ids.POLICY_FORK, "disabled"),
    Output(ids.POLICY_NPY, "href"),
    Input(ids.POLICY_SLIDER, "value"),
    Input(ids.POLICY_EPISODES, "data"),
    State(ids.POLICY_RUN, "data"),
)
def fork_link(
    index: int | None, episodes: object, run_id: int
) -> tuple[str | None, bool, str | None]:
    """Point "Fork from here" at the run page's fork card, and the ``.npy`` link at the
    checkpoint's Q-table, for the checkpoint shown.

    Returns:
        The fork link, whether it is disabled, and the ``.npy`` address (None, None and
        disabled without checkpoints or with a crafted checkpoint list).
    """
    if not isinstance(episodes, list) or not episodes:
        return None, True, None
    episode = _whole(episodes[min(max(0, _whole(index)), len(episodes) - 1)])
    run = stored_run_id(run_id)
    npy = f"/api/runs/{run}/checkpoints/{episode}.npy"
    return f"/runs/{run}?fork={episode}#{ids.FORK_CARD}", False, npy


@callback(
    Output(ids.POLICY_SLIDER, "value", allow_duplicate=True),
    Input(ids.POLICY_NAMED, "value"),
    State(ids.POLICY_EPISODES, "data"),
    prevent_initial_call=True,
)
def jump(episode: object, episodes: object) -> int:
    """Move the scrubber to the named checkpoint picked (its episode).

    Returns:
        The slider position of that checkpoint; no update for one the page does not list.
    """
    if not isinstance(episodes, list) or episode not in episodes:
        raise PreventUpdate
    return episodes.index(episode)


@callback(
    Output(ids.POLICY_SLIDER, "value"),
    Output(ids.POLICY_PLAYER, "disabled"),
    Output(ids.POLICY_PLAY, "children"),
    Input(ids.POLICY_PLAY, "n_clicks"),
    Input(ids.POLICY_PLAYER, "n_intervals"),
    State(ids.POLICY_SLIDER, "value"),
    State(ids.POLICY_SLIDER, "max"),
    State(ids.POLICY_PLAYER, "disabled"),
    prevent_initial_call=True,
)
def play(_: int | None, __: int | None, index: int, last: int, paused: bool) -> tuple[Any, ...]:
    """Start, pause or advance the replay; playing from the end starts over.

    Returns:
        The slider position, whether the player interval is off, and the button label.
    """
    index, last = _whole(index), _whole(last)
    if ctx.triggered_id == ids.POLICY_PLAY:
        if not paused:
            return no_update, True, "▶ Play"
        return (0 if index >= last else no_update), False, "⏸ Pause"
    if index >= last:
        return no_update, True, "▶ Play"
    nxt = index + 1
    return nxt, nxt >= last, ("▶ Play" if nxt >= last else "⏸ Pause")
