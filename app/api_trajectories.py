"""The HTTP routes of recorded trajectories and of checkpoints as ``.npy`` files (they join
``app.api``'s blueprint, its validation and its JSON errors).

- ``GET /api/runs/<id>/trajectories``: the run's recorded episodes (episode, kind, length,
  steps kept) and what the run records;
- ``GET /api/runs/<id>/trajectories/<episode>.csv`` and ``.json``: one episode's steps,
  streamed;
- ``GET /api/runs/<id>/checkpoints/<episode|latest>.npy``: a checkpoint's Q-table as
  ``numpy.save`` writes it (``numpy.load`` reads back exactly the stored table).
"""

from __future__ import annotations

import io

import numpy as np
from flask import Response, jsonify

from app.api import _download, bp, run_id_of
from app.context import get_store
from app.named_checkpoints import checkpoint_episode
from app.rules import MAX_ID
from app.views.trajectories import StepView, policy_text
from app.views.trajectory_export import csv_chunks, json_chunks
from gridworld.numbers import parse_int
from gridworld.trajectory import DEFAULT_POLICY
from runstore import TrajectoryRecord


@bp.get("/runs/<run_id>/trajectories")
def trajectories(run_id: str) -> Response:
    """Return the run's recorded episodes, by episode, and its recording policy."""
    rid = run_id_of(run_id)
    store = get_store()
    run = store.get_run(rid)
    infos = store.trajectories(rid)
    return jsonify(
        {
            "run_id": rid,
            "policy": DEFAULT_POLICY.describe(run.fork_episode or 0, run.target_episodes),
            "description": policy_text(run),
            "trajectories": [info.to_dict() for info in infos],
        }
    )


def _trajectory(run_id: str, episode: str) -> tuple[int, StepView, TrajectoryRecord]:
    """Return the run id, its step view and the trajectory the path names.

    Raises:
        ValidationError: a malformed run id or episode.
        RunNotFound: no such run.
        TrajectoryNotFound: that episode's steps are not stored.
    """
    rid = run_id_of(run_id)
    number = parse_int("episode", episode, 1, MAX_ID)
    store = get_store()
    view = StepView.of(store.get_run(rid))
    return rid, view, store.trajectory(rid, number)


@bp.get("/runs/<run_id>/trajectories/<episode>.csv")
def trajectory_csv(run_id: str, episode: str) -> Response:
    """Stream one recorded episode's steps as CSV."""
    rid, view, record = _trajectory(run_id, episode)
    name = f"gridlab-run-{rid}-episode-{record.episode}.csv"
    return _download(csv_chunks(rid, view, record), "text/csv", name)


@bp.get("/runs/<run_id>/trajectories/<episode>.json")
def trajectory_json(run_id: str, episode: str) -> Response:
    """Stream one recorded episode's steps as one JSON document."""
    rid, view, record = _trajectory(run_id, episode)
    name = f"gridlab-run-{rid}-episode-{record.episode}.json"
    return _download(json_chunks(rid, view, record), "application/json", name)


@bp.get("/runs/<run_id>/checkpoints/<episode>.npy")
def checkpoint_npy(run_id: str, episode: str) -> Response:
    """Return a checkpoint's Q-table as a ``.npy`` attachment (the checkpoint named by its
    episode, its name or ``latest``: ``named_checkpoints.checkpoint_episode``)."""
    rid = run_id_of(run_id)
    store = get_store()
    saved = store.load_checkpoint(rid, checkpoint_episode(store, rid, episode, "episode"))
    buffer = io.BytesIO()
    np.save(buffer, saved.q, allow_pickle=False)
    name = f"gridlab-run-{rid}-checkpoint-{saved.episode}.npy"
    return Response(
        buffer.getvalue(),
        mimetype="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
