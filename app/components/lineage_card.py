"""The run page's lineage card: the run it was forked from (and at which episode), and the
whole tree of forks it belongs to, each run a link."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from app import ids
from app.context import get_store
from app.rules import parse_id
from app.views.lineage import TreeRow, forked_from, tree_rows
from gridworld.errors import ValidationError
from runstore import RunNotFound


def lineage_card() -> dbc.Card:
    """Return the card; ``refresh`` fills it."""
    return dbc.Card(
        [dbc.CardHeader("Lineage"), dbc.CardBody(html.Div(id=ids.RUN_LINEAGE, className="small"))],
        className="mt-3",
    )


def lineage_body(parent_text: str | None, parent_id: int | None, rows: list[TreeRow]) -> Any:
    """Return the card's contents: the fork's origin as a link, then the tree."""
    parts: list[Any] = []
    if parent_text is not None and parent_id is not None:
        parts.append(
            html.P(
                dcc.Link(parent_text, href=f"/runs/{parent_id}", className="run-forked-from"),
                className="mb-2",
            )
        )
    if not rows:
        parts.append(html.P("Not forked yet: fork it from a checkpoint below.", className="mb-0"))
        return parts
    items = [
        html.Li(
            html.B(row.text) if row.current else dcc.Link(row.text, href=f"/runs/{row.run_id}"),
            style={"marginLeft": f"{row.depth}em"},
            className="run-lineage-row",
        )
        for row in rows
    ]
    parts.append(html.Ul(items, className="list-unstyled mb-0"))
    return parts


def refresh(_: Any, run_id: int) -> Any:
    """Re-read the run's lineage (forks made anywhere appear)."""
    store = get_store()
    try:
        run = store.get_run(parse_id("run_id", run_id))
        rows = tree_rows(store, run)
    except (RunNotFound, ValidationError):
        raise PreventUpdate from None
    return lineage_body(forked_from(run), run.parent_id, rows)


def init_app(app: dash.Dash) -> None:
    """Register the card's callbacks on ``app`` itself: this module is imported once per
    process, while Dash runs the pages' modules again for every app (a module-level
    ``dash.callback`` here would go to the first app served and to no app after it)."""
    app.callback(
        Output(ids.RUN_LINEAGE, "children"),
        Input(ids.RUN_REVISION, "data"),
        State(ids.RUN_ID, "data"),
    )(refresh)
