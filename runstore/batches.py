"""Checking a batch of episodes before it is written, and turning it into columns to insert.

A batch is checked whole before the write transaction starts (so a refused batch costs the
database nothing): consecutive episode numbers, every field present, finite numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from .errors import BatchError
from .records import EPISODE_FIELDS, METRICS

INT_FIELDS = ("length", "env_steps")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
FLOAT_FIELDS = tuple(name for name in METRICS if name not in (*INT_FIELDS, "success"))


def columns_of(run_id: int, rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Return a non-empty batch's values ready to insert, one list per ``EPISODE_FIELDS`` name.

    Args:
        run_id: the run, for messages.
        rows: dicts keyed by ``EPISODE_FIELDS``, episodes consecutive.

    Returns:
        Each field name to its column: floats, ints (``success`` as 0/1) and
        ``action_counts`` as lists of ints.

    Raises:
        BatchError: a gap or duplicate inside the batch, a missing field, a value that is not
            a number, a non-finite one, an integer past 64 bits, or an episode below 1; the
            message names the episode.
    """
    columns = _convert_columns(rows)
    episodes = columns["episode"]
    first = episodes[0]
    if episodes != list(range(first, first + len(episodes))):
        for offset, episode in enumerate(episodes):
            if episode != first + offset:
                raise BatchError(
                    f"run {run_id}: episode {episode} follows episode"
                    f" {first + offset - 1} in the batch (a gap or a duplicate)"
                )
    return columns


def metric_columns(columns: Mapping[str, list[Any]]) -> dict[str, list[float]]:
    """Return each of ``METRICS`` to its column as floats (for the rollups)."""
    return {
        name: columns[name] if name in FLOAT_FIELDS else list(map(float, columns[name]))
        for name in METRICS
    }


def _convert_columns(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Return a batch's values ready to insert, converted column by column.

    If anything is amiss (a missing field, a bad or non-finite value, an integer past 64
    bits, an episode below 1),
    the batch is checked again row by row, so that the BatchError names the first bad
    episode and field.

    Raises:
        BatchError: as ``_clean_row``.
    """
    try:
        columns: dict[str, list[Any]] = {
            name: list(map(float, map(itemgetter(name), rows))) for name in FLOAT_FIELDS
        }
        for name in ("episode", *INT_FIELDS):
            columns[name] = list(map(int, map(itemgetter(name), rows)))
        columns["success"] = list(map(int, map(bool, map(itemgetter("success"), rows))))
        columns["action_counts"] = list(map(_ints, map(itemgetter("action_counts"), rows)))
        # A sum is finite when every term is (and may overflow when they are: rechecked).
        valid = (
            min(columns["episode"]) >= 1
            and all(math.isfinite(sum(columns[name])) for name in FLOAT_FIELDS)
            and all(_fits(columns[name]) for name in ("episode", *INT_FIELDS))
            and _fits([count for counts in columns["action_counts"] for count in counts])
        )
    except Exception:  # the row-by-row check raises what the first bad row deserves
        valid = False
    if valid:
        return columns
    clean = [_clean_row(row) for row in rows]
    return {name: [row[name] for row in clean] for name in EPISODE_FIELDS}


def _clean_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return an episode row ready to insert, or raise BatchError naming the episode/field."""
    episode: Any = row.get("episode")
    try:
        clean: dict[str, Any] = {"episode": int(episode)}
        for name in FLOAT_FIELDS:
            value = float(row[name])
            if not math.isfinite(value):
                raise BatchError(f"episode {episode}: {name}={row[name]!r} is not a finite number")
            clean[name] = value
        for name in INT_FIELDS:
            clean[name] = int(row[name])
        clean["success"] = 1 if row["success"] else 0
        clean["action_counts"] = _ints(row["action_counts"])
        for name in ("episode", *INT_FIELDS, "action_counts"):
            value = clean[name]
            if not _fits(value if name == "action_counts" else [value]):
                raise BatchError(f"episode {episode}: {name}={value!r} does not fit in 64 bits")
    except KeyError as exc:
        raise BatchError(f"episode {episode}: field {exc.args[0]!r} is missing") from None
    except (TypeError, ValueError) as exc:
        if isinstance(exc, BatchError):
            raise
        raise BatchError(f"episode {episode}: a field is not a number ({exc})") from None
    if clean["episode"] < 1:
        raise BatchError(f"episode {episode}: episodes are numbered from 1")
    return clean


def _ints(values: Iterable[Any]) -> list[int]:
    """Return ``values`` as a list of ints."""
    return list(map(int, values))


def _fits(values: Sequence[int]) -> bool:
    """Return whether every int of ``values`` fits in a signed 64-bit integer."""
    return not values or (min(values) >= INT64_MIN and max(values) <= INT64_MAX)
