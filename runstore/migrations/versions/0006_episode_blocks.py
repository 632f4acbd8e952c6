"""Schema version 6: episodes stored a thousand to a block; rollups by size, with more sizes.

``episodes`` (one row per episode) becomes ``episode_blocks``: the episodes
``block*1000+skip+1 .. block*1000+skip+count`` of a run, each field one blob, exact and
compressed (``runstore/blocks.py``). Every run's episodes are copied block by block, then the
old table is dropped. A run's episodes are 1 .. n, or a fork's ``fork_episode+1 .. n`` (its
first block skips the episodes before them: its parent holds those); a run whose episodes
have a gap (which no gridlab wrote) is refused, and the upgrade then changes nothing.
``rollups.level`` (blocks of 10**level episodes) becomes ``size`` (blocks of that many
episodes), and the rollups gain blocks of 50 episodes (summed from the episodes) and of 2
and 5 x 10**k (from the blocks of 10**k, in block order: exactly the sums SQL's ``SUM`` over
those blocks gave, so every series answers as before). On SQLite ``rollups`` is
rebuilt ``WITHOUT ROWID``: clustered by run, size and block.

Table shapes and field names are written out, not imported (later models must not change
this); the blob codec and the rollup arithmetic are runstore's (``blocks.encode`` and
``decode``, ``rollups.rollup_rows`` and ``coarser``), so that what this writes is what the
store reads.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from runstore import blocks, rollups
from runstore.errors import StoreError

revision = "0006"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None

BLOCK = 1000
PAGE = 10 * BLOCK
"""Episodes read at a time while copying."""
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
"""The metric columns of ``episodes`` at schema 4, in their order."""
INTEGERS = ("length", "success", "env_steps")
OLD_TYPES = {"length": sa.Integer, "success": sa.SmallInteger, "env_steps": sa.BigInteger}
"""The integer columns' types in ``episodes`` (the others were floats)."""
CODECS = {
    **{name: "int" if name in INTEGERS else "float" for name in METRICS},
    "action_counts": "lists",
}
"""Each stored field and how its blob is encoded."""
FIGURES = ("count", *(f"{metric}_{stat}" for metric in METRICS for stat in ("sum", "min", "max")))
DECADES = (100, 1_000, 10_000, 100_000, 1_000_000)
LADDER = {m * decade: decade for decade in DECADES[:-1] for m in (2, 5)}
"""The new block sizes of 2 and 5 x 10**k, each to the size it is summed from."""
BLOCKS_COMMENT = (
    "A run's episodes block*1000+skip+1 .. block*1000+skip+count, each field one blob"
    " (runstore/blocks.py). A run's episodes are (runs.fork_episode or 0)+1 .."
    " runs.episodes_done: skip is 0 but in a fork's first block, and only the last block may"
    " end before episode (block+1)*1000."
)
ROLLUPS_COMMENT = (
    "Aggregates of every metric over block `block` of `size` episodes (one of ROLLUP_SIZES):"
    " episodes block*size+1 .. (block+1)*size, `count` of them present so far. Written in the"
    " same transaction as the episodes it covers."
)
OLD_ROLLUPS_COMMENT = (
    "Aggregates of every metric over block `block` of 10**level episodes: episodes"
    " block*10**level+1 .. (block+1)*10**level, `count` of them present so far. Written in"
    " the same transaction as the episodes it covers."
)

episodes = sa.table(
    "episodes", sa.column("run_id"), sa.column("episode"), *(sa.column(n) for n in CODECS)
)
episode_blocks = sa.table(
    "episode_blocks",
    sa.column("run_id"),
    sa.column("block"),
    sa.column("skip"),
    sa.column("count"),
    *(sa.column(name) for name in CODECS),
)
rollup_rows = sa.table(
    "rollups",
    sa.column("run_id"),
    sa.column("size"),
    sa.column("block"),
    *(sa.column(name) for name in FIGURES),
)


def upgrade() -> None:
    """Copy the episodes into blocks, index rollups by size and add the new sizes."""
    op.create_table(
        "episode_blocks",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("block", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("skip", sa.SmallInteger(), nullable=False),
        sa.Column("count", sa.SmallInteger(), nullable=False),
        *(sa.Column(name, sa.LargeBinary(), nullable=False) for name in CODECS),
        sa.PrimaryKeyConstraint("run_id", "block", name=op.f("pk_episode_blocks")),
        sa.CheckConstraint("block >= 0", name=op.f("ck_episode_blocks_block")),
        sa.CheckConstraint(
            "skip >= 0 AND count >= 1 AND skip + count <= 1000",
            name=op.f("ck_episode_blocks_count"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_episode_blocks_run_id_runs"), ondelete="CASCADE"
        ),
        comment=BLOCKS_COMMENT,
    )
    _rekey_rollups("size", sa.Integer(), with_rowid=False, comment=ROLLUPS_COMMENT)
    op.execute(_case("size", {level: 10**level for level in range(2, 7)}))
    conn = op.get_bind()
    fifties = []
    for run_id in conn.execute(sa.select(episodes.c.run_id).distinct()).scalars().all():
        for first, columns in _pages(conn, run_id):
            conn.execute(episode_blocks.insert(), _blocks_of(run_id, first, columns))
            increments = rollups.rollup_rows(run_id, first, _metrics(columns))
            fifties += [row for row in increments if row["size"] == 50]
    op.drop_table("episodes")
    _insert(conn, fifties + _ladder(conn))  # pages end with a block of 50: none is split


def _pages(conn: sa.Connection, run_id: int) -> Iterator[tuple[int, dict[str, list[Any]]]]:
    """Yield the run's episodes up to ``PAGE`` at a time, each page ending with a block:
    (first episode, field to values).

    Raises:
        StoreError: the run's episodes are not consecutive from its first (1, or a fork's
            ``fork_episode + 1``).
    """
    runs = sa.table("runs", sa.column("id"), sa.column("fork_episode"))
    done = conn.scalar(sa.select(runs.c.fork_episode).where(runs.c.id == run_id)) or 0
    while True:
        query = (
            sa.select(episodes.c.episode, *(episodes.c[name] for name in CODECS))
            .where(episodes.c.run_id == run_id, episodes.c.episode > done)
            .order_by(episodes.c.episode)
            .limit(PAGE - done % BLOCK)
        )
        found = conn.execute(query).all()
        if not found:
            return
        for expected, (number, *_) in enumerate(found, start=done + 1):
            if number != expected:
                raise StoreError(
                    f"cannot upgrade the store: run {run_id} has episode {number} but no"
                    f" episode {expected} (its episodes must follow one another from its"
                    " first); nothing was changed"
                )
        columns = {name: [row[i] for row in found] for i, name in enumerate(CODECS, start=1)}
        columns["success"] = [int(value) for value in columns["success"]]
        columns["action_counts"] = [json.loads(text) for text in columns["action_counts"]]
        yield done + 1, columns
        done += len(found)


def _blocks_of(run_id: int, first: int, columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Return the episode-block rows of episodes from ``first`` (a block's first, or a
    fork's first) on."""
    n, skip = len(columns["return"]), (first - 1) % BLOCK
    starts = [0, *range(BLOCK - skip, n, BLOCK)]
    return [
        {
            "run_id": run_id,
            "block": (first - 1 + start) // BLOCK,
            "skip": skip if start == 0 else 0,
            "count": end - start,
            **{
                name: blocks.encode(codec, columns[name][start:end])
                for name, codec in CODECS.items()
            },
        }
        for start, end in zip(starts, [*starts[1:], n], strict=True)
    ]


def _metrics(columns: dict[str, list[Any]]) -> dict[str, list[float]]:
    """Return each metric's values as floats (what the rollups sum)."""
    return {name: [float(value) for value in columns[name]] for name in METRICS}


def _ladder(conn: sa.Connection) -> list[dict[str, Any]]:
    """Return the blocks of every new 2 and 5 x 10**k size, summed from the blocks of 10**k."""
    new = []
    for size, parent in LADDER.items():
        query = (
            sa.select(
                rollup_rows.c.run_id, rollup_rows.c.block, *(rollup_rows.c[f] for f in FIGURES)
            )
            .where(rollup_rows.c.size == parent)
            .order_by(rollup_rows.c.run_id, rollup_rows.c.block)
        )
        by_run: dict[int, list[dict[str, Any]]] = {}
        for row in conn.execute(query).mappings():
            by_run.setdefault(row["run_id"], []).append(dict(row))
        for run_id, aggs in by_run.items():
            new += [
                {**agg, "run_id": run_id, "size": size}
                for agg in rollups.coarser(aggs, size // parent)
            ]
    return new


def _insert(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rollup rows (nothing when there are none)."""
    if rows:
        conn.execute(rollup_rows.insert(), list(rows))


def _rekey_rollups(
    column: str, type_: sa.types.TypeEngine, *, with_rowid: bool, comment: str
) -> None:
    """Rename the rollups' second key column (``level`` and ``size``, either way) to
    ``column`` of ``type_``; on SQLite rebuild the table with or without a rowid."""
    old = "level" if column == "size" else "size"
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(
        "rollups",
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_with_rowid": with_rowid},
    ) as batch:
        batch.alter_column(old, new_column_name=column, type_=type_, existing_nullable=False)
    if not sqlite:
        op.create_table_comment("rollups", comment)


def _case(column: str, mapping: dict[int, int]) -> str:
    """Return an UPDATE of ``rollups.column`` by ``mapping`` (old value to new)."""
    cases = " ".join(f"WHEN {old} THEN {new}" for old, new in mapping.items())
    return f"UPDATE rollups SET {column} = CASE {column} {cases} END"


def downgrade() -> None:
    """Back to one row per episode and rollups by level (the new sizes are dropped)."""
    op.execute(f"DELETE FROM rollups WHERE size NOT IN ({', '.join(map(str, DECADES))})")
    op.execute(_case("size", {10**level: level for level in range(2, 7)}))
    _rekey_rollups("level", sa.SmallInteger(), with_rowid=True, comment=OLD_ROLLUPS_COMMENT)
    op.create_table(
        "episodes",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("episode", sa.BigInteger(), nullable=False),
        *(sa.Column(name, OLD_TYPES.get(name, sa.Float)(), nullable=False) for name in METRICS),
        sa.Column("action_counts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "episode", name=op.f("pk_episodes")),
        sa.CheckConstraint("episode >= 1", name=op.f("ck_episodes_episode_from_one")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_episodes_run_id_runs"), ondelete="CASCADE"
        ),
    )
    conn = op.get_bind()
    for row in conn.execute(sa.select(episode_blocks).order_by("run_id", "block")).mappings():
        values = {
            name: blocks.decode(codec, row[name], row["count"]) for name, codec in CODECS.items()
        }
        values["action_counts"] = [json.dumps(counts) for counts in values["action_counts"]]
        first = row["block"] * BLOCK + row["skip"] + 1
        conn.execute(
            episodes.insert(),
            [
                {
                    "run_id": row["run_id"],
                    "episode": first + i,
                    **{n: v[i] for n, v in values.items()},
                }
                for i in range(row["count"])
            ],
        )
    op.drop_table("episode_blocks")
