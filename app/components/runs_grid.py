"""The runs grid: its columns and the sortable, filterable, selectable AG Grid of runs.

Rows are ``app.views.runs_table.run_row``, a block at a time from the server; the cell
renderers (``RunLink``, ``RunStatus``, ``RunProgress``, ``ExperimentLink``) and the
``shownText`` formatter are in ``assets/runs-grid.js``, with ``fitRunsColumns``, which hides
the columns a narrow grid has no room for (``HIDE_ORDER``); ``assets/runs-grid.css`` styles
the wrapping cells.
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
from dash import dcc, html

from app import ids
from app.views.runs_table import BLOCK_ROWS

_SHOWN = {"function": "shownText(params)"}
"""Show the text the row carries for the column (numbers formatted on the server)."""


_WRAP = {"wrapText": True, "cellClass": "runs-wrap"}
"""A cell whose text wraps onto a second line rather than being cut (env, episodes...)."""


def number_column(field: str, header: str, tooltip: str, min_width: int) -> dict[str, Any]:
    """Return a numeric column that sorts by number and shows the row's formatted text."""
    return {
        "field": field,
        "headerName": header,
        "headerTooltip": tooltip,
        "cellDataType": "number",
        "valueFormatter": _SHOWN,
        "minWidth": min_width,
        "flex": 1,
    }


COLUMNS: list[dict[str, Any]] = [
    {"field": "id", "headerName": "#", "width": 70, "cellDataType": "number", "sort": "desc"},
    {
        "field": "name",
        "headerName": "Name",
        "cellRenderer": "RunLink",
        "tooltipField": "name",
        "minWidth": 120,
        "flex": 2,
        **_WRAP,
    },
    {"field": "env", "headerName": "Env", "minWidth": 130, "flex": 2, **_WRAP},
    {"field": "algorithm", "headerName": "Algorithm", "minWidth": 90, "flex": 1, **_WRAP},
    {
        "field": "status",
        "headerName": "Status",
        "cellRenderer": "RunStatus",
        "minWidth": 80,
        "flex": 1,
    },
    {
        "field": "progress",
        "headerName": "Progress",
        "headerTooltip": "episodes done, as a share of the target",
        "cellRenderer": "RunProgress",
        "cellDataType": "number",
        "cellStyle": {"display": "flex", "alignItems": "center"},
        "minWidth": 95,
        "flex": 1,
    },
    {
        **number_column("episodes", "Episodes", "episodes done / target", 110),
        "flex": 2,
        **_WRAP,
    },
    number_column("recent_return", "Return", "recent mean return (last 100 episodes)", 70),
    number_column("best_return", "Best", "best mean return of any 100-episode block", 70),
    {
        "headerName": "now",
        "headerTooltip": "the values the run trains with now (at its last episode)",
        "children": [
            number_column(name, symbol, f"{name} now (at the run's last episode)", 55)
            for name, symbol in (("alpha", "α"), ("gamma", "γ"), ("epsilon", "ε"))
        ],
    },
    {
        "field": "experiment",
        "headerName": "Experiment",
        "headerTooltip": "the experiment (and trial) the run belongs to",
        "cellRenderer": "ExperimentLink",
        "cellDataType": "number",
        "minWidth": 90,
        "flex": 1,
    },
    {
        "field": "tags",
        "headerName": "Tags",
        "headerTooltip": "the run's tags (sort by them to group runs that share them)",
        "cellDataType": "text",
        "tooltipField": "tags",
        "minWidth": 80,
        "flex": 1,
    },
    {
        "field": "created",
        "headerName": "Created",
        "headerTooltip": "when the run was created (UTC)",
        "cellDataType": "text",
        "minWidth": 95,
        "flex": 1,
        **_WRAP,
    },
]
"""The grid's columns, in order."""

HIDE_ORDER = (
    "created",
    "experiment",
    "tags",
    "gamma",
    "epsilon",
    "alpha",
    "best_return",
    "algorithm",
    "env",
    "id",
    "recent_return",
    "episodes",
)
"""The columns a grid too narrow for all hides, first to last, until the rest fit at their
minimum widths (``fitRunsColumns`` in ``assets/runs-grid.js``); the name, status and
progress always show."""


def _leaves(columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the columns of ``columns`` and of their groups, in order."""
    return [
        leaf
        for column in columns
        for leaf in (_leaves(column["children"]) if "children" in column else [column])
    ]


FIELDS: dict[str, str] = {
    column["field"]: "number" if column.get("cellDataType") == "number" else "text"
    for column in _leaves(COLUMNS)
}
"""Each column's field and the kind of its filter ("text" or "number")."""
for _column in _leaves(COLUMNS):
    if _column["field"] in HIDE_ORDER:
        _column["context"] = {"hide": HIDE_ORDER.index(_column["field"])}

DEFAULT_SORT = ",".join(
    f"{column['field']}:{column['sort']}" for column in _leaves(COLUMNS) if column.get("sort")
)
"""The grid's own sort (``id:desc``, newest first), as the URL writes a sort."""


def sorted_columns(sort: list[tuple[str, str]] | None) -> list[dict[str, Any]]:
    """Return ``COLUMNS`` sorted by ``sort`` (``(field, direction)`` by priority), or by
    their own default when None."""
    if sort is None:
        return COLUMNS
    order = {field: (index, direction) for index, (field, direction) in enumerate(sort)}

    def placed(column: dict[str, Any]) -> dict[str, Any]:
        if "children" in column:
            return {**column, "children": [placed(child) for child in column["children"]]}
        index, direction = order.get(column["field"], (None, None))
        return {**column, "sort": direction, "sortIndex": index}

    return [placed(column) for column in COLUMNS]


GRID_OPTIONS: dict[str, Any] = {
    "rowSelection": {
        "mode": "multiRow",
        "checkboxes": True,
        "headerCheckbox": False,  # the infinite row model cannot select rows it has not loaded
        "enableClickSelection": False,
    },
    "animateRows": False,
    "tooltipShowDelay": 300,
    "cacheBlockSize": BLOCK_ROWS,
    "maxBlocksInCache": 3,
    "infiniteInitialRowCount": 1,
    # one request at a time: dash-ag-grid keeps only the latest (see pages/episodes.py)
    "maxConcurrentDatasourceRequests": 1,
}
"""The grid's options: multi-row selection, and the infinite row model's blocks of
``BLOCK_ROWS`` rows, at most three held (a refresh asks for those again)."""


def runs_grid(
    style: dict[str, str],
    sort: list[tuple[str, str]] | None = None,
    filter_model: dict[str, Any] | None = None,
) -> html.Div:
    """Return the grid of runs in its box (``style`` shows or hides the box), sorted by
    ``sort`` (``sorted_columns``) and filtered by the AG Grid ``filter_model``, if any.

    The grid asks the server for the rows it shows, a block at a time, sorted and filtered
    there (``rowModelType="infinite"``: ``getRowsRequest`` / ``getRowsResponse``). Rows keep
    their run ids (``getRowId``, as text: AG Grid warns of any other id), so a selection
    survives a refresh. Columns share the width by ``flex`` above their ``minWidth`` (no
    ``sizeColumnsToFit``, which warns while the grid is hidden behind the empty state); long
    env and episode texts wrap rather than being cut.
    """
    grid = dag.AgGrid(
        id=ids.RUNS_GRID,
        rowModelType="infinite",
        columnDefs=sorted_columns(sort),
        filterModel=filter_model or {},
        eventListeners={"gridSizeChanged": ["fitRunsColumns(params)"]},
        getRowId="params.data.id + ''",
        defaultColDef={
            "sortable": True,
            "filter": True,
            "floatingFilter": True,
            "resizable": True,
        },
        dashGridOptions=GRID_OPTIONS,
        style={"height": "70vh"},
    )
    fitted = dcc.Store(id=ids.RUNS_GRID_FITTED)
    return html.Div([grid, fitted], id=ids.RUNS_GRID_BOX, style=style)
