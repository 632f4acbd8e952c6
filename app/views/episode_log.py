"""The episode log as data: blocks of raw rows for the infinite grid, and where a jump lands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.rules import MAX_EPISODE_ROWS, format_number
from app.views.reads import episode_rows
from runstore import RunStore

BLOCK_ROWS = 200
"""Rows per request the grid sends (one ``episodes`` query each)."""
AS_STORED = ("episode", "success")
"""Fields the log shows as they are (the others as ``rules.format_number`` text)."""


def episode_block(store: RunStore, run_id: int, request: Mapping[str, Any]) -> dict[str, Any]:
    """Answer the grid's request for rows ``startRow`` .. ``endRow - 1`` with one store query.

    Args:
        store: the run store.
        run_id: the run.
        request: the grid's ``getRowsRequest`` (row indexes from 0).

    Returns:
        ``rowData`` (at most ``MAX_EPISODE_ROWS`` episodes: numbers as ``format_number``
        text but for ``AS_STORED``, action counts as space-separated text) and ``rowCount``
        (the episodes done now, so the scrollbar spans the whole run).

    Raises:
        RunNotFound: no such run.
    """
    start = int(request.get("startRow", 0))
    end = int(request.get("endRow", start + BLOCK_ROWS))
    limit = max(1, min(MAX_EPISODE_ROWS, end - start))
    rows = [_shown(row) for row in episode_rows(store, run_id, start + 1, limit)]
    return {"rowData": rows, "rowCount": store.get_run(run_id).episodes_done}


def _shown(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return one episode row as the log shows it."""
    shown = {
        name: value if name in AS_STORED else format_number(value) for name, value in row.items()
    }
    shown["action_counts"] = " ".join(str(count) for count in row["action_counts"])
    return shown


def jump_error(episode: float, last: int) -> str | None:
    """Return why the log cannot jump to ``episode`` of a run with ``last`` episodes, or None."""
    if episode != int(episode) or not 1 <= episode <= last:
        return f"episode={episode} is out of range; allowed: 1 to {last}"
    return None
