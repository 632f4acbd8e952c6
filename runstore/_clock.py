"""Clocks: UTC timestamps the store stamps, and the database's own clock for leases.

Leases are compared with the database's clock, never a worker's: workers on other machines
may run other clocks, the database has one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


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


class db_now(FunctionElement[float]):
    """SQL for the database's clock: seconds since the epoch, as a float.

    SQLite: ``(julianday('now') - 2440587.5) * 86400.0`` (milliseconds); PostgreSQL:
    ``extract(epoch from statement_timestamp())`` (microseconds). Both hold still while a
    statement runs (SQLite: within each step), so a comparison with an indexed column can
    use the index; PostgreSQL's ``clock_timestamp()`` would move, which rules that out.
    """

    type = Float()
    inherit_cache = True
    name = "db_now"


@compiles(db_now, "sqlite")
def _sqlite_now(element: db_now, compiler: SQLCompiler, **kw: Any) -> str:
    """Return SQLite's clock expression."""
    return "((julianday('now') - 2440587.5) * 86400.0)"


@compiles(db_now, "postgresql")
def _postgresql_now(element: db_now, compiler: SQLCompiler, **kw: Any) -> str:
    """Return PostgreSQL's clock expression."""
    return "CAST(extract(epoch FROM statement_timestamp()) AS DOUBLE PRECISION)"
