"""Four writer processes and a reader on one store: no lock errors, no lost or torn batch."""

from __future__ import annotations

import multiprocessing

from runstore import RunStore
from tests.runstore.support import (
    assert_series_equals_raw,
    make_rows,
    new_run,
    read_while_writing,
    write_run,
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
