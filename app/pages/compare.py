"""The compare page: several runs side by side, shareable as ``/compare?runs=1,2,3``.

Every control lives in the URL's query string (runs, metric, x, smooth, bands, threshold),
so a link reproduces the view. Only decimated windows are read: comparing eight runs of a
million episodes costs the same as comparing two short ones.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update

from app.context import get_store
from app.figures.compare import (
    RunCurve,
    compare_figure,
    comparison_csv,
    param_rows,
    summary_row,
)
from app.figures.curves import X_MODES, color_for
from app.page_parts import format_figure
from runstore import METRICS, Run, RunNotFound

dash.register_page(__name__, path="/compare", title="gridlab · compare")

MAX_RUNS = 8
"""Most runs on one comparison (the palette has eight colours)."""
MAIN_POINTS = 500
"""Buckets per run on the main figure: eight runs with bands stay a few hundred KB."""
SMALL_POINTS = 300
THRESHOLD_POINTS = 2000
SMALL_METRICS = ("return", "length", "success", "epsilon", "mean_abs_td", "max_q")
REFRESH_MS = 2000
DEFAULTS = {"metric": "return", "x": "episode", "smooth": 0.6, "bands": "1", "threshold": 0.5}


def parse_runs(raw: object) -> list[int]:
    """Return the run ids of a ``runs=1,2,3`` value: positive integers, unique, at most 8.

    Args:
        raw: the query value (text), a list of ids, or None.

    Returns:
        The ids in the given order; anything that is not a positive integer is dropped.
    """
    parts = raw if isinstance(raw, list) else str(raw or "").split(",")
    ids = [int(p) for p in (str(part).strip() for part in parts) if p.isdigit() and int(p) > 0]
    return list(dict.fromkeys(ids))[:MAX_RUNS]


def _number(raw: object, default: float, low: float, high: float) -> float:
    """Return ``raw`` as a float within [low, high], or ``default`` when it is not one."""
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return min(high, max(low, value)) if value == value else default


def _runs(ids: list[int]) -> list[Run]:
    """Return the stored runs among ``ids`` (unknown ids are skipped), in order."""
    store = get_store()
    found = []
    for run_id in ids:
        try:
            found.append(store.get_run(run_id))
        except RunNotFound:
            continue
    return found


def layout(**query: object) -> html.Div:
    """Return the compare page for the query string's runs and settings.

    Args:
        **query: ``runs`` (``1,2,3``), ``metric``, ``x`` (episode, env_steps, wall_time),
            ``smooth`` (0..0.99), ``bands`` (1/0), ``threshold`` (a mean return).

    Returns:
        The page: controls, the overlaid curve, small multiples, the parameter diff table and
        the summary table.
    """
    ids = parse_runs(query.get("runs"))
    metric = str(query.get("metric", DEFAULTS["metric"]))
    metric = metric if metric in METRICS else DEFAULTS["metric"]
    x_mode = str(query.get("x", DEFAULTS["x"]))
    x_mode = x_mode if x_mode in X_MODES else DEFAULTS["x"]
    smooth = _number(query.get("smooth"), DEFAULTS["smooth"], 0.0, 0.99)
    bands = str(query.get("bands", DEFAULTS["bands"])) != "0"
    threshold = _number(query.get("threshold"), DEFAULTS["threshold"], -1e12, 1e12)
    options = [
        {"label": f"#{run.id} {run.name} ({run.status})", "value": run.id}
        for run in get_store().list_runs()
    ]
    controls = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Runs", html_for="compare-runs"),
                    dcc.Dropdown(
                        id="compare-runs",
                        options=options,
                        value=[run_id for run_id in ids if run_id in {o["value"] for o in options}],
                        multi=True,
                        placeholder=f"pick up to {MAX_RUNS} runs",
                    ),
                ],
                lg=5,
            ),
            dbc.Col(
                [
                    dbc.Label("Metric", html_for="compare-metric"),
                    dcc.Dropdown(
                        id="compare-metric", options=list(METRICS), value=metric, clearable=False
                    ),
                ],
                lg=2,
            ),
            dbc.Col(
                [
                    dbc.Label("x axis"),
                    dbc.RadioItems(
                        id="compare-x",
                        options=[{"label": text, "value": key} for key, text in X_MODES.items()],
                        value=x_mode,
                        inline=True,
                    ),
                ],
                lg=3,
            ),
            dbc.Col(
                [
                    dbc.Label("Smoothing"),
                    dcc.Slider(
                        id="compare-smooth",
                        min=0,
                        max=0.99,
                        step=0.01,
                        value=smooth,
                        marks={0: "0", 0.5: "0.5", 0.9: "0.9"},
                        allow_direct_input=False,
                    ),
                    dbc.Switch(id="compare-bands", label="min–max bands", value=bands),
                ],
                lg=2,
            ),
        ],
        className="g-3 mb-3",
    )
    return html.Div(
        [
            html.H2("Compare runs", id="page-title"),
            controls,
            html.A("link to this comparison", id="compare-share", href="", className="small"),
            dcc.Interval(id="compare-refresh", interval=REFRESH_MS, disabled=True),
            dcc.Graph(id="compare-main", config={"displaylogo": False}),
            html.H4("Metrics", className="mt-3"),
            html.Div(id="compare-small", className="row g-2"),
            html.H4("Hyperparameters", className="mt-4"),
            html.P("Rows where the runs differ are highlighted.", className="text-muted small"),
            html.Div(id="compare-params"),
            html.H4("Summary", className="mt-4"),
            dbc.InputGroup(
                [
                    dbc.InputGroupText("Return threshold"),
                    dbc.Input(
                        id="compare-threshold", type="number", value=threshold, debounce=True
                    ),
                ],
                size="sm",
                className="mb-2",
                style={"maxWidth": "20rem"},
            ),
            html.Div(id="compare-summary"),
            dbc.Button(
                "Download comparison CSV",
                id="compare-csv-button",
                color="secondary",
                size="sm",
                className="mt-2",
            ),
            dcc.Download(id="compare-csv"),
        ]
    )


clientside_callback(
    """
    function(runs, metric, x, smooth, bands, threshold) {
        const query = new URLSearchParams();
        if (runs && runs.length) { query.set("runs", runs.join(",")); }
        query.set("metric", metric);
        query.set("x", x);
        query.set("smooth", smooth);
        query.set("bands", bands ? "1" : "0");
        if (threshold !== null && threshold !== undefined) { query.set("threshold", threshold); }
        const search = "?" + query.toString().replaceAll("%2C", ",");
        if (window.location.search !== search) {
            const url = window.location.pathname + search;
            window.history.replaceState(window.history.state, "", url);
        }
        return search;
    }
    """,
    Output("compare-share", "href"),
    Input("compare-runs", "value"),
    Input("compare-metric", "value"),
    Input("compare-x", "value"),
    Input("compare-smooth", "value"),
    Input("compare-bands", "value"),
    Input("compare-threshold", "value"),
)


def _curves(runs: list[Run], metric: str, x_mode: str, points: int) -> list[RunCurve]:
    """Read each run's window of ``metric`` (and the x metric's) plus its parameter changes."""
    store = get_store()
    curves = []
    for run in runs:
        series = store.series(run.id, metric, points=points).to_dict()
        x_series = None
        if x_mode != "episode":
            x_series = store.series(run.id, x_mode, points=points).to_dict()
        changes = [change.to_dict() for change in store.param_changes(run.id)]
        curves.append(RunCurve(run.id, run.name, series, x_series, changes))
    return curves


@callback(
    Output("compare-main", "figure"),
    Output("compare-small", "children"),
    Output("compare-refresh", "disabled"),
    Input("compare-runs", "value"),
    Input("compare-metric", "value"),
    Input("compare-x", "value"),
    Input("compare-smooth", "value"),
    Input("compare-bands", "value"),
    Input("compare-refresh", "n_intervals"),
)
def render_curves(
    ids: list[int] | None,
    metric: str,
    x_mode: str,
    smooth: float | None,
    bands: bool,
    _: int | None,
) -> tuple[Any, Any, bool]:
    """Draw the overlaid curve of ``metric`` and one small figure per headline metric.

    Returns:
        The main figure, the small multiples, and whether to stop refreshing (no run live).
    """
    runs = _runs(parse_runs(ids))
    weight = _number(smooth, 0.0, 0.0, 0.99)
    key = ",".join(str(run.id) for run in runs)
    main = compare_figure(
        _curves(runs, metric, x_mode, MAIN_POINTS),
        metric=metric,
        x_mode=x_mode,
        weight=weight,
        band=bool(bands),
        height=380,
        uirevision=f"compare-{key}-{metric}-{x_mode}",
    )
    small = [
        html.Div(
            dcc.Graph(
                id={"type": "compare-small-graph", "metric": name},
                figure=compare_figure(
                    _curves(runs, name, x_mode, SMALL_POINTS),
                    metric=name,
                    x_mode=x_mode,
                    weight=weight,
                    band=False,
                    show_markers=False,
                    show_legend=False,
                    height=220,
                    uirevision=f"small-{key}-{name}-{x_mode}",
                ),
                config={"displayModeBar": False},
            ),
            className="col-lg-4 col-md-6",
        )
        for name in SMALL_METRICS
    ]
    return main, small, not any(run.is_live for run in runs)


def _tables(ids: list[int] | None, threshold: float | None) -> tuple[list[Run], list, list]:
    """Return the runs, their parameter diff rows and their summary rows."""
    store = get_store()
    runs = _runs(parse_runs(ids))
    dicts = [run.to_dict() for run in runs]
    params = param_rows(dicts)
    summaries = [
        summary_row(
            data,
            store.summary(run.id).to_dict(),
            store.series(run.id, "return", points=THRESHOLD_POINTS).to_dict(),
            [info.evaluation for info in store.checkpoints(run.id)],
            threshold,
        )
        for run, data in zip(runs, dicts, strict=True)
    ]
    return runs, params, summaries


def _header(runs: list[Run], first: str) -> html.Thead:
    """Return a table head naming each run in its curve colour."""
    return html.Thead(
        html.Tr(
            [html.Th(first)]
            + [
                html.Th(
                    dcc.Link(f"#{run.id} {run.name}", href=f"/runs/{run.id}"),
                    style={"borderBottom": f"3px solid {color_for(i)}"},
                )
                for i, run in enumerate(runs)
            ]
        )
    )


@callback(
    Output("compare-params", "children"),
    Output("compare-summary", "children"),
    Input("compare-runs", "value"),
    Input("compare-threshold", "value"),
    Input("compare-refresh", "n_intervals"),
)
def render_tables(ids: list[int] | None, threshold: float | None, _: int | None) -> tuple:
    """Build the parameter diff table (differing rows highlighted) and the summary table.

    Returns:
        The two tables (or a hint when no run is selected).
    """
    runs, params, summaries = _tables(ids, threshold)
    if not runs:
        hint = html.P("Pick runs above, or open /compare?runs=1,2.", className="text-muted")
        return hint, hint
    param_table = dbc.Table(
        [
            _header(runs, "parameter"),
            html.Tbody(
                [
                    html.Tr(
                        [html.Th(row["param"])] + [html.Td(value) for value in row["values"]],
                        className="table-warning differs" if row["differs"] else None,
                        id={"type": "compare-param-row", "param": row["param"]},
                    )
                    for row in params
                ]
            ),
        ],
        id="compare-param-table",
        bordered=True,
        size="sm",
        hover=True,
    )
    labels = {
        "status": "status",
        "episodes": "episodes done",
        "final_return": "final mean return (last 100)",
        "best_return": "best mean return (100-episode block)",
        "episodes_to_threshold": f"episodes to mean return ≥ {format_figure(threshold)}",
        "threshold_resolution": "…resolution (episodes per bucket)",
        "final_gap": "final optimality gap",
    }
    summary_table = dbc.Table(
        [
            _header(runs, "figure"),
            html.Tbody(
                [
                    html.Tr(
                        [html.Th(text)] + [html.Td(format_figure(row[key])) for row in summaries]
                    )
                    for key, text in labels.items()
                ]
            ),
        ],
        id="compare-summary-table",
        bordered=True,
        size="sm",
    )
    return param_table, summary_table


@callback(
    Output("compare-csv", "data"),
    Input("compare-csv-button", "n_clicks"),
    State("compare-runs", "value"),
    State("compare-metric", "value"),
    State("compare-threshold", "value"),
    prevent_initial_call=True,
)
def download(_: int, ids: list[int] | None, metric: str, threshold: float | None) -> Any:
    """Send the comparison (summary, settings and the plotted metric's buckets) as CSV.

    Returns:
        The ``dcc.Download`` payload, or no update when no run is selected.
    """
    runs, params, summaries = _tables(ids, threshold)
    if not runs:
        return no_update
    text = comparison_csv(
        summaries,
        params,
        _curves(runs, metric, "episode", MAIN_POINTS),
        metric=metric,
        threshold=threshold,
    )
    name = "gridlab-compare-" + "-".join(str(run.id) for run in runs) + ".csv"
    return {"content": text, "filename": name, "type": "text/csv"}
