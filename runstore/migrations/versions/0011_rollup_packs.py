"""Schema version 11: rollup blocks stored 32 to a row.

``rollups`` (a row per block of a size: its count and each metric's sum, min and max)
becomes ``rollup_packs``: a size's blocks ``p*32 .. p*32+31`` of a run in one row, their
figures one float64 blob (``runstore/packs.py``). Every run's blocks are copied size by size,
exactly (the blob holds the same doubles), then the old table is dropped. A batch of 8,000
episodes wrote about 310 rows of ``rollups``; it writes about 25 packs. A whole-run series
of a million episodes read a thousand rows; it reads 32. On SQLite the table is
``WITHOUT ROWID``: clustered by run, size and pack. A run whose blocks of a size have a gap
(which no gridlab wrote) is refused, and the upgrade then changes nothing.

Table shapes and field names are written out, not imported (later models must not change
this); the blob format is runstore's (``packs.table``, ``rows`` and ``decode``), so that what
this writes is what the store reads.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import sqlalchemy as sa
from alembic import op

from runstore import packs
from runstore.errors import StoreError
from runstore.levels import Level

revision = "0011"
down_revision: str | None = "0010"
branch_labels = None
depends_on = None

PACK = 32
PAGE = 1000 * PACK
"""Blocks of a size copied at a time."""
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
"""The metrics of ``rollups`` at schema 10, in their order."""
STATS = ("sum", "min", "max")
FIGURES = tuple(f"{metric}_{stat}" for metric in METRICS for stat in STATS)
PACKS_COMMENT = (
    "Aggregates of every metric over consecutive blocks of `size` episodes (one of"
    " ROLLUP_SIZES), from block `first_block` on, all in pack `pack` (blocks pack*32 .."
    " pack*32+31): block b holds episodes b*size+1 .. (b+1)*size. `figures` is float64"
    " little-endian, one row per block: the count of its episodes present so far, then each"
    " metric's sum, min and max (runstore/packs.py). Written in the same transaction as the"
    " episodes it covers."
)
ROLLUPS_COMMENT = (
    "Aggregates of every metric over block `block` of `size` episodes (one of ROLLUP_SIZES):"
    " episodes block*size+1 .. (block+1)*size, `count` of them present so far. Written in the"
    " same transaction as the episodes it covers."
)

rollups = sa.table(
    "rollups",
    sa.column("run_id"),
    sa.column("size"),
    sa.column("block"),
    sa.column("count"),
    *(sa.column(name) for name in FIGURES),
)
rollup_packs = sa.table(
    "rollup_packs",
    sa.column("run_id"),
    sa.column("size"),
    sa.column("pack"),
    sa.column("first_block"),
    sa.column("figures"),
)


def upgrade() -> None:
    """Create ``rollup_packs``, copy every run's rollup blocks into it, drop ``rollups``."""
    op.create_table(
        "rollup_packs",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("pack", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("first_block", sa.BigInteger(), nullable=False),
        sa.Column("figures", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "size", "pack", name=op.f("pk_rollup_packs")),
        sa.CheckConstraint("pack >= 0", name=op.f("ck_rollup_packs_pack")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_rollup_packs_run_id_runs"), ondelete="CASCADE"
        ),
        comment=PACKS_COMMENT,
        sqlite_with_rowid=False,
    )
    conn = op.get_bind()
    keys = sa.select(rollups.c.run_id, rollups.c.size).distinct()
    for run_id, size in conn.execute(keys.order_by("run_id", "size")).all():
        for level in _levels(conn, run_id, size):
            found = packs.rows(run_id, size, int(level.blocks[0]), packs.table(level))
            conn.execute(
                rollup_packs.insert(), [dict(zip(packs.COLUMNS, row, strict=True)) for row in found]
            )
    op.drop_table("rollups")


def _levels(conn: sa.Connection, run_id: int, size: int) -> Iterator[Level]:
    """Yield the run's rollup blocks of ``size``, ``PAGE`` blocks (whole packs) at a time.

    Raises:
        StoreError: the blocks are not consecutive.
    """
    r = rollups.c
    bounds = sa.select(sa.func.min(r.block), sa.func.max(r.block))
    low, high = conn.execute(bounds.where(r.run_id == run_id, r.size == size)).one()
    start = low // PACK * PACK
    expected = low
    while start <= high:
        query = (
            sa.select(r.block, r.count, *(r[name] for name in FIGURES))
            .where(r.run_id == run_id, r.size == size, r.block.between(start, start + PAGE - 1))
            .order_by(r.block)
        )
        found = np.array(conn.execute(query).all(), dtype=np.float64).reshape(-1, 2 + len(FIGURES))
        blocks = found[:, 0].astype(np.int64)
        if len(blocks) and (blocks != expected + np.arange(len(blocks))).any():
            raise StoreError(
                f"cannot upgrade the store: run {run_id}'s rollup blocks of {size} episodes"
                " have a gap (a gridlab writes them one after another); nothing was changed"
            )
        if len(blocks):
            stats = found[:, 2:].reshape(len(found), len(METRICS), len(STATS))
            yield Level(blocks, found[:, 1].astype(np.int64), *np.moveaxis(stats, 2, 0))
        expected += len(blocks)
        start += PAGE


def downgrade() -> None:
    """Back to a row per rollup block."""
    op.create_table(
        "rollups",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("block", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=False) for name in FIGURES),
        sa.PrimaryKeyConstraint("run_id", "size", "block", name=op.f("pk_rollups")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_rollups_run_id_runs"), ondelete="CASCADE"
        ),
        comment=ROLLUPS_COMMENT,
        sqlite_with_rowid=False,
    )
    conn = op.get_bind()
    query = sa.select(rollup_packs).order_by("run_id", "size", "pack")
    for row in conn.execute(query).mappings():
        level = packs.decode(row["first_block"], bytes(row["figures"]))
        figures = level.figures().tolist()
        conn.execute(
            rollups.insert(),
            [
                {
                    "run_id": row["run_id"],
                    "size": row["size"],
                    "block": block,
                    "count": count,
                    **dict(zip(FIGURES, values, strict=True)),
                }
                for block, count, values in zip(
                    level.blocks.tolist(), level.counts.tolist(), figures, strict=True
                )
            ],
        )
    op.drop_table("rollup_packs")
