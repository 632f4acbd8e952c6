"""The run page's diagnostics card: recent figures and the action distribution."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from app import ids
from app.views.diagnostics import WINDOW


def diagnostics_card() -> dbc.Card:
    """Return the diagnostics card (filled by the refresh callback)."""
    return dbc.Card(
        [
            dbc.CardHeader(f"Diagnostics (last {WINDOW} episodes)"),
            dbc.CardBody(id=ids.RUN_DIAGNOSTICS, className="small"),
        ],
        className="mb-3",
    )


def diagnostics(rows: list[tuple[str, str]], shares: list[tuple[str, float, str]]) -> Any:
    """Return the card's content: the figures table and one bar per action.

    Args:
        rows: (label, text) per figure (``views.diagnostics.diagnostic_rows``).
        shares: (action, share, text) per action (``views.diagnostics.action_shares``).

    Returns:
        The table and the bars, or a notice when there are no figures yet.
    """
    if not rows:
        return html.P("No episodes yet.", className="text-muted mb-0")
    table = html.Table(
        html.Tbody(
            [
                html.Tr([html.Th(label, className="fw-normal text-muted"), html.Td(text)])
                for label, text in rows
            ]
        ),
        className="table table-sm mb-2",
        id=ids.RUN_DIAGNOSTIC_TABLE,
    )
    bars = [
        html.Div(
            [
                html.Span(label, className="d-inline-block", style={"width": "4.5rem"}),
                html.Span(
                    className="d-inline-block bg-info",
                    style={"width": f"{60 * share:.1f}%", "height": "0.7rem"},
                ),
                html.Span(f" {text}"),
            ],
            className="action-share",
        )
        for label, share, text in shares
    ]
    return [table, html.Div("action distribution", className="text-muted"), *bars]
