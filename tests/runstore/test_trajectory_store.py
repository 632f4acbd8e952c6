"""Stored trajectories, on SQLite and PostgreSQL: exact round trips, written whole with their
batch or not at all, the ring of ``last`` ones, and gone with the episodes they belong to."""

from __future__ import annotations

import json
import struct
import zlib

import numpy as np
import pytest

from runstore import (
    BatchError,
    InvalidQuery,
    RunNotFound,
    TrajectoryBatch,
    TrajectoryNotFound,
    TrajectoryRecord,
    step_blobs,
)
from tests.runstore.support import make_rows, new_run, stored_rows


def steps(episode: int, count: int, actions: int = 4) -> dict[str, np.ndarray]:
    """Return step columns that exercise the codec: negative and huge ints, -0.0, tiny and
    huge floats, a constant column and a 2-D one."""
    rng = np.random.default_rng(episode)
    reward = rng.normal(size=count)
    reward[0] = -0.0
    return {
        "state": rng.integers(0, 500, count),
        "action": rng.integers(0, actions, count),
        "reward": reward,
        "next_state": np.full(count, 2**62, np.int64) - episode,
        "epsilon": np.full(count, 0.25),
        "td_error": rng.normal(size=count) * 1e-300,
        "q": rng.normal(size=(count, actions)) * 1e300,
    }


def record(episode: int, kind: str = "first", count: int = 5, length: int | None = None):
    """Return a trajectory record of ``count`` steps."""
    return TrajectoryRecord(episode, kind, length or count, steps(episode, count))


def bits(columns) -> dict:
    """Return columns as dtype, shape and bytes (so -0.0 and NaN bits count)."""
    return {name: (str(v.dtype), v.shape, v.tobytes()) for name, v in columns.items()}


def test_a_trajectory_reads_back_bit_for_bit(store):
    run = new_run(store)
    written = [record(1, count=1), record(2, length=40), record(3, "every", count=900)]
    store.append_episodes(run, make_rows(1, 3), steps=TrajectoryBatch(written, keep_last=20))
    infos = store.trajectories(run)
    assert [info.to_dict() for info in infos] == [
        {"episode": 1, "kind": "first", "length": 1, "steps": 1},
        {"episode": 2, "kind": "first", "length": 40, "steps": 5},
        {"episode": 3, "kind": "every", "length": 900, "steps": 900},
    ]
    for expected in written:
        got = store.trajectory(run, expected.episode)
        assert (got.episode, got.kind, got.length, got.steps) == (
            expected.episode,
            expected.kind,
            expected.length,
            expected.steps,
        )
        assert list(got.columns) == list(expected.columns)
        assert bits(got.columns) == bits({k: np.asarray(v) for k, v in expected.columns.items()})


@pytest.mark.parametrize(
    ("trajectory", "words"),
    [
        (record(7), ["episode 7", "3..5"]),
        (record(4, kind="sometimes"), ["kind 'sometimes'"]),
        (record(4, count=5, length=4), ["5 steps", "episode of 4"]),
        (
            TrajectoryRecord(4, "first", 3, {"state": np.arange(3), "q": np.zeros((2, 4))}),
            ["length"],
        ),
        (TrajectoryRecord(4, "first", 3, {"state": np.array(["a", "b", "c"])}), ["numbers"]),
        (TrajectoryRecord(4, "first", 3, {}), ["no columns"]),
    ],
)
def test_a_batch_with_a_bad_trajectory_writes_nothing(store, trajectory, words):
    run = new_run(store)
    store.append_episodes(run, make_rows(1, 2), steps=TrajectoryBatch([record(1)], 20))
    before = (stored_rows(store, run), store.trajectories(run), store.get_run(run).episodes_done)
    with pytest.raises(BatchError) as raised:
        store.append_episodes(run, make_rows(3, 3), steps=TrajectoryBatch([trajectory], 20))
    assert all(word in str(raised.value) for word in words), str(raised.value)
    after = (stored_rows(store, run), store.trajectories(run), store.get_run(run).episodes_done)
    assert after == before


def test_a_trajectory_twice_in_a_batch_is_refused(store):
    run = new_run(store)
    twice = TrajectoryBatch([record(1), record(1, "last")], 20)
    with pytest.raises(BatchError, match="twice"):
        store.append_episodes(run, make_rows(1, 2), steps=twice)
    assert store.trajectories(run) == [] and store.get_run(run).episodes_done == 0


def test_the_ring_keeps_the_newest_last_ones_and_every_other_kind(store):
    run = new_run(store)
    first = [record(e) for e in (1, 2)]
    store.append_episodes(run, make_rows(1, 10), steps=TrajectoryBatch(first, keep_last=3))
    for start in (11, 21, 31):
        batch = [record(e, "last") for e in range(start + 6, start + 10)]
        batch.insert(0, record(start + 5, "every"))
        rows = make_rows(start, 10, steps_before=store.get_run(run).env_steps)
        store.append_episodes(run, rows, steps=TrajectoryBatch(batch, keep_last=3))
    kinds = {info.episode: info.kind for info in store.trajectories(run)}
    assert kinds == {1: "first", 2: "first", 16: "every", 26: "every", 36: "every",
                     38: "last", 39: "last", 40: "last"}  # fmt: skip


def test_a_truncation_drops_the_trajectories_after_the_episode_kept(store):
    run = new_run(store)
    batch = TrajectoryBatch([record(e, "last") for e in (3, 4, 5, 6)], keep_last=10)
    store.append_episodes(run, make_rows(1, 6), steps=batch)
    store.truncate_episodes(run, 4)
    assert [info.episode for info in store.trajectories(run)] == [3, 4]
    more = TrajectoryBatch([record(5, "last"), record(6, "last")], keep_last=10)
    store.append_episodes(
        run, make_rows(5, 2, steps_before=store.get_run(run).env_steps), steps=more
    )
    assert [info.episode for info in store.trajectories(run)] == [3, 4, 5, 6]


def test_deleting_a_run_deletes_its_trajectories_only(store):
    keep, gone = new_run(store), new_run(store)
    for run in (keep, gone):
        store.append_episodes(run, make_rows(1, 3), steps=TrajectoryBatch([record(2)], 20))
    store.manage.delete(gone)
    with pytest.raises(RunNotFound):
        store.trajectories(gone)
    assert [info.episode for info in store.trajectories(keep)] == [2]


def test_a_fork_holds_the_trajectories_of_its_own_episodes(store):
    parent = new_run(store, target=100)
    store.append_episodes(parent, make_rows(1, 30), steps=TrajectoryBatch([record(5)], 20))
    store.save_checkpoint(parent, 20, np.zeros((25, 4)), {"episode": 20})
    fork = store.lineage.fork(parent, 20, {**_fields(store, parent), "target_episodes": 60})
    rows = make_rows(21, 5, steps_before=stored_rows(store, parent)[19]["env_steps"])
    store.append_episodes(fork, rows, steps=TrajectoryBatch([record(21)], 20))
    assert [info.episode for info in store.trajectories(fork)] == [21]
    assert [info.episode for info in store.trajectories(parent)] == [5]
    with pytest.raises(BatchError, match="episode 5"):
        rows = make_rows(26, 1, steps_before=store.get_run(fork).env_steps)
        store.append_episodes(fork, rows, steps=TrajectoryBatch([record(5)], 20))


def _fields(store, run_id: int) -> dict:
    """Return the create_run fields of a fork of the run."""
    run = store.get_run(run_id)
    return {
        "name": "fork",
        "env_id": run.env_id,
        "env_config": run.env_config,
        "hyperparams": run.hyperparams,
        "seed": run.seed,
        "target_episodes": run.target_episodes,
        "spec": run.spec,
    }


def test_unknown_runs_episodes_and_bad_episode_numbers(store):
    run = new_run(store)
    store.append_episodes(run, make_rows(1, 2), steps=TrajectoryBatch([record(1)], 20))
    with pytest.raises(TrajectoryNotFound, match="no trajectory of episode 2"):
        store.trajectory(run, 2)
    with pytest.raises(RunNotFound):
        store.trajectory(999, 1)
    for bad in (0, "1", True, 2**70, 1.0):
        with pytest.raises(InvalidQuery, match="episode"):
            store.trajectory(run, bad)
    with pytest.raises(InvalidQuery, match="keep_last"):
        store.append_episodes(run, make_rows(3, 1), steps=TrajectoryBatch([], keep_last=-1))


def test_last_ones_the_ring_would_drop_at_once_are_never_encoded(store):
    run = new_run(store)
    # the oldest "last" one would fail to encode (text steps): it is left out, not encoded
    unreadable = TrajectoryRecord(4, "last", 3, {"state": np.array(["a", "b", "c"])})
    batch = [record(1), unreadable, record(5, "last"), record(6, "last")]
    store.append_episodes(run, make_rows(1, 6), steps=TrajectoryBatch(batch, keep_last=2))
    kinds = {info.episode: info.kind for info in store.trajectories(run)}
    assert kinds == {1: "first", 5: "last", 6: "last"}
    assert bits(store.trajectory(run, 6).columns) == bits(record(6, "last").columns)


def test_the_json_export_carries_every_stored_trajectory_with_its_steps(store):
    """``iter_json`` holds the run's stored trajectories (not those the ring dropped), by
    episode, each column a list per step with the values written (non-finite as null)."""
    run = new_run(store)
    odd = record(4, "every", count=3)
    odd.columns["td_error"][:] = [np.nan, np.inf, -0.0]  # strict JSON has no NaN
    written = [record(1), record(2, "last"), record(3, "last"), odd]
    store.append_episodes(run, make_rows(1, 4), steps=TrajectoryBatch(written, keep_last=1))
    document = json.loads("".join(store.iter_json(run)), parse_constant=refuse_constant)
    exported = document["trajectories"]
    assert [(t["episode"], t["kind"]) for t in exported] == [(1, "first"), (4, "every")]
    first = exported[0]
    assert (first["length"], first["steps"]) == (5, 5)
    for name, column in written[0].columns.items():
        assert first["columns"][name] == column.tolist()
    assert exported[1]["columns"]["td_error"] == [None, None, -0.0]
    assert exported[1]["columns"]["q"] == odd.columns["q"].tolist()


def refuse_constant(name: str) -> None:
    """Refuse what strict JSON has not (``json.loads`` reads NaN and Infinity unless told)."""
    raise ValueError(f"{name} is not JSON")


def test_a_trajectory_stored_before_zstd_reads_as_ever():
    """Before zstd a blob's header named no frame and a zlib stream held its planes."""
    state = np.array([3, 500, 7], dtype="<u2")
    reward = np.array([-0.0, 1.5, 2e-300])
    q = np.arange(6, dtype="<f8").reshape(3, 2) - 2.5
    header = json.dumps(
        {"columns": [["state", "<u2", 0], ["reward", "<f8", 0], ["q", "<f8", 2]]}
    ).encode()
    planes = b"".join(
        a.ravel().view(np.uint8).reshape(a.size, a.itemsize).T.tobytes() for a in (state, reward, q)
    )
    blob = struct.pack("<I", len(header)) + header + zlib.compress(planes, 1)
    columns = step_blobs.decode(blob, 3)
    assert bits(columns) == bits({"state": state.astype(np.int64), "reward": reward, "q": q})
    steps_now, written_now = step_blobs.encode({"state": state, "reward": reward, "q": q})
    assert steps_now == 3 and written_now != blob
    assert bits(step_blobs.decode(written_now, 3)) == bits(columns)
