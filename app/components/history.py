"""The run page's history card: the run's claims, interruptions, crashes and resumptions."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from app import ids
from app.views.history import EventRow


def history_card() -> dbc.Card:
    """Return the history card (filled by the refresh callback)."""
    return dbc.Card(
        [dbc.CardHeader("History"), dbc.CardBody(id=ids.RUN_HISTORY, className="small")],
        className="mt-3",
    )


def history_list(rows: list[EventRow]) -> Any:
    """Return the history (``views.history.event_rows``): each event's kind, attempt,
    episode and time, and what the store says of it."""
    if not rows:
        return html.P("Not claimed by a worker yet.", className="text-muted mb-0")
    items = [
        html.Li(
            [
                dbc.Badge(row.kind, color=row.color),
                f" {row.text} ",
                html.Span(row.at, className="text-muted"),
                html.Div(row.detail, className="text-muted") if row.detail else None,
            ],
            className="run-event mb-1",
        )
        for row in rows
    ]
    return html.Ul(items, className="list-unstyled mb-0")
