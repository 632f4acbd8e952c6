"""The runs page: every run in the store."""

from __future__ import annotations

import dash
from dash import html

dash.register_page(__name__, path="/", title="gridlab · runs")


def layout(**_: object) -> html.Div:
    """Return the runs page layout."""
    return html.Div([html.H2("Runs", id="page-title")])
