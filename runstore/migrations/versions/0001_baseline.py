"""Schema version 1: the tables as gridlab created them before it had migrations.

A store written then has these tables and ``gridlab_meta.schema_version = '1'`` but no
``gridlab_alembic_version``; it is stamped with this revision, not rebuilt. A new store is created
from the models and stamped at the head. So this revision runs only where a database is
built from migrations alone (the tests do, to check it matches version 1 exactly). Its
names and values are written out, not imported, and constraint names are final
(``op.f``, no naming convention applied): later models must not change it.

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None

STATUSES = ("queued", "running", "paused", "finished", "stopped", "crashed", "error")
REQUESTABLE_STATUSES = ("running", "paused", "stopped")
PARAM_SOURCES = ("ui", "api", "cli")
METRICS = (
    "return",
    "length",
    "success",
    "epsilon",
    "alpha",
    "gamma",
    "mean_q",
    "max_q",
    "mean_abs_td",
    "env_steps",
    "wall_time",
)
ROLLUP_COMMENT = (
    "Aggregates of every metric over block `block` of 10**level episodes: episodes"
    " block*10**level+1 .. (block+1)*10**level, `count` of them present so far. Written in"
    " the same transaction as the episodes it covers."
)
TABLES = ("checkpoints", "param_changes", "rollups", "episodes", "runs", "gridlab_meta")
"""Children first, the order to drop them in."""


def _in(column: str, values: tuple[str, ...]) -> str:
    """Return a CHECK expression limiting ``column`` to ``values``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _run_fk(table: str) -> sa.ForeignKeyConstraint:
    """Return the named ``run_id -> runs.id ON DELETE CASCADE`` key of ``table``."""
    return sa.ForeignKeyConstraint(
        ["run_id"], ["runs.id"], name=op.f(f"fk_{table}_run_id_runs"), ondelete="CASCADE"
    )


def upgrade() -> None:
    """Create the six tables and the index of version 1."""
    op.create_table(
        "gridlab_meta",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_gridlab_meta")),
    )
    _create_runs()
    _create_episodes()
    op.create_table(
        "rollups",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("block", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        *(
            sa.Column(f"{metric}_{stat}", sa.Float(), nullable=False)
            for metric in METRICS
            for stat in ("sum", "min", "max")
        ),
        sa.PrimaryKeyConstraint("run_id", "level", "block", name=op.f("pk_rollups")),
        _run_fk("rollups"),
        comment=ROLLUP_COMMENT,
    )
    _create_param_changes()
    op.create_table(
        "checkpoints",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("episode", sa.BigInteger(), nullable=False),
        sa.Column("q", sa.LargeBinary(), nullable=False),
        sa.Column("agent_state", sa.JSON(), nullable=False),
        sa.Column("evaluation", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "episode", name=op.f("pk_checkpoints")),
        _run_fk("checkpoints"),
    )


def _create_runs() -> None:
    """Create ``runs``."""
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("env_id", sa.String(200), nullable=False),
        sa.Column("env_config", sa.JSON(), nullable=False),
        sa.Column("hyperparams", sa.JSON(), nullable=False),
        sa.Column("current_params", sa.JSON(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("target_episodes", sa.BigInteger(), nullable=False),
        sa.Column("episodes_done", sa.BigInteger(), nullable=False),
        sa.Column("env_steps", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_status", sa.String(16), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("host", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
        sa.CheckConstraint(_in("status", STATUSES), name=op.f("ck_runs_status")),
        sa.CheckConstraint(
            f"requested_status IS NULL OR {_in('requested_status', REQUESTABLE_STATUSES)}",
            name=op.f("ck_runs_requested_status"),
        ),
        sa.CheckConstraint(
            "episodes_done >= 0 AND episodes_done <= target_episodes", name=op.f("ck_runs_done")
        ),
    )


def _create_episodes() -> None:
    """Create ``episodes``."""
    op.create_table(
        "episodes",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("episode", sa.BigInteger(), nullable=False),
        sa.Column("return", sa.Float(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("success", sa.SmallInteger(), nullable=False),
        sa.Column("epsilon", sa.Float(), nullable=False),
        sa.Column("alpha", sa.Float(), nullable=False),
        sa.Column("gamma", sa.Float(), nullable=False),
        sa.Column("mean_q", sa.Float(), nullable=False),
        sa.Column("max_q", sa.Float(), nullable=False),
        sa.Column("mean_abs_td", sa.Float(), nullable=False),
        sa.Column("env_steps", sa.BigInteger(), nullable=False),
        sa.Column("wall_time", sa.Float(), nullable=False),
        sa.Column("action_counts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "episode", name=op.f("pk_episodes")),
        sa.CheckConstraint("episode >= 1", name=op.f("ck_episodes_episode_from_one")),
        _run_fk("episodes"),
    )


def _create_param_changes() -> None:
    """Create ``param_changes`` and its index on ``run_id``."""
    op.create_table(
        "param_changes",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("param", sa.String(64), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_episode", sa.BigInteger(), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_param_changes")),
        sa.CheckConstraint(_in("source", PARAM_SOURCES), name=op.f("ck_param_changes_source")),
        _run_fk("param_changes"),
    )
    op.create_index(op.f("ix_param_changes_run_id"), "param_changes", ["run_id"])


def downgrade() -> None:
    """Drop every table of version 1."""
    for table in TABLES:
        op.drop_table(table)
