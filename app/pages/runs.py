"""The runs page, ``/``: every run in the store, a form to start one, and a way to compare.

The grid lists each run with its status, progress, recent and best mean return and key
hyperparameters; it is sortable and filterable, and re-reads the store every 2 s while any
run is queued or running (rows keep their ids, so a selection survives the refresh). Two
to eight selected rows open ``/compare?runs=...``. The "New run" form sends its fields to
``app.actions.submit_run``; a bad value is shown at its own input with the validator's
message (the same text the CLI and the HTTP API give), and nothing is created.
"""

from __future__ import annotations

import json
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app.actions import submit_run
from app.context import get_pool, get_store
from app.page_parts import STATUS_COLORS
from app.rules import Conflict
from gridworld.config import PRESETS
from gridworld.errors import ValidationError
from gridworld.hyperparams import HYPERPARAM_RANGES, Hyperparams
from gridworld.spec import GRIDWORLD_ID, RunSpec
from runstore import Run

dash.register_page(__name__, path="/", title="gridlab · runs")

REFRESH_MS = 2000
"""Refresh period while any run is queued or running."""
MAX_COMPARE = 8
"""Most runs the compare page shows."""
ENVS = ("GridWorld-v0", "FrozenLake-v1", "FrozenLake8x8-v1", "CliffWalking-v1", "Taxi-v4")
"""Environments the form offers."""
CUSTOM_MAP = "custom"
"""The preset choice that switches the form to a custom text map."""
DEMO_RUN = {"env": GRIDWORLD_ID, "preset": "medium", "episodes": 20_000, "seed": 0, "name": "demo"}
"""The request the empty state's one-click demo button submits."""

PARAM_FIELDS = ("alpha", "gamma", "epsilon", "epsilon_decay", "epsilon_min")
"""Hyperparameters the form sets (the rest keep their defaults)."""
FORM_FIELDS = ("env", "preset", "desc", "episodes", *PARAM_FIELDS, "seed", "name")
"""Every form field, in form order; each has an input ``new-<slug>`` and its feedback."""
FIELD_ALIASES = {"env_id": "env"}
"""Validation-error fields that are shown at another input."""

_DEFAULT_PARAMS = Hyperparams()
_DEFAULT_SPEC = RunSpec()
PARAM_LABELS = {
    "alpha": "alpha (learning rate)",
    "gamma": "gamma (discount)",
    "epsilon": "epsilon (exploration)",
    "epsilon_decay": "epsilon decay",
    "epsilon_min": "min epsilon",
}

_NUMBER = {"function": "params.value == null ? '–' : d3.format('.4~g')(params.value)"}
_EPISODES = {
    "function": "d3.format(',')(params.value) + ' / ' + d3.format(',')(params.data.target)"
}
COLUMNS: list[dict[str, Any]] = [
    {"field": "id", "headerName": "#", "width": 65, "cellDataType": "number", "sort": "desc"},
    {"field": "name", "headerName": "Name", "cellRenderer": "RunLink", "width": 150},
    {"field": "env", "headerName": "Env", "width": 165},
    {"field": "status", "headerName": "Status", "cellRenderer": "RunStatus", "width": 105},
    {
        "field": "progress",
        "headerName": "Progress %",
        "cellRenderer": "RunProgress",
        "cellDataType": "number",
        "cellStyle": {"display": "flex", "alignItems": "center"},
        "width": 140,
    },
    {
        "field": "episodes",
        "headerName": "Episodes",
        "headerTooltip": "episodes done / target",
        "cellDataType": "number",
        "valueFormatter": _EPISODES,
        "width": 130,
    },
    {
        "field": "recent_return",
        "headerName": "Return",
        "headerTooltip": "recent mean return (last 100 episodes)",
        "cellDataType": "number",
        "valueFormatter": _NUMBER,
        "width": 95,
    },
    {
        "field": "best_return",
        "headerName": "Best",
        "headerTooltip": "best mean return of any 100-episode block",
        "cellDataType": "number",
        "valueFormatter": _NUMBER,
        "width": 85,
    },
    *(
        {
            "field": name,
            "headerName": symbol,
            "headerTooltip": f"{name} (current value)",
            "cellDataType": "number",
            "valueFormatter": _NUMBER,
            "width": 75,
        }
        for name, symbol in (("alpha", "α"), ("gamma", "γ"), ("epsilon", "ε"))
    ),
    {"field": "created", "headerName": "Created (UTC)", "cellDataType": "text", "width": 160},
]
"""The grid's columns; ``RunLink``, ``RunStatus`` and ``RunProgress`` are in assets/runs-grid.js."""


def _slug(field: str) -> str:
    """Return the id suffix of a form field (``epsilon_decay`` -> ``epsilon-decay``)."""
    return field.replace("_", "-")


def _env_label(run: Run) -> str:
    """Return the env column's text: the env id and, for GridWorld, its preset or map."""
    spec = run.spec or {}
    if spec.get("preset"):
        return f"{run.env_id} · {spec['preset']}"
    if spec.get("desc"):
        return f"{run.env_id} · custom map"
    return run.env_id


def run_row(run: Run, summary: dict[str, Any]) -> dict[str, Any]:
    """Return the grid row of one run.

    Args:
        run: the stored run.
        summary: ``RunStore.summary(run.id)`` (``recent_return`` and ``best_return`` used).

    Returns:
        A JSON-safe dict: id, name, env, status (and its badge colour), live, progress (0 to
        100), episodes done and target, recent and best mean return, alpha, gamma, epsilon
        (current values) and the creation time as ``YYYY-MM-DD HH:MM:SS`` (UTC).
    """
    target = max(1, run.target_episodes)
    params = run.current_params or {}
    return {
        "id": run.id,
        "name": run.name,
        "env": _env_label(run),
        "status": run.status,
        "status_color": STATUS_COLORS.get(run.status, "secondary"),
        "live": run.is_live,
        "progress": round(min(100.0, 100.0 * run.episodes_done / target), 1),
        "episodes": run.episodes_done,
        "target": run.target_episodes,
        "recent_return": summary.get("recent_return"),
        "best_return": summary.get("best_return"),
        "alpha": params.get("alpha"),
        "gamma": params.get("gamma"),
        "epsilon": params.get("epsilon"),
        "created": run.created_at.strftime("%Y-%m-%d %H:%M:%S"),
    }


def _rows() -> tuple[list[dict[str, Any]], bool]:
    """Return the grid rows of every stored run (newest first) and whether any is live."""
    store = get_store()
    runs = store.list_runs()
    rows = [run_row(run, store.summary(run.id).to_dict()) for run in runs]
    return rows, any(run.is_live for run in runs)


def _count_text(rows: list[dict[str, Any]]) -> str:
    """Return the line under the title: how many runs, and how many are live."""
    live = sum(1 for row in rows if row["live"])
    text = f"{len(rows)} run{'s' if len(rows) != 1 else ''}"
    return f"{text} · {live} live, refreshing every {REFRESH_MS // 1000} s" if live else text


def _shown(visible: bool) -> dict[str, str]:
    """Return a style that shows or hides a block."""
    return {} if visible else {"display": "none"}


def layout(**_: object) -> html.Div:
    """Return the runs page layout, filled with the runs stored now.

    Returns:
        The page: title and actions, the new-run form (collapsed), the empty state or the
        grid, and the refresh timer (running only while a run is live).
    """
    rows, live = _rows()
    actions = html.Div(
        [
            dbc.Button("+ New run", id="new-toggle", color="primary", className="me-2"),
            dbc.Button(
                "Compare",
                id="runs-compare",
                href="/compare",
                color="secondary",
                outline=True,
                disabled=True,
            ),
            html.Span(
                f"select 2 to {MAX_COMPARE} runs to compare",
                id="runs-compare-hint",
                className="text-muted small ms-2",
            ),
        ],
        className="d-flex align-items-center",
    )
    return html.Div(
        [
            html.Div(
                [
                    html.Div(
                        [
                            html.H2("Runs", id="page-title", className="mb-0"),
                            html.Small(_count_text(rows), id="runs-count", className="text-muted"),
                        ]
                    ),
                    actions,
                ],
                className="d-flex justify-content-between align-items-end flex-wrap gap-2 mb-3",
            ),
            dbc.Collapse(_new_run_form(), id="new-collapse", is_open=False),
            dbc.Alert(id="new-message", is_open=False, dismissable=True, className="mt-2"),
            html.Div(_empty_state(), id="runs-empty", style=_shown(not rows)),
            html.Div(
                dag.AgGrid(
                    id="runs-grid",
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
                ),
                id="runs-grid-box",
                style=_shown(bool(rows)),
            ),
            dcc.Store(id="runs-version", data=0),
            dcc.Interval(id="runs-refresh", interval=REFRESH_MS, disabled=not live),
        ]
    )


def _empty_state() -> dbc.Card:
    """Return the card shown when the store has no run: a demo button and the form's toggle."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.H4("No runs yet", className="card-title"),
                html.P(
                    "Train a tabular Q-learning agent on a grid world and watch it learn. "
                    "Start a demo run with one click (GridWorld, medium map, 20,000 episodes), "
                    "or configure your own.",
                    className="card-text",
                ),
                dbc.Button("▶ Start a demo run", id="runs-demo", color="success", className="me-2"),
                dbc.Button("Configure a run", id="runs-empty-new", color="primary", outline=True),
            ]
        ),
        className="text-center my-4 mx-auto",
        style={"maxWidth": "40rem"},
    )


def _field(field: str, label: str, control: Any, hint: str | None = None, **col: Any) -> dbc.Col:
    """Return a form column: label, control, hint text and the field's invalid feedback."""
    slug = _slug(field)
    parts = [dbc.Label(label, html_for=f"new-{slug}"), control]
    parts.append(dbc.FormFeedback(id=f"new-{slug}-feedback", type="invalid"))
    if hint:
        parts.append(dbc.FormText(hint))
    return dbc.Col(parts, **col)


def _text_input(field: str, placeholder: object, numeric: bool = True) -> dbc.Input:
    """Return a text input for ``field`` (numbers are typed as text so any value reaches the
    validator, which then gives the same message as the CLI and the HTTP API)."""
    return dbc.Input(
        id=f"new-{_slug(field)}",
        type="text",
        inputMode="decimal" if numeric else "text",
        placeholder=str(placeholder),
        autoComplete="off",
    )


def _new_run_form() -> dbc.Card:
    """Return the new-run form; empty fields take the trainer's defaults."""
    env_row = dbc.Row(
        [
            _field(
                "env",
                "Environment",
                dbc.Select(
                    id="new-env",
                    options=[{"label": env, "value": env} for env in ENVS],
                    value=GRIDWORLD_ID,
                ),
                md=4,
            ),
            _field(
                "preset",
                "Map",
                dbc.Select(
                    id="new-preset",
                    options=[{"label": f"preset: {name}", "value": name} for name in PRESETS]
                    + [{"label": "custom map…", "value": CUSTOM_MAP}],
                    value=_DEFAULT_SPEC.preset,
                ),
                "GridWorld only",
                md=4,
            ),
            _field("episodes", "Episodes", _text_input("episodes", _DEFAULT_SPEC.episodes), md=4),
        ],
        className="g-3",
    )
    desc_box = html.Div(
        _field(
            "desc",
            "Custom map",
            dbc.Textarea(
                id="new-desc",
                rows=5,
                placeholder="S..#\n.T..\n...G",
                className="font-monospace",
                spellCheck=False,
            ),
            "one row per line: S start, G goal, . floor, # wall, T trap",
        ),
        id="new-desc-box",
        className="mt-3",
        style=_shown(False),
    )
    params_row = dbc.Row(
        [
            _field(
                name,
                PARAM_LABELS[name],
                _text_input(name, getattr(_DEFAULT_PARAMS, name)),
                str(HYPERPARAM_RANGES[name]),
                md=True,
            )
            for name in PARAM_FIELDS
        ],
        className="g-3 mt-1",
    )
    name_row = dbc.Row(
        [
            _field("seed", "Seed", _text_input("seed", _DEFAULT_SPEC.seed), md=3),
            _field(
                "name",
                "Name",
                _text_input("name", "preset and seed", numeric=False),
                md=9,
            ),
        ],
        className="g-3 mt-1",
    )
    return dbc.Card(
        [
            dbc.CardHeader("New run"),
            dbc.CardBody(
                dbc.Form(
                    [
                        env_row,
                        desc_box,
                        params_row,
                        name_row,
                        dbc.Button(
                            "Start run",
                            id="new-submit",
                            type="submit",
                            color="primary",
                            className="mt-3",
                        ),
                    ],
                    id="new-form",
                )
            ),
        ],
        className="mb-3",
    )


def _value(raw: object) -> object:
    """Return a form value for the validator: None when empty, a number when it reads as one,
    else the text as typed (so the validator names what is wrong with it)."""
    if raw is None or isinstance(raw, int | float):
        return raw
    text = str(raw).strip()
    if not text:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _desc(text: object) -> object:
    """Return a custom map as a list of rows (one per non-empty line, or a pasted JSON list)."""
    raw = str(text or "").strip()
    if raw.startswith("["):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return [line.strip() for line in raw.splitlines() if line.strip()]


def new_run_body(values: dict[str, Any]) -> dict[str, Any]:
    """Return the ``submit_run`` request for the form's values, leaving out empty fields.

    Args:
        values: form field (``FORM_FIELDS``) to the input's value.

    Returns:
        ``env``, then ``preset`` or ``desc`` (GridWorld only), and any of ``episodes``,
        ``params`` (the hyperparameters given), ``seed`` and ``name`` that were filled in.
    """
    env = values.get("env") or GRIDWORLD_ID
    body: dict[str, Any] = {"env": env}
    if env == GRIDWORLD_ID:
        if values.get("preset") == CUSTOM_MAP:
            body["desc"] = _desc(values.get("desc"))
        elif values.get("preset"):
            body["preset"] = values["preset"]
    params = {name: _value(values.get(name)) for name in PARAM_FIELDS}
    params = {name: value for name, value in params.items() if value is not None}
    if params:
        body["params"] = params
    for name in ("episodes", "seed"):
        value = _value(values.get(name))
        if value is not None:
            body[name] = value
    name = str(values.get("name") or "").strip()
    if name:
        body["name"] = name
    return body


clientside_callback(
    """
    function(toggle, emptyNew, isOpen) {
        const fired = dash_clientside.callback_context.triggered.map(t => t.prop_id);
        return fired.includes("runs-empty-new.n_clicks") ? true : !isOpen;
    }
    """,
    Output("new-collapse", "is_open"),
    Input("new-toggle", "n_clicks"),
    Input("runs-empty-new", "n_clicks"),
    State("new-collapse", "is_open"),
    prevent_initial_call=True,
)


clientside_callback(
    f"""
    function(env, preset) {{
        const grid = env === "{GRIDWORLD_ID}";
        const custom = grid && preset === "{CUSTOM_MAP}";
        return [!grid, custom ? {{}} : {{display: "none"}}];
    }}
    """,
    Output("new-preset", "disabled"),
    Output("new-desc-box", "style"),
    Input("new-env", "value"),
    Input("new-preset", "value"),
)


clientside_callback(
    f"""
    function(rows) {{
        const ids = (rows || []).map(row => row.id).sort((a, b) => a - b);
        const ok = ids.length >= 2 && ids.length <= {MAX_COMPARE};
        const href = ok ? "/compare?runs=" + ids.join(",") : "/compare";
        const label = ids.length ? "Compare (" + ids.length + ")" : "Compare";
        let hint = "";
        if (ids.length < 2) {{ hint = "select 2 to {MAX_COMPARE} runs to compare"; }}
        else if (!ok) {{ hint = "compare takes at most {MAX_COMPARE} runs"; }}
        return [href, !ok, label, hint];
    }}
    """,
    Output("runs-compare", "href"),
    Output("runs-compare", "disabled"),
    Output("runs-compare", "children"),
    Output("runs-compare-hint", "children"),
    Input("runs-grid", "selectedRows"),
)


@callback(
    Output("runs-grid", "rowData"),
    Output("runs-empty", "style"),
    Output("runs-grid-box", "style"),
    Output("runs-refresh", "disabled"),
    Output("runs-count", "children"),
    Input("runs-refresh", "n_intervals"),
    Input("runs-version", "data"),
    prevent_initial_call=True,
)
def refresh(
    _: int | None, __: int | None
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, str], bool, str]:
    """Re-read every run (on the timer, and after a run was started here).

    Returns:
        The grid rows, the empty state's and the grid's styles, whether the timer stops (no
        run is live) and the count line.
    """
    rows, live = _rows()
    return rows, _shown(not rows), _shown(bool(rows)), not live, _count_text(rows)


def _form_outputs() -> dict[str, Any]:
    """Return the submit callback's outputs: each field's invalid flag and feedback, the
    message alert, and the version counter that makes the grid refresh."""
    return {
        "invalid": {name: Output(f"new-{_slug(name)}", "invalid") for name in FORM_FIELDS},
        "feedback": {
            name: Output(f"new-{_slug(name)}-feedback", "children") for name in FORM_FIELDS
        },
        "message": Output("new-message", "children"),
        "color": Output("new-message", "color"),
        "open": Output("new-message", "is_open"),
        "version": Output("runs-version", "data"),
    }


@callback(
    output=_form_outputs(),
    inputs={
        "submit": Input("new-submit", "n_clicks"),
        "demo": Input("runs-demo", "n_clicks"),
        "values": {name: State(f"new-{_slug(name)}", "value") for name in FORM_FIELDS},
        "version": State("runs-version", "data"),
    },
    prevent_initial_call=True,
)
def submit(
    submit: int | None, demo: int | None, values: dict[str, Any], version: int | None
) -> dict[str, Any]:
    """Start a run from the form (or the demo button) through ``app.actions.submit_run``.

    Returns:
        The outputs of ``_form_outputs``: a validation error marks its input invalid with the
        validator's message (nothing is created); a conflict (no training pool) shows an
        alert; a started run shows a link to its page and bumps the version so the grid
        refreshes.
    """
    clean = {
        "invalid": dict.fromkeys(FORM_FIELDS, False),
        "feedback": dict.fromkeys(FORM_FIELDS, ""),
        "message": "",
        "color": "success",
        "open": False,
        "version": no_update,
    }
    if not (submit or demo):
        raise PreventUpdate
    body = dict(DEMO_RUN) if ctx.triggered_id == "runs-demo" else new_run_body(values)
    try:
        run_id = submit_run(get_pool(), body)
    except ValidationError as exc:
        field = FIELD_ALIASES.get(exc.field, exc.field)
        if field in FORM_FIELDS and ctx.triggered_id != "runs-demo":
            clean["invalid"][field] = True
            clean["feedback"][field] = str(exc)
            return clean
        return {**clean, "message": str(exc), "color": "danger", "open": True}
    except Conflict as exc:
        return {**clean, "message": f"Cannot start a run: {exc}", "color": "danger", "open": True}
    name = get_store().get_run(run_id).name
    message = [
        f"Started run #{run_id} “{name}”. ",
        dcc.Link("Open its page →", href=f"/runs/{run_id}", id="new-run-link"),
    ]
    return {**clean, "message": message, "open": True, "version": (version or 0) + 1}
