"""The HTTP API: JSON routes (and streamed CSV/JSON exports) over the run store.

Every error is ``{"error": "<what is wrong and what is allowed>"}`` with a 4xx status:
400 for a bad value (naming field, value and what is allowed; ``field`` names the first bad
field and ``errors`` lists every one as ``{"field", "error"}``, so a request with three bad
fields hears of all three), 403 for a request from a
foreign web page, 404 for an unknown run/checkpoint/route, 405 for a method the path has
no route for (with ``Allow``), 409 when the run's state does not allow the action, 413/415
for a body that is too large or not JSON; 503 when the run store cannot do what was asked
(e.g. it cannot be written), with its reason. An unexpected failure is logged and answered
with a JSON 500.

Mutating routes accept only ``application/json`` bodies, and ``app.security`` refuses a
foreign ``Host`` or ``Origin`` before any route runs: a page on another site can neither
send such a request without a CORS preflight (which this API never grants) nor pass the
origin check.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    request,
    stream_with_context,
)
from werkzeug.exceptions import HTTPException

from app.actions import change_pace, change_params, pause_run, resume_run, stop_run, submit_run
from app.context import get_store
from app.named_checkpoints import checkpoint_episode
from app.request_json import Unsupported, mutating
from app.rules import MAX_COMPARE_RUNS, MAX_EPISODE_ROWS, MAX_ID, Conflict, parse_id
from gridworld.errors import ValidationError, each_error
from gridworld.numbers import parse_int
from gridworld.pace import PACE, PACE_ALLOWED
from runstore import (
    MAX_POINTS,
    CheckpointNotFound,
    InvalidQuery,
    RunNotFound,
    StoreError,
    TrajectoryNotFound,
)

log = logging.getLogger(__name__)

DEFAULT_POINTS = 1000
DEFAULT_ROWS = 1000
"""Episode rows a request without ``limit`` reads."""

Default = TypeVar("Default", int, None)
"""What ``query_int`` gives for an absent argument: a number, or None for no bound."""

bp = Blueprint("api", __name__, url_prefix="/api")


def init_app(server: Flask) -> None:
    """Register the API blueprint and JSON 404/405 answers for every ``/api/`` path."""
    server.register_blueprint(bp)
    server.register_error_handler(404, _http_error)
    server.register_error_handler(405, _http_error)


# -- argument parsing -------------------------------------------------------------------


def query_int(field: str, default: Default, high: int = MAX_ID) -> int | Default:
    """Return the whole number in query argument ``field``, or ``default`` when absent.

    Raises:
        ValidationError: not a whole number, or outside 1..``high``.
    """
    raw = request.args.get(field, "")
    return default if raw == "" else parse_int(field, raw, 1, high)


def run_id_of(raw: str) -> int:
    """Return a run id from the URL path.

    Raises:
        ValidationError: not a whole number, or outside 1..``MAX_ID``.
    """
    return parse_id("run_id", raw)


# -- errors -----------------------------------------------------------------------------


def _error(message: str, status: int, **extra: Any) -> tuple[Response, int]:
    """Return the JSON error response."""
    return jsonify({"error": message, **extra}), status


@bp.errorhandler(ValidationError)
def _validation_error(exc: ValidationError) -> tuple[Response, int]:
    errors = [{"field": error.field, "error": str(error)} for error in each_error(exc)]
    return _error(str(exc), 400, field=exc.field, errors=errors)


@bp.errorhandler(InvalidQuery)
def _invalid_query(exc: InvalidQuery) -> tuple[Response, int]:
    return _error(str(exc), 400, field=exc.field)


@bp.errorhandler(RunNotFound)
@bp.errorhandler(CheckpointNotFound)
@bp.errorhandler(TrajectoryNotFound)
def _not_found(exc: KeyError) -> tuple[Response, int]:
    return _error(str(exc), 404)


@bp.errorhandler(Conflict)
def _conflict(exc: Conflict) -> tuple[Response, int]:
    return _error(str(exc), 409)


@bp.errorhandler(Unsupported)
def _unsupported(exc: Unsupported) -> tuple[Response, int]:
    return _error(str(exc), exc.status)


@bp.errorhandler(StoreError)
def _store_error(exc: StoreError) -> tuple[Response, int]:
    log.warning("run store failed in %s %s: %s", request.method, request.path, exc)
    return _error(f"the run store failed ({exc}); nothing was changed, try again later", 503)


@bp.errorhandler(HTTPException)
def _bp_http_error(exc: HTTPException) -> tuple[Response, int]:
    return _error(f"{exc.name}: {exc.description}", exc.code or 500)


@bp.errorhandler(Exception)
def _unexpected(exc: Exception) -> tuple[Response, int]:
    log.exception("unexpected error in %s %s", request.method, request.path)
    return _error(f"internal error ({type(exc).__name__}); see the dashboard's log", 500)


def _http_error(exc: HTTPException) -> Any:
    """Answer routing errors (404, 405) under ``/api/`` with JSON; leave other paths alone."""
    if request.path.startswith("/api/") or request.path == "/api":
        return _error(
            f"{exc.name}: {request.method} {request.path} ({exc.description})", exc.code or 404
        )
    return exc


# -- routes -----------------------------------------------------------------------------


@bp.get("/runs")
def list_runs() -> Response:
    """List every run, newest first."""
    return jsonify({"runs": [run.to_dict() for run in get_store().list_runs()]})


@bp.post("/runs")
@mutating(body_required=True)
def create_run(body: Any) -> tuple[Response, int]:
    """Validate a run request and queue the run for a worker: 201 ``{"id": ...}``."""
    run_id = submit_run(get_store(), body)
    return jsonify({"id": run_id}), 201


@bp.get("/runs/<run_id>")
def run_detail(run_id: str) -> Response:
    """Return a run with its summary (recent return, success rate, ...)."""
    rid = run_id_of(run_id)
    store = get_store()
    run = store.get_run(rid)
    return jsonify({**run.to_dict(), "summary": _finite(store.summary(rid).to_dict())})


@bp.get("/runs/<run_id>/series/<metric>")
def series(run_id: str, metric: str) -> Response:
    """Return a decimated window of one metric (``start``, ``end``, ``points``)."""
    rid = run_id_of(run_id)
    window = get_store().series(
        rid,
        metric,
        start=query_int("start", None),
        end=query_int("end", None),
        points=query_int("points", DEFAULT_POINTS, MAX_POINTS),
    )
    return jsonify(_finite(window.to_dict()))


@bp.get("/runs/<run_id>/episodes")
def episodes(run_id: str) -> Response:
    """Return raw episode rows from ``start`` (default 1), at most ``limit`` (≤ 10000)."""
    rid = run_id_of(run_id)
    rows = get_store().episodes(
        rid,
        start=query_int("start", 1),
        limit=query_int("limit", DEFAULT_ROWS, MAX_EPISODE_ROWS),
    )
    return jsonify({"run_id": rid, "episodes": _finite([row.to_dict() for row in rows])})


@bp.get("/runs/<run_id>/param-changes")
def param_changes(run_id: str) -> Response:
    """Return every parameter change of the run, oldest first."""
    rid = run_id_of(run_id)
    changes = get_store().param_changes(rid)
    return jsonify({"run_id": rid, "changes": _finite([c.to_dict() for c in changes])})


@bp.get("/runs/<run_id>/checkpoints")
def checkpoints(run_id: str) -> Response:
    """Return the run's checkpoints (episode, time, evaluation), without Q-tables."""
    rid = run_id_of(run_id)
    infos = get_store().checkpoints(rid)
    return jsonify({"run_id": rid, "checkpoints": _finite([i.to_dict() for i in infos])})


@bp.get("/runs/<run_id>/checkpoints/<episode>")
def checkpoint(run_id: str, episode: str) -> Response:
    """Return one checkpoint's Q-table: ``{"episode", "shape", "q"}``, the checkpoint named
    by its episode, its name or ``latest`` (``named_checkpoints.checkpoint_episode``)."""
    rid = run_id_of(run_id)
    store = get_store()
    saved = store.load_checkpoint(rid, checkpoint_episode(store, rid, episode, "episode"))
    return jsonify(
        {
            "run_id": rid,
            "episode": saved.episode,
            "shape": list(saved.q.shape),
            "q": _finite(saved.q.tolist()),
            "evaluation": _finite(saved.evaluation),
        }
    )


@bp.post("/runs/<run_id>/params")
@mutating(body_required=True)
def params(body: Any, run_id: str) -> tuple[Response, int]:
    """Queue hyperparameter changes; the worker applies them at its next episode: 202."""
    rid = run_id_of(run_id)
    changes = change_params(get_store(), rid, body, "api")
    return jsonify({"run_id": rid, "changes": _finite(changes)}), 202


@bp.post("/runs/<run_id>/pace")
@mutating(body_required=True)
def pace(body: Any, run_id: str) -> tuple[Response, int]:
    """Queue a pace change (``{"pace": episodes per second or "full"}``); the worker takes
    it up at its next control check: 202 with the change."""
    rid = run_id_of(run_id)
    if not isinstance(body, Mapping) or set(body) != {PACE}:
        raise ValidationError(
            "body", body, "not a pace", f'a JSON object {{"pace": {PACE_ALLOWED}}}'
        )
    change = change_pace(get_store(), rid, body[PACE], "api")
    return jsonify({"run_id": rid, "changes": [change]}), 202


@bp.post("/runs/<run_id>/<action>")
@mutating(body_required=False)
def control(body: Any, run_id: str, action: str) -> tuple[Response, int]:
    """Pause, resume or stop a run: 202 with the run's status (an object body is not read)."""
    if not isinstance(body, Mapping):
        raise ValidationError("body", body, "not an object", "no body or a JSON object ({})")
    rid = run_id_of(run_id)
    store = get_store()
    if action == "pause":
        pause_run(store, rid)
    elif action == "resume":
        resume_run(store, rid)
    elif action == "stop":
        stop_run(store, rid)
    else:
        raise ValidationError(
            "action", action, "unknown action", "pause, resume, stop, params, pace"
        )
    run = store.get_run(rid)
    return jsonify(
        {"run_id": rid, "status": run.status, "requested_status": run.requested_status}
    ), 202


@bp.get("/runs/<run_id>/export.csv")
def export_csv(run_id: str) -> Response:
    """Stream the whole run as CSV, one line per episode."""
    rid = run_id_of(run_id)
    chunks = get_store().iter_csv(rid)
    return _download(chunks, "text/csv", f"gridlab-run-{rid}.csv")


@bp.get("/runs/<run_id>/export.json")
def export_json(run_id: str) -> Response:
    """Stream the whole run as one JSON document."""
    rid = run_id_of(run_id)
    chunks = get_store().iter_json(rid)
    return _download(chunks, "application/json", f"gridlab-run-{rid}.json")


@bp.get("/compare")
def compare() -> Response:
    """Return one metric's decimated series for several runs (``runs=1,2,3``)."""
    raw = request.args.get("runs")
    allowed = f"1 to {MAX_COMPARE_RUNS} comma-separated run ids, e.g. runs=1,2"
    if not raw:
        raise ValidationError("runs", raw, "missing", allowed)
    parts = raw.split(",")
    if len(parts) > MAX_COMPARE_RUNS:
        raise ValidationError("runs", raw, "too many runs", allowed)
    ids = list(dict.fromkeys(parse_id("runs", part) for part in parts))
    metric = request.args.get("metric", "return")
    points = query_int("points", DEFAULT_POINTS, MAX_POINTS)
    start = query_int("start", None)
    end = query_int("end", None)
    store = get_store()
    out = []
    for rid in ids:
        run = store.get_run(rid)
        window = store.series(rid, metric, start=start, end=end, points=points)
        out.append({"id": rid, "name": run.name, "status": run.status, "series": window.to_dict()})
    return jsonify(_finite({"metric": metric, "runs": out}))


@bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str) -> tuple[Response, int]:
    """Answer any other ``/api/`` path (Dash's page catch-all would serve it HTML): 405 when
    another method has a route there, else 404."""
    allowed = _other_methods()
    if allowed:
        response, status = _error(
            f"method {request.method} is not allowed on {request.path}; allowed:"
            f" {', '.join(allowed)}",
            405,
        )
        response.headers["Allow"] = ", ".join(allowed)
        return response, status
    return _error(
        f"no route {request.method} /api/{rest}; see the HTTP API section of README.md", 404
    )


def _other_methods() -> list[str]:
    """Return the methods an API route other than ``unknown`` takes at the request's path."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    found = []
    for method in ("GET", "POST", "DELETE"):
        try:
            endpoint, _ = adapter.match(request.path, method=method)
        except HTTPException:
            continue
        if endpoint != "api.unknown" and str(endpoint).startswith("api."):
            found.append(method)
    return found


def _download(chunks: Any, mimetype: str, filename: str) -> Response:
    """Return a streamed attachment response over text ``chunks``."""
    return Response(
        stream_with_context(chunks),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _finite(data: Any) -> Any:
    """Return ``data`` with non-finite floats as None (strict JSON has no NaN)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, Mapping):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(value) for value in data]
    return data


from app import (  # noqa: E402  (the experiment, fork, lineage, manage, trajectory routes join bp)
    api_experiment_files,  # noqa: F401
    api_experiments,  # noqa: F401
    api_fork,  # noqa: F401
    api_manage,  # noqa: F401
    api_trajectories,  # noqa: F401
)
