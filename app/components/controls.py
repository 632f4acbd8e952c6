"""Controls the run page and the compare page share: the smoothing slider, the x-axis choice."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc

from app.figures.curves import X_MODES
from app.views.query import MAX_SMOOTH


def smoothing_slider(element_id: str, value: float) -> dcc.Slider:
    """Return the EMA smoothing slider, 0 (raw) to ``MAX_SMOOTH``, set to ``value``."""
    return dcc.Slider(
        id=element_id,
        min=0,
        max=MAX_SMOOTH,
        step=0.01,
        value=value,
        marks={0: "0", 0.5: "0.5", 0.9: "0.9"},
        allow_direct_input=False,
    )


def x_axis_choice(element_id: str, value: str) -> dbc.RadioItems:
    """Return the inline choice of x axis (``X_MODES``), set to ``value``."""
    return dbc.RadioItems(
        id=element_id,
        options=[{"label": text, "value": key} for key, text in X_MODES.items()],
        value=value,
        inline=True,
    )
