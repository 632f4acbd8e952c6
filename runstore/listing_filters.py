"""The SQL of the runs list's column filters, as AG Grid's filter models give them: each
column's one or two conditions (``Condition``, ``ColumnFilter``) as a WHERE clause.

Text conditions ignore case, as AG Grid's do (SQLite's ``lower`` folds ASCII letters only),
and look for the text itself (``%`` and ``_`` are no wildcards); ``inRange`` is strictly
between its bounds; blank is NULL (or, for text, empty).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, not_, or_

from .errors import InvalidQuery

TEXT_OPS = ("contains", "notContains", "equals", "notEqual", "startsWith", "endsWith")
NUMBER_OPS = (
    "equals",
    "notEqual",
    "greaterThan",
    "greaterThanOrEqual",
    "lessThan",
    "lessThanOrEqual",
    "inRange",
)
BLANK_OPS = ("blank", "notBlank")
LIKE_PATTERNS = {
    "contains": ("%", "%"),
    "notContains": ("%", "%"),
    "startsWith": ("", "%"),
    "endsWith": ("%", ""),
}
"""What a LIKE pattern puts before and after the text each text condition looks for."""


@dataclass(frozen=True)
class Condition:
    """One condition of a column's filter: ``op`` (``TEXT_OPS``, ``NUMBER_OPS`` or
    ``BLANK_OPS``) with its value (and, for ``inRange``, its upper bound)."""

    op: str
    value: str | float | None = None
    value_to: float | None = None


@dataclass(frozen=True)
class ColumnFilter:
    """A column's filter: one or two conditions, joined by ``AND`` or ``OR``."""

    column: str
    conditions: tuple[Condition, ...]
    join: str = "AND"


def condition_sql(
    name: str, column: ColumnElement[Any], condition: Condition, text: bool
) -> ColumnElement[bool]:
    """Return SQL for one condition on a column (``name``, for messages), a text column
    when ``text``.

    Raises:
        InvalidQuery: a condition the column does not take, or a value of the wrong kind.
    """
    op, value = condition.op, condition.value
    if op in BLANK_OPS:
        blank = or_(column.is_(None), column == "") if text else column.is_(None)
        return blank if op == "blank" else not_(blank)
    if op not in (TEXT_OPS if text else NUMBER_OPS):
        raise InvalidQuery("filter", f"{name} {op}", ", ".join((*TEXT_OPS, *NUMBER_OPS)))
    if text:
        if not isinstance(value, str):
            raise InvalidQuery("filter", value, f"text to filter {name} by")
        return _text_condition(func.lower(column), op, value)
    bounds = [value, condition.value_to] if op == "inRange" else [value]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in bounds):
        raise InvalidQuery("filter", bounds, f"numbers to filter {name} by")
    return _number_condition(column, op, bounds)


def _text_condition(column: ColumnElement[str], op: str, value: str) -> ColumnElement[bool]:
    """Return SQL for a text condition on a lowered column (the value lowered by the same
    SQL function, so both fold alike)."""
    if op in ("equals", "notEqual"):
        lowered = func.lower(literal(value))
        return column == lowered if op == "equals" else column != lowered
    escaped = value.replace("/", "//").replace("%", "/%").replace("_", "/_")
    before, after = LIKE_PATTERNS[op]
    pattern = literal(before) + func.lower(literal(escaped)) + literal(after)
    like = column.like(pattern, escape="/")
    return not_(like) if op == "notContains" else like


def _number_condition(
    column: ColumnElement[Any], op: str, bounds: list[Any]
) -> ColumnElement[bool]:
    """Return SQL for a number condition (``inRange``: strictly between its bounds, as AG
    Grid's number filter has it)."""
    value = bounds[0]
    compare = {
        "equals": column == value,
        "notEqual": column != value,
        "greaterThan": column > value,
        "greaterThanOrEqual": column >= value,
        "lessThan": column < value,
        "lessThanOrEqual": column <= value,
    }
    if op == "inRange":
        low, high = sorted(bounds)
        return and_(column > low, column < high)
    return compare[op]
