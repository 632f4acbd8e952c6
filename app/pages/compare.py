"""The compare page: several runs side by side, shareable as ``/compare?runs=1,2,3``.

Every control lives in the URL's query string (``views.compare.QUERY_KEYS``), so a link
reproduces the view. Only decimated windows are read: comparing eight runs of a million
episodes costs the same as comparing two short ones. The page polls the store's revision
every second (``components.revision_poll``); when it moved, the compared runs' keys are read
(``views.revision.run_key``) and the figures and tables are redrawn only if one of those runs
moved.
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
    dcc,
    html,
    no_update,
)
from dash.exceptions import PreventUpdate

from app import ids
from app.components.compare_controls import compare_controls, threshold_input
from app.components.compare_tables import param_table, small_multiples, summary_table
from app.components.revision_poll import RevisionPoll
from app.context import get_store
from app.figures.compare import empty_figure
from app.figures.theme import themed
from app.views.compare import (
    NO_RUNS_HINT,
    QUERY_KEYS,
    compare_figures,
    comparison_file,
    find_runs,
    link_notice,
    parse_runs,
    plot_choice,
    run_options,
    settings_from,
    summary_labels,
    table_rows,
    threshold_of,
)
from app.views.query import smoothing
from app.views.revision import read_revision, run_key

dash.register_page(__name__, path="/compare", order=1, title="gridlab · compare")

POLL = RevisionPoll(tick=ids.COMPARE_REFRESH, revision=ids.COMPARE_REVISION)
"""The page's poll of the store's revision."""
POLL.register()


def layout(**query: object) -> html.Div:
    """Return the compare page for the query string's runs and settings.

    Args:
        **query: ``runs`` (``1,2,3``), ``metric``, ``x`` (episode, env_steps, wall_time),
            ``smooth`` (0..0.99), ``bands`` (1/0), ``threshold`` (a mean return).

    Returns:
        The page: controls, the overlaid curve, small multiples, the parameter diff table and
        the summary table.
    """
    settings = settings_from(query)
    store = get_store()
    revision = read_revision(store)
    notice = link_notice(store, query.get("runs"))
    return html.Div(
        [
            html.H2("Compare runs", id=ids.PAGE_TITLE),
            dbc.Alert(
                f"This link names runs the page leaves out: {notice}",
                id=ids.COMPARE_NOTICE,
                color="warning",
                is_open=notice is not None,
                dismissable=True,
            ),
            compare_controls(settings, run_options(store, keep=settings.runs)),
            html.A("link to this comparison", id=ids.COMPARE_SHARE, href="", className="small"),
            dcc.Store(id=ids.COMPARE_QUERY_KEYS, data=list(QUERY_KEYS)),
            *POLL.components(revision),
            dcc.Store(id=ids.COMPARE_KEY, data=None),
            dcc.Graph(id=ids.COMPARE_MAIN, config={"displaylogo": False}),
            html.H4("Metrics", className="mt-3"),
            html.Div(id=ids.COMPARE_SMALL, className="row g-2"),
            html.H4("Hyperparameters", className="mt-4"),
            html.P("Rows where the runs differ are highlighted.", className="text-muted small"),
            html.Div(id=ids.COMPARE_PARAMS),
            html.H4("Summary", className="mt-4"),
            threshold_input(settings.threshold),
            html.Div(id=ids.COMPARE_SUMMARY),
            dbc.Button(
                "Download comparison CSV",
                id=ids.COMPARE_CSV_BUTTON,
                color="secondary",
                size="sm",
                className="mt-2",
            ),
            dcc.Download(id=ids.COMPARE_CSV),
        ]
    )


clientside_callback(
    ClientsideFunction("compare", "shareLink"),
    Output(ids.COMPARE_SHARE, "href"),
    Input(ids.COMPARE_RUNS, "value"),
    Input(ids.COMPARE_METRIC, "value"),
    Input(ids.COMPARE_X, "value"),
    Input(ids.COMPARE_SMOOTH, "value"),
    Input(ids.COMPARE_BANDS, "value"),
    Input(ids.COMPARE_THRESHOLD, "value"),
    State(ids.COMPARE_QUERY_KEYS, "data"),
)


@callback(
    Output(ids.COMPARE_KEY, "data"),
    Input(ids.COMPARE_REVISION, "data"),
    Input(ids.COMPARE_RUNS, "value"),
    State(ids.COMPARE_KEY, "data"),
)
def compared_key(_: Any, run_ids: list[int] | None, known: list[Any] | None) -> Any:
    """Read what the compared runs are now (the store moved, or the choice of runs did).

    Returns:
        ``views.revision.run_key`` of each compared run; no update when none moved, so
        nothing is redrawn.
    """
    key = [run_key(run) for run in find_runs(get_store(), run_ids)]
    return no_update if key == known else key


@callback(
    Output(ids.COMPARE_MAIN, "figure"),
    Output(ids.COMPARE_SMALL, "children"),
    Input(ids.COMPARE_METRIC, "value"),
    Input(ids.COMPARE_X, "value"),
    Input(ids.COMPARE_SMOOTH, "value"),
    Input(ids.COMPARE_BANDS, "value"),
    Input(ids.COMPARE_KEY, "data"),
    Input(ids.THEME, "data"),
    State(ids.COMPARE_RUNS, "value"),
)
def render_curves(
    metric: str,
    x_mode: str,
    smooth: float | None,
    bands: bool,
    _: Any,
    theme: object,
    run_ids: list[int] | None,
) -> tuple[Any, Any]:
    """Draw the overlaid curve of ``metric`` and one small figure per headline metric, in
    the page's theme.

    Returns:
        The main figure and the small multiples (a hint and none while no run is picked).
    """
    choice = plot_choice(metric, x_mode)
    if choice is None:
        raise PreventUpdate
    store = get_store()
    runs = find_runs(store, run_ids)
    if not runs:
        return themed(empty_figure(NO_RUNS_HINT), theme), []
    main, small = compare_figures(store, runs, *choice, smoothing(smooth), bool(bands))
    small = {metric: themed(figure, theme) for metric, figure in small.items()}
    return themed(main, theme), small_multiples(small)


@callback(
    Output(ids.COMPARE_PARAMS, "children"),
    Output(ids.COMPARE_SUMMARY, "children"),
    Input(ids.COMPARE_THRESHOLD, "value"),
    Input(ids.COMPARE_KEY, "data"),
    State(ids.COMPARE_RUNS, "value"),
)
def render_tables(threshold: float | None, _: Any, run_ids: list[int] | None) -> tuple[Any, Any]:
    """Build the parameter diff table (differing rows highlighted) and the summary table.

    Returns:
        The two tables (or a hint when no run is selected).
    """
    store = get_store()
    runs = find_runs(store, run_ids)
    if not runs:
        hint = html.P(NO_RUNS_HINT, className="text-muted")
        return hint, hint
    threshold = threshold_of(threshold)
    params, summaries = table_rows(store, runs, threshold)
    return param_table(runs, params), summary_table(runs, summaries, summary_labels(threshold))


@callback(
    Output(ids.COMPARE_CSV, "data"),
    Input(ids.COMPARE_CSV_BUTTON, "n_clicks"),
    State(ids.COMPARE_RUNS, "value"),
    State(ids.COMPARE_METRIC, "value"),
    State(ids.COMPARE_THRESHOLD, "value"),
    prevent_initial_call=True,
)
def download(_: int, run_ids: list[int] | None, metric: str, threshold: float | None) -> Any:
    """Send the comparison (summary, settings and the plotted metric's buckets) as CSV.

    Returns:
        The ``dcc.Download`` payload, or no update when no run is selected.
    """
    choice = plot_choice(metric)
    store = get_store()
    runs = find_runs(store, run_ids)
    if choice is None or not runs:
        return no_update
    return comparison_file(store, runs, choice[0], threshold_of(threshold))


@callback(
    Output(ids.COMPARE_RUNS, "options"),
    Input(ids.COMPARE_SHOW_ARCHIVED, "value"),
    State(ids.COMPARE_RUNS, "value"),
    prevent_initial_call=True,
)
def picker_options(show_archived: object, picked: object) -> list[dict[str, Any]]:
    """Return the run picker's options with or without the archived runs (those picked
    stay).

    Returns:
        The options (``views.compare.run_options``).
    """
    return run_options(get_store(), show_archived=show_archived is True, keep=parse_runs(picked))
