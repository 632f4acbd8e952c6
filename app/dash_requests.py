"""The shape of a request to Dash's callback endpoint, checked before Dash reads it.

Dash trusts the request's frame: ``{}`` or ``null`` as the body, an unknown ``output`` or a
missing ``inputs`` list raised KeyError or TypeError deep inside Dash (a 500). A request is
dispatched only when it is shaped as the renderer sends it for one of this app's callbacks:
its output string, then one entry per declared input and state with that id and property
(a list of them for a wildcard id), and its outputs. The values inside are the callbacks'
to check (each validates what it is sent), but for the URL sent to Dash's own page router,
which must be a path of this app.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash
from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

UPDATE_ROUTE = "_dash-update-component"
ROUTER_LOCATION = "_pages_location"
"""The ``dcc.Location`` whose pathname and search Dash's own page router reads."""


def init_app(app: dash.Dash) -> None:
    """Refuse a malformed request to ``app``'s callback endpoint with a JSON 400."""
    path = f"{app.config.routes_pathname_prefix}{UPDATE_ROUTE}"

    def guard() -> tuple[Response, int] | None:
        if request.path != path or request.method != "POST":
            return None
        try:
            body = request.get_json()  # request_json's parser: cached for Dash
        except HTTPException as exc:  # not JSON (400), or not sent as JSON (415)
            return jsonify({"error": exc.description, "field": "body"}), exc.code or 400
        problem = request_problem(body, app.callback_map, app.config.requests_pathname_prefix)
        if problem is None:
            return None
        return jsonify({"error": f"not a callback request of this dashboard: {problem}"}), 400

    app.server.before_request(guard)


def request_problem(
    body: object, callbacks: Mapping[str, Mapping[str, Any]], prefix: str = "/"
) -> str | None:
    """Return what makes ``body`` not a callback request for ``callbacks``, or None.

    Args:
        body: the request's JSON.
        callbacks: Dash's ``callback_map`` (output string → the callback's dependencies).
        prefix: the app's ``requests_pathname_prefix`` (the page router's paths start so).

    Returns:
        None, or the first part that is wrong, named as in the request.
    """
    if not isinstance(body, Mapping):
        return "the body is not an object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        return f"output={repr(output)[:80]} names no callback"
    spec = callbacks[output]
    for key in ("inputs", "state"):
        problem = _entries_problem(key, body.get(key, []), spec.get(key, []))
        if problem is not None:
            return problem
    problem = _location_problem(body.get("inputs", []), prefix)
    if problem is not None:
        return problem
    changed = body.get("changedPropIds", [])
    if not (isinstance(changed, list) and all(isinstance(name, str) for name in changed)):
        return "changedPropIds is not a list of names"
    outputs = body.get("outputs")
    if not output.startswith(".."):
        return None if _is_target(outputs, output) else "outputs is not one output"
    names = output.strip(".").split("...")
    if not (isinstance(outputs, list) and len(outputs) == len(names)):
        return f"outputs is not a list of {len(names)} outputs"
    wrong = (i for i, item in enumerate(outputs) if not _is_target(item, names[i]))
    return next((f"outputs[{i}] is not {names[i]}" for i in wrong), None)


def _entries_problem(key: str, given: object, declared: Sequence[Mapping[str, Any]]) -> str | None:
    """Return what is wrong with a request's inputs or states, or None."""
    if not (isinstance(given, list) and len(given) == len(declared)):
        return f"{key} is not a list of {len(declared)} entries"
    for index, (entry, wanted) in enumerate(zip(given, declared, strict=True)):
        wildcard = str(wanted["id"]).startswith("{")
        if wildcard:
            ok = isinstance(entry, list) and all(
                isinstance(item, Mapping)
                and isinstance(item.get("id"), Mapping)
                and item.get("property") == wanted["property"]
                for item in entry
            )
        else:
            ok = (
                isinstance(entry, Mapping)
                and entry.get("id") == wanted["id"]
                and entry.get("property") == wanted["property"]
            )
        if not ok:
            return f"{key}[{index}] is not {wanted['id']}.{wanted['property']}"
    return None


def _location_problem(inputs: list[Any], prefix: str) -> str | None:
    """Return what is wrong with a URL sent to Dash's page router (text, the path under the
    app's prefix), or None; Dash raises on anything else."""
    for entry in inputs:
        if not (isinstance(entry, Mapping) and entry.get("id") == ROUTER_LOCATION):
            continue
        value, prop = entry.get("value"), entry.get("property")
        if not isinstance(value, str) or (prop == "pathname" and not value.startswith(prefix)):
            return f"{ROUTER_LOCATION}.{prop}={repr(value)[:80]} is not a path of this app"
    return None


def _is_target(output: object, name: str) -> bool:
    """Return whether a request's output entry names a component property: one, or a list
    of them when the callback's output ``name`` has a wildcard id."""
    if name.startswith("{") != isinstance(output, list):
        return False
    items = output if isinstance(output, list) else [output]
    return all(
        isinstance(item, Mapping)
        and isinstance(item.get("id"), str | Mapping)
        and isinstance(item.get("property"), str)
        for item in items
    )
