"""Streamed exports: CSV and JSON text produced page by page, never the whole run at once."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from .records import EPISODE_FIELDS

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: Any) -> Any:
    """Return ``cell``, with a text cell that a spreadsheet would run as a formula prefixed by '."""
    if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES):
        return "'" + cell
    return cell


def csv_chunks(pages: Iterable[list[dict[str, Any]]]) -> Iterator[str]:
    """Yield CSV text: the header, then one chunk of lines per page of episode rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EPISODE_FIELDS)
    yield buffer.getvalue()
    for page in pages:
        buffer.seek(0)
        buffer.truncate()
        for row in page:
            writer.writerow(
                [
                    " ".join(map(str, row["action_counts"]))
                    if name == "action_counts"
                    else neutralise(row[name])
                    for name in EPISODE_FIELDS
                ]
            )
        yield buffer.getvalue()


def json_chunks(head: dict[str, Any], pages: Iterable[list[dict[str, Any]]]) -> Iterator[str]:
    """Yield one JSON object: the ``head`` fields, then ``"episodes": [...]`` page by page."""
    yield json.dumps(head)[:-1] + ', "episodes": ['
    first = True
    for page in pages:
        text = ", ".join(json.dumps(row) for row in page)
        yield text if first else ", " + text
        first = False
    yield "]}"
