"""The run page's trajectories card: pick a recorded episode, read its steps, download them.

The picker lists the run's recorded episodes by kind (``first``, ``every``, ``last``) and
follows the page's revision poll, so episodes recorded while the run trains appear (and
``last`` ones leave as the ring moves on) without a poll of its own. The step table shows
the chosen episode's steps (``views.trajectories``); the links download them as CSV and
JSON, and the latest checkpoint's Q-table as ``.npy``.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, html, no_update
from dash.exceptions import PreventUpdate

from app import ids
from app.context import get_store
from app.rules import MAX_ID, format_number, parse_id
from app.views.trajectories import (
    StepView,
    policy_text,
    step_columns,
    step_table,
    trajectory_options,
)
from gridworld.errors import ValidationError
from gridworld.numbers import parse_int
from runstore import Run, RunNotFound, TrajectoryInfo, TrajectoryNotFound


def _links(run_id: int, episode: int | None) -> tuple[str | None, str | None]:
    """Return the CSV and JSON download addresses of ``episode`` (None without one)."""
    if episode is None:
        return None, None
    base = f"/api/runs/{run_id}/trajectories/{episode}"
    return f"{base}.csv", f"{base}.json"


def _link(text: str, link_id: str, href: str | None) -> html.A:
    """Return one of the card's download links."""
    return html.A(text, id=link_id, href=href, className="me-3 small", target="_blank")


def trajectory_card(run: Run, infos: list[TrajectoryInfo]) -> dbc.Card:
    """Return the card, its picker at the newest recorded episode (``show`` fills the rest).

    Args:
        run: the run.
        infos: its recorded trajectories.
    """
    chosen = infos[-1].episode if infos else None
    csv, json = _links(run.id, chosen)
    return dbc.Card(
        [
            dbc.CardHeader("Trajectories"),
            dbc.CardBody(
                [
                    html.P(policy_text(run), className="text-muted small mb-2"),
                    dbc.Select(
                        id=ids.TRAJ_PICK,
                        options=trajectory_options(infos),
                        value=chosen,
                        size="sm",
                        className="mb-2",
                    ),
                    html.Div(
                        [
                            _link("CSV", ids.TRAJ_CSV, csv),
                            _link("JSON", ids.TRAJ_JSON, json),
                            _link(
                                "Q-table of the latest checkpoint (.npy)",
                                ids.TRAJ_NPY,
                                f"/api/runs/{run.id}/checkpoints/latest.npy",
                            ),
                        ],
                        className="mb-2",
                    ),
                    html.Div(id=ids.TRAJ_CAPTION, className="small mb-1"),
                    dag.AgGrid(
                        id=ids.TRAJ_GRID,
                        columnDefs=[],
                        rowData=[],
                        defaultColDef={"sortable": False, "resizable": True},
                        style={"height": "320px"},
                    ),
                ]
            ),
        ],
        id=ids.TRAJ_CARD,
        className="mt-3",
    )


def refresh(_: Any, run_id: int, chosen: object, shown: object) -> tuple[Any, Any]:
    """Re-read the recorded episodes (the page's revision moved).

    Returns:
        The picker's options (no update when they are the ones shown) and its value: the
        one chosen while it is still stored, else the newest.
    """
    try:
        infos = get_store().trajectories(parse_id("run_id", run_id))
    except (RunNotFound, ValidationError):
        raise PreventUpdate from None
    options = trajectory_options(infos)
    episodes = [info.episode for info in infos]
    kept = _episode(chosen)
    value = kept if kept in episodes else (episodes[-1] if episodes else None)
    return (
        no_update if options == shown else options,
        no_update if value == kept else value,
    )


def _episode(value: object) -> int | None:
    """Return the picked episode (a Select sends text), None for none or a malformed one."""
    try:
        return parse_int("episode", value, 1, MAX_ID) if value not in (None, "") else None
    except ValidationError:
        return None


def show(value: object, run_id: int) -> tuple[Any, ...]:
    """Draw the picked episode's steps.

    Returns:
        The caption, the table's columns and rows, and the CSV and JSON addresses.
    """
    try:
        rid = parse_id("run_id", run_id)
        episode = _episode(value)
        store = get_store()
        view = StepView.of(store.get_run(rid))
        if episode is None:
            return "No episode recorded yet.", [], [], None, None
        record = store.trajectory(rid, episode)
    except (RunNotFound, ValidationError):
        raise PreventUpdate from None
    except TrajectoryNotFound as exc:
        return str(exc), [], [], None, None
    shown = f"{format_number(record.length)} steps"
    if record.steps < record.length:
        shown = f"the first {format_number(record.steps)} of {shown}"
    total = format_number(sum(record.columns["reward"].tolist()))
    caption = f"episode {format_number(record.episode)} · {record.kind} · {shown} · return {total}"
    columns = step_columns(view, record.columns["q"].shape[1])
    return (caption, columns, step_table(view, record), *_links(rid, record.episode))


def init_app(app: dash.Dash) -> None:
    """Register the card's callbacks on ``app`` itself (see ``fork_card.init_app``)."""
    app.callback(
        Output(ids.TRAJ_PICK, "options"),
        Output(ids.TRAJ_PICK, "value"),
        Input(ids.RUN_REVISION, "data"),
        State(ids.RUN_ID, "data"),
        State(ids.TRAJ_PICK, "value"),
        State(ids.TRAJ_PICK, "options"),
        prevent_initial_call=True,
    )(refresh)
    app.callback(
        Output(ids.TRAJ_CAPTION, "children"),
        Output(ids.TRAJ_GRID, "columnDefs"),
        Output(ids.TRAJ_GRID, "rowData"),
        Output(ids.TRAJ_CSV, "href"),
        Output(ids.TRAJ_JSON, "href"),
        Input(ids.TRAJ_PICK, "value"),
        State(ids.RUN_ID, "data"),
    )(show)
