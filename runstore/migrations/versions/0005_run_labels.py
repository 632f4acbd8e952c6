"""Schema version 5: runs keep the labels people give them.

``runs`` gains ``tags`` (a JSON list of short labels), ``note`` (free Markdown text) and
``archived_at`` (when it was archived; archived runs are hidden from lists until brought
back). Existing runs get no tags, an empty note and are not archived. On SQLite ``runs`` is
rebuilt with ``AUTOINCREMENT``, so the id of a deleted run is never given to a new one (a
link or an export naming run 7 never comes to mean another run; PostgreSQL's sequence never
gives an id twice). Names and values are written out, not imported (later models must not
change this).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the tag, note and archive columns (on SQLite, rebuild ``runs`` with AUTOINCREMENT)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(
        "runs",
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_autoincrement": True} if sqlite else {},
    ) as batch:
        batch.add_column(
            sa.Column("tags", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
        batch.add_column(sa.Column("note", sa.Text(), server_default=sa.text("''"), nullable=False))
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop what version 5 added (tags, notes and archive marks are lost)."""
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("archived_at")
        batch.drop_column("note")
        batch.drop_column("tags")
