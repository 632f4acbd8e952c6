"""The routes that keep runs in order, on ``app.api``'s blueprint (its error answers).

- ``POST /api/runs/<id>/rename`` ``{"name": ...}`` → 200 with the run.
- ``POST /api/runs/<id>/tags`` ``{"add": [...], "remove": [...]}`` (either may be left out)
  → 200 with the run.
- ``POST /api/runs/<id>/note`` ``{"note": "Markdown"}`` (``""`` clears it) → 200 with the run.
- ``POST /api/runs/<id>/archive`` and ``/unarchive`` (no body, or ``{}``) → 200 with the run;
  409 for archiving a queued or running run.
- ``DELETE /api/runs/<id>`` → 200 ``{"deleted": id}``; 409 for a running run or one with
  forks (the message says which and what to do).
- ``GET /api/tags`` → every tag in use.
- ``POST /api/runs/<id>/checkpoints`` ``{"name": ...}`` ("Save checkpoint now") → 202
  ``{"run_id", "name", "episode": null, "requested": true, "message"}`` for a run being
  trained (its worker saves the checkpoint at its next control check; the listing shows it
  then), 201 with ``"episode"`` and ``"requested": false`` for any other run (its latest
  checkpoint is named); 409 for a name taken in the run, a save asked already, a latest
  checkpoint named already or a run without checkpoints.

Bad values are 400 naming the field; an unknown run 404; nothing is changed then.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, jsonify

from app.api import bp, run_id_of
from app.context import get_store
from app.manage import archive_run, delete_run, note_run, rename_run, tag_run
from app.named_checkpoints import naming_text, save_checkpoint_now
from app.request_json import mutating
from gridworld.errors import ValidationError


def _fields(body: Any, allowed: tuple[str, ...], required: tuple[str, ...]) -> dict[str, Any]:
    """Return the body's fields, checking it is an object of ``allowed`` fields holding
    every ``required`` one.

    Raises:
        ValidationError: not an object, an unknown field, or a required field missing.
    """
    shape = f"a JSON object with {' and/or '.join(allowed) if allowed else 'no fields'}"
    if not isinstance(body, Mapping):
        raise ValidationError("body", body, "not an object", shape)
    for key, value in body.items():
        if key not in allowed:
            raise ValidationError(key, value, "unknown field", shape)
    for key in required:
        if key not in body:
            raise ValidationError(key, None, "missing", shape)
    return dict(body)


@bp.post("/runs/<run_id>/rename")
@mutating(body_required=True)
def rename(body: Any, run_id: str) -> Response:
    """Rename the run: 200 with the run."""
    rid = run_id_of(run_id)
    fields = _fields(body, ("name",), ("name",))
    return jsonify(rename_run(get_store(), rid, fields["name"]).to_dict())


@bp.post("/runs/<run_id>/tags")
@mutating(body_required=True)
def tags(body: Any, run_id: str) -> Response:
    """Add and remove the run's tags: 200 with the run."""
    rid = run_id_of(run_id)
    fields = _fields(body, ("add", "remove"), ())
    if not fields:
        raise ValidationError("body", body, "no tags", "a JSON object with add and/or remove")
    run = tag_run(get_store(), rid, fields.get("add"), fields.get("remove"))
    return jsonify(run.to_dict())


@bp.post("/runs/<run_id>/note")
@mutating(body_required=True)
def note(body: Any, run_id: str) -> Response:
    """Replace the run's note: 200 with the run."""
    rid = run_id_of(run_id)
    fields = _fields(body, ("note",), ("note",))
    return jsonify(note_run(get_store(), rid, fields["note"]).to_dict())


@bp.post("/runs/<run_id>/archive")
@mutating(body_required=False)
def archive(body: Any, run_id: str) -> Response:
    """Archive the run: 200 with the run."""
    rid = run_id_of(run_id)
    _fields(body, (), ())
    return jsonify(archive_run(get_store(), rid).to_dict())


@bp.post("/runs/<run_id>/unarchive")
@mutating(body_required=False)
def unarchive(body: Any, run_id: str) -> Response:
    """Bring an archived run back: 200 with the run."""
    rid = run_id_of(run_id)
    _fields(body, (), ())
    return jsonify(archive_run(get_store(), rid, archived=False).to_dict())


@bp.delete("/runs/<run_id>")
@mutating(body_required=False)
def delete(body: Any, run_id: str) -> Response:
    """Delete the run with everything recorded for it: 200 ``{"deleted": id}``."""
    rid = run_id_of(run_id)
    _fields(body, (), ())
    delete_run(get_store(), rid)
    return jsonify({"deleted": rid})


@bp.get("/tags")
def all_tags() -> Response:
    """Return every tag any run has, sorted."""
    return jsonify({"tags": get_store().manage.tags()})


@bp.post("/runs/<run_id>/checkpoints")
@mutating(body_required=True)
def save_checkpoint(body: Any, run_id: str) -> tuple[Response, int]:
    """Save a named checkpoint now (asked of the run's worker), or name the latest one of a
    run that is not training: 202 or 201 with what was done."""
    rid = run_id_of(run_id)
    fields = _fields(body, ("name",), ("name",))
    naming = save_checkpoint_now(get_store(), rid, fields["name"])
    answer = {
        "run_id": rid,
        "name": naming.name,
        "episode": naming.episode,
        "requested": naming.requested,
        "message": naming_text(naming),
    }
    return jsonify(answer), 202 if naming.requested else 201
