"""The experiment page, ``/experiments/<id>``: group curves with honest uncertainty, the
results table, comparisons between groups and the hyperparameters against the objective.

Every control lives in the URL's query string (``views.experiment_view.QUERY_KEYS``), so a
link reproduces the view; the download links carry the same view. The page polls the
store's revision every second (``components.revision_poll``); when it moved, the
experiment's key is read (``views.experiment_page.experiment_key``) and the page is redrawn
only if one of its runs (or the experiment) moved. Every figure is built from aligned
decimated windows, so a refresh costs the same for runs of a thousand or a million episodes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html
from dash.exceptions import PreventUpdate

from app import ids
from app.components.experiment_controls import (
    download_links,
    experiment_controls,
    pair_controls,
    score_controls,
)
from app.components.experiment_results import curve_graphs, results_grid, sensitivity_graphs
from app.components.revision_poll import RevisionPoll
from app.context import get_store
from app.rules import parse_id
from app.views.experiment_curves import Aligned
from app.views.experiment_groups import group_by_options
from app.views.experiment_page import (
    PageData,
    curve_figures,
    experiment_key,
    page_data,
    status_line,
)
from app.views.experiment_panels import panels
from app.views.experiment_reads import CURVE_METRICS
from app.views.experiment_table import headers, table_rows
from app.views.experiment_view import QUERY_KEYS
from app.views.revision import read_revision
from gridworld.errors import ValidationError
from runstore import Experiment, ExperimentNotFound, RunNotFound

dash.register_page(
    __name__,
    path_template="/experiments/<experiment_id>",
    order=7,  # after /experiments/<id>/pbt: Dash matches templates in order, and its
    # "<experiment_id>" also matches "1/pbt"
    title="gridlab · experiment",
)

POLL = RevisionPoll(tick=ids.EXP_REFRESH, revision=ids.EXP_REVISION)
"""The page's poll of the store's revision."""
POLL.register()

VALIDATION_EXPERIMENT = Experiment(
    id=1,
    name="validation",
    method="grid",
    base_spec={},
    space={},
    seeds=[0],
    budget=None,
    objective="final_return",
    options={},
    status="running",
    trials_launched=0,
    study_name=None,
    created_at=datetime(2000, 1, 1, tzinfo=UTC),
    finished_at=None,
)
"""What the page is drawn for when Dash calls its layout without a URL (never stored)."""


def _pbt_link(experiment: Experiment) -> list[Any]:
    """Return the link to a population's PBT page (lineage and schedule), after a separator;
    nothing for other methods."""
    if experiment.method != "pbt":
        return []
    link = dcc.Link(
        "lineage and schedule (PBT)",
        href=f"/experiments/{experiment.id}/pbt",
        id=ids.EXP_PBT_LINK,
    )
    return [" · ", link]


def layout(experiment_id: str | None = None, **query: object) -> html.Div:
    """Return the page of ``experiment_id`` in the view its query string asks for.

    Args:
        experiment_id: the experiment's id from the URL; without one (Dash building its
            validation layout) the page of ``VALIDATION_EXPERIMENT``.
        **query: ``QUERY_KEYS`` (``views.experiment_view``).

    Returns:
        The page, or a "not found" notice for an unknown or malformed id.
    """
    store = get_store()
    revision = read_revision(store)
    if experiment_id is None:
        data = PageData(VALIDATION_EXPERIMENT, [], Aligned(1, (), {}))
    else:
        try:
            data = page_data(store, parse_id("experiment_id", experiment_id))
        except (ValidationError, ExperimentNotFound, RunNotFound):
            return _missing(experiment_id)
    view = data.view(query)
    experiment = data.experiment
    return html.Div(
        [
            html.H2(f"#{experiment.id} {experiment.name}", id=ids.PAGE_TITLE),
            html.Div(
                [
                    html.Span(status_line(data), id=ids.EXP_STATUS, className="text-muted"),
                    " · ",
                    dcc.Link(
                        "its runs", href=f"/?experiment={experiment.id}", id=ids.EXP_RUNS_LINK
                    ),
                    *_pbt_link(experiment),
                    " · ",
                    html.A("link to this view", id=ids.EXP_SHARE, href=""),
                ],
                className="small mb-3",
            ),
            dcc.Store(id=ids.EXP_ID, data=experiment.id),
            dcc.Store(id=ids.EXP_QUERY_KEYS, data=list(QUERY_KEYS)),
            dcc.Store(id=ids.EXP_KEY, data=None),
            *POLL.components(revision),
            experiment_controls(view, group_by_options(data.runs)),
            curve_graphs(),
            html.H4("Results", className="mt-4"),
            score_controls(view),
            html.P(id=ids.EXP_CAPTION, className="text-muted small mb-1"),
            results_grid(),
            download_links(),
            html.H4("Comparisons", className="mt-4"),
            pair_controls(view),
            html.P(id=ids.EXP_POI),
            dcc.Graph(id=ids.EXP_PROFILE, config={"displaylogo": False}),
            html.H4("Hyperparameters against the objective", className="mt-4"),
            dcc.Graph(id=ids.EXP_PARCOORDS, config={"displaylogo": False}),
            html.Div(id=ids.EXP_SENSITIVITY, className="row g-2"),
        ]
    )


def _missing(experiment_id: object) -> html.Div:
    """Return the notice for an experiment that does not exist."""
    return html.Div(
        [
            html.H2("Experiment", id=ids.PAGE_TITLE),
            dbc.Alert(
                [
                    f"experiment {experiment_id} not found. ",
                    dcc.Link("All experiments", href="/experiments"),
                ],
                color="warning",
                id=ids.EXP_MISSING,
            ),
        ]
    )


def _read(experiment_id: object, show_archived: object) -> PageData:
    """Return the reading of the experiment the page's store names (its archived runs with
    the "show archived" switch on).

    Raises:
        PreventUpdate: not an experiment id (only a crafted request sends one), no such
            experiment, or a run deleted meanwhile: nothing changes.
    """
    try:
        experiment = parse_id("experiment_id", experiment_id)
        return page_data(get_store(), experiment, show_archived=show_archived is True)
    except (ValidationError, ExperimentNotFound, RunNotFound):
        raise PreventUpdate from None


clientside_callback(
    ClientsideFunction("experiment", "shareLinks"),
    Output(ids.EXP_SHARE, "href"),
    Output(ids.EXP_TABLE_CSV, "href"),
    Output(ids.EXP_TABLE_MD, "href"),
    Output(ids.EXP_TABLE_TEX, "href"),
    Output(ids.EXP_SERIES_CSV, "href"),
    Input(ids.EXP_CENTRE, "value"),
    Input(ids.EXP_BAND, "value"),
    Input(ids.EXP_SEEDS, "value"),
    Input(ids.EXP_GROUP_BY, "value"),
    Input(ids.EXP_METRIC, "value"),
    Input(ids.EXP_THRESHOLD, "value"),
    Input(ids.EXP_PAIR_X, "value"),
    Input(ids.EXP_PAIR_Y, "value"),
    State(ids.EXP_QUERY_KEYS, "data"),
    State(ids.EXP_ID, "data"),
)


@callback(
    Output(ids.EXP_KEY, "data"),
    Input(ids.EXP_REVISION, "data"),
    State(ids.EXP_ID, "data"),
    State(ids.EXP_KEY, "data"),
)
def experiment_moved(_: Any, experiment_id: object, known: Any) -> Any:
    """Read what the experiment and its runs are now (the store moved).

    Returns:
        ``views.experiment_page.experiment_key``; no update when nothing drawn moved.
    """
    try:
        key = experiment_key(get_store(), parse_id("experiment_id", experiment_id))
    except (ValidationError, ExperimentNotFound):
        raise PreventUpdate from None
    if key == known:
        raise PreventUpdate
    return key


@callback(
    *(Output(ids.exp_curve(metric), "figure") for metric in CURVE_METRICS),
    Output(ids.EXP_STATUS, "children"),
    Output(ids.EXP_GROUP_BY, "options"),
    Input(ids.EXP_KEY, "data"),
    Input(ids.EXP_CENTRE, "value"),
    Input(ids.EXP_BAND, "value"),
    Input(ids.EXP_SEEDS, "value"),
    Input(ids.EXP_GROUP_BY, "value"),
    Input(ids.EXP_SHOW_ARCHIVED, "value"),
    State(ids.EXP_ID, "data"),
)
def render_curves(
    _: Any,
    centre: object,
    band: object,
    seeds: object,
    by: object,
    archived: object,
    experiment_id: object,
) -> tuple[Any, ...]:
    """Draw the group curves with the chosen centre, band, seed lines and grouping.

    Returns:
        One figure per ``CURVE_METRICS`` metric, the status line and the grouping options.
    """
    data = _read(experiment_id, archived)
    view = data.view({"centre": centre, "band": band, "seeds": seeds, "by": by})
    figures = curve_figures(data, view)
    return (*figures.values(), status_line(data), group_by_options(data.runs))


@callback(
    Output(ids.EXP_TABLE, "rowData"),
    Output(ids.EXP_CAPTION, "children"),
    Output(ids.EXP_PAIR_X, "options"),
    Output(ids.EXP_PAIR_Y, "options"),
    Output(ids.EXP_POI, "children"),
    Output(ids.EXP_PROFILE, "figure"),
    Output(ids.EXP_PARCOORDS, "figure"),
    Output(ids.EXP_SENSITIVITY, "children"),
    Input(ids.EXP_KEY, "data"),
    Input(ids.EXP_GROUP_BY, "value"),
    Input(ids.EXP_METRIC, "value"),
    Input(ids.EXP_THRESHOLD, "value"),
    Input(ids.EXP_PAIR_X, "value"),
    Input(ids.EXP_PAIR_Y, "value"),
    Input(ids.EXP_CENTRE, "value"),
    Input(ids.EXP_SHOW_ARCHIVED, "value"),
    State(ids.EXP_ID, "data"),
)
def render_analysis(
    _: Any,
    by: object,
    metric: object,
    threshold: object,
    pair_x: object,
    pair_y: object,
    centre: object,
    archived: object,
    experiment_id: object,
) -> tuple[Any, ...]:
    """Build the results table, the comparison and the hyperparameter charts.

    Returns:
        The grid's rows, the table's caption, the pair choices' options, the probability of
        improvement, the performance profile, parallel coordinates and sensitivity charts.
    """
    data = _read(experiment_id, archived)
    query = {"by": by, "metric": metric, "threshold": threshold, "centre": centre}
    view = data.view({**query, "pair": [pair_x, pair_y]})
    results = data.results(view)
    found = panels(results, view)
    options = [
        {"label": f"#{result.group.number} {result.group.label}", "value": result.group.number}
        for result in results
    ]
    caption = " · ".join(headers(view.metric, view.threshold)[2:5])
    return (
        table_rows(results),
        caption,
        options,
        options,
        found.improvement,
        found.profile,
        found.parcoords,
        sensitivity_graphs(found.sensitivity),
    )
