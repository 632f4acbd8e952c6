"""Schema version 9: trajectories, the recorded steps of some of a run's episodes.

A new table ``trajectories``: one row per recorded episode of a run (its own, not a
parent's), its kind (``first``, ``every``, ``last``), the episode's length, how many of its
steps were kept, and the steps as one blob (``runstore/step_blobs.py``). Existing runs have
none (nothing was recorded before). Names and values are written out, not imported (later
models must not change this).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision: str | None = "0008"
branch_labels = None
depends_on = None

COMMENT = (
    "The recorded steps of one of the run's own episodes: its first `steps` of `length`, each"
    " column one blob (runstore/step_blobs.py). Written with the episode's batch; kind `last`"
    " is a ring of the run's newest (runstore/trajectories.py)."
)


def upgrade() -> None:
    """Create the ``trajectories`` table (empty)."""
    op.create_table(
        "trajectories",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("episode", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "episode", name=op.f("pk_trajectories")),
        sa.CheckConstraint("kind IN ('first', 'every', 'last')", name=op.f("ck_trajectories_kind")),
        sa.CheckConstraint("steps >= 1 AND length >= steps", name=op.f("ck_trajectories_steps")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_trajectories_run_id_runs"), ondelete="CASCADE"
        ),
        comment=COMMENT,
    )


def downgrade() -> None:
    """Drop the table (the recorded steps are lost)."""
    op.drop_table("trajectories")
