"""``POST /api/runs/<id>/pace``: a pace change queued as a recorded parameter change, and
4xx JSON naming the field, the value and the allowed range (nothing changed) otherwise."""

from __future__ import annotations

import json

import pytest

from gridworld.pace import PACE_ALLOWED
from tests.dashboard_support import snapshot

JSON = {"Content-Type": "application/json"}


def post(client, path, body):
    return client.post(path, data=json.dumps(body), headers=JSON)


def test_a_pace_change_is_queued_and_listed_with_the_run_s_changes(client, runs):
    base = f"/api/runs/{runs.running}"
    answer = post(client, f"{base}/pace", {"pace": "25"})
    assert answer.status_code == 202
    (change,) = answer.get_json()["changes"]
    assert (change["param"], change["new_value"], change["source"]) == ("pace", 25.0, "api")
    assert change["applied_episode"] is None  # the worker stamps it when it takes it up
    assert post(client, f"{base}/pace", {"pace": "full"}).status_code == 202
    listed = client.get(f"{base}/param-changes").get_json()["changes"]
    assert [(c["param"], c["new_value"]) for c in listed] == [("pace", 25.0), ("pace", "full")]
    assert post(client, f"/api/runs/{runs.paused}/pace", {"pace": 3}).status_code == 202


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"pace": 0}, f"pace=0 is invalid: out of range; allowed: {PACE_ALLOWED}"),
        ({"pace": 100_001}, "pace=100001 is invalid: out of range"),
        ({"pace": "quick"}, "pace='quick' is invalid: not a number"),
        ({"pace": 5, "alpha": 0.1}, "body={'pace': 5, 'alpha': 0.1} is invalid: not a pace"),
        ([5], "body=[5] is invalid: not a pace"),
    ],
)
def test_a_bad_pace_is_a_400_naming_it(client, runs, store_url, body, message):
    before = snapshot(store_url)
    answer = post(client, f"/api/runs/{runs.running}/pace", body)
    assert answer.status_code == 400
    assert answer.get_json()["error"].startswith(message)
    assert snapshot(store_url) == before


def test_a_pace_for_an_ended_or_unknown_run_is_refused(client, runs, store_url):
    before = snapshot(store_url)
    assert post(client, f"/api/runs/{runs.finished}/pace", {"pace": 5}).status_code == 409
    assert post(client, "/api/runs/999/pace", {"pace": 5}).status_code == 404
    assert snapshot(store_url) == before
