"""The policy page's state-visitation and mean |TD error| maps, beside its max-Q map.

Both cover the run's newest recorded episodes (``views.visits``; the caption says which)
and follow the page's revision poll: they are drawn again only when the recorded episodes
they cover changed (or the theme did).
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids
from app.context import get_store
from app.figures.heatmaps import MEAN_ABS_TD, VISITS, state_figure
from app.figures.theme import themed
from app.page_parts import stored_run_id
from app.views.visits import RECENT, covered, read_visits, recent_episodes
from runstore import RunNotFound

HEIGHT = "460px"
"""The maps' height (the max-Q map's beside them)."""


def column() -> dbc.Col:
    """Return the two maps side by side under their caption, as a column of the page's row.

    Returns:
        A ``dbc.Col`` (two thirds of a wide row).
    """
    return dbc.Col(
        [
            html.Div(
                f"State visits and mean |TD error| over the newest {RECENT} recorded episodes",
                className="fw-semibold",
            ),
            html.Div(id=ids.VISITS_CAPTION, className="text-muted small"),
            dcc.Store(id=ids.VISITS_SHOWN, data=None),
            dbc.Row(
                [
                    dbc.Col(dcc.Graph(id=ids.VISITS_MAP, style={"height": HEIGHT}), md=6),
                    dbc.Col(dcc.Graph(id=ids.VISITS_TD, style={"height": HEIGHT}), md=6),
                ]
            ),
        ],
        lg=8,
    )


def draw(_: Any, theme: object, run_id: object, shown: object) -> tuple[Any, ...]:
    """Draw the maps of the run's newest recorded episodes, in the page's theme.

    Returns:
        The visits figure, the mean |TD error| figure, the caption and the episodes drawn;
        no update when the revision moved but the episodes are the ones drawn.
    """
    store, run_id = get_store(), stored_run_id(run_id)
    try:
        run = store.get_run(run_id)
        episodes = recent_episodes(store.trajectories(run_id))
        if ctx.triggered_id == ids.POLICY_REVISION and episodes == shown:
            return no_update, no_update, no_update, no_update
        visits = read_visits(store, run_id, int(run.env_config.get("n_states") or 0), episodes)
    except RunNotFound:
        raise PreventUpdate from None
    figures = [
        themed(state_figure(values, run.env_id, run.env_config, measure), theme)
        for values, measure in ((visits.shown_visits, VISITS), (visits.mean_abs_td, MEAN_ABS_TD))
    ]
    return *figures, covered(visits.episodes), list(visits.episodes)


def init_app(app: dash.Dash) -> None:
    """Register the maps' callback on ``app`` itself (see ``fork_card.init_app``)."""
    app.callback(
        Output(ids.VISITS_MAP, "figure"),
        Output(ids.VISITS_TD, "figure"),
        Output(ids.VISITS_CAPTION, "children"),
        Output(ids.VISITS_SHOWN, "data"),
        Input(ids.POLICY_REVISION, "data"),
        Input(ids.THEME, "data"),
        State(ids.POLICY_RUN, "data"),
        State(ids.VISITS_SHOWN, "data"),
    )(draw)
