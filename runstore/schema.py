"""The SQL schema (SQLAlchemy 2.x declarative). Every constraint is named."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .blocks import BLOCK
from .records import (
    CHECKPOINT_NAME_LENGTH,
    EPISODE_FIELDS,
    EVENT_KINDS,
    EXPERIMENT_METHODS,
    EXPERIMENT_STATUSES,
    PARAM_SOURCES,
    REQUESTABLE_STATUSES,
    STATUSES,
    TRAJECTORY_KINDS,
)

SCHEMA_VERSION = 11
"""The schema these models describe: the number of the newest migration, whose revision id
is the number in four digits (``migrations/versions/0001_baseline.py`` is ``"0001"``).
Change the models only with a new migration, and bump this with it. Stored as
``gridlab_meta.schema_version``, which a gridlab from before migrations compares with its
own version 1, so that it refuses a newer store."""

VERSION_TABLE = "gridlab_alembic_version"
"""Alembic's revision table, named for gridlab so that a PostgreSQL database shared with
another Alembic-managed application keeps the two apart."""

ROLLUP_SIZES = (50, *(m * 10**k for k in range(2, 7) for m in (1, 2, 5) if m * 10**k <= 10**6))
"""Rollup block sizes in episodes: 50, 100, 200, 500, 1000, 2000, ... up to a million. Every
bucket width a series chooses from 50 on has blocks of its own size; narrower buckets
(1 to 20 episodes) read the episodes."""

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, values: tuple[str, ...]) -> str:
    """Return a CHECK expression limiting ``column`` to ``values``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = MetaData(naming_convention=NAMING)


class Meta(Base):
    """Key/value facts about the database itself; holds ``schema_version``."""

    __tablename__ = "gridlab_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class ExperimentRow(Base):
    """A sweep over settings x seeds; its runs point at it (``runs.experiment_id``)."""

    __tablename__ = "experiments"
    __table_args__ = (
        CheckConstraint(_in("method", EXPERIMENT_METHODS), name="method"),
        CheckConstraint(_in("status", EXPERIMENT_STATUSES), name="status"),
        CheckConstraint("budget IS NULL OR budget >= 1", name="budget"),
        CheckConstraint(
            "trials_launched >= 0 AND (budget IS NULL OR trials_launched <= budget)",
            name="launched",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(16))
    base_spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    space: Mapped[dict[str, Any]] = mapped_column(JSON)
    seeds: Mapped[list[int]] = mapped_column(JSON)
    budget: Mapped[int | None] = mapped_column(Integer)
    objective: Mapped[str] = mapped_column(String(32))
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="running")
    trials_launched: Mapped[int] = mapped_column(Integer, default=0)
    study_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RunRow(Base):
    """A training run."""

    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(
            f"requested_status IS NULL OR {_in('requested_status', REQUESTABLE_STATUSES)}",
            name="requested_status",
        ),
        CheckConstraint("episodes_done >= 0 AND episodes_done <= target_episodes", name="done"),
        # claims and idle polls look runs up by status (queued) and expired lease
        Index("ix_runs_status_lease_expires", "status", "lease_expires"),
        # the runs page counts the runs listed, and the live ones, from this index alone
        Index("ix_runs_listing", "archived_at", "experiment_id", "status", "lease_expires"),
        # the runs page's tag filter reads every distinct list of tags from this index alone
        Index("ix_runs_tags", text("CAST(tags AS TEXT)")),
        # the runs page's blocks, newest first, of the runs not archived
        Index("ix_runs_archived_at_id", "archived_at", "id"),
        # SQLite: a deleted run's id is never given again (PostgreSQL's sequence never does)
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    env_id: Mapped[str] = mapped_column(String(200))
    env_config: Mapped[dict[str, Any]] = mapped_column(JSON)
    hyperparams: Mapped[dict[str, Any]] = mapped_column(JSON)
    current_params: Mapped[dict[str, Any]] = mapped_column(JSON)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int] = mapped_column(BigInteger)
    target_episodes: Mapped[int] = mapped_column(BigInteger)
    episodes_done: Mapped[int] = mapped_column(BigInteger, default=0)
    env_steps: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    requested_status: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    pid: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None] = mapped_column(String(255))
    attempt: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    owner: Mapped[str | None] = mapped_column(String(300))
    lease_expires: Mapped[float | None] = mapped_column(Float)
    auto_resume: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    revision: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    experiment_id: Mapped[int | None] = mapped_column(
        ForeignKey("experiments.id", ondelete="SET NULL"), index=True
    )
    trial: Mapped[int | None] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    fork_episode: Mapped[int | None] = mapped_column(BigInteger)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    note: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checkpoint_request: Mapped[str | None] = mapped_column(String(CHECKPOINT_NAME_LENGTH))
    """The name of a checkpoint its worker is asked to save at its next control check."""


class RunEventRow(Base):
    """An attempt of a run beginning or ending (``EVENT_KINDS``)."""

    __tablename__ = "run_events"
    __table_args__ = (CheckConstraint(_in("kind", EVENT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    episode: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    detail: Mapped[str | None] = mapped_column(Text)


store_revision = Table(
    "store_revision",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("revision", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
    comment="One row: the store's revision, bumped by every write transaction that changes a"
    " run, in that transaction; the run's own `runs.revision` gets the new value.",
)


BLOCK_FIELDS = EPISODE_FIELDS[1:]
"""The fields an episode block stores, one blob each (the episode numbers follow from the
block's number, skip and count)."""

episode_blocks = Table(
    "episode_blocks",
    Base.metadata,
    Column("run_id", ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("block", BigInteger, primary_key=True, autoincrement=False),
    Column("skip", SmallInteger, nullable=False),
    Column("count", SmallInteger, nullable=False),
    *(Column(name, LargeBinary, nullable=False) for name in BLOCK_FIELDS),
    CheckConstraint("block >= 0", name="block"),
    CheckConstraint(f"skip >= 0 AND count >= 1 AND skip + count <= {BLOCK}", name="count"),
    comment=f"A run's episodes block*{BLOCK}+skip+1 .. block*{BLOCK}+skip+count, each field"
    " one blob (runstore/blocks.py). A run's episodes are (runs.fork_episode or 0)+1 .."
    " runs.episodes_done: skip is 0 but in a fork's first block, and only the last block"
    f" may end before episode (block+1)*{BLOCK}.",
)


trajectories = Table(
    "trajectories",
    Base.metadata,
    Column("run_id", ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("episode", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(8), nullable=False),
    Column("length", BigInteger, nullable=False),
    Column("steps", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    CheckConstraint(_in("kind", TRAJECTORY_KINDS), name="kind"),
    CheckConstraint("steps >= 1 AND length >= steps", name="steps"),
    comment="The recorded steps of one of the run's own episodes: its first `steps` of"
    " `length`, each column one blob (runstore/step_blobs.py). Written with the episode's"
    " batch; kind `last` is a ring of the run's newest (runstore/trajectories.py).",
)


ROLLUP_STATS = ("sum", "min", "max")

PACK = 32
"""Rollup blocks per row of ``rollup_packs``: pack ``p`` of a size holds its blocks
``p*PACK .. p*PACK+PACK-1``."""

rollup_packs = Table(
    "rollup_packs",
    Base.metadata,
    Column("run_id", ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("size", Integer, primary_key=True, autoincrement=False),
    Column("pack", BigInteger, primary_key=True, autoincrement=False),
    Column("first_block", BigInteger, nullable=False),
    Column("figures", LargeBinary, nullable=False),
    CheckConstraint("pack >= 0", name="pack"),
    comment="Aggregates of every metric over consecutive blocks of `size` episodes (one of"
    f" ROLLUP_SIZES), from block `first_block` on, all in pack `pack` (blocks pack*{PACK} .."
    f" pack*{PACK}+{PACK - 1}): block b holds episodes b*size+1 .. (b+1)*size. `figures` is"
    " float64 little-endian, one row per block: the count of its episodes present so far,"
    " then each metric's sum, min and max (runstore/packs.py). Written in the same"
    " transaction as the episodes it covers.",
    sqlite_with_rowid=False,
)


SUMMARY_TAIL = 100
"""How many of a run's last episodes its summary's ``recent_return`` is the mean of."""

run_summaries = Table(
    "run_summaries",
    Base.metadata,
    Column("run_id", ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("episode", BigInteger, nullable=False),
    Column("recent_return", Float, nullable=False),
    Column("best_block", Float),
    Column("alpha", Float, nullable=False),
    Column("epsilon", Float, nullable=False),
    Column("tail", LargeBinary, nullable=False),
    comment="What the runs page shows of a run with episodes, as of its last episode"
    " `episode`, kept up to date in the transaction of each batch (runstore/summaries.py):"
    f" the mean return of its last {SUMMARY_TAIL} episodes (through its lineage), the best"
    f" mean return of a full block of {SUMMARY_TAIL} (NULL: none yet), the last alpha and"
    f" epsilon, and `tail`, the last {SUMMARY_TAIL} returns (float64, little-endian).",
)


class ExploitRow(Base):
    """A population-based-training exploit: a member copied another member's checkpoint.

    The member ``run_id`` had played ``episode`` episodes; it (or, when ``child_run_id`` is
    set, that new run of the lineage) continues at ``episode + 1`` from the checkpoint of
    ``source_run_id`` at ``source_episode``, with ``new_params``. One decision per member
    and episode (unique), however many workers reach it.
    """

    __tablename__ = "exploits"
    __table_args__ = (UniqueConstraint("run_id", "episode", name="uq_exploits_run_id_episode"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    episode: Mapped[int] = mapped_column(BigInteger)
    source_run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    source_episode: Mapped[int] = mapped_column(BigInteger)
    child_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    old_params: Mapped[dict[str, Any]] = mapped_column(JSON)
    new_params: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ParamChangeRow(Base):
    """A hyperparameter change: requested by someone, applied by the worker at an episode."""

    __tablename__ = "param_changes"
    __table_args__ = (CheckConstraint(_in("source", PARAM_SOURCES), name="source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    param: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(8))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    applied_episode: Mapped[int | None] = mapped_column(BigInteger)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CheckpointRow(Base):
    """A saved agent: compressed ``.npy`` Q-table, agent state, evaluation figures, and
    the name people gave it (unique within the run; a named checkpoint is never deleted
    but with its run)."""

    __tablename__ = "checkpoints"
    __table_args__ = (Index("ix_checkpoints_run_id_name", "run_id", "name", unique=True),)

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    episode: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    q: Mapped[bytes] = mapped_column(LargeBinary)
    agent_state: Mapped[dict[str, Any]] = mapped_column(JSON)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    name: Mapped[str | None] = mapped_column(String(CHECKPOINT_NAME_LENGTH))
