"""One owner per attempt: dashboards and workers in real processes sharing one store claim
every queued run exactly once."""

from __future__ import annotations

import signal

from app.training import create_run
from runstore import RunStore
from tests.trainer.support import assert_contiguous, make_spec, wait_for
from tests.workers.support import Launcher, kinds

EPISODES = 20_000


def assert_each_trained_once(store: RunStore, ids: list[int], timeout: float) -> None:
    """Wait for the runs to finish; assert each did in one attempt, claimed once, with
    episodes 1..N."""
    wait_for(
        lambda: all(store.get_run(i).status == "finished" for i in ids),
        timeout,
        f"the {len(ids)} runs finished",
    )
    for run_id in ids:
        run = store.get_run(run_id)
        assert (run.status, run.error, run.attempt) == ("finished", None, 1), run
        assert kinds(store, run_id) == [("claimed", 1)]
        assert run.episodes_done == run.target_episodes
        assert_contiguous(store, run_id)


def test_two_dashboards_on_one_sqlite_store_train_each_queued_run_once(
    launcher: Launcher, store: RunStore, store_url: str
):
    ids = [create_run(store, make_spec(episodes=EPISODES, seed=seed)) for seed in range(4)]
    first = launcher.dashboard(store_url, "--slots", "2")
    second = launcher.dashboard(store_url, "--slots", "2")
    assert_each_trained_once(store, ids, 120)
    listed = {run["id"]: run for run in second.get("/runs")["runs"]}
    assert {listed[i]["status"] for i in ids} == {"finished"}
    for dashboard in (first, second):
        dashboard.ctrl_c()
        assert dashboard.wait(30) == 0, dashboard.stderr()
        assert "Traceback" not in dashboard.stderr()


def test_three_workers_and_a_dashboard_on_postgresql_claim_each_of_12_runs_once(
    launcher: Launcher, pg_url: str
):
    dashboard = launcher.dashboard(pg_url, "--no-worker")
    ids = []
    for seed in range(12):
        status, body = dashboard.post("/runs", {"episodes": EPISODES, "seed": seed})
        assert status == 201, body
        ids.append(body["id"])
    workers = [launcher.worker(pg_url) for _ in range(3)]
    store = RunStore(pg_url)
    try:
        assert_each_trained_once(store, ids, 180)
    finally:
        store.close()
    for worker in workers:
        worker.send(signal.SIGTERM)
        assert worker.wait(30) == 0, worker.stderr()
        assert "Traceback" not in worker.stderr()


def test_a_run_queued_by_a_launcher_killed_before_any_claim_is_still_claimed(
    launcher: Launcher, store: RunStore, store_url: str
):
    dashboard = launcher.dashboard(store_url, "--no-worker")
    status, body = dashboard.post("/runs", {"episodes": 500, "seed": 3})
    assert status == 201, body
    dashboard.kill_group()  # SIGKILL: the launcher is gone before any worker saw the run
    assert store.get_run(body["id"]).status == "queued"
    worker = launcher.worker(store_url)
    assert_each_trained_once(store, [body["id"]], 60)
    worker.ctrl_c()
    assert worker.wait(30) == 0, worker.stderr()
