"""HTTP routes of one experiment's exports (its groups and statistics as JSON are in
``app.api_experiments``'s detail route):

- ``GET /api/experiments/<id>/table.csv|table.md|table.tex``: the results table.
- ``GET /api/experiments/<id>/series.csv``: every group curve with the chosen centre and band.

Each takes the experiment page's query string (``views.experiment_view.QUERY_KEYS``), so a
page's download links give what it shows. The routes sit on the API's blueprint
(``app.api.bp``), whose handlers answer a bad id with 400 and an unknown one with 404.
"""

from __future__ import annotations

from flask import Response, request

from app.api import bp
from app.context import get_store
from app.rules import parse_id
from app.views.experiment_files import (
    TABLE_SUFFIXES,
    series_csv,
    table_file,
)
from app.views.experiment_page import PageData, page_data
from gridworld.errors import ValidationError


def _data(experiment_id: str) -> PageData:
    """Return the reading of the experiment a URL names.

    Raises:
        ValidationError: not an experiment id.
        ExperimentNotFound: no such experiment.
    """
    return page_data(get_store(), parse_id("experiment_id", experiment_id))


def _attachment(text: str, mimetype: str, filename: str) -> Response:
    """Return ``text`` as a file to download."""
    return Response(
        text,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/experiments/<experiment_id>/table.<suffix>")
def experiment_table(experiment_id: str, suffix: str) -> Response:
    """Return the results table as CSV, Markdown or LaTeX (booktabs)."""
    if suffix not in TABLE_SUFFIXES:
        allowed = ", ".join(TABLE_SUFFIXES)
        raise ValidationError("format", suffix, "unknown table format", allowed)
    data = _data(experiment_id)
    text, mimetype, filename = table_file(data, data.view(request.args), suffix)
    return _attachment(text, mimetype, filename)


@bp.get("/experiments/<experiment_id>/series.csv")
def experiment_series(experiment_id: str) -> Response:
    """Return every group curve (return, success, normalised score) as CSV."""
    data = _data(experiment_id)
    name = f"gridlab-experiment-{data.experiment.id}-series.csv"
    return _attachment(series_csv(data, data.view(request.args)), "text/csv", name)
