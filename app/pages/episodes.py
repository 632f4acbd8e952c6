"""The raw episode log of one run: an infinite-scrolling grid that loads only visible blocks."""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from app.context import get_store
from app.page_parts import missing_run, run_from_path
from runstore import EPISODE_FIELDS

dash.register_page(__name__, path_template="/runs/<run_id>/episodes", title="gridlab · episode log")

BLOCK_ROWS = 200
"""Rows per request the grid sends (one ``episodes`` query each)."""

_NUMBER = {"function": "params.value == null ? '' : d3.format('.5~g')(params.value)"}
_COLUMNS = [
    {"field": "episode", "pinned": "left", "width": 110},
    *(
        {"field": name, "valueFormatter": _NUMBER}
        for name in EPISODE_FIELDS
        if name not in ("episode", "success", "action_counts")
    ),
    {"field": "success", "width": 100},
    {"field": "action_counts", "headerName": "action counts", "width": 160},
]


def layout(run_id: str | None = None, **_: object) -> html.Div:
    """Return the episode log of ``run_id``.

    Args:
        run_id: the run id from the URL.

    Returns:
        The page: a header, a jump-to-episode field and the grid.
    """
    run = run_from_path(run_id)
    if run is None:
        return missing_run("Episode log", run_id, "episodes-missing")
    return html.Div(
        [
            html.H2(f"Episode log · {run.name}", id="page-title"),
            html.P(
                [
                    f"{run.episodes_done:,} episodes · ",
                    dcc.Link("back to the run", href=f"/runs/{run.id}"),
                ],
                id="episodes-count",
                className="text-muted",
            ),
            dbc.InputGroup(
                [
                    dbc.InputGroupText("Jump to episode"),
                    dbc.Input(id="episodes-jump", type="number", min=1, step=1, debounce=True),
                    dbc.Button("Go", id="episodes-go", color="primary"),
                    dbc.FormFeedback(id="episodes-jump-feedback", type="invalid"),
                ],
                className="mb-2",
                style={"maxWidth": "28rem"},
            ),
            dcc.Store(id="episodes-run", data=run.id),
            dag.AgGrid(
                id="episodes-grid",
                rowModelType="infinite",
                columnDefs=_COLUMNS,
                defaultColDef={"sortable": False, "resizable": True, "width": 130},
                dashGridOptions={
                    "cacheBlockSize": BLOCK_ROWS,
                    "maxBlocksInCache": 10,
                    "rowBuffer": 10,
                    "infiniteInitialRowCount": 1,
                },
                style={"height": "70vh"},
            ),
        ]
    )


@callback(
    Output("episodes-grid", "getRowsResponse"),
    Input("episodes-grid", "getRowsRequest"),
    State("episodes-run", "data"),
    prevent_initial_call=True,
)
def load_block(request: dict[str, Any] | None, run_id: int) -> dict[str, Any]:
    """Answer the grid's request for rows startRow..endRow-1 with one store query.

    Returns:
        ``rowData`` (the episodes, action counts as text) and ``rowCount`` (the episodes
        done now, so the scrollbar spans the whole run).
    """
    if not request:
        return no_update
    start = int(request.get("startRow", 0))
    limit = max(1, min(10_000, int(request.get("endRow", start + BLOCK_ROWS)) - start))
    store = get_store()
    rows = [row.to_dict() for row in store.episodes(run_id, start=start + 1, limit=limit)]
    for row in rows:
        row["action_counts"] = " ".join(str(count) for count in row["action_counts"])
    return {"rowData": rows, "rowCount": store.get_run(run_id).episodes_done}


@callback(
    Output("episodes-grid", "scrollTo"),
    Output("episodes-jump", "invalid"),
    Output("episodes-jump-feedback", "children"),
    Input("episodes-go", "n_clicks"),
    Input("episodes-jump", "value"),
    State("episodes-run", "data"),
    prevent_initial_call=True,
)
def jump(_: int | None, episode: int | float | None, run_id: int) -> tuple[Any, bool, str]:
    """Scroll the grid so that ``episode`` is the top row (blocks around it load on demand).

    Returns:
        The grid's ``scrollTo``, whether the field shows as invalid, and the field's message.
    """
    if episode is None:
        return no_update, False, ""
    last = get_store().get_run(run_id).episodes_done
    if episode != int(episode) or not 1 <= episode <= last:
        return no_update, True, f"episode={episode} is out of range; allowed: 1 to {last}"
    return {"rowIndex": int(episode) - 1, "rowPosition": "top"}, False, ""
