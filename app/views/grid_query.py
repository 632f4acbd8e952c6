"""The runs grid's sort and filter, kept in the runs page's URL.

``/?sort=episodes:desc,id:asc&filter={"env":{"filterType":"text","type":"contains",...}}``
reopens the grid sorted and filtered as it was left: ``assets/runs-page.js`` writes the
grid's sort (``field:asc|desc``, by priority) and its AG Grid filter model (JSON) into the
address bar, and the page's layout reads them back here. A value that names no column, or a
filter this grid does not offer, is dropped (the grid's own default applies). The grid's
requests for rows carry the same sort and filter models, turned here into the store's terms
(``column_filters``, ``sort_order``) by the same rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from runstore.listing_filters import NUMBER_OPS, TEXT_OPS, ColumnFilter, Condition

SORT_KEY = "sort"
"""The query key of the grid's sort."""
FILTER_KEY = "filter"
"""The query key of the grid's filter model."""

MAX_FILTER_TEXT = 1000
"""The longest text a filter takes (longer than any text the grid shows)."""
_OPERATORS = {"text": TEXT_OPS, "number": NUMBER_OPS}
"""The conditions AG Grid's text and number filters take (besides blank and notBlank)."""


def sort_from(raw: object, fields: Mapping[str, str]) -> list[tuple[str, str]] | None:
    """Return the sort ``?sort=`` asks for as ``(field, "asc"|"desc")`` pairs by priority.

    Returns:
        The pairs, or None (the default sort) unless every part names one of ``fields``
        once with a direction.
    """
    parts = raw.split(",") if isinstance(raw, str) and raw else []
    sort: list[tuple[str, str]] = []
    for part in parts:
        field, _, direction = part.partition(":")
        if field not in fields or direction not in ("asc", "desc") or field in dict(sort):
            return None
        sort.append((field, direction))
    return sort or None


def filter_from(raw: object, fields: Mapping[str, str]) -> dict[str, Any] | None:
    """Return the filter model ``?filter=`` holds, keeping each column's filter that fits it.

    Args:
        raw: the query value (JSON of an AG Grid filter model).
        fields: each filterable column's field and its filter ("text" or "number").

    Returns:
        The model (column field → filter), or None when nothing in it fits.
    """
    try:
        model = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    if not isinstance(model, dict):
        return None
    kept = {
        field: spec
        for field, spec in model.items()
        if field in fields and _fits(spec, fields[field])
    }
    return kept or None


def _fits(spec: object, kind: str) -> bool:
    """Return whether ``spec`` is a ``kind`` filter of one condition or of two joined, its
    values of the column's kind (``_is_text`` for text)."""
    if not isinstance(spec, dict) or spec.get("filterType") != kind:
        return False
    if "conditions" in spec:
        conditions = spec["conditions"]
        return (
            spec.get("operator") in ("AND", "OR")
            and isinstance(conditions, list)
            and 0 < len(conditions) <= 2
            and all(_fits(condition, kind) for condition in conditions)
        )
    if spec.get("type") in ("blank", "notBlank"):
        return True
    values = [spec.get(key) for key in ("filter", "filterTo") if key in spec]
    is_value = (
        _is_text
        if kind == "text"
        else (lambda value: isinstance(value, int | float) and not isinstance(value, bool))
    )
    return spec.get("type") in _OPERATORS[kind] and all(is_value(value) for value in values)


def column_filters(model: object, fields: Mapping[str, str]) -> tuple[ColumnFilter, ...]:
    """Return the filters of an AG Grid filter model as the store takes them.

    Args:
        model: the grid's filter model (column field → filter), as its requests send it.
        fields: each filterable column's field and its filter ("text" or "number").

    Returns:
        One filter per column whose filter fits it (``filter_from``'s rule) and has its
        values; the others are dropped.
    """
    found = []
    for field, spec in (model if isinstance(model, dict) else {}).items():
        if field in fields and _fits(spec, fields[field]):
            parts = spec.get("conditions", [spec])
            conditions = [_condition(part) for part in parts]
            if all(conditions):
                join = spec.get("operator", "AND")
                found.append(ColumnFilter(field, tuple(filter(None, conditions)), join))
    return tuple(found)


def _condition(spec: Mapping[str, Any]) -> Condition | None:
    """Return one condition of a filter that fits its column, or None when it lacks a value."""
    op = spec["type"]
    if op in ("blank", "notBlank"):
        return Condition(op)
    if "filter" not in spec or (op == "inRange" and "filterTo" not in spec):
        return None
    return Condition(op, spec["filter"], spec.get("filterTo"))


def sort_order(model: object, fields: Mapping[str, str]) -> tuple[tuple[str, bool], ...]:
    """Return an AG Grid sort model (``[{"colId": "episodes", "sort": "desc"}, ...]``) as
    ``(field, descending)`` pairs by priority; an entry that names no column of ``fields``,
    no direction, or a column already sorted on is dropped."""
    order: dict[str, bool] = {}
    entries = [
        entry for entry in (model if isinstance(model, list) else []) if isinstance(entry, dict)
    ]
    for entry in entries:
        field, direction = str(entry.get("colId")), entry.get("sort")
        if field in fields and field not in order and direction in ("asc", "desc"):
            order[field] = direction == "desc"
    return tuple(order.items())


def _is_text(value: object) -> bool:
    """Return whether ``value`` is text a filter takes: at most ``MAX_FILTER_TEXT``
    characters, none a lone surrogate (no database takes one)."""
    if not isinstance(value, str) or len(value) > MAX_FILTER_TEXT:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
