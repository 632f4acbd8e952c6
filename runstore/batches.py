"""Checking a batch of episodes before it is written, and turning it into columns to insert.

A batch is checked whole before the write transaction starts (so a refused batch costs the
database nothing): consecutive episode numbers, every field present, finite numbers. It
comes either as columns (``checked_columns``: what a trainer hands over, one array per
field, checked with a few numpy operations) or as rows (``columns_of``: dicts, one per
episode). Either way the write gets ``Columns``; a batch with anything amiss is checked
again row by row, so that the ``BatchError`` names the first bad episode and field.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

import numpy as np

from .errors import BatchError
from .records import EPISODE_FIELDS, METRICS

INT_FIELDS = ("length", "env_steps")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
FLOAT_FIELDS = tuple(name for name in METRICS if name not in (*INT_FIELDS, "success"))
Columns = dict[str, Any]
"""A checked batch: each of ``EPISODE_FIELDS`` to a numpy array (float64 for
``FLOAT_FIELDS``, int64 for ``episode`` and ``INT_FIELDS``, uint8 0/1 for ``success``);
``action_counts`` an int64 array of one row per episode, or a list of int lists when the
episodes count different numbers of actions."""
INTEGER_KINDS = "iu"
"""numpy dtype kinds a column of integers may come as (``success``: booleans too)."""


def checked_columns(run_id: int, columns: Mapping[str, Any]) -> Columns:
    """Return a non-empty batch given as columns, checked and ready to insert.

    Args:
        run_id: the run, for messages.
        columns: each of ``EPISODE_FIELDS`` to its values in episode order (numpy arrays
            or sequences; ``action_counts`` one sequence of counts per episode, or a 2-d
            array), episodes consecutive. The arrays may be the ones returned.

    Returns:
        The batch as ``Columns``.

    Raises:
        BatchError: as ``columns_of``; the message names the first bad episode.
    """
    checked = _fast_columns(columns)
    if checked is None:  # something is amiss: the rows say what
        return columns_of(run_id, _rows(columns))
    _check_consecutive(run_id, checked["episode"])
    return checked


def columns_of(run_id: int, rows: Sequence[Mapping[str, Any]]) -> Columns:
    """Return a non-empty batch given as rows, checked and ready to insert.

    Args:
        run_id: the run, for messages.
        rows: dicts keyed by ``EPISODE_FIELDS``, episodes consecutive.

    Returns:
        The batch as ``Columns``.

    Raises:
        BatchError: a gap or duplicate inside the batch, a missing field, a value that is not
            a number, a non-finite one, an integer past 64 bits, or an episode below 1; the
            message names the episode.
    """
    lists = _convert_columns(rows)
    columns: Columns = {name: np.asarray(lists[name], dtype=np.float64) for name in FLOAT_FIELDS}
    for name in ("episode", *INT_FIELDS):
        columns[name] = np.asarray(lists[name], dtype=np.int64)
    columns["success"] = np.asarray(lists["success"], dtype=np.uint8)
    counts = lists["action_counts"]
    uniform = len({len(row) for row in counts}) == 1
    columns["action_counts"] = np.asarray(counts, dtype=np.int64) if uniform else counts
    _check_consecutive(run_id, columns["episode"])
    return columns


def join_columns(parts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return consecutive parts of a batch, each given as columns, as one batch.

    Args:
        parts: at least one; each maps the same names to its columns (arrays or lists).

    Returns:
        Each name to the parts' values end to end: an array where the parts' values are
        alike (the first part's own arrays when there is one part), else a list (lists
        of ``action_counts`` of different lengths).
    """
    if len(parts) == 1:
        return dict(parts[0])
    return {name: _joined_column([part[name] for part in parts]) for name in parts[0]}


def _joined_column(parts: list[Any]) -> Any:
    """Return one column's parts end to end (see ``join_columns``)."""
    parts = [part for part in parts if len(part)]
    try:
        arrays = [np.asarray(part) for part in parts]
        if len({array.shape[1:] for array in arrays}) == 1:
            return np.concatenate(arrays)
    except ValueError:  # ragged lists of counts
        pass
    return [value for part in parts for value in _as_list(part)]


def _as_list(values: Any) -> list[Any]:
    """Return a column as a list (an array's values as Python values)."""
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def metric_columns(columns: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Return each of ``METRICS`` to its column as a float64 array (for the rollups)."""
    return {name: np.asarray(columns[name], dtype=np.float64) for name in METRICS}


def _fast_columns(columns: Mapping[str, Any]) -> Columns | None:
    """Return ``columns`` as ``Columns`` if every field is there, of one length, of the
    right kind of number and finite (integers fit in 64 bits as int64 arrays do); else None.
    """
    if any(name not in columns for name in EPISODE_FIELDS):
        return None
    try:
        checked: Columns = {
            name: np.asarray(columns[name], dtype=np.float64) for name in FLOAT_FIELDS
        }
        whole = {name: np.asarray(columns[name]) for name in ("episode", *INT_FIELDS, "success")}
        counts = np.asarray(columns["action_counts"])
    except (TypeError, ValueError, OverflowError):  # ragged counts, text, huge integers
        return None
    n = len(whole["episode"])
    integers = (whole["episode"], *(whole[name] for name in INT_FIELDS), counts)
    if not (
        n
        and all(array.shape == (n,) for array in (*checked.values(), *whole.values()))
        and counts.ndim == 2
        and len(counts) == n
        and all(array.dtype.kind in INTEGER_KINDS and _fits_array(array) for array in integers)
        and whole["success"].dtype.kind in "b" + INTEGER_KINDS
        and all(bool(np.isfinite(checked[name]).all()) for name in FLOAT_FIELDS)
        and int(whole["episode"][0]) >= 1
    ):
        return None
    for name in ("episode", *INT_FIELDS):
        checked[name] = whole[name].astype(np.int64, copy=False)
    checked["success"] = (whole["success"] != 0).astype(np.uint8)
    checked["action_counts"] = counts.astype(np.int64, copy=False)
    return checked


def _fits_array(array: np.ndarray) -> bool:
    """Return whether an integer array's values fit in int64 (unsigned 64-bit ones may not)."""
    unsigned64 = array.dtype.kind == "u" and array.dtype.itemsize == 8
    return not (unsigned64 and array.size) or int(array.max()) <= INT64_MAX


def _rows(columns: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return a batch given as columns as rows (a row lacks the fields of columns that end
    before it)."""
    lists = {name: _as_list(values) for name, values in columns.items() if name in EPISODE_FIELDS}
    n = max(map(len, lists.values()), default=0)
    return [{name: v[i] for name, v in lists.items() if i < len(v)} for i in range(n)]


def _check_consecutive(run_id: int, episodes: np.ndarray) -> None:
    """Raise BatchError unless the episode numbers follow one another.

    Raises:
        BatchError: no episodes, or a gap or duplicate inside the batch; the message names
            the episode.
    """
    if not len(episodes):
        raise BatchError(f"run {run_id}: the batch holds no episodes")
    first = int(episodes[0])
    expected = np.arange(first, first + len(episodes), dtype=np.int64)
    wrong = np.flatnonzero(episodes != expected)
    if len(wrong):
        offset = int(wrong[0])
        raise BatchError(
            f"run {run_id}: episode {int(episodes[offset])} follows episode"
            f" {first + offset - 1} in the batch (a gap or a duplicate)"
        )


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
