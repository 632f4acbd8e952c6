"""Migration 0011: rollup blocks move from a row each (``rollups``) to packs of 32 blocks
(``rollup_packs``), exactly. A store written at the head, taken down to schema 10 and opened
again (so upgraded), holds its packs byte for byte and answers every series as before; at
schema 10 its rows are the blocks the rollup arithmetic gives; a store whose blocks of a size
have a gap is refused, unchanged. On SQLite and PostgreSQL. (The schema-4 test store, forks
and all, goes through this migration in every test of the older migrations.)"""

from __future__ import annotations

import numpy as np
import pytest
from alembic import command
from sqlalchemy import create_engine, select, text

from runstore import METRICS, RunStore, StoreError, rollups
from runstore.migrate import HEAD
from runstore.migrations import commands
from runstore.schema import ROLLUP_SIZES, rollup_packs
from tests.data.make_schema4_store import all_episodes
from tests.runstore.support import assert_series_equals_raw, make_rows, new_run

WINDOWS = [(None, None, 1000), (None, None, 7), (1, 5000, 40), (777, 3210, 25), (1601, 4100, 3)]
"""(start, end, points) of the series compared."""


def filled_store(url: str) -> dict[int, list[dict]]:
    """Write two runs at the head: one of 5,000 episodes in batches of 700 (crossing packs of
    every size up to 1,000), one truncated at 3,333 and grown to 4,100; return their
    episodes by run id."""
    store = RunStore(url)
    try:
        first, second = new_run(store), new_run(store)
        rows = make_rows(1, 5000, seed=3)
        for begin in range(0, len(rows), 700):
            store.append_episodes(first, rows[begin : begin + 700])
        store.append_episodes(second, make_rows(1, 4000, seed=4))
        store.truncate_episodes(second, 3333)
        kept = make_rows(1, 4000, seed=4)[:3333]
        more = make_rows(3334, 767, seed=5, steps_before=kept[-1]["env_steps"])
        store.append_episodes(second, more[:300])
        store.append_episodes(second, more[300:])
        return {first: all_episodes(store, first), second: kept + more}
    finally:
        store.close()


def packs_of(url: str) -> list[tuple]:
    """Return every stored pack, in key order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            query = select(rollup_packs).order_by(*rollup_packs.primary_key)
            return [tuple(row) for row in conn.execute(query)]
    finally:
        engine.dispose()


def downgrade_to_10(url: str) -> None:
    """Take the store at ``url`` down to schema 10."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            command.downgrade(commands.config(conn), "0010")
    finally:
        engine.dispose()


def execute(url: str, sql: str) -> list[tuple]:
    """Return the rows of ``sql`` (or none) on the database at ``url``, committed."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def expected_rows(runs: dict[int, list[dict]]) -> set[tuple]:
    """Return the rollup rows of the runs' episodes as the arithmetic gives them, each
    batch a whole run (counts, extremes and sizes exact; sums to compare roughly)."""
    found = set()
    for run_id, rows in runs.items():
        columns = {metric: [float(row[metric]) for row in rows] for metric in METRICS}
        for agg in rollups.rollup_rows(run_id, 1, columns):
            extremes = [agg[f"{m}_{stat}"] for m in METRICS for stat in ("min", "max")]
            found.add((agg["run_id"], agg["size"], agg["block"], agg["count"], *extremes))
    return found


def test_a_store_at_schema_10_upgrades_to_the_same_packs_and_answers(store_url):
    runs = filled_store(store_url)
    before = packs_of(store_url)
    assert {pack[1] for pack in before} == set(ROLLUP_SIZES)
    downgrade_to_10(store_url)
    extremes = ", ".join(f"{m}_{stat}" for m in METRICS for stat in ("min", "max"))
    stored = execute(store_url, f"SELECT run_id, size, block, count, {extremes} FROM rollups")
    assert set(stored) == expected_rows(runs)
    assert execute(store_url, "SELECT version_num FROM gridlab_alembic_version") == [("0010",)]
    store = RunStore(store_url)
    try:
        for run_id, rows in runs.items():
            for metric in ("return", "wall_time", "success"):
                for start, end, points in WINDOWS:
                    series = store.series(run_id, metric, start=start, end=end, points=points)
                    assert_series_equals_raw(series, rows)
    finally:
        store.close()
    assert packs_of(store_url) == before
    assert execute(store_url, "SELECT version_num FROM gridlab_alembic_version") == [(HEAD,)]


def test_a_store_whose_blocks_have_a_gap_is_refused_unchanged(store_url):
    filled_store(store_url)
    downgrade_to_10(store_url)
    execute(store_url, "DELETE FROM rollups WHERE run_id = 1 AND size = 100 AND block = 7")
    left = execute(store_url, "SELECT count(*) FROM rollups")
    with pytest.raises(StoreError, match="run 1's rollup blocks of 100 episodes have a gap"):
        RunStore(store_url)
    assert execute(store_url, "SELECT count(*) FROM rollups") == left
    assert execute(store_url, "SELECT version_num FROM gridlab_alembic_version") == [("0010",)]


def test_the_pack_figures_are_count_then_each_metrics_sum_min_and_max(store_url):
    runs = filled_store(store_url)
    run_id, rows = next(iter(runs.items()))
    pack, first_block, figures = next(
        row[2:] for row in packs_of(store_url) if row[0] == run_id and row[1] == 50 and row[2] == 1
    )
    assert (pack, first_block) == (1, 32)  # blocks 32..63 of 50: episodes 1,601..3,200
    table = np.frombuffer(figures, "<f8").reshape(32, 1 + 3 * len(METRICS))
    block = rows[1600:1650]
    at = 1 + 3 * METRICS.index("length")
    assert table[0, 0] == 50
    assert table[0, at : at + 3].tolist() == [
        sum(row["length"] for row in block),
        min(row["length"] for row in block),
        max(row["length"] for row in block),
    ]
