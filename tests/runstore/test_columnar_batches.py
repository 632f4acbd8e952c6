"""Batches handed over as columns (numpy arrays, what a trainer writes) store exactly what the
same episodes handed over as rows store: episodes, rollups and progress, through partial
blocks and any cut into batches; a bad column is refused with the row path's message."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from runstore import EPISODE_FIELDS, BatchError, RunStore, TrajectoryBatch, join_columns
from runstore.schema import rollup_packs
from tests.runstore.support import make_rows, new_run, stored_rows
from tests.runstore.test_run_summaries import (
    FIGURES,
    assert_summary_is_the_recomputation,
    listed,
)
from tests.runstore.test_trajectory_store import bits, record


def as_columns(rows: list[dict]) -> dict[str, np.ndarray]:
    """Return rows as the columns a trainer hands over: float64, int64 and bool arrays, the
    action counts one row per episode."""
    kinds = {"episode": np.int64, "length": np.int64, "env_steps": np.int64, "success": bool}
    columns = {
        name: np.array([row[name] for row in rows], dtype=kinds.get(name, np.float64))
        for name in EPISODE_FIELDS
        if name != "action_counts"
    }
    columns["action_counts"] = np.array([row["action_counts"] for row in rows], dtype=np.int64)
    return columns


def rollup_table(store: RunStore, run_id: int) -> list[tuple]:
    """Return every rollup pack of the run, in key order."""
    packs = rollup_packs
    query = select(packs).where(packs.c.run_id == run_id).order_by(*packs.primary_key)
    with store._engine.connect() as conn:
        return [tuple(row)[1:] for row in conn.execute(query)]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_columns_store_what_rows_store(store, data):
    rows = make_rows(
        1, data.draw(st.integers(1, 2300), label="episodes"), seed=data.draw(st.integers(0, 99))
    )
    for index in data.draw(st.lists(st.integers(0, len(rows) - 1), max_size=4)):
        rows[index]["return"] = data.draw(st.sampled_from([-0.0, 5e-324, -1e300, 1e-300]))
    cuts = (
        sorted(set(data.draw(st.lists(st.integers(1, len(rows) - 1), max_size=6))))
        if len(rows) > 1
        else []
    )
    bounds = list(zip([0, *cuts], [*cuts, len(rows)], strict=True))
    by_rows, by_columns = new_run(store, name="rows"), new_run(store, name="columns")
    for begin, end in bounds:
        store.append_episodes(by_rows, rows[begin:end])
        store.append_columns(by_columns, as_columns(rows[begin:end]))
    assert stored_rows(store, by_columns) == stored_rows(store, by_rows)
    assert rollup_table(store, by_columns) == rollup_table(store, by_rows)
    assert store.get_run(by_columns).env_steps == store.get_run(by_rows).env_steps


def test_joined_parts_are_the_whole_batch():
    rows = make_rows(1, 250)
    parts = [as_columns(rows[:100]), as_columns(rows[100:101]), as_columns(rows[101:])]
    whole, joined = as_columns(rows), join_columns(parts)
    assert joined.keys() == whole.keys()
    assert all(np.array_equal(joined[name], whole[name]) for name in whole)
    ragged = join_columns([{"action_counts": [[1, 2]]}, {"action_counts": np.array([[3, 4, 5]])}])
    assert ragged == {"action_counts": [[1, 2], [3, 4, 5]]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["mean_q"].__setitem__(3, math.nan), "episode 4: mean_q=nan is not a finite"),
        (lambda c: c.pop("alpha"), "episode 1: field 'alpha' is missing"),
        (lambda c: c["episode"].__setitem__(5, 9), "episode 9 follows episode 5 in the batch"),
        (
            lambda c: c.__setitem__("length", c["length"][:4]),
            "episode 5: field 'length' is missing",
        ),
        (
            lambda c: c.__setitem__("env_steps", np.array([2**63] * 10, dtype=np.uint64)),
            "episode 1: env_steps=.* does not fit in 64 bits",
        ),
    ],
)
def test_a_bad_column_is_refused_as_the_row_would_be(store, change, message):
    run_id = new_run(store)
    columns = as_columns(make_rows(1, 10))
    change(columns)
    with pytest.raises(BatchError, match=message):
        store.append_columns(run_id, columns)
    assert store.get_run(run_id).episodes_done == 0


def test_counts_of_another_length_go_through_the_row_path(store):
    run_id = new_run(store)
    rows = make_rows(1, 5)
    rows[2]["action_counts"] = [7]
    columns = {name: [row[name] for row in rows] for name in EPISODE_FIELDS}
    store.append_columns(run_id, columns)
    assert stored_rows(store, run_id) == [{**row, "success": bool(row["success"])} for row in rows]


def test_columns_store_the_trajectories_and_summary_that_rows_store(store):
    rows = make_rows(1, 1500, seed=4)
    by_rows, by_columns = new_run(store, name="rows"), new_run(store, name="columns")
    for begin, end in [(0, 700), (700, 1500)]:
        steps = TrajectoryBatch([record(begin + 1), record(end, "last")], keep_last=1)
        store.append_episodes(by_rows, rows[begin:end], steps=steps)
        store.append_columns(by_columns, as_columns(rows[begin:end]), steps=steps)
    infos = store.trajectories(by_columns)
    assert [i.to_dict() for i in infos] == [i.to_dict() for i in store.trajectories(by_rows)]
    assert [(i.episode, i.kind) for i in infos] == [(1, "first"), (701, "first"), (1500, "last")]
    assert bits(store.trajectory(by_columns, 1500).columns) == bits(record(1500).columns)
    for name in FIGURES:
        assert getattr(listed(store, by_columns), name) == getattr(listed(store, by_rows), name)
    assert_summary_is_the_recomputation(store, by_columns)


def test_a_trajectory_outside_a_columnar_batch_refuses_the_batch(store):
    run_id = new_run(store)
    with pytest.raises(BatchError, match=r"not of the batch's episodes 1\.\.10"):
        steps = TrajectoryBatch([record(11)], keep_last=1)
        store.append_columns(run_id, as_columns(make_rows(1, 10)), steps=steps)
    assert store.get_run(run_id).episodes_done == 0
