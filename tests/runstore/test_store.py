"""The run store's contract, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import math
import pickle
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text
from support import append_in_batches, assert_series_equals_raw, make_rows, new_run, stored_rows

from runstore import (
    METRICS,
    BatchError,
    CheckpointNotFound,
    InvalidQuery,
    RunNotFound,
    RunStore,
    RunSummary,
    SchemaVersionError,
)
from runstore.schema import SCHEMA_VERSION


def test_runs_are_created_listed_read_and_deleted(store):
    first, second = new_run(store, 100, "first"), new_run(store, 200, "second")
    assert [run.id for run in store.list_runs()] == [second, first]
    run = store.get_run(first)
    assert (run.name, run.status, run.episodes_done, run.target_episodes) == (
        "first",
        "queued",
        0,
        100,
    )
    assert run.current_params == run.hyperparams == {"alpha": 0.1, "gamma": 0.99, "epsilon": 1.0}
    assert run.created_at.tzinfo is not None
    store.append_episodes(first, make_rows(1, 10))
    store.save_checkpoint(first, 10, np.zeros((2, 2)), {})
    store.delete_run(first)
    with pytest.raises(RunNotFound, match="run 1 not found"):
        store.get_run(first)
    assert [run.id for run in store.list_runs()] == [second]


@pytest.mark.parametrize("bad_id", [999, -1, "1", None, True])
def test_unknown_run_ids_raise_run_not_found(store, bad_id):
    with pytest.raises(RunNotFound, match=f"run {bad_id} not found"):
        store.get_run(bad_id)
    with pytest.raises(RunNotFound):
        store.series(bad_id, "return")
    with pytest.raises(RunNotFound):
        store.append_episodes(bad_id, make_rows(1, 1))
    with pytest.raises(RunNotFound):
        store.summary(bad_id)


def test_status_transitions_stamp_times_and_clear_requests(store):
    run_id = new_run(store)
    store.request_status(run_id, "running")
    store.set_status(run_id, "running", pid=123, host="box")
    run = store.get_run(run_id)
    assert (run.status, run.pid, run.host, run.requested_status) == ("running", 123, "box", None)
    assert run.started_at is not None and run.heartbeat_at is not None
    store.request_status(run_id, "paused")
    assert store.poll_control(run_id).requested_status == "paused"
    store.set_status(run_id, "paused")
    run = store.get_run(run_id)
    assert (run.status, run.requested_status) == ("paused", None) and run.finished_at is not None
    store.add_warning(run_id, "slow")
    store.set_status(run_id, "error", error="boom")
    run = store.get_run(run_id)
    assert (run.status, run.error, run.warnings) == ("error", "boom", ["slow"])
    with pytest.raises(InvalidQuery, match="status='sleeping'"):
        store.set_status(run_id, "sleeping")
    with pytest.raises(InvalidQuery, match="allowed: running, paused, stopped"):
        store.request_status(run_id, "finished")


def test_append_writes_rows_progress_and_heartbeat(store):
    run_id = new_run(store)
    rows = make_rows(1, 2500)
    append_in_batches(store, run_id, rows)
    run = store.get_run(run_id)
    assert run.episodes_done == 2500 and run.env_steps == rows[-1]["env_steps"]
    assert run.heartbeat_at is not None
    assert stored_rows(store, run_id, start=2499, limit=10) == rows[2498:]
    assert stored_rows(store, run_id, start=1, limit=3) == rows[:3]


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        (make_rows(7, 3), "the batch starts at episode 7 but the run has 5 episodes (gap)"),
        (make_rows(5, 3), "the batch starts at episode 5 but the run has 5 episodes (duplicate)"),
        (make_rows(6, 2) + make_rows(9, 1), "episode 9 follows episode 7 in the batch"),
        (make_rows(6, 2) + make_rows(7, 1), "episode 7 follows episode 7 in the batch"),
        (
            [*make_rows(6, 2), {**make_rows(8, 1)[0], "return": math.nan}],
            "episode 8: return=nan is not a finite number",
        ),
        (
            [{**make_rows(6, 1)[0], "max_q": math.inf}],
            "episode 6: max_q=inf is not a finite number",
        ),
        (
            [{k: v for k, v in make_rows(6, 1)[0].items() if k != "alpha"}],
            "field 'alpha' is missing",
        ),
        ([{**make_rows(6, 1)[0], "length": "long"}], "episode 6: a field is not a number"),
    ],
)
def test_bad_batches_are_refused_whole(store, batch, message):
    run_id = new_run(store)
    good = make_rows(1, 5)
    store.append_episodes(run_id, good)
    before = store.series(run_id, "return", points=10)
    with pytest.raises(BatchError) as caught:
        store.append_episodes(run_id, batch)
    assert message in str(caught.value)
    assert store.get_run(run_id).episodes_done == 5
    assert stored_rows(store, run_id) == good
    assert store.series(run_id, "return", points=10) == before


def test_a_batch_failing_halfway_leaves_nothing(store):
    """The database itself refuses the last row: the rows before it are rolled back too."""
    run_id = new_run(store, target=8)
    store.append_episodes(run_id, make_rows(1, 5))
    with pytest.raises(Exception, match="database error"):
        store.append_episodes(run_id, make_rows(6, 5))  # episodes_done > target: CHECK fails
    assert store.get_run(run_id).episodes_done == 5
    assert [row.episode for row in store.episodes(run_id, 1, 100)] == [1, 2, 3, 4, 5]
    series = store.series(run_id, "return")
    assert sum(series.count) == 5


@settings(
    max_examples=15,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking costs minutes on PG
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_series_equals_a_raw_group_by(store, data):
    run_id = new_run(store)
    total = data.draw(st.integers(1, 3000), label="episodes")
    rows = make_rows(1, total, seed=data.draw(st.integers(0, 99), label="seed"))
    batch = data.draw(st.sampled_from([7, 100, 1000]), label="batch")
    append_in_batches(store, run_id, rows, batch)
    for _ in range(4):
        start = data.draw(st.integers(1, total), label="start")
        end = data.draw(st.one_of(st.none(), st.integers(start, total + 50)), label="end")
        points = data.draw(st.integers(1, 1200), label="points")
        metric = data.draw(st.sampled_from(METRICS), label="metric")
        series = store.series(run_id, metric, start, end, points)
        assert len(series.count) <= points
        assert series.end == (total if end is None else min(end, total))
        assert_series_equals_raw(series, rows)


def test_series_of_a_long_run_reads_rollups_and_keeps_extremes(store):
    run_id = new_run(store)
    rows = make_rows(1, 25_000)
    rows[12_345]["return"] = 1e6  # one spike
    append_in_batches(store, run_id, rows)
    whole = store.series(run_id, "return", points=100)
    assert whole.bucket == 500 and len(whole.count) == 50
    assert max(whole.max) == 1e6
    assert_series_equals_raw(whole, rows)
    zoomed = store.series(run_id, "return", 12_000, 12_999, points=1000)
    assert zoomed.bucket == 1 and zoomed.max[346] == 1e6
    assert_series_equals_raw(zoomed, rows)


def test_series_windows_and_bad_arguments(store):
    run_id = new_run(store)
    empty = store.series(run_id, "return")
    assert (empty.episode, empty.count) == ([], [])
    store.append_episodes(run_id, make_rows(1, 50))
    assert store.series(run_id, "return", start=60).count == []
    with pytest.raises(InvalidQuery, match="metric='reward' is invalid; allowed: return, length"):
        store.series(run_id, "reward")
    with pytest.raises(
        InvalidQuery, match=r"end=5 is invalid; allowed: an integer >= start \(10\)"
    ):
        store.series(run_id, "return", start=10, end=5)
    with pytest.raises(InvalidQuery, match="start=0"):
        store.series(run_id, "return", start=0)
    with pytest.raises(
        InvalidQuery, match="points=0 is invalid; allowed: an integer from 1 to 10000"
    ):
        store.series(run_id, "return", points=0)
    with pytest.raises(InvalidQuery, match="limit=10001"):
        store.episodes(run_id, 1, 10_001)


def test_truncate_then_reappend_matches_raw(store):
    run_id = new_run(store)
    rows = make_rows(1, 3456)
    append_in_batches(store, run_id, rows)
    store.save_checkpoint(run_id, 1000, np.ones((2, 2)), {})
    store.save_checkpoint(run_id, 3000, np.ones((2, 2)), {})
    store.truncate_episodes(run_id, 1234)
    assert store.get_run(run_id).episodes_done == 1234
    assert store.get_run(run_id).env_steps == rows[1233]["env_steps"]
    assert [info.episode for info in store.checkpoints(run_id)] == [1000]
    assert_series_equals_raw(store.series(run_id, "length", points=7), rows[:1234])
    again = make_rows(1235, 2000, seed=5, steps_before=rows[1233]["env_steps"])
    append_in_batches(store, run_id, again, 333)
    for metric in ("return", "env_steps", "success"):
        for points in (3, 40, 5000):
            assert_series_equals_raw(
                store.series(run_id, metric, points=points), rows[:1234] + again
            )


def test_param_changes_are_stamped_with_the_episode_they_took_effect(store):
    run_id = new_run(store)
    requested = store.request_params(run_id, {"alpha": 0.05, "epsilon": 0.2}, "ui")
    assert [(c.param, c.old_value, c.new_value, c.applied_episode) for c in requested] == [
        ("alpha", 0.1, 0.05, None),
        ("epsilon", 1.0, 0.2, None),
    ]
    assert store.poll_control(run_id).pending_params == 2
    taken = store.take_pending_params(run_id, 42)
    assert {(c.param, c.applied_episode) for c in taken} == {("alpha", 42), ("epsilon", 42)}
    assert store.poll_control(run_id).pending_params == 0
    assert store.take_pending_params(run_id, 43) == []
    assert store.get_run(run_id).current_params == {"alpha": 0.05, "gamma": 0.99, "epsilon": 0.2}
    store.request_params(run_id, {"alpha": 0.01}, "api")
    store.take_pending_params(run_id, 50)
    history = store.param_changes(run_id)
    last = history[-1]
    assert (last.param, last.old_value, last.new_value, last.applied_episode, last.source) == (
        "alpha",
        0.05,
        0.01,
        50,
        "api",
    )
    with pytest.raises(InvalidQuery, match="source='robot'"):
        store.request_params(run_id, {"alpha": 0.2}, "robot")


def test_checkpoints_round_trip_exactly(store):
    run_id = new_run(store)
    q = np.random.default_rng(0).normal(size=(500, 6))
    state = {"epsilon": 0.123456789, "rng": {"state": {"state": 2**100, "inc": 3}}}
    store.save_checkpoint(run_id, 100, q, state, {"v_opt": 1.0, "gap": 0.25})
    store.save_checkpoint(run_id, 200, q * 2, state)
    latest = store.load_checkpoint(run_id, "latest")
    assert latest.episode == 200 and np.array_equal(latest.q, q * 2) and latest.evaluation is None
    first = store.load_checkpoint(run_id, 100)
    assert np.array_equal(first.q, q) and first.q.dtype == np.float64
    assert first.agent_state == state and first.evaluation == {"v_opt": 1.0, "gap": 0.25}
    assert [(c.episode, c.evaluation) for c in store.checkpoints(run_id)] == [
        (100, {"v_opt": 1.0, "gap": 0.25}),
        (200, None),
    ]
    with pytest.raises(CheckpointNotFound, match="run 1 has no checkpoint at episode 150"):
        store.load_checkpoint(run_id, 150)


def test_summary_reads_recent_figures(store):
    run_id = new_run(store)
    assert store.summary(run_id) == RunSummary(episodes=0)
    rows = make_rows(1, 450)
    append_in_batches(store, run_id, rows)
    summary = store.summary(run_id, window=50)
    recent = rows[-50:]
    assert summary.episodes == 450
    assert summary.recent_return == pytest.approx(sum(r["return"] for r in recent) / 50)
    best_block = max(sum(r["return"] for r in rows[i : i + 100]) / 100 for i in range(0, 400, 100))
    assert summary.best_return == pytest.approx(max(best_block, summary.recent_return))
    assert summary.recent_success == sum(r["success"] for r in recent) / 50
    assert summary.recent_length == sum(r["length"] for r in recent) / 50
    actions = [sum(r["action_counts"][a] for r in recent) for a in range(4)]
    assert summary.action_share == pytest.approx([n / sum(actions) for n in actions])
    last = rows[-1]
    assert (summary.epsilon, summary.alpha, summary.mean_q, summary.max_q) == (
        last["epsilon"],
        last["alpha"],
        last["mean_q"],
        last["max_q"],
    )
    assert summary.mean_abs_td == last["mean_abs_td"]
    with pytest.raises(InvalidQuery, match="window=0"):
        store.summary(run_id, window=0)


def test_exports_stream_csv_and_json(store):
    run_id = new_run(store)
    rows = make_rows(1, 12_000)
    append_in_batches(store, run_id, rows)
    store.request_params(run_id, {"alpha": 0.5}, "cli")
    chunks = list(store.iter_csv(run_id))
    assert len(chunks) > 2  # streamed page by page
    lines = "".join(chunks).splitlines()
    assert lines[0].split(",")[:3] == ["episode", "return", "length"]
    assert len(lines) == 12_001 and lines[1].startswith("1,")
    document = json.loads("".join(store.iter_json(run_id)))
    assert document["run"]["id"] == run_id and len(document["episodes"]) == 12_000
    assert document["episodes"][-1] == rows[-1]
    assert document["param_changes"][0]["new_value"] == 0.5
    with pytest.raises(RunNotFound):
        store.iter_csv(999)


def test_store_pickles_as_its_url(store):
    run_id = new_run(store)
    copy = pickle.loads(pickle.dumps(store))
    assert copy.url == store.url and copy.get_run(run_id).name == "test run"
    assert len(pickle.dumps(store)) < 300
    copy.close()


def test_a_store_of_another_schema_version_is_refused_clearly(store_url):
    RunStore(store_url).close()
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE gridlab_meta SET value = '99' WHERE key = 'schema_version'"))
    engine.dispose()
    with pytest.raises(
        SchemaVersionError,
        match=f"has schema version 99, but this gridlab reads version {SCHEMA_VERSION}",
    ):
        RunStore(store_url)


def test_bad_urls_are_refused_clearly():
    from runstore import StoreError

    with pytest.raises(StoreError, match="allowed: sqlite:///PATH or postgresql"):
        RunStore("mysql://localhost/x")
    with pytest.raises(StoreError, match="is not valid"):
        RunStore("not a url")


def test_export_memory_does_not_grow_with_the_run(store):
    short, long = new_run(store), new_run(store)
    append_in_batches(store, short, make_rows(1, 10_000), batch=5000)
    append_in_batches(store, long, make_rows(1, 30_000), batch=5000)

    def peak_and_size(export, run_id: int) -> tuple[int, int]:
        tracemalloc.start()
        size = sum(len(chunk) for chunk in export(run_id))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return peak, size

    for export in (store.iter_csv, store.iter_json):
        peak_short, size_short = peak_and_size(export, short)
        peak_long, size_long = peak_and_size(export, long)
        assert size_long > 2.9 * size_short
        # a page at a time: three times the text, about the same peak
        assert peak_long < 1.5 * peak_short, (export.__name__, peak_short, peak_long)


@pytest.mark.parametrize("run_id", [10**30, -(10**30), 2**63])
def test_an_id_beyond_64_bits_is_not_found(store, run_id):
    with pytest.raises(RunNotFound):
        store.get_run(run_id)
    with pytest.raises(RunNotFound):
        store.run_revision(run_id)
