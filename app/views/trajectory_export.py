"""A recorded trajectory as a download: CSV or one JSON document, streamed a page of steps
at a time (as ``runstore.export`` streams a run's episodes), every CSV cell through
``runstore.csvsafe``'s writer."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from itertools import islice
from typing import Any

from app.views.trajectories import StepView
from runstore import TrajectoryRecord, finite_or_none
from runstore.csvsafe import SafeWriter

PAGE = 200
"""Steps per chunk of text."""
CSV_FIELDS = (
    "step",
    "state",
    "cell",
    "action",
    "action_name",
    "reward",
    "next_state",
    "next_cell",
    "epsilon",
    "td_error",
)
"""The CSV's columns before the Q-values (``q_<action>``: one per action)."""


def _pages(view: StepView, record: TrajectoryRecord) -> Iterator[list[dict[str, Any]]]:
    """Yield the record's steps (``StepView.steps``), ``PAGE`` at a time."""
    steps = view.steps(record)
    while page := list(islice(steps, PAGE)):
        yield page


def csv_chunks(run_id: int, view: StepView, record: TrajectoryRecord) -> Iterator[str]:
    """Yield the trajectory as CSV text: a header, then one line per step.

    Args:
        run_id: the run (the first column, so that files of several runs concatenate).
        view: how the run's states and actions are named.
        record: the stored trajectory.
    """
    n_actions = record.columns["q"].shape[1]
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    q_names = [f"q_{view.action(a)}" for a in range(n_actions)]
    writer.writerow(["run_id", "episode", "kind", *CSV_FIELDS, *q_names])
    yield buffer.getvalue()
    for page in _pages(view, record):
        buffer.seek(0)
        buffer.truncate()
        for step in page:
            cells = [step[name] for name in CSV_FIELDS]
            writer.writerow([run_id, record.episode, record.kind, *cells, *step["q"]])
        yield buffer.getvalue()


def json_chunks(run_id: int, view: StepView, record: TrajectoryRecord) -> Iterator[str]:
    """Yield the trajectory as one JSON object: its description (run, episode, kind, the
    episode's length, the steps kept, action labels, grid width), then ``"steps": [...]``
    page by page (non-finite numbers as null)."""
    head = {
        "run_id": run_id,
        "episode": record.episode,
        "kind": record.kind,
        "length": record.length,
        "steps_recorded": record.steps,
        "actions": list(view.actions),
        "grid_width": view.width,
    }
    yield json.dumps(head)[:-1] + ', "steps": ['
    first = True
    for page in _pages(view, record):
        text = ", ".join(json.dumps(_finite(step), allow_nan=False) for step in page)
        yield text if first else ", " + text
        first = False
    yield "]}"


def _finite(step: dict[str, Any]) -> dict[str, Any]:
    """Return a step with non-finite floats (among its Q-values too) as None."""
    return {
        key: [finite_or_none(v) for v in value] if key == "q" else finite_or_none(value)
        for key, value in step.items()
    }
