"""The episode log as data: its columns, blocks of rows for the infinite grid, and where a
jump lands.

Rows are sent as the text people read: whole numbers as whole numbers with thousands
separators (however the store hands them out), other numbers to 4 significant digits, wall
time in seconds, success as yes or no.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.rules import MAX_EPISODE_ROWS, MAX_ID, format_number
from app.views.reads import episode_rows
from gridworld.errors import ValidationError
from gridworld.numbers import parse_int
from runstore import RunStore

BLOCK_ROWS = 200
"""Rows per request the grid sends (one ``episodes`` query each)."""


def _whole(value: Any) -> str:
    """Return a count as a whole number with thousands separators (``6,569,000``)."""
    return format_number(int(value))


def _seconds(value: Any) -> str:
    """Return seconds with three decimals (``1,234.500``)."""
    return f"{float(value):,.3f}"


def _yes_no(value: Any) -> str:
    return "yes" if value else "no"


def _counts(value: Any) -> str:
    return " ".join(str(int(count)) for count in value)


@dataclass(frozen=True)
class LogColumn:
    """One column of the log: the episode field, its header and how a value is shown."""

    field: str
    header: str
    shown: Callable[[Any], Any]
    width: int = 120


LOG_COLUMNS = (
    LogColumn("episode", "episode", int, 110),
    LogColumn("return", "return", format_number),
    LogColumn("length", "length (steps)", _whole),
    LogColumn("success", "success", _yes_no, 100),
    LogColumn("epsilon", "ε (exploration)", format_number, 135),
    LogColumn("alpha", "α (step size)", format_number),
    LogColumn("gamma", "γ (discount)", format_number),
    LogColumn("mean_q", "mean Q", format_number),
    LogColumn("max_q", "max Q", format_number),
    LogColumn("mean_abs_td", "mean |TD error|", format_number, 140),
    LogColumn("env_steps", "environment steps", _whole, 160),
    LogColumn("wall_time", "wall time (s)", _seconds, 130),
    LogColumn("action_counts", "action counts", _counts, 160),
)
"""The log's columns, in ``EPISODE_FIELDS`` order."""


def column_defs() -> list[dict[str, Any]]:
    """Return the grid's column definitions (the episode pinned to the left)."""
    defs: list[dict[str, Any]] = [
        {"field": column.field, "headerName": column.header, "width": column.width}
        for column in LOG_COLUMNS
    ]
    defs[0]["pinned"] = "left"
    return defs


def block_bounds(request: object) -> tuple[int, int]:
    """Return the rows ``startRow`` .. ``endRow - 1`` a grid's ``getRowsRequest`` asks for.

    Args:
        request: the grid's request (row indexes from 0; ``endRow`` defaults to a block on).

    Returns:
        The first row and the row after the last (at most ``MAX_EPISODE_ROWS`` apart).

    Raises:
        ValidationError: not an object, or a bound that is not a whole number within
            0..``MAX_ID`` (``endRow`` above ``startRow``); only a crafted request sends one.
    """
    if not isinstance(request, Mapping):
        raise ValidationError("getRowsRequest", request, "not an object", "startRow, endRow")
    start = parse_int("startRow", request.get("startRow", 0), 0, MAX_ID)
    end = parse_int("endRow", request.get("endRow", start + BLOCK_ROWS), start + 1, MAX_ID)
    return start, min(end, start + MAX_EPISODE_ROWS)


def episode_block(store: RunStore, run_id: int, request: object) -> dict[str, Any]:
    """Answer the grid's request for a block of rows with one store query.

    Args:
        store: the run store.
        run_id: the run.
        request: the grid's ``getRowsRequest`` (``block_bounds``).

    Returns:
        ``rowData`` (each row's fields as ``LOG_COLUMNS`` show them) and ``rowCount`` (the
        episodes done now, so the scrollbar spans the whole run).

    Raises:
        ValidationError: a request no grid sends (``block_bounds``).
        RunNotFound: no such run.
    """
    start, end = block_bounds(request)
    rows = episode_rows(store, run_id, start + 1, end - start)
    shown = [
        {column.field: column.shown(row[column.field]) for column in LOG_COLUMNS} for row in rows
    ]
    return {"rowData": shown, "rowCount": store.get_run(run_id).episodes_done}


def jump_target(episode: object, last: int) -> int:
    """Return the episode the log jumps to, of a run with ``last`` episodes.

    Raises:
        ValidationError: not a whole number from 1 to ``last`` (``parse_int``'s message for
            the field ``episode``), or the run has no episodes yet.
    """
    if last < 1:
        raise ValidationError("episode", episode, "the run has no episodes yet", "none yet")
    return parse_int("episode", episode, 1, last)
