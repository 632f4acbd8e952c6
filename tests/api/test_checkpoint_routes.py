"""``POST /api/runs/<id>/checkpoints`` ("Save checkpoint now"), the names in the
checkpoint listing and as a checkpoint's address (JSON and ``.npy``): 201 naming a paused
run's latest checkpoint, 202 asking a running run's worker, 409 (store unchanged) for a
taken name, a named latest or no checkpoint."""

from __future__ import annotations

from tests.dashboard_support import seeded_run, snapshot


def test_a_paused_run_names_its_latest_checkpoint_and_lists_it(client, runs):
    answer = client.post(f"/api/runs/{runs.paused}/checkpoints", json={"name": "good-alpha"})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json() == {
        "run_id": runs.paused,
        "name": "good-alpha",
        "episode": 40,
        "requested": False,
        "message": f"Run {runs.paused} is not training: its latest checkpoint (episode 40) is"
        " now named 'good-alpha'.",
    }
    listed = client.get(f"/api/runs/{runs.paused}/checkpoints").get_json()["checkpoints"]
    assert [(c["episode"], c.get("name")) for c in listed] == [(40, "good-alpha")]
    detail = client.get(f"/api/runs/{runs.paused}/checkpoints/40").get_json()
    assert detail["episode"] == 40
    # the name reaches the checkpoint too, as JSON and as .npy
    assert client.get(f"/api/runs/{runs.paused}/checkpoints/good-alpha").get_json() == detail
    by_name = client.get(f"/api/runs/{runs.paused}/checkpoints/good-alpha.npy")
    assert by_name.status_code == 200
    assert by_name.data == client.get(f"/api/runs/{runs.paused}/checkpoints/40.npy").data
    assert "checkpoint-40.npy" in by_name.headers["Content-Disposition"]


def test_a_running_run_is_asked_and_a_second_save_waits(client, store, runs):
    answer = client.post(f"/api/runs/{runs.running}/checkpoints", json={"name": "mid"})
    assert answer.status_code == 202, answer.get_json()
    body = answer.get_json()
    assert (body["episode"], body["requested"]) == (None, True)
    assert "worker saves it" in body["message"]
    assert store.poll_control(runs.running).checkpoint_request == "mid"
    again = client.post(f"/api/runs/{runs.running}/checkpoints", json={"name": "other"})
    assert again.status_code == 409
    assert "already asked to save a checkpoint named 'mid'" in again.get_json()["error"]


def test_refused_names_are_409_and_change_nothing(client, store, store_url, runs):
    client.post(f"/api/runs/{runs.finished}/checkpoints", json={"name": "taken"})
    queued = seeded_run(store, status="queued", episodes=0)
    cases = [
        (runs.finished, "taken", "already has a checkpoint named 'taken' (episode 120)"),
        (runs.finished, "fresh", "latest checkpoint (episode 120) is already named 'taken'"),
        (queued, "good", f"run {queued} is queued and has no checkpoint to name yet"),
    ]
    for run_id, name, message in cases:
        before = snapshot(store_url)
        refused = client.post(f"/api/runs/{run_id}/checkpoints", json={"name": name})
        assert refused.status_code == 409, refused.get_json()
        assert message in refused.get_json()["error"]
        assert snapshot(store_url) == before
