"""Schema version 4: forks and population-based training keep their lineage.

``runs`` gains ``parent_id`` and ``fork_episode`` (a fork's own episodes begin after the
parent's checkpoint it starts from; existing runs are no forks). ``exploits`` records each
population-based-training exploit: which member copied whose checkpoint at which episode,
with the parameters before and after. Parameter changes may come from ``pbt``. Names and
values are written out, not imported (later models must not change this).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None

OLD_SOURCES = ("ui", "api", "cli")
SOURCES = (*OLD_SOURCES, "pbt")


def _in(column: str, values: tuple[str, ...]) -> str:
    """Return a CHECK expression limiting ``column`` to ``values``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    """Add the fork columns, ``exploits`` and the ``pbt`` parameter source."""
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("fork_episode", sa.BigInteger(), nullable=True))
        batch.create_foreign_key(op.f("fk_runs_parent_id_runs"), "runs", ["parent_id"], ["id"])
        batch.create_index(op.f("ix_runs_parent_id"), ["parent_id"])
    with op.batch_alter_table("param_changes") as batch:
        batch.drop_constraint(op.f("ck_param_changes_source"), type_="check")
        batch.create_check_constraint(op.f("ck_param_changes_source"), _in("source", SOURCES))
    op.create_table(
        "exploits",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("episode", sa.BigInteger(), nullable=False),
        sa.Column("source_run_id", sa.Integer(), nullable=False),
        sa.Column("source_episode", sa.BigInteger(), nullable=False),
        sa.Column("child_run_id", sa.Integer(), nullable=True),
        sa.Column("old_params", sa.JSON(), nullable=False),
        sa.Column("new_params", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exploits")),
        sa.UniqueConstraint("run_id", "episode", name="uq_exploits_run_id_episode"),
        *(
            sa.ForeignKeyConstraint(
                [column],
                [f"{table}.id"],
                name=op.f(f"fk_exploits_{column}_{table}"),
                ondelete="CASCADE",
            )
            for column, table in (
                ("experiment_id", "experiments"),
                ("run_id", "runs"),
                ("source_run_id", "runs"),
                ("child_run_id", "runs"),
            )
        ),
    )
    op.create_index(op.f("ix_exploits_experiment_id"), "exploits", ["experiment_id"])


def downgrade() -> None:
    """Drop what version 4 added (``pbt`` parameter changes read ``api``)."""
    op.drop_index(op.f("ix_exploits_experiment_id"), table_name="exploits")
    op.drop_table("exploits")
    op.execute("UPDATE param_changes SET source = 'api' WHERE source = 'pbt'")
    with op.batch_alter_table("param_changes") as batch:
        batch.drop_constraint(op.f("ck_param_changes_source"), type_="check")
        batch.create_check_constraint(op.f("ck_param_changes_source"), _in("source", OLD_SOURCES))
    with op.batch_alter_table("runs") as batch:
        batch.drop_index(op.f("ix_runs_parent_id"))
        batch.drop_constraint(op.f("fk_runs_parent_id_runs"), type_="foreignkey")
        batch.drop_column("fork_episode")
        batch.drop_column("parent_id")
