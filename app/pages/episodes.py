"""The raw episode log of one run: an infinite-scrolling grid that loads only visible blocks.

The page polls the run's revision every second (``components.revision_poll``); the episode
count follows it.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids
from app.components.revision_poll import RevisionPoll
from app.context import get_store
from app.page_parts import missing_run, run_and_revision, stored_run_id
from app.rules import format_number
from app.views.episode_log import BLOCK_ROWS, column_defs, episode_block, jump_target
from gridworld.errors import ValidationError
from runstore import Run, RunNotFound

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
POLL = RevisionPoll(tick=ids.EPISODES_REFRESH, revision=ids.EPISODES_REVISION, run=ids.EPISODES_RUN)
"""The page's poll of the run's revision."""
POLL.register()


def _count(run: Run) -> list[Any]:
    """Return the line under the title: the episodes done and a link back to the run."""
    return [
        f"{format_number(run.episodes_done)} episodes · ",
        dcc.Link("back to the run", href=f"/runs/{run.id}"),
    ]


def layout(run_id: str | None = None, **_: object) -> html.Div:
    """Return the episode log of ``run_id``.

    Args:
        run_id: the run id from the URL; without one (as Dash calls a layout to build the
            validation layout) the log of ``VALIDATION_RUN``.

    Returns:
        The page: a header, a jump-to-episode field and the grid.
    """
    found = run_and_revision(run_id)
    if found is None:
        return missing_run("Episode log", run_id, ids.EPISODES_MISSING)
    run, revision = found
    return html.Div(
        [
            html.H2(f"Episode log · {run.name}", id=ids.PAGE_TITLE),
            html.P(_count(run), id=ids.EPISODES_COUNT, className="text-muted"),
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
            *POLL.components(revision),
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
    Output(ids.EPISODES_COUNT, "children"),
    Input(ids.EPISODES_REVISION, "data"),
    State(ids.EPISODES_RUN, "data"),
    prevent_initial_call=True,
)
def refresh_count(_: Any, run_id: int) -> list[Any]:
    """Re-read the episode count (the revision moved).

    Returns:
        The line under the title.
    """
    try:
        return _count(get_store().get_run(run_id))
    except RunNotFound:
        raise PreventUpdate from None


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
