"""Schema version 7: named checkpoints.

``checkpoints`` gains ``name`` (the name people gave it, unique within its run: a unique
index on ``(run_id, name)``, which NULLs never collide in), and ``runs`` gains
``checkpoint_request`` (the name of a checkpoint its worker is asked to save now). Existing
checkpoints have no name and no run asks for one. Names and values are written out, not
imported (later models must not change this).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision: str | None = "0007"
branch_labels = None
depends_on = None

NAME_LENGTH = 64
INDEX = "ix_checkpoints_run_id_name"


def upgrade() -> None:
    """Add the checkpoint names, their unique index and the runs' checkpoint requests."""
    op.add_column("checkpoints", sa.Column("name", sa.String(NAME_LENGTH), nullable=True))
    op.create_index(INDEX, "checkpoints", ["run_id", "name"], unique=True)
    op.add_column("runs", sa.Column("checkpoint_request", sa.String(NAME_LENGTH), nullable=True))


def downgrade() -> None:
    """Drop what version 8 added (checkpoint names are lost; the checkpoints stay)."""
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("checkpoint_request")
    op.drop_index(INDEX, table_name="checkpoints")
    with op.batch_alter_table("checkpoints") as batch:
        batch.drop_column("name")
