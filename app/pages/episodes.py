"""The raw episode log of one run: an infinite-scrolling grid that loads only visible blocks."""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids
from app.context import get_store
from app.page_parts import VALIDATION_RUN, missing_run, run_from_path, stored_run_id
from app.rules import format_number
from app.views.episode_log import BLOCK_ROWS, column_defs, episode_block, jump_target
from gridworld.errors import ValidationError
from runstore import RunNotFound

dash.register_page(
    __name__, path_template="/runs/<run_id>/episodes", order=3, title="gridlab · episode log"
)

GRID_OPTIONS = {
    "cacheBlockSize": BLOCK_ROWS,
    "maxBlocksInCache": 10,
    "rowBuffer": 10,
    "infiniteInitialRowCount": 1,
    # dash-ag-grid keeps only the latest getRows request and hands whichever response
    # comes back to it, and Dash drops the answer to a request that a newer one replaced:
    # with two blocks in flight (a jump or a view across a block edge) one block was never
    # answered and stayed blank. One request at a time makes every answer meet its block.
    "maxConcurrentDatasourceRequests": 1,
}
"""The infinite row model's settings: blocks of ``BLOCK_ROWS``, at most ten cached."""


def layout(run_id: str | None = None, **_: object) -> html.Div:
    """Return the episode log of ``run_id``.

    Args:
        run_id: the run id from the URL; without one (as Dash calls a layout to build the
            validation layout) the log of ``VALIDATION_RUN``.

    Returns:
        The page: a header, a jump-to-episode field and the grid.
    """
    run = VALIDATION_RUN if run_id is None else run_from_path(run_id)
    if run is None:
        return missing_run("Episode log", run_id, ids.EPISODES_MISSING)
    return html.Div(
        [
            html.H2(f"Episode log · {run.name}", id=ids.PAGE_TITLE),
            html.P(
                [
                    f"{format_number(run.episodes_done)} episodes · ",
                    dcc.Link("back to the run", href=f"/runs/{run.id}"),
                ],
                id=ids.EPISODES_COUNT,
                className="text-muted",
            ),
            dbc.InputGroup(
                [
                    dbc.InputGroupText("Jump to episode"),
                    dbc.Input(id=ids.EPISODES_JUMP, type="number", min=1, step=1, debounce=True),
                    dbc.Button("Go", id=ids.EPISODES_GO, color="primary"),
                    dbc.FormFeedback(id=ids.EPISODES_JUMP_FEEDBACK, type="invalid"),
                ],
                className="mb-2",
                style={"maxWidth": "28rem"},
            ),
            dcc.Store(id=ids.EPISODES_RUN, data=run.id),
            dag.AgGrid(
                id=ids.EPISODES_GRID,
                rowModelType="infinite",
                columnDefs=column_defs(),
                defaultColDef={"sortable": False, "resizable": True},
                dashGridOptions=GRID_OPTIONS,
                style={"height": "70vh"},
            ),
        ]
    )


@callback(
    Output(ids.EPISODES_GRID, "getRowsResponse"),
    Input(ids.EPISODES_GRID, "getRowsRequest"),
    State(ids.EPISODES_RUN, "data"),
    prevent_initial_call=True,
)
def load_block(request: object, run_id: object) -> Any:
    """Answer the grid's request for a block of rows with one store query.

    Returns:
        ``views.episode_log.episode_block``, or no update for an empty request, a request
        no grid sends or a run that is not there.
    """
    if not request:
        return no_update
    try:
        return episode_block(get_store(), stored_run_id(run_id), request)
    except (ValidationError, RunNotFound):
        return no_update


@callback(
    Output(ids.EPISODES_GRID, "scrollTo"),
    Output(ids.EPISODES_JUMP, "invalid"),
    Output(ids.EPISODES_JUMP_FEEDBACK, "children"),
    Input(ids.EPISODES_GO, "n_clicks"),
    Input(ids.EPISODES_JUMP, "value"),
    State(ids.EPISODES_RUN, "data"),
    prevent_initial_call=True,
)
def jump(_: int | None, episode: object, run_id: object) -> tuple[Any, bool, str]:
    """Scroll the grid so that ``episode`` is the top row (blocks around it load on demand).

    Returns:
        The grid's ``scrollTo``, whether the field shows as invalid, and the field's message
        (``views.episode_log.jump_target``'s).
    """
    if episode is None:
        return no_update, False, ""
    try:
        last = get_store().get_run(stored_run_id(run_id)).episodes_done
    except RunNotFound:
        raise PreventUpdate from None
    try:
        target = jump_target(episode, last)
    except ValidationError as exc:
        return no_update, True, str(exc)
    return {"rowIndex": target - 1, "rowPosition": "top"}, False, ""
