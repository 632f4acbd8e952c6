"""Alembic driven from code: stamp or upgrade a store over the caller's connection.

No alembic.ini: the script location is this package (``runstore:migrations``), which works
from a source checkout and from an installed wheel alike. The caller's connection is inside
its transaction, so Alembic adds none and the work commits or rolls back with the caller's.
Alembic keeps its running context in module globals, so one migration runs at a time per
process.
"""

from __future__ import annotations

import threading

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

SCRIPT_LOCATION = "runstore:migrations"
BASELINE = "0001"
"""The revision of the schema gridlab wrote before it had migrations (version 1)."""

_running = threading.Lock()


def config(connection: Connection | None = None) -> Config:
    """Return the Alembic configuration of the store's migrations.

    Args:
        connection: the connection ``env.py`` migrates over, if any.

    Returns:
        A configuration with the script location set and, if given, the connection in
        ``attributes["connection"]``.
    """
    result = Config()
    result.set_main_option("script_location", SCRIPT_LOCATION)
    result.set_main_option("path_separator", "os")
    if connection is not None:
        result.attributes["connection"] = connection
    return result


def revisions() -> list[str]:
    """Return the ids of every migration revision, oldest first."""
    scripts = ScriptDirectory.from_config(config()).walk_revisions()
    return [script.revision for script in reversed(list(scripts))]


def stamp_head(connection: Connection) -> None:
    """Record in ``gridlab_alembic_version`` that the database is at the head revision (its tables
    were created from the models), running no migration."""
    with _running:
        command.stamp(config(connection), "head")


def upgrade_to_head(connection: Connection, *, stamped: bool) -> None:
    """Run every migration after the database's revision, up to the head.

    Args:
        connection: the database, inside the caller's write transaction.
        stamped: the database has an ``gridlab_alembic_version`` row; False for a store from
            before migrations, which is first stamped with the baseline (version 1).
    """
    with _running:
        if not stamped:
            command.stamp(config(connection), BASELINE)
        command.upgrade(config(connection), "head")
