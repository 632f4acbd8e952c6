"""The experiment routes of the HTTP API, on ``app.api``'s blueprint (its error answers).

- ``GET  /api/experiments``: every experiment, newest first.
- ``POST /api/experiments``: launch one (the body is ``launch_experiment``'s request) →
  201 with the experiment; 400 naming the field for a bad request, with nothing written.
- ``GET  /api/experiments/<id>``: the experiment, its runs, and its groups with their
  statistics (``views.experiment_files.experiment_statistics``; the experiment page's query
  string chooses grouping, objective, threshold, centre and band); 404 for an unknown one.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from app.api import _finite, bp
from app.context import get_store
from app.experiments.launch import launch_experiment
from app.request_json import mutating
from app.rules import parse_id
from app.views.experiment_files import experiment_statistics
from app.views.experiment_page import page_data
from runstore import ExperimentNotFound, RunStore


@bp.errorhandler(ExperimentNotFound)
def _experiment_not_found(exc: ExperimentNotFound) -> tuple[Response, int]:
    return jsonify({"error": str(exc)}), 404


def experiment_detail(store: RunStore, experiment_id: int) -> dict[str, Any]:
    """Return an experiment with its runs (by trial, then id) and its groups' statistics in
    the view the request's query string asks for, as JSON-safe data (non-finite as null).

    Raises:
        ExperimentNotFound: no such experiment.
    """
    data = page_data(store, experiment_id)
    statistics = experiment_statistics(data, data.view(request.args))
    runs = [run.to_dict() for run in data.runs]
    return _finite({**data.experiment.to_dict(), "runs": runs, **statistics})


@bp.get("/experiments")
def list_experiments() -> Response:
    """List every experiment, newest first."""
    experiments = get_store().experiments.list_all()
    return jsonify({"experiments": [experiment.to_dict() for experiment in experiments]})


@bp.post("/experiments")
@mutating(body_required=True)
def create_experiment(body: Any) -> tuple[Response, int]:
    """Validate a sweep request and queue its runs for workers: 201 with the experiment."""
    experiment = launch_experiment(get_store(), body)
    return jsonify(experiment.to_dict()), 201


@bp.get("/experiments/<experiment_id>")
def experiment(experiment_id: str) -> Response:
    """Return the experiment and its runs."""
    return jsonify(experiment_detail(get_store(), parse_id("experiment_id", experiment_id)))
