"""The runs grid: its columns and the sortable, filterable, selectable AG Grid of runs.

Rows are ``app.views.runs_table.run_row``; the cell renderers (``RunLink``, ``RunStatus``,
``RunProgress``, ``ExperimentLink``) and the ``shownText`` formatter are in
``assets/runs-grid.js``.
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
from dash import html

from app import ids

_SHOWN = {"function": "shownText(params)"}
"""Show the text the row carries for the column (numbers formatted on the server)."""


def number_column(field: str, header: str, tooltip: str, width: int) -> dict[str, Any]:
    """Return a numeric column that sorts by number and shows the row's formatted text."""
    return {
        "field": field,
        "headerName": header,
        "headerTooltip": tooltip,
        "cellDataType": "number",
        "valueFormatter": _SHOWN,
        "width": width,
    }


COLUMNS: list[dict[str, Any]] = [
    {"field": "id", "headerName": "#", "width": 65, "cellDataType": "number", "sort": "desc"},
    {"field": "name", "headerName": "Name", "cellRenderer": "RunLink", "width": 150},
    {"field": "env", "headerName": "Env", "width": 165},
    {"field": "algorithm", "headerName": "Algorithm", "width": 120},
    {"field": "status", "headerName": "Status", "cellRenderer": "RunStatus", "width": 105},
    {
        "field": "progress",
        "headerName": "Progress %",
        "cellRenderer": "RunProgress",
        "cellDataType": "number",
        "cellStyle": {"display": "flex", "alignItems": "center"},
        "width": 140,
    },
    number_column("episodes", "Episodes", "episodes done / target", 130),
    number_column("recent_return", "Return", "recent mean return (last 100 episodes)", 95),
    number_column("best_return", "Best", "best mean return of any 100-episode block", 85),
    *(
        number_column(name, symbol, f"{name} (current value)", 75)
        for name, symbol in (("alpha", "α"), ("gamma", "γ"), ("epsilon", "ε"))
    ),
    {
        "field": "experiment",
        "headerName": "Experiment",
        "headerTooltip": "the experiment (and trial) the run belongs to",
        "cellRenderer": "ExperimentLink",
        "cellDataType": "number",
        "width": 130,
    },
    {
        "field": "tags",
        "headerName": "Tags",
        "headerTooltip": "the run's tags (sort by them to group runs that share them)",
        "cellDataType": "text",
        "width": 130,
    },
    {"field": "created", "headerName": "Created (UTC)", "cellDataType": "text", "width": 160},
]
"""The grid's columns, in order."""


def runs_grid(rows: list[dict[str, Any]], style: dict[str, str]) -> html.Div:
    """Return the grid of ``rows`` in its box (``style`` shows or hides the box).

    Rows keep their run ids (``getRowId``), so a selection survives new row data.
    """
    grid = dag.AgGrid(
        id=ids.RUNS_GRID,
        rowData=rows,
        columnDefs=COLUMNS,
        getRowId="params.data.id",
        defaultColDef={
            "sortable": True,
            "filter": True,
            "floatingFilter": True,
            "resizable": True,
            "minWidth": 70,
        },
        dashGridOptions={
            "rowSelection": {
                "mode": "multiRow",
                "checkboxes": True,
                "headerCheckbox": True,
                "enableClickSelection": False,
            },
            "animateRows": False,
            "tooltipShowDelay": 300,
        },
        columnSize="responsiveSizeToFit",
        style={"height": "70vh"},
    )
    return html.Div(grid, id=ids.RUNS_GRID_BOX, style=style)
