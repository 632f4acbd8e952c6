"""Alembic's environment: run the migrations over the connection the caller passed.

The caller (``runstore.migrations.commands``) puts an open connection, inside its own
transaction, in ``config.attributes["connection"]``; Alembic sees the transaction and adds
none of its own, so a whole upgrade commits or rolls back with the caller's.
"""

from __future__ import annotations

from alembic import context

from runstore.schema import VERSION_TABLE, Base

if context.is_offline_mode():
    raise RuntimeError("the run store's migrations run online only, over a given connection")
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "pass an open connection in Config.attributes['connection'] (see"
        " runstore.migrations.commands); there is no alembic.ini"
    )
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    version_table=VERSION_TABLE,
)
with context.begin_transaction():
    context.run_migrations()
