"""The experiment page's results: the group curves, the sortable results grid, and the
comparison and hyperparameter charts."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
from dash import dcc, html

from app import ids
from app.components.runs_grid import number_column
from app.views.experiment_reads import CURVE_METRICS


def _stat_column(field: str, header: str, tooltip: str) -> dict[str, Any]:
    """Return a column that sorts by the statistic's point and shows it with its interval
    (the row's text, as the runs grid's numbers)."""
    return {**number_column(field, header, tooltip, 200), "flex": 2}


RESULT_COLUMNS: list[dict[str, Any]] = [
    {"field": "group", "headerName": "#", "cellDataType": "number", "width": 70, "sort": "asc"},
    {"field": "label", "headerName": "Group", "flex": 3, "cellDataType": "text"},
    _stat_column("iqm", "Objective IQM [95% CI]", "interquartile mean of the runs' scores"),
    _stat_column("mean", "Objective mean [95% CI]", "mean of the runs' scores"),
    _stat_column(
        "to_threshold",
        "Episodes to threshold, IQM [95% CI]",
        "episodes until the 100-episode mean return reached the threshold (∞: never)",
    ),
    number_column("seeds", "Seeds finished / planned", "(and how many were pruned)", 160),
]
"""The results grid's columns, in order."""


def curve_graphs() -> html.Div:
    """Return one graph per group curve (``CURVE_METRICS``), side by side on wide screens."""
    return html.Div(
        [
            html.Div(
                dcc.Graph(id=ids.exp_curve(metric), config={"displaylogo": False}),
                className="col-xl-4 col-lg-6",
            )
            for metric in CURVE_METRICS
        ],
        className="row g-2",
    )


def results_grid() -> dag.AgGrid:
    """Return the sortable results grid (rows: ``views.experiment_table.table_rows``)."""
    return dag.AgGrid(
        id=ids.EXP_TABLE,
        rowData=[],
        columnDefs=RESULT_COLUMNS,
        getRowId="params.data.group",
        defaultColDef={"sortable": True, "resizable": True, "minWidth": 70},
        dashGridOptions={"animateRows": False, "domLayout": "autoHeight"},
        columnSize="responsiveSizeToFit",
    )


def sensitivity_graphs(figures: list[dict[str, Any]]) -> list[html.Div | html.P]:
    """Return one small graph per sensitivity figure (a hint when there is none)."""
    if not figures:
        hint = "No numeric hyperparameter varies among the runs."
        return [html.P(hint, className="text-muted small")]
    return [
        html.Div(
            dcc.Graph(figure=figure, config={"displayModeBar": False}),
            className="col-lg-4 col-md-6",
        )
        for figure in figures
    ]
