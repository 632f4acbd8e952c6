"""Streamed exports: CSV and JSON text produced page by page, never the whole run at once."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, Engine

from . import checkpoints, control, episodes, trajectories
from .csvsafe import SafeWriter
from .engine import transaction
from .records import EPISODE_FIELDS
from .runs import fetch
from .trajectories import TrajectoryRecord

PAGE = 5000
"""Episodes per page: each page is one read transaction and one chunk of text."""


def json_head(conn: Connection, run_id: int) -> tuple[dict[str, Any], list[TrajectoryRecord]]:
    """Return the fields of a JSON export that precede its episodes, and the run's recorded
    trajectories (bounded by the recording policy, not by the run's length), read together.

    Returns:
        ``run``, ``hyperparams``, ``param_changes`` and ``checkpoints``, JSON-safe; and
        the trajectories with their steps, by episode.

    Raises:
        RunNotFound: no such run.
    """
    run = fetch(conn, run_id)
    head = {
        "run": run.to_dict(),
        "hyperparams": run.hyperparams,
        "param_changes": [change.to_dict() for change in control.param_changes(conn, run_id)],
        "checkpoints": [info.to_dict() for info in checkpoints.infos(conn, run_id)],
    }
    return head, trajectories.records(conn, run_id)


def pages(engine: Engine, run_id: int) -> Iterator[list[dict[str, Any]]]:
    """Yield the run's episodes as rows keyed by ``EPISODE_FIELDS``, ``PAGE`` at a time.

    Each page is read in its own transaction (keyset pagination), so memory stays bounded
    and no transaction stays open while the text is sent.
    """
    start = 1
    while True:
        with transaction(engine, write=False) as conn:
            rows = episodes.read_dicts(conn, run_id, start, PAGE)
        if not rows:
            return
        yield rows
        start = rows[-1]["episode"] + 1


def csv_chunks(rows: Iterable[list[dict[str, Any]]]) -> Iterator[str]:
    """Yield CSV text: the header, then one chunk of lines per page of episode rows
    (action counts space-separated)."""
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(EPISODE_FIELDS)
    yield buffer.getvalue()
    for page in rows:
        buffer.seek(0)
        buffer.truncate()
        for row in page:
            writer.writerow(
                [
                    " ".join(map(str, row[name])) if name == "action_counts" else row[name]
                    for name in EPISODE_FIELDS
                ]
            )
        yield buffer.getvalue()


def json_chunks(
    head: dict[str, Any],
    recorded: Iterable[TrajectoryRecord],
    rows: Iterable[list[dict[str, Any]]],
) -> Iterator[str]:
    """Yield one JSON object: the ``head`` fields, ``"trajectories": [...]`` one trajectory
    at a time (``TrajectoryRecord.to_dict``), then ``"episodes": [...]`` page by page."""
    yield json.dumps(head)[:-1] + ', "trajectories": ['
    yield ", ".join(json.dumps(record.to_dict(), allow_nan=False) for record in recorded)
    yield '], "episodes": ['
    first = True
    for page in rows:
        text = ", ".join(json.dumps(row) for row in page)
        yield text if first else ", " + text
        first = False
    yield "]}"
