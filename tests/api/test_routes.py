"""Every route of the HTTP contract, over a real SQLite store (and real workers to start runs)."""

from __future__ import annotations

import csv
import io
import json

from tests.dashboard_support import wait_for

JSON = {"Content-Type": "application/json"}


def test_list_runs_newest_first(client, runs):
    body = client.get("/api/runs").get_json()
    assert [run["id"] for run in body["runs"]] == [
        runs.failed,
        runs.paused,
        runs.finished,
        runs.running,
    ]
    assert body["runs"][-1]["status"] == "running"


def test_run_detail_has_status_progress_params_and_summary(client, runs):
    body = client.get(f"/api/runs/{runs.running}").get_json()
    assert body["status"] == "running"
    assert body["episodes_done"] == 250 and body["target_episodes"] == 1000
    assert body["current_params"]["alpha"] == 0.1
    assert body["summary"]["episodes"] == 250
    assert isinstance(body["summary"]["recent_return"], float)


def test_series_window_is_decimated_with_extrema(client, runs):
    body = client.get(
        f"/api/runs/{runs.running}/series/return?start=11&end=250&points=24"
    ).get_json()
    assert body["metric"] == "return" and body["start"] == 11 and body["end"] == 250
    assert body["bucket"] == 10 and len(body["episode"]) == 24
    assert all(
        lo <= m <= hi for lo, m, hi in zip(body["min"], body["mean"], body["max"], strict=True)
    )
    rows = client.get(f"/api/runs/{runs.running}/episodes?start=11&limit=240").get_json()
    assert max(r["return"] for r in rows["episodes"]) == max(body["max"])


def test_series_defaults_to_the_whole_run(client, runs):
    body = client.get(f"/api/runs/{runs.paused}/series/epsilon").get_json()
    assert body["start"] == 1 and body["end"] == 40 and body["count"] == [1] * 40


def test_episodes_are_raw_rows(client, runs):
    body = client.get(f"/api/runs/{runs.running}/episodes?start=5&limit=3").get_json()
    assert [row["episode"] for row in body["episodes"]] == [5, 6, 7]
    assert set(body["episodes"][0]) >= {"return", "length", "action_counts", "env_steps"}


def test_checkpoints_and_a_q_table(client, runs):
    listed = client.get(f"/api/runs/{runs.running}/checkpoints").get_json()
    assert [c["episode"] for c in listed["checkpoints"]] == [250]
    for which in ("250", "latest"):
        body = client.get(f"/api/runs/{runs.running}/checkpoints/{which}").get_json()
        assert body["episode"] == 250
        assert len(body["q"]) == body["shape"][0] and len(body["q"][0]) == body["shape"][1] == 4


def test_param_change_is_validated_queued_and_listed(client, runs):
    response = client.post(
        f"/api/runs/{runs.running}/params", json={"alpha": "0.05", "epsilon": 0.2}
    )
    assert response.status_code == 202, response.get_json()
    changes = response.get_json()["changes"]
    assert [(c["param"], c["new_value"], c["source"]) for c in changes] == [
        ("alpha", 0.05, "api"),
        ("epsilon", 0.2, "api"),
    ]
    listed = client.get(f"/api/runs/{runs.running}/param-changes").get_json()["changes"]
    assert [c["applied_episode"] for c in listed] == [None, None]


def test_pause_and_stop_are_requests_to_the_worker(client, store, runs):
    response = client.post(f"/api/runs/{runs.running}/pause", headers=JSON)
    assert response.status_code == 202
    assert response.get_json()["requested_status"] == "paused"
    response = client.post(f"/api/runs/{runs.paused}/stop", json={})
    assert response.get_json()["status"] == "stopped"
    assert store.get_run(runs.paused).status == "stopped"


def test_same_origin_requests_are_allowed(client, runs):
    response = client.post(
        f"/api/runs/{runs.running}/pause", json={}, headers={"Origin": "http://localhost"}
    )
    assert response.status_code == 202


def test_csv_export_streams_every_episode_and_neutralises_nothing_numeric(client, runs):
    response = client.get(f"/api/runs/{runs.finished}/export.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [int(row["episode"]) for row in rows] == list(range(1, 121))
    assert float(rows[0]["return"]) == float(rows[0]["return"])


def test_json_export_streams_one_document(client, runs):
    response = client.get(f"/api/runs/{runs.finished}/export.json")
    assert response.is_streamed and response.mimetype == "application/json"
    body = json.loads(response.get_data(as_text=True))
    assert body["run"]["name"] == "=cmd|' /C calc'!A0"
    assert len(body["episodes"]) == 120


def test_compare_returns_one_series_per_run(client, runs):
    body = client.get(
        f"/api/compare?runs={runs.running},{runs.finished}&metric=length&points=50"
    ).get_json()
    assert body["metric"] == "length"
    assert [run["id"] for run in body["runs"]] == [runs.running, runs.finished]
    assert all(len(run["series"]["episode"]) <= 50 for run in body["runs"])
    assert body["runs"][1]["series"]["end"] == 120


def test_compare_takes_up_to_eight_runs_and_refuses_nine(client, runs):
    ids = [runs.running, runs.finished, runs.paused, runs.failed] * 2
    body = client.get(f"/api/compare?runs={','.join(map(str, ids))}").get_json()
    assert [run["id"] for run in body["runs"]] == ids[:4]
    nine = ",".join(map(str, [*ids, runs.running]))
    response = client.get(f"/api/compare?runs={nine}")
    assert response.status_code == 400
    message = (
        f"runs={nine!r} is invalid: too many runs; allowed: 1 to 8 comma-separated"
        " run ids, e.g. runs=1,2"
    )
    assert response.get_json() == {
        "error": message,
        "field": "runs",
        "errors": [{"field": "runs", "error": message}],
    }


def test_a_resume_cancels_a_pending_pause_and_a_second_pause_is_refused(client, store, runs):
    assert client.post(f"/api/runs/{runs.running}/pause", json={}).status_code == 202
    response = client.post(f"/api/runs/{runs.running}/pause", json={})
    assert response.status_code == 409
    assert (
        response.get_json()["error"] == f"run {runs.running} is running and already asked to pause"
    )
    response = client.post(f"/api/runs/{runs.running}/resume", json={})
    assert response.status_code == 202
    assert response.get_json()["requested_status"] == "running"
    assert store.get_run(runs.running).status == "running"


def test_create_start_pause_resume_and_stop_a_real_run(client, store, pool):
    response = client.post(
        "/api/runs",
        json={
            "env": "GridWorld-v0",
            "preset": "easy",
            "episodes": 1_000_000,
            "params": {"alpha": 0.2},
        },
    )
    assert response.status_code == 201, response.get_json()
    run_id = response.get_json()["id"]
    assert store.get_run(run_id).hyperparams["alpha"] == 0.2
    wait_for(lambda: store.get_run(run_id).episodes_done > 0, 60, "the run to train")
    assert client.post(f"/api/runs/{run_id}/pause", json={}).status_code == 202
    wait_for(lambda: store.get_run(run_id).status == "paused", 10, "the run to pause")
    assert client.post(f"/api/runs/{run_id}/resume", json={}).status_code == 202
    wait_for(lambda: store.get_run(run_id).status == "running", 30, "the run to resume")
    assert client.post(f"/api/runs/{run_id}/stop", json={}).status_code == 202
    wait_for(lambda: store.get_run(run_id).status == "stopped", 10, "the run to stop")
