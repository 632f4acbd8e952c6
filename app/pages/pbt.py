"""The PBT page of an experiment, shareable as ``/experiments/<id>/pbt``: the population's
curves, the lineage tree (an edge wherever a member copied another) and the learned
schedule along the best member's ancestry. It polls the store's revision
(``components.revision_poll``) and redraws when it moved, so it is live while the
population trains."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from app import ids
from app.components.revision_poll import RevisionPoll
from app.context import get_store
from app.figures.pbt import curves_figure, lineage_figure, schedule_figure
from app.rules import format_number, parse_id
from app.views.pbt import PbtView, pbt_view
from app.views.revision import read_revision
from gridworld.errors import ValidationError
from runstore import ExperimentNotFound, Exploit

dash.register_page(
    __name__,
    path_template="/experiments/<experiment_id>/pbt",
    order=6,
    title="gridlab · population-based training",
)

POLL = RevisionPoll(tick=ids.PBT_REFRESH, revision=ids.PBT_REVISION)
"""The page's poll of the store's revision."""
POLL.register()
LISTED_EXPLOITS = 20
"""The latest exploits listed under the figures (the lineage figure shows them all)."""


def layout(experiment_id: str | None = None, **_: object) -> html.Div:
    """Return the PBT page of ``experiment_id``.

    Args:
        experiment_id: the id from the URL (None: Dash building its validation layout).

    Returns:
        The page, or a notice naming the id when it is no PBT experiment.
    """
    store = get_store()
    revision = read_revision(store)
    found = None
    if experiment_id is not None:
        try:
            found = store.experiments.get(parse_id("experiment", experiment_id))
        except (ValidationError, ExperimentNotFound):
            found = None
        if found is None or found.method != "pbt":
            return html.Div(
                [
                    html.H2("Population-based training", id=ids.PAGE_TITLE),
                    dbc.Alert(
                        f"Experiment {experiment_id} is not a PBT experiment of this store.",
                        id=ids.PBT_MISSING,
                        color="warning",
                    ),
                ]
            )
    title = "Population-based training" + (f" · {found.name}" if found else "")
    return html.Div(
        [
            html.H2(title, id=ids.PAGE_TITLE),
            html.P(id=ids.PBT_SUMMARY, className="text-muted"),
            dcc.Store(id=ids.PBT_EXPERIMENT, data=found.id if found else None),
            *POLL.components(revision),
            html.P(id=ids.PBT_EXPLOIT_COUNT),
            dcc.Graph(id=ids.PBT_CURVES, config={"displaylogo": False}),
            dcc.Graph(id=ids.PBT_LINEAGE, config={"displaylogo": False}),
            dcc.Graph(id=ids.PBT_SCHEDULE, config={"displaylogo": False}),
            html.H4("Latest exploits", className="mt-3"),
            html.Ul(id=ids.PBT_EXPLOITS),
        ]
    )


@callback(
    Output(ids.PBT_SUMMARY, "children"),
    Output(ids.PBT_EXPLOIT_COUNT, "children"),
    Output(ids.PBT_CURVES, "figure"),
    Output(ids.PBT_LINEAGE, "figure"),
    Output(ids.PBT_SCHEDULE, "figure"),
    Output(ids.PBT_EXPLOITS, "children"),
    Input(ids.PBT_REVISION, "data"),
    State(ids.PBT_EXPERIMENT, "data"),
)
def redraw(_revision: int | None, experiment_id: int | None) -> tuple[Any, ...]:
    """Return the page's texts and figures for the experiment, read afresh."""
    if experiment_id is None:
        raise PreventUpdate
    try:
        view = pbt_view(get_store(), experiment_id)
    except ExperimentNotFound:
        raise PreventUpdate from None
    return (
        _summary(view),
        f"{len(view.exploits)} exploits so far",
        curves_figure(view),
        lineage_figure(view),
        schedule_figure(view),
        [html.Li(_exploit_line(exploit)) for exploit in view.exploits[-LISTED_EXPLOITS:][::-1]],
    )


def _summary(view: PbtView) -> str:
    """Return the line under the title: members, their statuses, the best one."""
    statuses: dict[str, int] = {}
    for run in view.members:
        statuses[run.status] = statuses.get(run.status, 0) + 1
    counted = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    best = f"; best now: run {view.best}" if view.best is not None else ""
    return f"{len(view.members)} members ({counted}){best}"


def _exploit_line(exploit: Exploit) -> str:
    """Return one exploit as a sentence: who copied whom, where, and what changed."""
    changed = ", ".join(
        f"{name} {format_number(exploit.old_params.get(name))} → {format_number(value)}"
        for name, value in exploit.new_params.items()
        if exploit.old_params.get(name) != value
    )
    return (
        f"episode {exploit.episode}: run {exploit.run_id} copied run {exploit.source_run_id}"
        f" at episode {exploit.source_episode}" + (f" ({changed})" if changed else "")
    )
