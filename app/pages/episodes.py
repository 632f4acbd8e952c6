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
from app.page_parts import missing_run, run_and_revision
from app.rules import format_number
from app.views.episode_log import BLOCK_ROWS, episode_block, jump_error
from runstore import EPISODE_FIELDS, Run, RunNotFound

dash.register_page(
    __name__, path_template="/runs/<run_id>/episodes", order=3, title="gridlab · episode log"
)

_COLUMNS = [
    {"field": "episode", "pinned": "left", "width": 110},
    *(
        {"field": name}
        for name in EPISODE_FIELDS
        if name not in ("episode", "success", "action_counts")
    ),
    {"field": "success", "width": 100},
    {"field": "action_counts", "headerName": "action counts", "width": 160},
]
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
def load_block(request: dict[str, Any] | None, run_id: int) -> Any:
    """Answer the grid's request for a block of rows with one store query.

    Returns:
        ``views.episode_log.episode_block``, or no update for an empty request.
    """
    return episode_block(get_store(), run_id, request) if request else no_update


@callback(
    Output(ids.EPISODES_GRID, "scrollTo"),
    Output(ids.EPISODES_JUMP, "invalid"),
    Output(ids.EPISODES_JUMP_FEEDBACK, "children"),
    Input(ids.EPISODES_GO, "n_clicks"),
    Input(ids.EPISODES_JUMP, "value"),
    State(ids.EPISODES_RUN, "data"),
    prevent_initial_call=True,
)
def jump(_: int | None, episode: int | float | None, run_id: int) -> tuple[Any, bool, str]:
    """Scroll the grid so that ``episode`` is the top row (blocks around it load on demand).

    Returns:
        The grid's ``scrollTo``, whether the field shows as invalid, and the field's message.
    """
    if episode is None:
        return no_update, False, ""
    error = jump_error(episode, get_store().get_run(run_id).episodes_done)
    if error is not None:
        return no_update, True, error
    return {"rowIndex": int(episode) - 1, "rowPosition": "top"}, False, ""
