"""The store revision: every kind of write moves it, reads never do, and an idle poll costs
the same whatever the number of runs."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from sqlalchemy import event

from runstore import Claim, Owner, RunStore
from tests.runstore.support import make_rows, new_run

HERE = Owner("box-a", 101, 1000.0)


def seeded(store: RunStore) -> tuple[int, Claim]:
    """Return a run claimed by HERE with 20 episodes, a checkpoint, a pending change."""
    run_id = new_run(store)
    claim = store.claim_next(HERE)
    store.append_episodes(run_id, make_rows(1, 20), claim=claim)
    store.save_checkpoint(run_id, 20, np.zeros((2, 2)), {}, claim=claim)
    store.request_params(run_id, {"alpha": 0.2}, "ui")
    return run_id, claim


def requeue(store: RunStore, run_id: int, claim: Claim) -> None:
    """Pause the run through its claim, then queue it again."""
    store.release(claim, "paused")
    store.requeue(run_id)


def claim_run(store: RunStore, run_id: int, claim: Claim) -> None:
    """Pause the run through its claim, then claim it by name."""
    store.release(claim, "paused")
    store.claim_run(run_id, HERE)


def claim_next(store: RunStore, run_id: int, claim: Claim) -> None:
    """Put the run back in the queue through its claim, then claim the next run."""
    store.release(claim, "queued")
    store.claim_next(HERE)


WRITES = {
    "create_run": lambda store, run, claim: new_run(store),
    "append_episodes": lambda store, run, claim: store.append_episodes(
        run, make_rows(21, 3), claim=claim
    ),
    "truncate_episodes": lambda store, run, claim: store.truncate_episodes(run, 10, claim=claim),
    "save_checkpoint": lambda store, run, claim: store.save_checkpoint(
        run, 20, np.ones((2, 2)), {}, claim=claim
    ),
    "take_pending_params": lambda store, run, claim: store.take_pending_params(
        run, 20, claim=claim
    ),
    "request_params": lambda store, run, claim: store.request_params(run, {"gamma": 0.5}, "api"),
    "request_status": lambda store, run, claim: store.request_status(run, "paused"),
    "add_warning": lambda store, run, claim: store.add_warning(run, "slow", claim=claim),
    "set_status": lambda store, run, claim: store.set_status(run, "running", claim=claim),
    "renew_lease": lambda store, run, claim: store.renew_lease(claim),
    "release": lambda store, run, claim: store.release(claim, "finished"),
    "requeue": requeue,
    "claim_run": claim_run,
    "claim_next": claim_next,
    "delete_run": lambda store, run, claim: store.delete_run(run),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_kind_of_write_moves_the_revisions(long, write):
    store = long
    run_id, claim = seeded(store)
    other = new_run(store)
    before, run_before, other_before = (
        store.revision(),
        store.run_revision(run_id),
        store.run_revision(other),
    )
    WRITES[write](store, run_id, claim)
    assert store.revision() > before
    if write not in ("create_run", "delete_run"):  # the two that write another run or none
        assert store.run_revision(run_id) > run_before
        assert store.get_run(run_id).revision == store.run_revision(run_id)
    assert store.run_revision(other) == other_before


READS = {
    "get_run": lambda store, run: store.get_run(run),
    "list_runs": lambda store, run: store.list_runs(),
    "episodes": lambda store, run: store.episodes(run),
    "series": lambda store, run: store.series(run, "return", points=5),
    "summary": lambda store, run: store.summary(run),
    "param_changes": lambda store, run: store.param_changes(run),
    "poll_control": lambda store, run: store.poll_control(run),
    "checkpoints": lambda store, run: store.checkpoints(run),
    "load_checkpoint": lambda store, run: store.load_checkpoint(run),
    "events": lambda store, run: store.events(run),
    "exports": lambda store, run: "".join(store.iter_csv(run)) + "".join(store.iter_json(run)),
    "idle claim_next": lambda store, run: store.claim_next(HERE),
}


def test_reads_leave_the_revisions_alone(long):
    store = long
    run_id, _ = seeded(store)
    before = store.revision(), store.run_revision(run_id)
    for read in READS.values():
        read(store, run_id)
        assert (store.revision(), store.run_revision(run_id)) == before


def test_an_idle_poll_reads_no_table_through(tmp_path):
    """An idle page's poll and an idle worker's claim are one read each, served from the
    primary key and the index of runs by status and lease: none scans ``runs``, so they
    cost the same with 10 or 1,000 runs."""
    path = tmp_path / "runs.sqlite"
    store = RunStore(f"sqlite:///{path}")
    for _ in range(50):
        store.set_status(new_run(store), "finished")
    statements: list[str] = []
    event.listen(
        store._engine,
        "before_cursor_execute",
        lambda conn, cursor, sql, *args: statements.append(sql),
    )
    store.revision()
    store.run_revision(1)
    assert store.claim_next(HERE) is None
    store.close()
    queries = [sql for sql in statements if not sql.startswith(("BEGIN", "PRAGMA"))]
    assert len(queries) == 3 and all(sql.lstrip().startswith("SELECT") for sql in queries)
    assert "BEGIN IMMEDIATE" not in statements  # the idle claim took no write lock
    with sqlite3.connect(path) as conn:
        for sql in queries:
            plan = " | ".join(
                row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", (1,) * sql.count("?"))
            )
            assert "SCAN runs" not in plan, plan
    conn.close()
