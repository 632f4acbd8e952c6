"""The runs page's title row (run count, New run and Compare buttons) and its empty state."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from app import ids
from app.rules import format_number
from app.views.new_run import DEMO_EPISODES, DEMO_PACE, DEMO_RUN
from app.views.runs_table import compare_limits
from gridworld.pace import pace_text


def runs_header(count: str) -> html.Div:
    """Return the title, the ``count`` line under it and the page's actions.

    The Compare button links to the selected runs' comparison (``assets/runs-page.js``, with
    the limits from the ``RUNS_COMPARE_LIMITS`` store).
    """
    limits = compare_limits()
    actions = html.Div(
        [
            dbc.Button("+ New run", id=ids.NEW_TOGGLE, color="primary", className="me-2"),
            dbc.Button(
                "Compare",
                id=ids.RUNS_COMPARE,
                href="/compare",
                color="secondary",
                outline=True,
                disabled=True,
            ),
            html.Span(
                limits["too_few"], id=ids.RUNS_COMPARE_HINT, className="text-muted small ms-2"
            ),
            dcc.Store(id=ids.RUNS_COMPARE_LIMITS, data=limits),
        ],
        className="d-flex align-items-center",
    )
    title = html.Div(
        [
            html.H2("Runs", id=ids.PAGE_TITLE, className="mb-0"),
            html.Small(count, id=ids.RUNS_COUNT, className="text-muted"),
        ]
    )
    return html.Div(
        [title, actions],
        className="d-flex justify-content-between align-items-end flex-wrap gap-2 mb-3",
    )


def empty_state(style: dict[str, str]) -> html.Div:
    """Return the card shown when the store has no run: a demo button and the form's toggle
    (``style`` shows or hides it)."""
    demo = (
        f"GridWorld, {DEMO_RUN['preset']} map, {format_number(DEMO_EPISODES)} episodes at"
        f" {pace_text(DEMO_PACE)}: about {DEMO_EPISODES / DEMO_PACE:.0f} s to watch it learn"
    )
    card = dbc.Card(
        dbc.CardBody(
            [
                html.H4("No runs yet", className="card-title"),
                html.P(
                    "Train a tabular Q-learning agent on a grid world and watch it learn. "
                    f"Start a demo run with one click ({demo}), or configure your own.",
                    className="card-text",
                ),
                dbc.Button(
                    "▶ Start a demo run", id=ids.RUNS_DEMO, color="success", className="me-2"
                ),
                dbc.Button("Configure a run", id=ids.RUNS_EMPTY_NEW, color="primary", outline=True),
            ]
        ),
        className="text-center my-4 mx-auto",
        style={"maxWidth": "40rem"},
    )
    return html.Div(card, id=ids.RUNS_EMPTY, style=style)
