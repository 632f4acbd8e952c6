"""``POST /api/runs/<id>/fork`` and ``GET /api/runs/<id>/lineage`` over a real store."""

from __future__ import annotations

import pytest

from app.factory import create_app
from tests.trainer.support import make_spec, train_new


@pytest.fixture
def client(store, store_url):
    app = create_app(store_url)
    yield app.server.test_client()
    app.server.extensions["gridlab.store"].close()


def test_a_fork_is_created_read_through_and_listed_in_the_lineage(client, store):
    parent = train_new(store, make_spec(episodes=300, seed=5, checkpoint_every=100)).run_id
    answer = client.post(
        f"/api/runs/{parent}/fork",
        json={"at": 200, "hyperparams": {"alpha": "0.05"}, "episodes": 500, "name": "slower"},
    )
    assert answer.status_code == 201, answer.json
    child = answer.json
    assert (child["parent_id"], child["fork_episode"], child["status"]) == (parent, 200, "queued")
    assert (child["episodes_done"], child["target_episodes"]) == (200, 500)
    assert child["hyperparams"]["alpha"] == 0.05 and child["name"] == "slower"
    series = client.get(f"/api/runs/{child['id']}/series/return?points=10").json
    assert sum(series["count"]) == 200
    assert series == {
        **client.get(f"/api/runs/{parent}/series/return?end=200&points=10").json,
        "end": 200,
    }
    rows = client.get(f"/api/runs/{child['id']}/episodes?start=199&limit=5").json["episodes"]
    assert [row["episode"] for row in rows] == [199, 200]
    csv_text = client.get(f"/api/runs/{child['id']}/export.csv").get_data(as_text=True)
    assert len(csv_text.strip().splitlines()) == 1 + 200
    again = client.post(f"/api/runs/{child['id']}/fork", json={"at": "latest"}).json
    assert (again["parent_id"], again["fork_episode"]) == (child["id"], 200)
    assert again["target_episodes"] == 500
    lineage = client.get(f"/api/runs/{again['id']}/lineage").json
    assert [run["id"] for run in lineage["ancestors"]] == [child["id"], parent]
    assert lineage["children"] == []
    assert [(run["id"], run["parent_id"]) for run in lineage["tree"]] == [
        (parent, None),
        (child["id"], parent),
        (again["id"], child["id"]),
    ]


def test_a_fork_without_a_body_starts_at_the_latest_checkpoint(client, store):
    parent = train_new(store, make_spec(episodes=250, seed=1, checkpoint_every=100)).run_id
    answer = client.post(f"/api/runs/{parent}/fork", headers={"Content-Type": "application/json"})
    assert answer.status_code == 201, answer.json
    assert (answer.json["fork_episode"], answer.json["target_episodes"]) == (250, 500)
