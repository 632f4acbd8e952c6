"""Schema version 2: runs are jobs that workers claim under a lease; a store revision.

``runs`` gains the claim (``attempt``, ``owner``, ``lease_expires``), ``auto_resume`` and
``revision``; ``run_events`` lists each attempt's beginning and end; ``store_revision``
holds the one counter every write bumps. Existing runs get attempt 0, no owner, no
auto-resume and revision 0. A run stored ``running`` belonged to a worker of a gridlab
before leases, which cannot write to this schema: it gets a lease that ended when its last
heartbeat was 3 s old (the lease of schema 2), so it reads ``crashed`` and can be resumed.
Names and values are written out, not imported (later models must not change this).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None

EVENT_KINDS = ("claimed", "interrupted", "crashed", "resumed")
LEASE_SECONDS = 3.0
HEARTBEAT_EPOCH = {
    "sqlite": "(julianday(heartbeat_at) - 2440587.5) * 86400.0",
    "postgresql": "extract(epoch FROM heartbeat_at)",
}
"""The last heartbeat of a run in seconds since the epoch, per backend."""


def upgrade() -> None:
    """Add the claim columns and their index, ``run_events`` and ``store_revision``."""
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("attempt", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("owner", sa.String(300), nullable=True))
        batch.add_column(sa.Column("lease_expires", sa.Float(), nullable=True))
        batch.add_column(
            sa.Column("auto_resume", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("revision", sa.BigInteger(), server_default="0", nullable=False))
        batch.create_index(op.f("ix_runs_status_lease_expires"), ["status", "lease_expires"])
    heartbeat = HEARTBEAT_EPOCH[op.get_bind().dialect.name]
    op.execute(
        f"UPDATE runs SET lease_expires = COALESCE({heartbeat}, 0) + {LEASE_SECONDS}"
        " WHERE status = 'running'"
    )
    op.create_table(
        "run_events",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("episode", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_events")),
        sa.CheckConstraint(
            f"kind IN ({', '.join(repr(kind) for kind in EVENT_KINDS)})",
            name=op.f("ck_run_events_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_events_run_id_runs"), ondelete="CASCADE"
        ),
    )
    op.create_index(op.f("ix_run_events_run_id"), "run_events", ["run_id"])
    revisions = op.create_table(
        "store_revision",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_revision")),
        sa.CheckConstraint("id = 1", name=op.f("ck_store_revision_single_row")),
        comment="One row: the store's revision, bumped by every write transaction that changes"
        " a run, in that transaction; the run's own `runs.revision` gets the new value.",
    )
    op.bulk_insert(revisions, [{"id": 1, "revision": 0}])


def downgrade() -> None:
    """Drop what version 2 added."""
    op.drop_table("store_revision")
    op.drop_index(op.f("ix_run_events_run_id"), table_name="run_events")
    op.drop_table("run_events")
    with op.batch_alter_table("runs") as batch:
        batch.drop_index(op.f("ix_runs_status_lease_expires"))
        for column in ("revision", "auto_resume", "lease_expires", "owner", "attempt"):
            batch.drop_column(column)
