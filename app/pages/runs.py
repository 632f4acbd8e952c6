"""The runs page, ``/``: every run in the store, a form to start one, and a way to compare.

The grid lists each run with its status, progress, recent and best mean return and key
hyperparameters; it is sortable and filterable. It holds only the rows in view: it asks
for them a block at a time (``views.runs_table.BLOCK_ROWS``), sorted and filtered in SQL
with each run's summary kept at write time (``views.runs_table.runs_block``), so the page
stays quick with ten thousand runs. The page polls the store's revision every second
(``components.revision_poll``): when anything was written anywhere (a run started from the
CLI, a worker's episodes), the grid asks again for the blocks it holds, and only those
(rows keep their ids, so a selection survives). The grid's sort and filter live in the URL
(``?sort=``, ``?filter=``: ``views.grid_query``), so a reload or a link reopens it as it was
left; a narrow grid hides its least important columns (``components.runs_grid.HIDE_ORDER``).
Two to eight selected rows open ``/compare?runs=...``. The "New run" form sends its fields
to ``app.actions.submit_run``; a bad value is shown at its own input with the validator's
message (the same text the CLI and the HTTP API give), and nothing is created.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
    no_update,
)
from dash.exceptions import PreventUpdate

from app import ids
from app.actions import submit_run
from app.components.new_run_form import new_run_form
from app.components.revision_poll import RevisionPoll
from app.components.runs_grid import DEFAULT_SORT, FIELDS, runs_grid
from app.components.runs_header import empty_state, runs_header
from app.components.runs_tools import runs_filters, selection_actions, tag_options
from app.context import get_store
from app.rules import parse_id
from app.views.grid_query import FILTER_KEY, SORT_KEY, filter_from, sort_from
from app.views.new_run import DEMO_RUN, FORM_FIELDS, form_errors, form_values, new_run_body
from app.views.revision import read_revision
from app.views.runs_table import (
    RunsFilter,
    experiment_filter,
    experiment_options,
    runs_block,
    runs_count,
    runs_query,
    tag_filter,
)
from gridworld.errors import ValidationError
from runstore import RunNotFound, StoreError

dash.register_page(__name__, path="/", order=0, title="gridlab · runs")

POLL = RevisionPoll(tick=ids.RUNS_REFRESH, revision=ids.RUNS_REVISION)
"""The page's poll of the store's revision."""
POLL.register()


def _shown(visible: bool) -> dict[str, str]:
    """Return a style that shows or hides a block."""
    return {} if visible else {"display": "none"}


def layout(
    experiment: object = None,
    tag: object = None,
    archived: object = None,
    like: object = None,
    sort: object = None,
    filter: object = None,
    **_: object,
) -> html.Div:
    """Return the runs page layout, filled with the runs stored now.

    Args:
        experiment: ``?experiment=ID`` shows only that experiment's runs.
        tag: ``?tag=NAME`` shows only the runs with that tag.
        archived: ``?archived=1`` lists archived runs too.
        like: ``?like=RUN`` opens the new-run form filled with that run's settings.
        sort: ``?sort=episodes:desc`` sorts the grid (``views.grid_query``).
        filter: ``?filter=`` holds the grid's filter model as JSON.

    Returns:
        The page: title and actions, the new-run form (collapsed), the filters and the
        selection's actions, the empty state or the grid, and the revision poll.
    """
    store = get_store()
    revision = read_revision(store)  # before the runs: a write in between is read again
    chosen = RunsFilter(experiment_filter(experiment), tag_filter(tag), archived == "1")
    count, total = runs_count(store, chosen)
    listed = bool(total) or chosen != RunsFilter()
    like_values = _settings_of(like)
    return html.Div(
        [
            runs_header(count),
            dbc.Collapse(
                new_run_form(like_values), id=ids.NEW_COLLAPSE, is_open=like_values is not None
            ),
            dbc.Alert(id=ids.NEW_MESSAGE, is_open=False, dismissable=True, className="mt-2"),
            runs_filters(
                experiment_options(store),
                chosen.experiment_id,
                store.manage.tags(),
                chosen.tag,
                chosen.show_archived,
            ),
            selection_actions(),
            empty_state(_shown(not listed)),
            runs_grid(_shown(listed), sort_from(sort, FIELDS), filter_from(filter, FIELDS)),
            dcc.Store(
                id=ids.RUNS_GRID_KEYS,
                data={"sort": SORT_KEY, "filter": FILTER_KEY, "default_sort": DEFAULT_SORT},
            ),
            dcc.Store(id=ids.RUNS_GRID_QUERY),
            dcc.Store(id=ids.RUNS_VERSION, data=0),
            dcc.Store(id=ids.RUNS_GRID_RELOADED),
            dcc.Location(id=ids.RUNS_GO, refresh="callback-nav"),
            *POLL.components(revision),
        ]
    )


def _settings_of(like: object) -> dict[str, str] | None:
    """Return the new-run form's values for ``?like=RUN`` (None: no such run or none asked)."""
    try:
        return (
            None if like is None else form_values(get_store().get_run(parse_id("like", like)).spec)
        )
    except (ValidationError, RunNotFound):
        return None


clientside_callback(
    ClientsideFunction("runs", "experimentQuery"),
    Output(ids.RUNS_FILTER_QUERY, "data"),
    Input(ids.RUNS_EXPERIMENT, "value"),
)
clientside_callback(
    ClientsideFunction("runs", "gridQuery"),
    Output(ids.RUNS_GRID_QUERY, "data"),
    Input(ids.RUNS_GRID, "columnState"),
    Input(ids.RUNS_GRID, "filterModel"),
    State(ids.RUNS_GRID_KEYS, "data"),
)
clientside_callback(
    ClientsideFunction("runs", "fitColumns"),
    Output(ids.RUNS_GRID_FITTED, "data"),
    Input(ids.RUNS_GRID, "columnState"),
    State(ids.RUNS_GRID, "id"),
)
clientside_callback(
    ClientsideFunction("runs", "toggleForm"),
    Output(ids.NEW_COLLAPSE, "is_open"),
    Input(ids.NEW_TOGGLE, "n_clicks"),
    Input(ids.RUNS_EMPTY_NEW, "n_clicks"),
    State(ids.NEW_COLLAPSE, "is_open"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction("runs", "mapFields"),
    Output(ids.new_field("preset"), "disabled"),
    Output(ids.NEW_DESC_BOX, "style"),
    Input(ids.new_field("env"), "value"),
    Input(ids.new_field("preset"), "value"),
    State(ids.NEW_CHOICES, "data"),
)
clientside_callback(
    ClientsideFunction("runs", "compareLink"),
    Output(ids.RUNS_COMPARE, "href"),
    Output(ids.RUNS_COMPARE, "disabled"),
    Output(ids.RUNS_COMPARE, "children"),
    Output(ids.RUNS_COMPARE_HINT, "children"),
    Input(ids.RUNS_GRID, "selectedRows"),
    State(ids.RUNS_COMPARE_LIMITS, "data"),
)


clientside_callback(
    ClientsideFunction("runs", "reloadRows"),
    Output(ids.RUNS_GRID_RELOADED, "data"),
    Input(ids.RUNS_REVISION, "data"),
    Input(ids.RUNS_VERSION, "data"),
    Input(ids.RUNS_EXPERIMENT, "value"),
    Input(ids.RUNS_TAG, "value"),
    Input(ids.RUNS_SHOW_ARCHIVED, "value"),
    State(ids.RUNS_GRID, "id"),
    prevent_initial_call=True,
)


@callback(
    Output(ids.RUNS_EMPTY, "style"),
    Output(ids.RUNS_GRID_BOX, "style"),
    Output(ids.RUNS_COUNT, "children"),
    Output(ids.RUNS_EXPERIMENT, "options"),
    Output(ids.RUNS_TAG, "options"),
    Input(ids.RUNS_REVISION, "data"),
    Input(ids.RUNS_VERSION, "data"),
    Input(ids.RUNS_EXPERIMENT, "value"),
    Input(ids.RUNS_TAG, "value"),
    Input(ids.RUNS_SHOW_ARCHIVED, "value"),
    prevent_initial_call=True,
)
def refresh(
    _: Any, __: int | None, experiment: object, tag: object, show_archived: object
) -> tuple[Any, ...]:
    """Bring the page around the grid up to the store (when the revision moved, after a run
    was started or changed here, or for other filters); the grid asks for its rows again
    itself (``reloadRows`` in ``assets/runs-page.js``).

    Returns:
        The empty state's and the grid's styles, the count line and the experiment and tag
        filters' options.
    """
    store = get_store()
    chosen = RunsFilter(experiment_filter(experiment), tag_filter(tag), show_archived is True)
    count, total = runs_count(store, chosen)
    empty = not total and chosen == RunsFilter()
    return (
        _shown(empty),
        _shown(not empty),
        count,
        experiment_options(store),
        tag_options(store.manage.tags()),
    )


@callback(
    Output(ids.RUNS_GRID, "getRowsResponse"),
    Input(ids.RUNS_GRID, "getRowsRequest"),
    State(ids.RUNS_EXPERIMENT, "value"),
    State(ids.RUNS_TAG, "value"),
    State(ids.RUNS_SHOW_ARCHIVED, "value"),
    prevent_initial_call=True,
)
def load_rows(request: object, experiment: object, tag: object, show_archived: object) -> Any:
    """Answer the grid's request for a block of rows with one store query.

    Returns:
        ``views.runs_table.runs_block`` of the runs the filters list, or no update for an
        empty request or one no grid sends.
    """
    if not request:
        return no_update
    chosen = RunsFilter(experiment_filter(experiment), tag_filter(tag), show_archived is True)
    try:
        return runs_block(get_store(), runs_query(chosen, FIELDS, request))
    except ValidationError:
        return no_update


def _form_outputs() -> dict[str, Any]:
    """Return the submit callback's outputs: each field's invalid flag and feedback, the
    message alert, and the version counter that makes the grid refresh."""
    return {
        "invalid": {name: Output(ids.new_field(name), "invalid") for name in FORM_FIELDS},
        "feedback": {name: Output(ids.new_feedback(name), "children") for name in FORM_FIELDS},
        "message": Output(ids.NEW_MESSAGE, "children"),
        "color": Output(ids.NEW_MESSAGE, "color"),
        "open": Output(ids.NEW_MESSAGE, "is_open"),
        "version": Output(ids.RUNS_VERSION, "data"),
        "go": Output(ids.RUNS_GO, "href"),
    }


@callback(
    output=_form_outputs(),
    inputs={
        "submit": Input(ids.NEW_SUBMIT, "n_clicks"),
        "demo": Input(ids.RUNS_DEMO, "n_clicks"),
        "values": {name: State(ids.new_field(name), "value") for name in FORM_FIELDS},
        "version": State(ids.RUNS_VERSION, "data"),
    },
    prevent_initial_call=True,
)
def submit(
    submit: int | None, demo: int | None, values: dict[str, Any], version: int | None
) -> dict[str, Any]:
    """Queue a run from the form (or the demo button) through ``app.actions.submit_run``.

    Returns:
        The outputs of ``_form_outputs``: every refused value marks its input invalid with
        the validator's message (nothing is created); a store that cannot take it shows an
        alert; a queued run shows a link to its page and bumps the version so the grid
        refreshes; the demo's run opens its page.
    """
    if not (submit or demo):
        raise PreventUpdate
    from_demo = ctx.triggered_id == ids.RUNS_DEMO
    invalid = dict.fromkeys(FORM_FIELDS, False)
    feedback = dict.fromkeys(FORM_FIELDS, "")
    clean: dict[str, Any] = {
        "invalid": invalid,
        "feedback": feedback,
        "message": "",
        "color": "success",
    }
    clean |= {"open": False, "version": no_update, "go": no_update}
    try:
        run_id = submit_run(get_store(), dict(DEMO_RUN) if from_demo else new_run_body(values))
    except ValidationError as exc:
        at_fields, elsewhere = ({}, str(exc)) if from_demo else form_errors(exc)
        invalid |= dict.fromkeys(at_fields, True)
        feedback |= at_fields
        if elsewhere:
            return {**clean, "message": elsewhere, "color": "danger", "open": True}
        return clean
    except StoreError as exc:
        return {**clean, "message": f"Cannot start a run: {exc}", "color": "danger", "open": True}
    name = get_store().get_run(run_id).name
    message = [
        f"Queued run #{run_id} “{name}”: a worker claims it. ",
        dcc.Link("Open its page →", href=f"/runs/{run_id}", id=ids.NEW_RUN_LINK),
    ]
    count = version if isinstance(version, int) and not isinstance(version, bool) else 0
    go = f"/runs/{run_id}" if from_demo else no_update
    return {**clean, "message": message, "open": True, "version": count + 1, "go": go}
