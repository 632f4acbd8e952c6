"""The trajectory routes and the ``.npy`` checkpoints over stores that real trainers wrote:
the list, the streamed CSV and JSON of one episode (equal to the stored steps), the Q-table
that ``numpy.load`` reads back exactly, and 404s for what is not there."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from app.factory import create_app
from runstore import RunStore
from runstore.csvsafe import FORMULA_STARTS
from tests.trainer.support import make_spec, train_new


@pytest.fixture
def trained(store: RunStore) -> dict[str, int]:
    """Train a GridWorld run past its first thousand episodes and a short Taxi run."""
    grid = train_new(store, make_spec(episodes=1100, seed=5)).run_id
    taxi = train_new(store, make_spec(env_id="Taxi-v4", preset=None, episodes=12)).run_id
    return {"grid": grid, "taxi": taxi}


@pytest.fixture
def client(store_url, trained):
    app = create_app(store_url)
    yield app.server.test_client()
    app.server.extensions["gridlab.store"].close()


def test_the_list_names_each_recorded_episode_and_the_policy(client, store, trained):
    body = client.get(f"/api/runs/{trained['grid']}/trajectories").get_json()
    listed = [(t["episode"], t["kind"]) for t in body["trajectories"]]
    assert listed[:10] == [(e, "first") for e in range(1, 11)]
    assert (1000, "every") in listed
    assert [e for e, k in listed if k == "last"] == list(range(1081, 1101))
    assert body["policy"]["every"] == 1000 and body["policy"]["max_trajectories"] == 130
    assert "first 10 episodes" in body["description"]
    assert body["trajectories"] == [info.to_dict() for info in store.trajectories(trained["grid"])]


def test_the_run_export_holds_every_recorded_episode_with_its_steps(client, store, trained):
    run = trained["grid"]
    body = client.get(f"/api/runs/{run}/export.json").get_json()
    exported = body["trajectories"]
    listed = [info.to_dict() for info in store.trajectories(run)]
    assert [{k: t[k] for k in ("episode", "kind", "length", "steps")} for t in exported] == listed
    newest = store.trajectory(run, 1100)
    assert exported[-1]["columns"]["state"] == newest.columns["state"].tolist()
    assert exported[-1]["columns"]["q"] == newest.columns["q"].tolist()
    assert len(body["episodes"]) == 1100


@pytest.mark.parametrize("episode", [1, 1000, 1100])
def test_the_csv_streams_every_step_as_stored(client, store, trained, episode):
    run = trained["grid"]
    response = client.get(f"/api/runs/{run}/trajectories/{episode}.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert f"gridlab-run-{run}-episode-{episode}.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    record = store.trajectory(run, episode)
    columns = record.columns
    assert len(rows) == record.steps
    assert [int(r["step"]) for r in rows] == list(range(1, record.steps + 1))
    assert [int(r["state"]) for r in rows] == columns["state"].tolist()
    assert [r["action_name"] for r in rows] == [["↑", "→", "↓", "←"][a] for a in columns["action"]]
    assert [float(r["reward"]) for r in rows] == columns["reward"].tolist()
    assert [float(r["td_error"]) for r in rows] == columns["td_error"].tolist()
    q = [[float(r[f"q_{label}"]) for label in "↑→↓←"] for r in rows]
    assert q == columns["q"].tolist()
    width = 5  # GridWorld easy is 5 x 5
    assert [r["cell"] for r in rows] == [f"({s // width}, {s % width})" for s in columns["state"]]
    texts = [row[name] for row in rows for name in ("kind", "cell", "next_cell", "action_name")]
    assert not [text for text in texts if text.startswith(FORMULA_STARTS)]


def test_the_json_streams_one_document_of_the_stored_steps(client, store, trained):
    run = trained["taxi"]
    episode = store.trajectories(run)[-1].episode
    response = client.get(f"/api/runs/{run}/trajectories/{episode}.json")
    assert response.is_streamed and response.mimetype == "application/json"
    body = json.loads(response.get_data(as_text=True))
    record = store.trajectory(run, episode)
    assert (body["episode"], body["kind"], body["length"]) == (episode, "last", record.length)
    assert body["steps_recorded"] == record.steps == len(body["steps"])
    assert body["grid_width"] is None and body["actions"][4] == "pickup"
    assert [s["q"] for s in body["steps"]] == record.columns["q"].tolist()
    assert [s["cell"] for s in body["steps"]] == [str(s) for s in record.columns["state"]]
    assert [s["epsilon"] for s in body["steps"]] == record.columns["epsilon"].tolist()


@pytest.mark.parametrize("which", ["latest", "first"])
def test_a_checkpoint_downloads_as_npy_and_loads_back_exactly(client, store, trained, which):
    run = trained["grid"]
    infos = store.checkpoints(run)
    episode = infos[-1].episode if which == "latest" else infos[0].episode
    named = "latest" if which == "latest" else episode
    response = client.get(f"/api/runs/{run}/checkpoints/{named}.npy")
    assert response.status_code == 200 and response.mimetype == "application/octet-stream"
    name = f"gridlab-run-{run}-checkpoint-{episode}.npy"
    assert name in response.headers["Content-Disposition"]
    loaded = np.load(io.BytesIO(response.data), allow_pickle=False)
    stored = store.load_checkpoint(run, episode).q
    assert loaded.dtype == stored.dtype and loaded.tobytes() == stored.tobytes()
    assert loaded.shape == (25, 4)


def test_what_is_not_there_is_a_json_404(client, trained):
    run = trained["grid"]
    for path, words in (
        (f"/api/runs/{run}/trajectories/500.csv", "no trajectory of episode 500"),
        (f"/api/runs/{run}/trajectories/500.json", "no trajectory of episode 500"),
        (f"/api/runs/{run}/checkpoints/7.npy", "no checkpoint at episode 7"),
        ("/api/runs/999/trajectories", "run 999 not found"),
    ):
        response = client.get(path)
        assert response.status_code == 404 and words in response.get_json()["error"], path
