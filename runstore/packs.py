"""Rollup packs: how rollup blocks are stored, ``PACK`` consecutive blocks of one size to a row.

A pack's ``figures`` blob is float64 (little-endian), one row per block from its
``first_block`` on, with no gap: the block's count of episodes, then ``STAT_NAMES`` (each
metric's sum, min and max). A run's episodes have no gap, so neither have its blocks of a
size: a pack holds every block of the run's episodes that falls in it.

Writing a batch reads the packs its first blocks fall in (one per size, holding the block the
batch before may have left partly filled), adds the batch's aggregates in (the stored block's
sums first, then the batch's, as the store has always added them) and writes back every pack
touched: about 25 rows for a batch of 8,000 episodes, where a row per block took 310.
Reading a window's blocks of a size reads the packs covering them: the thousand blocks of
1,000 episodes a whole run of a million needs come in 32 rows.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import CompoundSelect, Connection, Dialect, bindparam, delete, select, union_all
from sqlalchemy.dialects import postgresql, sqlite

from .levels import STAT_NAMES, Level
from .records import METRICS
from .schema import PACK, ROLLUP_STATS, rollup_packs

FIGURE = np.dtype("<f8")
WIDTH = 1 + len(STAT_NAMES)
"""Figures per block: the count, then ``STAT_NAMES``."""
COLUMNS = ("run_id", "size", "pack", "first_block", "figures")
"""The order of ``upsert_statement``'s parameters."""
Range = tuple[int, int, int]
"""A size and the first and last of its blocks wanted."""


def table(level: Level) -> np.ndarray:
    """Return a level's blocks as ``figures`` rows: one per block, ``WIDTH`` doubles each."""
    rows = np.empty((len(level.blocks), WIDTH), dtype=FIGURE)
    rows[:, 0] = level.counts
    rows[:, 1:] = level.figures()
    return rows


def decode(first_block: int, blob: bytes) -> Level:
    """Return the level a ``figures`` blob holds, its blocks from ``first_block`` on."""
    rows = _figures(blob)
    stats = rows[:, 1:].reshape(len(rows), len(METRICS), len(ROLLUP_STATS))
    return Level(
        first_block + np.arange(len(rows), dtype=np.int64),
        rows[:, 0].astype(np.int64),
        stats[:, :, 0],
        stats[:, :, 1],
        stats[:, :, 2],
    )


def rows(run_id: int, size: int, first_block: int, figures: np.ndarray) -> list[tuple[Any, ...]]:
    """Return consecutive blocks from ``first_block`` on (``table`` rows) as packs, in
    ``upsert_statement``'s parameters: one tuple per pack."""
    found = []
    begin, end = first_block, first_block + len(figures)
    while begin < end:
        cut = min(end, (begin // PACK + 1) * PACK)
        part = figures[begin - first_block : cut - first_block]
        found.append((run_id, size, begin // PACK, begin, part.tobytes()))
        begin = cut
    return found


def joined(stored: np.ndarray, batch: np.ndarray, shared: bool) -> np.ndarray:
    """Return a pack's stored blocks followed by a batch's (``table`` rows); if ``shared``,
    the batch's first block is the last stored one, and its count and sums are added to the
    stored ones (stored first), its extremes taken with them."""
    if not shared:
        return np.concatenate((stored, batch))
    merged = np.concatenate((stored, batch[1:]))
    last, new = merged[len(stored) - 1], batch[0]
    last[0] += new[0]
    last[1::3] += new[1::3]
    np.minimum(last[2::3], new[2::3], out=last[2::3])
    np.maximum(last[3::3], new[3::3], out=last[3::3])
    return merged


def write(conn: Connection, run_id: int, levels: Mapping[int, Level], upsert: str) -> None:
    """Add a batch's aggregates (each size's ``Level``) to the run's packs.

    Args:
        conn: the batch's write transaction.
        run_id: the run.
        levels: each size to the batch's blocks of it (the first may already be stored,
            partly filled; none after it is).
        upsert: the SQL from ``upsert_statement``.
    """
    firsts = {size: int(level.blocks[0]) for size, level in levels.items()}
    stored = _stored_tables(conn, run_id, [(size, b, b) for size, b in firsts.items()])
    params: list[tuple[Any, ...]] = []
    for size, level in levels.items():
        start, figures = firsts[size], table(level)
        if size in stored:
            pack_start, kept = stored[size]
            shared = pack_start + len(kept) - 1 == start
            start, figures = pack_start, joined(kept, figures, shared)
        params += rows(run_id, size, start, figures)
    conn.exec_driver_sql(upsert, params)


def _stored_tables(
    conn: Connection, run_id: int, ranges: Sequence[Range]
) -> dict[int, tuple[int, np.ndarray]]:
    """Return, for each size with any, the first block and ``table`` rows of the stored
    blocks of the packs that cover the ranges (consecutive; for ``write``, one pack each)."""
    return {
        size: (of_size[0][1], np.concatenate([_figures(blob) for _, _, blob in of_size]))
        for size, of_size in _by_size(_fetch(conn, run_id, ranges))
    }


def _figures(blob: bytes) -> np.ndarray:
    """Return a ``figures`` blob as ``table`` rows (a read-only view of its bytes)."""
    return np.frombuffer(blob, dtype=FIGURE).reshape(-1, WIDTH)


def read(conn: Connection, run_id: int, ranges: Sequence[Range]) -> dict[int, Level]:
    """Return the run's stored blocks of the packs that cover each range, in one query.

    Returns:
        Each size with any stored to the blocks of those packs (perhaps a few outside the
        ranges: ``Level.between`` cuts them), in block order.
    """
    return {
        size: Level.concatenated([decode(first, blob) for _, first, blob in of_size])
        for size, of_size in _by_size(_fetch(conn, run_id, ranges))
    }


def metric_rows(
    conn: Connection, run_id: int, metric: str, ranges: Sequence[Range]
) -> dict[int, list[tuple[Any, ...]]]:
    """Return the run's stored blocks in each range (ranges of one size disjoint), in one
    query: per size, rows of (block, count, sum, min, max) of one metric, in block order."""
    at = 1 + 3 * METRICS.index(metric)
    stored = {
        (size, pack): (first, blob) for size, pack, first, blob in _fetch(conn, run_id, ranges)
    }
    found: dict[int, list[tuple[Any, ...]]] = {}
    for size, low, high in sorted(ranges):
        rows = found.setdefault(size, [])
        for pack in range(low // PACK, high // PACK + 1):
            if (size, pack) not in stored:
                continue
            first, blob = stored[size, pack]
            table = _figures(blob)
            begin, end = max(low - first, 0), min(high + 1 - first, len(table))
            if begin < end:
                count, *stats = table[begin:end, [0, at, at + 1, at + 2]].T.tolist()
                blocks = range(first + begin, first + end)
                rows += zip(blocks, map(int, count), *stats, strict=True)
    return found


def _fetch(
    conn: Connection, run_id: int, ranges: Sequence[Range]
) -> list[tuple[int, int, int, bytes]]:
    """Return (size, pack, first block, figures) of each stored pack that covers any of the
    ranges, each once, ordered by size and pack."""
    bounds: dict[str, int] = {"run_id": run_id}
    for i, (size, first, last) in enumerate(ranges):
        bounds.update({f"size_{i}": size, f"first_{i}": first // PACK, f"last_{i}": last // PACK})
    result = conn.execute(_pack_query(len(ranges)), bounds)
    try:  # the driver's own tuples
        found = result.cursor.fetchall()
    finally:
        result.close()
    unique = {(size, pack): (first, bytes(blob)) for size, pack, first, blob in found}
    return [(size, pack, *unique[size, pack]) for size, pack in sorted(unique)]


def _by_size(
    packs: list[tuple[int, int, int, bytes]],
) -> list[tuple[int, list[tuple[int, int, bytes]]]]:
    """Return ``_fetch``'s packs grouped by size: (pack, first block, figures) each."""
    return [
        (size, [pack[1:] for pack in of_size])
        for size, of_size in itertools.groupby(packs, key=lambda pack: pack[0])
    ]


@functools.cache
def _pack_query(ranges: int) -> CompoundSelect[Any]:
    """Return the query of ``read`` for a number of ranges (built once for each): a UNION
    ALL of each range of the primary key, so that every range is an index search."""
    p = rollup_packs.c
    return union_all(
        *(
            select(p.size, p.pack, p.first_block, p.figures).where(
                p.run_id == bindparam("run_id"),
                p.size == bindparam(f"size_{i}"),
                p.pack.between(bindparam(f"first_{i}"), bindparam(f"last_{i}")),
            )
            for i in range(ranges)
        )
    )


def delete_after(conn: Connection, run_id: int, keep: int) -> None:
    """Delete the run's packs holding any block that ends after episode ``keep``."""
    ends = (rollup_packs.c.pack + 1) * PACK * rollup_packs.c.size  # a pack's last episode
    conn.execute(delete(rollup_packs).where(rollup_packs.c.run_id == run_id, ends > keep))


def best_mean(conn: Connection, run_id: int, size: int, first: int, last: int) -> float | None:
    """Return the best mean return of the run's full blocks of ``size`` among blocks
    ``first..last`` (each block's sum over its count), or None if it has none."""
    level = read(conn, run_id, [(size, first, last)]).get(size)
    if level is None:
        return None
    level = level.between(first, last)
    full = level.counts == size
    if not full.any():
        return None
    sums = level.sums[full, METRICS.index("return")]
    return float((sums / level.counts[full]).max())


def upsert_statement(dialect: str) -> str:
    """Return the driver-level INSERT .. ON CONFLICT that writes packs (``rows``'s tuples,
    in ``COLUMNS`` order), replacing the stored ones, for ``"sqlite"`` or ``"postgresql"``."""
    stmt: postgresql.Insert | sqlite.Insert
    compiler: Dialect
    if dialect == "postgresql":
        stmt, compiler = (
            postgresql.insert(rollup_packs),
            postgresql.psycopg.dialect(paramstyle="format"),
        )
    else:
        stmt, compiler = sqlite.insert(rollup_packs), sqlite.dialect(paramstyle="qmark")
    changes = {"first_block": stmt.excluded.first_block, "figures": stmt.excluded.figures}
    upsert = stmt.on_conflict_do_update(index_elements=["run_id", "size", "pack"], set_=changes)
    compiled = upsert.compile(dialect=compiler)
    if tuple(compiled.positiontup or ()) != COLUMNS:
        raise ValueError(f"rollup pack columns in an unexpected order: {compiled.positiontup}")
    return str(compiled)
