"""The compare page's results: small multiples, the parameter diff and the summary table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from app import ids
from app.figures.curves import color_for
from app.rules import format_number
from runstore import Run


def small_multiples(figures: Mapping[str, dict[str, Any]]) -> list[html.Div]:
    """Return one small graph per metric → figure, in order."""
    return [
        html.Div(
            dcc.Graph(
                id=ids.compare_small_graph(metric),
                figure=figure,
                config={"displayModeBar": False},
            ),
            className="col-lg-4 col-md-6",
        )
        for metric, figure in figures.items()
    ]


def _head(runs: Sequence[Run], first: str) -> html.Thead:
    """Return a table head naming each run (a link to its page) in its curve colour."""
    return html.Thead(
        html.Tr(
            [html.Th(first)]
            + [
                html.Th(
                    dcc.Link(f"#{run.id} {run.name}", href=f"/runs/{run.id}"),
                    style={"borderBottom": f"3px solid {color_for(i)}"},
                )
                for i, run in enumerate(runs)
            ]
        )
    )


def param_table(runs: Sequence[Run], rows: Sequence[Mapping[str, Any]]) -> dbc.Table:
    """Return the parameter diff table, rows where the runs differ highlighted.

    Args:
        runs: the compared runs, in colour order.
        rows: ``app.figures.compare.param_rows`` of those runs.
    """
    body = [
        html.Tr(
            [html.Th(row["param"])] + [html.Td(value) for value in row["values"]],
            className="table-warning differs" if row["differs"] else None,
            id=ids.compare_param_row(row["param"]),
        )
        for row in rows
    ]
    return dbc.Table(
        [_head(runs, "parameter"), html.Tbody(body)],
        id=ids.COMPARE_PARAM_TABLE,
        bordered=True,
        size="sm",
        hover=True,
    )


def summary_table(
    runs: Sequence[Run], summaries: Sequence[Mapping[str, Any]], labels: Mapping[str, str]
) -> dbc.Table:
    """Return the summary table: one row per ``labels`` key → label, one column per run.

    Args:
        runs: the compared runs, in colour order.
        summaries: ``app.figures.compare.summary_row`` per run.
        labels: ``views.compare.summary_labels``.
    """
    body = [
        html.Tr([html.Th(text)] + [html.Td(format_number(row[key])) for row in summaries])
        for key, text in labels.items()
    ]
    return dbc.Table(
        [_head(runs, "figure"), html.Tbody(body)],
        id=ids.COMPARE_SUMMARY_TABLE,
        bordered=True,
        size="sm",
    )
