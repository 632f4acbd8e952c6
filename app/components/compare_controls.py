"""The compare page's controls: runs, metric, x axis, smoothing, bands and the threshold."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc

from app import ids
from app.components.controls import smoothing_slider, x_axis_choice
from app.rules import MAX_COMPARE_RUNS
from app.views.compare import CompareSettings
from runstore import METRICS


def compare_controls(settings: CompareSettings, options: list[dict[str, Any]]) -> dbc.Row:
    """Return the controls set to ``settings``.

    Args:
        settings: what the link asks for.
        options: the run picker's options (``views.compare.run_options``); runs of the link
            that are not stored are left out of the picker.
    """
    known = {option["value"] for option in options}
    return dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Runs", html_for=ids.COMPARE_RUNS),
                    dcc.Dropdown(
                        id=ids.COMPARE_RUNS,
                        options=options,
                        value=[run_id for run_id in settings.runs if run_id in known],
                        multi=True,
                        placeholder=f"pick up to {MAX_COMPARE_RUNS} runs",
                    ),
                    dbc.Switch(
                        id=ids.COMPARE_SHOW_ARCHIVED,
                        label="show archived runs",
                        value=False,
                        className="small mt-1",
                    ),
                ],
                lg=5,
            ),
            dbc.Col(
                [
                    dbc.Label("Metric", html_for=ids.COMPARE_METRIC),
                    dcc.Dropdown(
                        id=ids.COMPARE_METRIC,
                        options=list(METRICS),
                        value=settings.metric,
                        clearable=False,
                    ),
                ],
                lg=2,
            ),
            dbc.Col(
                [dbc.Label("x axis"), x_axis_choice(ids.COMPARE_X, settings.x_mode)],
                lg=3,
            ),
            dbc.Col(
                [
                    dbc.Label("Smoothing"),
                    smoothing_slider(ids.COMPARE_SMOOTH, settings.smooth),
                    dbc.Switch(id=ids.COMPARE_BANDS, label="min–max bands", value=settings.bands),
                ],
                lg=2,
            ),
        ],
        className="g-3 mb-3",
    )


def threshold_input(threshold: float) -> dbc.InputGroup:
    """Return the return-threshold field of the summary table, set to ``threshold``."""
    return dbc.InputGroup(
        [
            dbc.InputGroupText("Return threshold"),
            dbc.Input(id=ids.COMPARE_THRESHOLD, type="number", value=threshold, debounce=True),
        ],
        size="sm",
        className="mb-2",
        style={"maxWidth": "20rem"},
    )
