"""UTC timestamps: the time the store stamps, and aware datetimes out of the database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


def now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


@overload
def utc(value: datetime) -> datetime: ...
@overload
def utc(value: None) -> None: ...
def utc(value: datetime | None) -> datetime | None:
    """Return ``value`` as an aware UTC datetime (SQLite hands back naive ones); None stays."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
