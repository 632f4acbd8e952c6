"""Bringing a database to the schema this code reads: create it, check it, upgrade it."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select, text

from .engine import transaction
from .errors import SchemaVersionError
from .schema import SCHEMA_VERSION, Base, Meta


def prepare_schema(engine: Engine, url: str) -> None:
    """Create missing tables and check (or record) the schema version.

    Args:
        engine: the store's engine.
        url: the store's URL, for messages.

    Raises:
        SchemaVersionError: the database holds a different schema version.
        StoreError: the database cannot be read or written.
    """
    with transaction(engine, write=True) as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7202611)"))
        Base.metadata.create_all(conn)
        stored = conn.scalar(select(Meta.value).where(Meta.key == "schema_version"))
        if stored is None:
            conn.execute(insert(Meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
        elif stored != str(SCHEMA_VERSION):
            raise SchemaVersionError(
                f"the store at {url} has schema version {stored}, but this gridlab"
                f" reads version {SCHEMA_VERSION}; open it with the gridlab that wrote it"
                " or start a new store (--db)"
            )
