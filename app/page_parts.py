"""Pieces the Dash pages share: status colours, figure formatting, and the run a URL names
(or a notice)."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from app.context import get_store
from runstore import Run, RunNotFound

STATUS_COLORS = {
    "queued": "secondary",
    "running": "primary",
    "paused": "warning",
    "finished": "success",
    "stopped": "dark",
    "crashed": "danger",
    "error": "danger",
}
"""Bootstrap colour of each run status's badge."""


def format_figure(value: Any) -> str:
    """Return a number for a table or label: floats to 4 significant digits, integers with
    thousands separators, a dash for a missing value, anything else as text."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def run_from_path(value: object) -> Run | None:
    """Return the stored run a URL segment names.

    Returns:
        The run, or None when the segment is not a positive integer or no such run exists.
    """
    text = str(value)
    if not (text.isdigit() and int(text) > 0):
        return None
    try:
        return get_store().get_run(int(text))
    except RunNotFound:
        return None


def missing_run(title: str, run_id: object, element_id: str) -> html.Div:
    """Return the page shown for a run that does not exist.

    Args:
        title: the page's title.
        run_id: the id as the URL gave it.
        element_id: the notice's id (for tests).

    Returns:
        The title and a "run N not found" notice with a link to all runs.
    """
    return html.Div(
        [
            html.H2(title, id="page-title"),
            dbc.Alert(
                [f"run {run_id} not found. ", dcc.Link("All runs", href="/")],
                color="warning",
                id=element_id,
            ),
        ]
    )
