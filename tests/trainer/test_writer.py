"""The writer thread: hand-overs return while the database is busy, until ``depth`` writes
wait; writes land in order (a checkpoint never before the episodes it covers); the first
failure stops the writing and reaches the training thread; training with or without the
thread plays and stores the same episodes."""

from __future__ import annotations

import contextlib
import sqlite3
import sys
import threading
import time

import numpy as np
import pytest

from app.training import LoopSettings, Trainer, claim_new_run
from app.training.writer import SWITCH_SECONDS, Writer
from gridworld.optimality import Optimality
from runstore import BatchError, LeaseLost, Owner, RunStore, TrajectoryBatch
from tests.runstore.support import make_rows
from tests.runstore.test_trajectory_store import bits, record
from tests.trainer.support import (
    FAST,
    assert_contiguous,
    make_spec,
    rows_without_wall_time,
    train_new,
)


@pytest.fixture
def sqlite_store(tmp_path):
    """Yield a store on a SQLite file (another connection can take its write lock) whose
    claims outlast the tests (nothing renews them)."""
    opened = RunStore(f"sqlite:///{tmp_path / 'writer.sqlite'}", lease_seconds=120)
    yield opened
    opened.close()


@contextlib.contextmanager
def write_lock(store: RunStore):
    """Hold the SQLite file's write lock from a connection of our own for the block."""
    conn = sqlite3.connect(store.url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def batches(count: int, size: int = 100) -> list[list[dict]]:
    """Return ``count`` consecutive batches of episodes from episode 1."""
    rows = make_rows(1, count * size)
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def columns(rows: list[dict]) -> dict[str, list]:
    """Return a batch of rows as the columns a writer takes."""
    return {name: [row[name] for row in rows] for name in rows[0]}


def test_hand_overs_return_while_the_database_is_busy_until_depth_writes_wait(sqlite_store):
    claim = claim_new_run(sqlite_store, make_spec(episodes=1000))
    parts = batches(6)
    seen: list[tuple[int, list[int]]] = []
    stop = threading.Event()

    def watch() -> None:  # a reader: what has landed, at every moment
        while not stop.is_set():
            run = sqlite_store.get_run(claim.run_id)
            seen.append((run.episodes_done, [c.episode for c in sqlite_store.checkpoints(run.id)]))
            time.sleep(0.005)

    with Writer(sqlite_store, claim, depth=2) as writer:
        watcher = threading.Thread(target=watch)
        watcher.start()
        with write_lock(sqlite_store):
            started = time.monotonic()
            for part in parts[:3]:  # one taken by the thread (waiting on the lock), two queued
                writer.append(columns(part))
            assert time.monotonic() - started < 0.5
            late = threading.Thread(target=writer.append, args=(columns(parts[3]),))
            late.start()
            late.join(0.5)
            assert late.is_alive()  # the fourth waits: the writer is two behind
            assert sqlite_store.get_run(claim.run_id).episodes_done == 0
        late.join(30)
        writer.save_checkpoint(400, np.ones((2, 2)), {"at": 400}, None)
        for part in parts[4:]:
            writer.append(columns(part))
        writer.drain()
        stop.set()
        watcher.join()
    assert sqlite_store.get_run(claim.run_id).episodes_done == 600
    assert [row.to_dict() for row in sqlite_store.episodes(claim.run_id, 1, 600)] == [
        {**row, "success": bool(row["success"])} for part in parts for row in part
    ]
    assert all(all(episode <= done for episode in points) for done, points in seen)
    assert sqlite_store.load_checkpoint(claim.run_id).agent_state == {"at": 400}


def test_a_checkpoint_is_copied_when_handed_over(sqlite_store):
    claim = claim_new_run(sqlite_store, make_spec(episodes=1000))
    table, state = np.zeros((2, 2)), {"nested": {"epsilon": 0.5}}
    with Writer(sqlite_store, claim, depth=2) as writer, write_lock(sqlite_store):
        writer.save_checkpoint(0, table, state, None)
        table[0, 0] = 7.0  # the agent learns on meanwhile
        state["nested"]["epsilon"] = 0.1
    saved = sqlite_store.load_checkpoint(claim.run_id)
    assert saved.q.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert saved.agent_state == {"nested": {"epsilon": 0.5}}


@pytest.mark.parametrize("depth", [0, 3])
def test_the_first_failed_write_stops_the_writing_and_reaches_the_trainer(sqlite_store, depth):
    claim = claim_new_run(sqlite_store, make_spec(episodes=1000))
    first, second, third = batches(3)
    refused = pytest.raises(BatchError, match="the next episode must be 101")
    with refused, Writer(sqlite_store, claim, depth=depth) as writer:  # and on leaving
        writer.append(columns(first))
        with pytest.raises(BatchError, match="the next episode must be 101"):
            writer.append(columns(third))  # a gap: refused (depth 0: at once)
            writer.drain()
        with pytest.raises(BatchError, match="the next episode must be 101"):
            writer.append(columns(second))  # nothing after a failure lands
    assert sqlite_store.get_run(claim.run_id).episodes_done == 100


def test_a_lost_claim_ends_the_writing_with_lease_lost(sqlite_store):
    claim = claim_new_run(sqlite_store, make_spec(episodes=1000))
    first, second = batches(2)
    with pytest.raises(LeaseLost), Writer(sqlite_store, claim, depth=2) as writer:
        writer.append(columns(first))
        writer.drain()
        sqlite_store.set_status(claim.run_id, "paused", claim=claim)
        sqlite_store.claim_run(claim.run_id, Owner("elsewhere", 1, 1.0))
        writer.append(columns(second))
        writer.drain()
    assert sqlite_store.get_run(claim.run_id).episodes_done == 100


def test_training_with_and_without_the_writer_thread_stores_the_same_run(store):
    runs = []
    for depth in (0, 4):
        claim = claim_new_run(store, make_spec(episodes=1500, checkpoint_every=250, seed=3))
        # a flush every 2 ms: dozens of batches (at 0 s every chunk would be one episode)
        settings = LoopSettings(flush_seconds=0.002, control_seconds=0.01, write_queue=depth)
        assert Trainer(store, claim, settings=settings).run() == "finished"
        assert_contiguous(store, claim.run_id)
        checkpoints = [info.episode for info in store.checkpoints(claim.run_id)]
        last = store.load_checkpoint(claim.run_id)
        runs.append((rows_without_wall_time(store, claim.run_id), checkpoints, last.q.tolist()))
    assert runs[0] == runs[1]
    assert runs[0][1] == [250, 500, 750, 1000, 1250, 1500]


def test_checkpoints_are_evaluated_on_the_writer_thread(sqlite_store, monkeypatch):
    """The evaluation against the optimal values (up to 5% of a run's time) overlaps
    training: the writer scores the table it was handed, and stores what it found."""
    threads: list[str] = []
    score = Optimality.score

    def spied(self: Optimality, q: np.ndarray, gamma: float) -> dict[str, float]:
        threads.append(threading.current_thread().name)
        return score(self, q, gamma)

    monkeypatch.setattr(Optimality, "score", spied)
    evaluations = []
    for depth in (4, 0):
        threads.clear()
        spec = make_spec(episodes=600, checkpoint_every=200, seed=5)
        claim = train_new(sqlite_store, spec, LoopSettings(write_queue=depth))
        expected = "gridlab-writer-" if depth else "MainThread"
        assert threads and all(name.startswith(expected) for name in threads)
        evaluations.append(sqlite_store.load_checkpoint(claim.run_id).evaluation)
    assert evaluations[0] == evaluations[1] and evaluations[0]["v_opt"] > 0


def test_a_stopped_run_is_released_with_every_episode_and_its_checkpoint(store):
    """Released before its last writes landed, the run would miss them: they are fenced on
    a claim it no longer holds."""
    # paced, so that the second it trains stores thousands of episodes, not a million
    claim = claim_new_run(store, make_spec(episodes=5_000_000, pace=20_000))
    stop_at = time.monotonic() + 1.0
    trainer = Trainer(
        store,
        claim,
        settings=FAST,
        should_stop=lambda: time.monotonic() > stop_at,
        stop_status="paused",
    )
    assert trainer.run() == "paused"
    run = store.get_run(claim.run_id)
    assert run.episodes_done == trainer.episode == store.checkpoints(run.id)[-1].episode > 0
    assert run.status == "paused" and run.owner is None
    assert_contiguous(store, claim.run_id)


def test_the_switch_interval_is_short_while_a_writer_thread_runs(sqlite_store):
    before = sys.getswitchinterval()
    first = claim_new_run(sqlite_store, make_spec(episodes=1000))
    second = claim_new_run(sqlite_store, make_spec(episodes=1000))
    with Writer(sqlite_store, first, depth=2):
        assert sys.getswitchinterval() == pytest.approx(min(before, SWITCH_SECONDS))
        with Writer(sqlite_store, second, depth=2):
            pass
        assert sys.getswitchinterval() == pytest.approx(min(before, SWITCH_SECONDS))
    assert sys.getswitchinterval() == before
    with Writer(sqlite_store, first, depth=0):  # no thread: nothing changes
        assert sys.getswitchinterval() == before


def test_on_checkpoint_reads_every_write_before_it_while_the_database_was_busy(sqlite_store):
    """The hook (a pruner, a PBT member) reads the run's episodes and checkpoints: the
    writes held up behind another connection's lock have landed before it is called."""
    claim = claim_new_run(sqlite_store, make_spec(episodes=1000, checkpoint_every=250))
    seen: list[tuple[int, int, list[int]]] = []
    released = threading.Event()

    def hold_the_lock() -> None:
        with write_lock(sqlite_store):
            released.wait(0.5)

    def on_checkpoint(episode: int) -> None:
        run = sqlite_store.get_run(claim.run_id)
        saved = [info.episode for info in sqlite_store.checkpoints(run.id)]
        seen.append((episode, run.episodes_done, saved))
        if episode == 250:  # what the loop writes next waits for this lock
            locker = threading.Thread(target=hold_the_lock)
            locker.start()
            time.sleep(0.05)

    settings = LoopSettings(flush_seconds=0.0, write_queue=16)
    trainer = Trainer(sqlite_store, claim, settings=settings, on_checkpoint=on_checkpoint)
    assert trainer.run() == "finished"
    released.set()
    assert seen == [(250, 250, [250]), (500, 500, [250, 500]), (750, 750, [250, 500, 750])]


def test_batches_queued_one_behind_the_other_are_committed_together(sqlite_store):
    claim = claim_new_run(sqlite_store, make_spec(episodes=1000))
    parts = batches(5)
    before = sqlite_store.revision()
    with Writer(sqlite_store, claim, depth=4) as writer:
        with write_lock(sqlite_store):
            writer.append(columns(parts[0]))  # taken by the thread, or joined to the next two
            writer.append(columns(parts[1]))
            writer.append(columns(parts[2]))
            writer.save_checkpoint(300, np.ones((2, 2)), {"at": 300}, None)  # ends a join
            writer.append(columns(parts[3]))
        writer.drain()
        writer.append(columns(parts[4]))  # alone again
    transactions = (sqlite_store.revision() - before) // 2  # each write bumps the counter once
    assert transactions in (4, 5)  # 6 one by one
    assert [row.to_dict() for row in sqlite_store.episodes(claim.run_id, 1, 500)] == [
        {**row, "success": bool(row["success"])} for part in parts for row in part
    ]
    assert [c.episode for c in sqlite_store.checkpoints(claim.run_id)] == [300]


def test_batches_committed_together_keep_every_trajectory_and_the_last_ring_size(sqlite_store):
    claim = claim_new_run(sqlite_store, make_spec(episodes=1000))
    parts = batches(4)
    handed = [
        TrajectoryBatch([record(5, "first"), record(90, "last")], keep_last=5),
        None,  # a batch that recorded nothing
        TrajectoryBatch([record(250, "last"), record(299, "last")], keep_last=5),
        TrajectoryBatch([record(350, "last"), record(399, "last")], keep_last=3),
    ]
    before = sqlite_store.revision()
    with Writer(sqlite_store, claim, depth=4) as writer, write_lock(sqlite_store):
        for part, steps in zip(parts, handed, strict=True):
            writer.append(columns(part), steps)
    assert (sqlite_store.revision() - before) // 2 < 4  # some were joined
    kept = [(t.episode, t.kind) for t in sqlite_store.trajectories(claim.run_id)]
    # a ring of 3 (the last batch's) over the newest: 299, 350, 399; "first" stays
    assert kept == [(5, "first"), (299, "last"), (350, "last"), (399, "last")]
    stored = sqlite_store.trajectory(claim.run_id, 350)
    assert bits(stored.columns) == bits(record(350, "last").columns)


def test_a_fast_run_hands_an_idle_writer_a_batch_at_once_and_its_chunks_shrink_at_the_end(
    store,
):
    """With no flush due by time, a batch of a block or more still goes to the writer as
    soon as it is idle (it writes while the loop plays on); chunks never cross a multiple
    of ``flush_episodes`` and shrink toward the target (the last batch, which nothing
    overlaps, is small when the writer keeps up)."""
    target = 40_000
    spec = make_spec(env_id="FrozenLake8x8-v1", preset=None, episodes=target, kernel="compiled")
    claim = claim_new_run(store, spec)
    never_on_time = LoopSettings(flush_seconds=3600.0)
    trainer = Trainer(store, claim, settings=never_on_time)
    chunks, batches = watch_chunks_and_batches(trainer)
    assert trainer.run() == "finished"
    unit = never_on_time.flush_episodes
    assert [first for first, _ in chunks] == [1] + [last + 1 for _, last in chunks[:-1]]
    assert chunks[-1][1] == target
    assert all((first - 1) // unit == (last - 1) // unit for first, last in chunks)
    assert all(last - first < max(1000, (target - first + 1) // 2) for first, last in chunks)
    assert chunks[-1][1] - chunks[-1][0] < 1000
    assert [first for first, _ in batches] == [1] + [last + 1 for _, last in batches[:-1]]
    assert batches[0] == (1, 1) and batches[-1][1] == target  # the first flush is at once
    assert len(batches) >= 3, batches  # and at least one more before the end


def test_toward_the_target_a_batch_goes_to_the_writer_once_it_holds_what_is_left(store):
    """With no timed, full or idle-writer flush, a batch is handed over after the first
    chunk that makes it hold at least the episodes left to play (and not before). Since
    the last chunks are at most half of what is left, the writer commits them while the
    rest plays: the last write, which nothing overlaps, is the last (smallest) chunk, not
    everything played since the last timed flush."""
    target = 40_000
    spec = make_spec(
        env_id="FrozenLake8x8-v1",
        preset=None,
        episodes=target,
        kernel="compiled",
        checkpoint_every=target,  # a checkpoint flushes first: only the final one
    )
    claim = claim_new_run(store, spec)
    # no timed, full or idle-writer flush: only the first tick's and the tail's
    settings = LoopSettings(flush_seconds=3600.0, batch_episodes=10**9, write_queue=0)
    trainer = Trainer(store, claim, settings=settings)
    chunks, batches = watch_chunks_and_batches(trainer)
    assert trainer.run() == "finished"
    assert batches[0] == (1, 1)
    assert [first for first, _ in batches] == [1] + [last + 1 for _, last in batches[:-1]]
    ends = {end for _, end in chunks}
    for first, last in batches[1:]:
        assert last in ends
        assert last - first + 1 >= target - last  # it held at least what was left...
        inside = [end for end in ends if first <= end < last]
        assert all(end - first + 1 < target - end for end in inside)  # ...and not before
    assert len(batches) >= 5
    assert batches[-1] == chunks[-1] and chunks[-1][1] - chunks[-1][0] < 1000


def watch_chunks_and_batches(
    trainer: Trainer,
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Record the first and last episode of every chunk ``trainer`` plays and of every batch
    it hands to its writer, from its ``run`` on. (Hand-overs, not the store's appends: a
    writer thread that fell behind, as on a loaded machine, joins the batches queued behind
    one into one transaction.)

    Returns:
        The lists the chunks and the batches are added to.
    """
    chunks: list[tuple[int, int]] = []
    batches: list[tuple[int, int]] = []
    restore, append = trainer.restore, trainer.writer.append

    def restore_and_watch_chunks() -> None:
        restore()
        play = trainer.runner.run

        def run(count: int, *args: object) -> object:
            chunks.append((trainer.episode + 1, trainer.episode + count))
            return play(count, *args)

        trainer.runner.run = run  # type: ignore[method-assign]

    def watched_append(columns: dict, steps: object = None) -> None:
        batches.append((int(columns["episode"][0]), int(columns["episode"][-1])))
        append(columns, steps)  # type: ignore[arg-type]

    trainer.restore = restore_and_watch_chunks  # type: ignore[method-assign]
    trainer.writer.append = watched_append  # type: ignore[method-assign]
    return chunks, batches
