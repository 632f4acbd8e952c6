"""The fork route of the HTTP API, on ``app.api``'s blueprint (its error answers).

- ``POST /api/runs/<id>/fork``: body ``{"at": N | "latest", "hyperparams": {...},
  "algorithm": ..., "episodes": TOTAL, "desc": [...], "name": ...}`` (every field optional,
  ``app.fork.fork_run``'s request) → 201 with the queued fork; 400 naming the field for a
  bad value, 404 for an unknown run or a missing checkpoint (naming those there), 409 for a
  checkpoint that holds no agent to continue; nothing is written then.
- ``GET /api/runs/<id>/lineage``: the run's parent, its children and the whole tree.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from app.api import bp, run_id_of
from app.context import get_store
from app.fork import fork_run
from app.request_json import mutating


@bp.post("/runs/<run_id>/fork")
@mutating(body_required=False)
def fork(body: Any, run_id: str) -> tuple[Response, int]:
    """Queue a fork of the run at one of its checkpoints: 201 with the new run."""
    store = get_store()
    child = fork_run(store, run_id_of(run_id), body)
    return jsonify(store.get_run(child).to_dict()), 201


@bp.get("/runs/<run_id>/lineage")
def lineage(run_id: str) -> Response:
    """Return the run's ancestors (parent first), its forks and its whole tree (root first)."""
    rid = run_id_of(run_id)
    store = get_store()
    return jsonify(
        {
            "run_id": rid,
            "ancestors": [run.to_dict() for run in store.lineage.ancestors(rid)],
            "children": [run.to_dict() for run in store.lineage.children(rid)],
            "tree": [
                {
                    "id": run.id,
                    "name": run.name,
                    "parent_id": run.parent_id,
                    "fork_episode": run.fork_episode,
                    "status": run.status,
                }
                for run in store.lineage.tree(rid)
            ],
        }
    )
