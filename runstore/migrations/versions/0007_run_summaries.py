"""Schema version 9: each run's summary for the runs page, kept at write time.

``run_summaries`` gets one row per run with episodes (``runstore/summaries.py``): the mean
return of its last 100 episodes through its lineage, its best full 100-episode block, its
last alpha and epsilon, and those last returns. Every run that has episodes gets its row
from its stored episodes and rollups (``summaries.rebuild``, which reads only the columns
it needs; its best block from ``rollups`` as this schema has them, ``best_block``), so the
runs page reads one row per run instead of computing a summary per run. ``runs`` gains an
index that the runs page counts its runs from (``ix_runs_listing``).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from runstore import summaries

revision = "0007"
down_revision: str | None = "0006"
branch_labels = None
depends_on = None

COMMENT = (
    "What the runs page shows of a run with episodes, as of its last episode `episode`, kept"
    " up to date in the transaction of each batch (runstore/summaries.py): the mean return of"
    " its last 100 episodes (through its lineage), the best mean return of a full block of"
    " 100 (NULL: none yet), the last alpha and epsilon, and `tail`, the last 100 returns"
    " (float64, little-endian)."
)
runs = sa.table("runs", sa.column("id"), sa.column("episodes_done"))
rollups = sa.table(
    "rollups",
    sa.column("run_id"),
    sa.column("size"),
    sa.column("block"),
    sa.column("count"),
    sa.column("return_sum"),
)
BEST_OF = 100


def upgrade() -> None:
    """Create ``run_summaries`` (filled for every run with episodes) and the listing index."""
    op.create_table(
        "run_summaries",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("episode", sa.BigInteger(), nullable=False),
        sa.Column("recent_return", sa.Float(), nullable=False),
        sa.Column("best_block", sa.Float(), nullable=True),
        sa.Column("alpha", sa.Float(), nullable=False),
        sa.Column("epsilon", sa.Float(), nullable=False),
        sa.Column("tail", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_run_summaries")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_summaries_run_id_runs"), ondelete="CASCADE"
        ),
        comment=COMMENT,
    )
    op.create_index(
        "ix_runs_listing", "runs", ["archived_at", "experiment_id", "status", "lease_expires"]
    )
    conn = op.get_bind()
    for run_id in conn.scalars(sa.select(runs.c.id).where(runs.c.episodes_done > 0)).all():
        summaries.rebuild(conn, run_id, best_block)


def best_block(conn: sa.Connection, run_id: int, first: int, last: int) -> float | None:
    """Return the best mean return of the run's full blocks ``first..last`` of ``BEST_OF``
    episodes, from ``rollups`` as this schema has it (None: none)."""
    r = rollups.c
    best = conn.scalar(
        sa.select(sa.func.max(r.return_sum / r.count)).where(
            r.run_id == run_id,
            r.size == BEST_OF,
            r.count == BEST_OF,
            r.block.between(first, last),
        )
    )
    return None if best is None else float(best)


def downgrade() -> None:
    """Drop the summaries and the listing's index."""
    op.drop_index("ix_runs_listing", table_name="runs")
    op.drop_table("run_summaries")
