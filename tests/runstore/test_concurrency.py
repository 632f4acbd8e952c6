"""Processes sharing a store: no lock errors, no lost or torn batch, no stale view."""

from __future__ import annotations

import multiprocessing
import threading

from runstore import Owner, RunStore, StoreError
from tests.runstore.support import (
    assert_series_equals_raw,
    make_rows,
    new_run,
    read_while_writing,
    write_run,
    write_then_close,
)

WRITERS = 4
EPISODES = 3000
BATCH = 25  # 120 write transactions per writer


def test_four_writers_and_a_reader_run_without_errors(store_url):
    store = RunStore(store_url)
    run_ids = [new_run(store, name=f"writer {i}") for i in range(WRITERS)]
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=write_run, args=(store_url, run_id, EPISODES, BATCH))
        for run_id in run_ids
    ]
    processes.append(context.Process(target=read_while_writing, args=(store_url, run_ids, 40)))
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [process.exitcode for process in processes] == [0] * (WRITERS + 1)
    for run_id in run_ids:
        assert store.get_run(run_id).episodes_done == EPISODES
        rows = make_rows(1, EPISODES, seed=run_id)
        assert [row.episode for row in store.episodes(run_id, 1, 10_000)] == list(
            range(1, EPISODES + 1)
        )
        assert_series_equals_raw(store.series(run_id, "return", points=70), rows)
    store.close()


def test_a_second_store_on_a_file_keeps_the_first_ones_view(tmp_path):
    """Opening the same SQLite file twice in one process, then letting another process write
    and close: both stores see its rows and keep writing (the second open must not drop the
    first one's locks, or the other process resets the WAL under it)."""
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    first = RunStore(url)
    run_id = new_run(first)
    first.append_episodes(run_id, make_rows(1, 10))
    second = RunStore(url)
    context = multiprocessing.get_context("spawn")
    for round_ in range(1, 4):
        writer = context.Process(target=write_then_close, args=(url, run_id))
        writer.start()
        writer.join(60)
        assert writer.exitcode == 0
        for store in (first, second):
            assert store.get_run(run_id).episodes_done == 10 + 10 * round_
    first.add_warning(run_id, "still writing")
    assert second.get_run(run_id).warnings == ["still writing"]
    first.close()
    second.close()


def test_a_worker_and_a_control_writer_on_one_run_never_deadlock(store_url):
    """A worker's fenced flushes and the dashboard's parameter changes, on the same run at
    once: both lock the run's row before the store revision's, so neither waits for the
    other in a cycle (PostgreSQL aborted one with "deadlock detected" before)."""
    store = RunStore(store_url)
    run_id = new_run(store)
    claim = store.claim_next(Owner("box-a", 101, 1000.0))
    errors: list[Exception] = []

    def repeat(write) -> None:
        try:
            for i in range(150):
                write(i)
        except StoreError as exc:
            errors.append(exc)

    threads = [
        threading.Thread(
            target=repeat,
            args=(lambda i: store.append_episodes(run_id, make_rows(1 + 5 * i, 5), claim=claim),),
        ),
        threading.Thread(
            target=repeat, args=(lambda i: store.request_params(run_id, {"alpha": 0.1}, "api"),)
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    store.close()
    assert errors == []
