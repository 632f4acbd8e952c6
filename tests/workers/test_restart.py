"""Restarting the dashboard: its worker puts its runs back in the queue, and the dashboard
started again continues them by itself."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from runstore import RunStore
from tests.trainer.support import assert_contiguous, make_spec, wait_for
from tests.workers.support import Dashboard, Launcher, kinds, reference_rows

FOREVER = 5_000_000
PACE = 4000
"""Episodes per second of both runs: enough to checkpoint and restart mid-run, and few enough
that comparing every stored row with a reference trained here stays quick."""
RUNS = ((11, "q_learning"), (12, "double_q"))
"""(seed, algorithm) of the two runs: Double Q-learning's checkpoints hold both its tables."""


def stop(dashboard: Dashboard, how: str) -> None:
    """Stop the dashboard as a person does: Ctrl-C in its terminal, or SIGTERM."""
    if how == "ctrl-c":
        dashboard.ctrl_c()
    else:
        dashboard.send(signal.SIGTERM)


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_a_restarted_dashboard_continues_its_runs_by_itself(
    launcher: Launcher, store: RunStore, store_url: str, tmp_path: Path, how: str
):
    dashboard = launcher.dashboard(store_url, "--slots", "2")
    ids = []
    for seed, algorithm in RUNS:
        request = {"episodes": FOREVER, "seed": seed, "algorithm": algorithm, "pace": PACE}
        status, body = dashboard.post("/runs", request)
        assert status == 201, body
        ids.append(body["id"])
    wait_for(lambda: all(store.get_run(i).episodes_done > 1000 for i in ids), 60, "both training")
    stop(dashboard, how)
    assert dashboard.wait(30) == 0, dashboard.stderr()
    interrupted = {}
    for run_id in ids:
        run = store.get_run(run_id)
        assert (run.status, run.owner) == ("queued", None)
        assert store.checkpoints(run_id)[-1].episode == run.episodes_done
        assert kinds(store, run_id) == [("claimed", 1), ("interrupted", 1)]
        interrupted[run_id] = run.episodes_done

    again = launcher.dashboard(store_url, "--slots", "2")
    wait_for(
        lambda: all(store.get_run(i).episodes_done > interrupted[i] + 500 for i in ids),
        60,
        "both runs training again",
    )
    for run_id in ids:
        assert kinds(store, run_id) == [("claimed", 1), ("interrupted", 1), ("resumed", 2)]
        assert store.events(run_id)[-1].episode == interrupted[run_id]
        status, body = again.post(f"/runs/{run_id}/pause")
        assert status == 202, body
    wait_for(lambda: all(store.get_run(i).status == "paused" for i in ids), 30, "both paused")
    for run_id, (seed, algorithm) in zip(ids, RUNS, strict=True):
        rows = assert_contiguous(store, run_id)
        spec = make_spec(episodes=len(rows), seed=seed, algorithm=algorithm)
        assert rows == reference_rows(tmp_path, spec)
