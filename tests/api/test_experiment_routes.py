"""The experiment routes: launch over POST, list and detail over GET, through the real app."""

from __future__ import annotations

from tests.dashboard_support import snapshot

SWEEP = {
    "name": "alpha sweep",
    "base": {"episodes": 20, "seed": 3},
    "space": {"alpha": [0.1, 0.5], "gamma": {"low": 0.9, "high": 0.99, "steps": 2}},
    "seeds": 2,
}


def test_post_launches_the_experiment_and_get_shows_it_with_its_runs(client):
    response = client.post("/api/experiments", json=SWEEP)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (created["name"], created["method"], created["budget"]) == ("alpha sweep", "grid", 4)
    assert created["seeds"] == [3, 4] and created["status"] == "finished"
    assert created["space"]["gamma"] == {"low": 0.9, "high": 0.99, "scale": "linear", "steps": 2}
    listed = client.get("/api/experiments").get_json()["experiments"]
    assert [experiment["id"] for experiment in listed] == [created["id"]]
    detail = client.get(f"/api/experiments/{created['id']}").get_json()
    assert {key: detail[key] for key in created} == created
    runs = detail["runs"]
    assert len(runs) == 8 and {run["experiment_id"] for run in runs} == {created["id"]}
    assert [run["trial"] for run in runs] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert {
        (run["hyperparams"]["alpha"], run["hyperparams"]["gamma"], run["seed"]) for run in runs
    } == {(alpha, gamma, seed) for alpha in (0.1, 0.5) for gamma in (0.9, 0.99) for seed in (3, 4)}
    assert all(run["status"] == "queued" for run in runs)


def test_a_bad_sweep_gets_the_same_message_as_the_launcher_and_writes_nothing(client, store_url):
    before = snapshot(store_url)
    response = client.post("/api/experiments", json={**SWEEP, "space": {"alpha": [0.1, 1.5]}})
    assert response.status_code == 400
    message = "alpha=1.5 is invalid: out of range; allowed: 0 < x <= 1"
    assert response.get_json() == {
        "error": message,
        "field": "alpha",
        "errors": [{"field": "alpha", "error": message}],
    }
    assert snapshot(store_url) == before


def test_a_tpe_sweep_over_the_api_queues_its_first_settings(client):
    body = {
        **SWEEP,
        "method": "tpe",
        "budget": 5,
        "slots": 4,
        "space": {"alpha": {"low": 0.05, "high": 1}},
    }
    created = client.post("/api/experiments", json=body).get_json()
    assert created["status"] == "running" and created["trials_launched"] == 3  # ceil(4 / 2) + 1
    assert created["study_name"].startswith("gridlab-")
    runs = client.get(f"/api/experiments/{created['id']}").get_json()["runs"]
    assert len(runs) == 6 and all(0.05 <= run["hyperparams"]["alpha"] <= 1 for run in runs)
