"""The run page's live parameter editor and its history of changes."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from app import ids
from app.views.params import ChangeRow
from gridworld.hyperparams import HYPERPARAM_NAMES


def _field(name: str, current: str) -> dbc.Row:
    """Return one parameter's label, input (its current value as placeholder) and message."""
    return dbc.Row(
        [
            dbc.Label(name, html_for=ids.run_param(name), width=5),
            dbc.Col(
                [
                    dbc.Input(
                        id=ids.run_param(name),
                        type="text",
                        inputMode="decimal",
                        size="sm",
                        placeholder=current,
                    ),
                    dbc.FormFeedback(id=ids.run_param_feedback(name), type="invalid"),
                ],
                width=7,
            ),
        ],
        className="mb-1",
    )


def param_editor(current: list[str]) -> dbc.Card:
    """Return the editor: one field per hyperparameter, Apply, and the change history.

    Args:
        current: each parameter's current value as shown, in ``HYPERPARAM_NAMES`` order.
    """
    return dbc.Card(
        [
            dbc.CardHeader("Hyperparameters"),
            dbc.CardBody(
                [
                    html.P(
                        "Type new values and apply (or press Enter): they take effect at"
                        " the next episode.",
                        className="text-muted small",
                    ),
                    *(
                        _field(name, text)
                        for name, text in zip(HYPERPARAM_NAMES, current, strict=True)
                    ),
                    html.P(id=ids.RUN_PARAMS_LOCKED, className="text-muted small mb-1"),
                    dbc.Button("Apply", id=ids.RUN_PARAMS_APPLY, size="sm", className="mt-1"),
                    html.Div(id=ids.RUN_PARAMS_MESSAGE, className="small mt-2"),
                    html.H6("Changes", className="mt-3"),
                    html.Div(id=ids.RUN_CHANGES, className="small"),
                ]
            ),
        ]
    )


def change_list(rows: list[ChangeRow]) -> Any:
    """Return the change history (``views.params.change_rows``): pending, or the episode a
    change was applied at, and who asked for it."""
    if not rows:
        return html.P("None yet.", className="text-muted mb-0")
    items = [
        html.Li(
            [
                f"{row.text} · ",
                row.applied or dbc.Badge("pending", color="warning", text_color="dark"),
                html.Span(f" ({row.source})", className="text-muted"),
            ],
            className="run-change",
        )
        for row in rows
    ]
    return html.Ul(items, className="list-unstyled mb-0")
