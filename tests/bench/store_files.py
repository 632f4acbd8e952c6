"""The files of ``bench_store``: episode rows to write, a store and a plain one-row-per-episode
table written with them, and what they take on disk."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for tests.runstore.support

from runstore import EPISODE_FIELDS, RunStore
from tests.runstore.support import make_rows, new_run

FILL_BATCH = 10_000
"""Episodes per ``append_episodes`` call while a run is filled."""
TABLES = {
    "episodes": ("episode_blocks", "sqlite_autoindex_episode_blocks_1"),
    "rollups": ("rollup_packs",),
}
"""What ``dbstat`` counts for the episodes and for the rollups."""
POOL = 10_000
"""Distinct random episode rows; longer runs repeat them with new numbers and step counts."""

COLUMNS = ("run_id", *EPISODE_FIELDS)
PLAIN_TABLE = """
CREATE TABLE episodes (
    run_id INTEGER NOT NULL,
    episode BIGINT NOT NULL,
    "return" FLOAT,
    length INTEGER,
    success SMALLINT,
    epsilon FLOAT,
    alpha FLOAT,
    gamma FLOAT,
    mean_q FLOAT,
    max_q FLOAT,
    mean_abs_td FLOAT,
    env_steps BIGINT,
    wall_time FLOAT,
    action_counts TEXT,
    PRIMARY KEY (run_id, episode)
)
"""
QUOTED_COLUMNS = ", ".join(f'"{column}"' for column in COLUMNS)
PLAIN_INSERT = f"INSERT INTO episodes ({QUOTED_COLUMNS}) VALUES ({', '.join('?' * len(COLUMNS))})"


def row_pool(seed: int = 0) -> list[dict[str, Any]]:
    """Return ``POOL`` plausible episode rows without ``episode``, ``env_steps``, ``wall_time``.

    Returns:
        Row dicts with every other episode field, drawn by the store tests' ``make_rows``.
    """
    position = ("episode", "env_steps", "wall_time")
    return [
        {key: value for key, value in row.items() if key not in position}
        for row in make_rows(1, POOL, seed=seed)
    ]


def batches(pool: list[dict[str, Any]], episodes: int, size: int) -> Iterator[list[dict]]:
    """Yield rows for episodes 1..``episodes`` in consecutive batches of ``size``.

    Args:
        pool: rows from ``row_pool``, used round-robin.
        episodes: how many episodes in all.
        size: rows per batch (the last may be shorter).

    Returns:
        A generator of row lists keyed like the store's ``EPISODE_FIELDS``.
    """
    steps = 0
    for first in range(1, episodes + 1, size):
        batch = []
        for episode in range(first, min(first + size, episodes + 1)):
            row = pool[(episode - 1) % POOL]
            steps += row["length"]
            batch.append(
                {**row, "episode": episode, "env_steps": steps, "wall_time": episode / 1000}
            )
        yield batch


def store_append(path: Path, rows: list[list[dict]]) -> float:
    """Append ``rows`` (already in batches) to a new run in a fresh store at ``path``.

    Returns:
        Seconds spent in ``append_episodes``.
    """
    store = RunStore(f"sqlite:///{path}")
    try:
        run_id = new_run(store, sum(map(len, rows)))
        start = time.perf_counter()
        for batch in rows:
            store.append_episodes(run_id, batch)
        return time.perf_counter() - start
    finally:
        store.close()


def plain_append(path: Path, rows: list[list[dict]]) -> float:
    """Insert ``rows`` (already in batches) into a plain table with ``executemany``.

    WAL and ``synchronous=NORMAL`` like the store; one transaction per batch; each row is
    turned into a tuple (``action_counts`` as JSON) inside the timed loop, as the store must.

    Returns:
        Seconds spent inserting.
    """
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(PLAIN_TABLE)
        dumps, numbers = json.dumps, itemgetter(*EPISODE_FIELDS[:-1])
        start = time.perf_counter()
        for batch in rows:
            conn.execute("BEGIN IMMEDIATE")
            values = [(1, *numbers(r), dumps(r["action_counts"])) for r in batch]
            conn.executemany(PLAIN_INSERT, values)
            conn.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        conn.close()


def disk_bytes(path: Path) -> int:
    """Checkpoint the WAL into the database file and return the bytes on disk.

    Returns:
        The size of the file plus its ``-wal`` (empty after the checkpoint).
    """
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    wal = Path(f"{path}-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def fill(path: Path, pool: list[dict[str, Any]], episodes: int) -> tuple[int, float]:
    """Create a store at ``path`` holding one run of ``episodes`` episodes.

    Returns:
        (the run's id, seconds spent in ``append_episodes``).
    """
    store = RunStore(f"sqlite:///{path}")
    try:
        run_id = new_run(store, episodes)
        seconds = 0.0
        for batch in batches(pool, episodes, FILL_BATCH):
            start = time.perf_counter()
            store.append_episodes(run_id, batch)
            seconds += time.perf_counter() - start
        return run_id, seconds
    finally:
        store.close()


def table_bytes(path: Path) -> dict[str, int]:
    """Return the bytes of the store's pages that hold episodes and rollups (``TABLES``)."""
    conn = sqlite3.connect(path)
    try:
        found = dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
    finally:
        conn.close()
    return {kind: sum(found.get(name, 0) for name in names) for kind, names in TABLES.items()}
