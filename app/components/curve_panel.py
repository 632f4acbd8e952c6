"""The run page's learning curves: their controls and one graph per curve."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from app import ids
from app.components.controls import smoothing_slider, x_axis_choice
from app.views.curves import CURVES
from app.views.run_view import RunView

CURVE_HEIGHT = 280
"""Height of each graph in pixels, set before its figure arrives (so nothing jumps)."""


def curve_controls(view: RunView) -> dbc.Row:
    """Return the smoothing slider, the x-axis choice and the scale and band switches, set
    to ``view`` (what the page's URL asks for)."""
    return dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Smoothing (EMA)", html_for=ids.RUN_SMOOTH, className="small mb-0"),
                    smoothing_slider(ids.RUN_SMOOTH, view.smooth),
                ],
                md=4,
            ),
            dbc.Col(
                [
                    dbc.Label("x axis", className="small mb-0"),
                    x_axis_choice(ids.RUN_X, view.x_mode),
                ],
                md=5,
            ),
            dbc.Col(
                [
                    dbc.Switch(id=ids.RUN_LOGY, label="log y", value=view.log_y),
                    dbc.Switch(id=ids.RUN_BANDS, label="min–max bands", value=view.bands),
                ],
                md=3,
            ),
        ],
        className="g-2 mb-1",
    )


def curve_graphs() -> html.Div:
    """Return one graph per learning curve (``CURVES``), with a hint on zooming."""
    graphs = [
        dbc.Col(
            dcc.Graph(
                id=ids.run_curve(key),
                config={"displaylogo": False},
                style={"height": f"{CURVE_HEIGHT}px"},
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
