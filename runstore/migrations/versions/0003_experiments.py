"""Schema version 3: experiments (sweeps over settings x seeds) and the ``pruned`` status.

``experiments`` holds a sweep: its base spec, search space, seeds, method, budget, objective
and how many trials it has launched. ``runs`` gains ``experiment_id`` (the experiment a run
belongs to; deleting the experiment keeps its runs) and ``trial`` (which of its trials);
existing runs belong to none. A run's status may now be ``pruned`` (an experiment's pruner
ended it early). Names and values are written out, not imported (later models must not
change this).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None

OLD_STATUSES = ("queued", "running", "paused", "finished", "stopped", "crashed", "error")
STATUSES = (*OLD_STATUSES, "pruned")
METHODS = ("grid", "random", "tpe", "pbt")
EXPERIMENT_STATUSES = ("running", "finished", "stopped")


def _in(column: str, values: tuple[str, ...]) -> str:
    """Return a CHECK expression limiting ``column`` to ``values``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    """Create ``experiments``; link runs to it; allow ``pruned``."""
    op.create_table(
        "experiments",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("base_spec", sa.JSON(), nullable=False),
        sa.Column("space", sa.JSON(), nullable=False),
        sa.Column("seeds", sa.JSON(), nullable=False),
        sa.Column("budget", sa.Integer(), nullable=True),
        sa.Column("objective", sa.String(32), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("trials_launched", sa.Integer(), nullable=False),
        sa.Column("study_name", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
        sa.CheckConstraint(_in("method", METHODS), name=op.f("ck_experiments_method")),
        sa.CheckConstraint(_in("status", EXPERIMENT_STATUSES), name=op.f("ck_experiments_status")),
        sa.CheckConstraint("budget IS NULL OR budget >= 1", name=op.f("ck_experiments_budget")),
        sa.CheckConstraint(
            "trials_launched >= 0 AND (budget IS NULL OR trials_launched <= budget)",
            name=op.f("ck_experiments_launched"),
        ),
    )
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("experiment_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("trial", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_runs_experiment_id_experiments"),
            "experiments",
            ["experiment_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_runs_experiment_id"), ["experiment_id"])
        batch.drop_constraint(op.f("ck_runs_status"), type_="check")
        batch.create_check_constraint(op.f("ck_runs_status"), _in("status", STATUSES))


def downgrade() -> None:
    """Drop what version 3 added (pruned runs read ``stopped``)."""
    op.execute("UPDATE runs SET status = 'stopped' WHERE status = 'pruned'")
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint(op.f("ck_runs_status"), type_="check")
        batch.create_check_constraint(op.f("ck_runs_status"), _in("status", OLD_STATUSES))
        batch.drop_index(op.f("ix_runs_experiment_id"))
        batch.drop_constraint(op.f("fk_runs_experiment_id_experiments"), type_="foreignkey")
        batch.drop_column("trial")
        batch.drop_column("experiment_id")
    op.drop_table("experiments")
