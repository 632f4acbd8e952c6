"""The rename, tags, note, archive and delete routes over a real SQLite store: what they
change, and 4xx JSON naming the field (nothing changed) for bad input."""

from __future__ import annotations

import json

import pytest

from tests.dashboard_support import snapshot
from tests.runstore.test_lineage import fork_fields

JSON = {"Content-Type": "application/json"}


def post(client, path, body=None):
    data = None if body is None else json.dumps(body)
    return client.post(path, data=data, headers=JSON)


def test_rename_tag_and_note_answer_the_changed_run(client, runs):
    base = f"/api/runs/{runs.finished}"
    renamed = post(client, f"{base}/rename", {"name": " tidy name "})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "tidy name"
    tagged = post(client, f"{base}/tags", {"add": ["b", "a", "b"]}).get_json()
    assert tagged["tags"] == ["a", "b"]
    assert post(client, f"{base}/tags", {"remove": ["a"]}).get_json()["tags"] == ["b"]
    noted = post(client, f"{base}/note", {"note": "## Result\n\n*good*\n\n"}).get_json()
    assert noted["note"] == "## Result\n\n*good*"
    detail = client.get(base).get_json()
    assert (detail["name"], detail["tags"], detail["note"]) == ("tidy name", ["b"], noted["note"])
    assert client.get("/api/tags").get_json() == {"tags": ["b"]}


def test_archive_and_unarchive(client, runs):
    base = f"/api/runs/{runs.paused}"
    archived = post(client, f"{base}/archive")
    assert archived.status_code == 200 and archived.get_json()["archived_at"]
    assert client.get(base).get_json()["archived_at"] == archived.get_json()["archived_at"]
    assert post(client, f"{base}/unarchive", {}).get_json()["archived_at"] is None
    refused = post(client, f"/api/runs/{runs.running}/archive")
    assert refused.status_code == 409
    assert "is running; only" in refused.get_json()["error"]


def test_delete_removes_the_run_but_refuses_a_running_one(client, runs, store_url):
    gone = client.delete(f"/api/runs/{runs.failed}", headers=JSON)
    assert gone.status_code == 200 and gone.get_json() == {"deleted": runs.failed}
    assert client.get(f"/api/runs/{runs.failed}").status_code == 404
    assert client.delete(f"/api/runs/{runs.failed}", headers=JSON).status_code == 404
    assert client.delete(f"/api/runs/{runs.paused}").status_code == 415  # as every mutating route
    before = snapshot(store_url)
    refused = client.delete(f"/api/runs/{runs.running}", headers=JSON)
    assert refused.status_code == 409
    assert "is running; only" in refused.get_json()["error"]
    assert "can be deleted" in refused.get_json()["error"]
    assert snapshot(store_url) == before


def test_a_run_with_forks_is_not_deleted(client, runs, store):
    fork = store.lineage.fork(runs.finished, 120, fork_fields())
    refused = client.delete(f"/api/runs/{runs.finished}", headers=JSON)
    assert refused.status_code == 409
    assert f"run {fork} was forked from it" in refused.get_json()["error"]
    assert client.get(f"/api/runs/{runs.finished}").status_code == 200


def test_put_on_a_run_lists_the_methods_it_takes(client, runs):
    answer = client.put(f"/api/runs/{runs.paused}")
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "GET, DELETE"


@pytest.mark.parametrize(
    ("route", "body", "status", "field", "words"),
    [
        ("rename", {"name": ""}, 400, "name", "empty"),
        ("rename", {"name": 5}, 400, "name", "not text"),
        ("rename", {}, 400, "name", "missing"),
        ("rename", {"name": "x", "tags": []}, 400, "tags", "unknown field"),
        ("rename", [1], 400, "body", "not an object"),
        ("tags", {}, 400, "body", "no tags"),
        ("tags", {"add": "a"}, 400, "add", "not a list"),
        ("tags", {"add": ["a b"]}, 400, "add", "holds ' '"),
        ("tags", {"remove": [None]}, 400, "remove", "not text"),
        ("tags", {"add": [f"t{n}" for n in range(21)]}, 400, "add", "21 tags"),
        ("note", {"note": None}, 400, "note", "not text"),
        ("note", {"note": "x" * 20_001}, 400, "note", "20,001 characters"),
        ("note", {"note": "a\x00b"}, 400, "note", "U+0000"),
        ("archive", {"why": 1}, 400, "why", "unknown field"),
        ("unarchive", [], 400, "body", "not an object"),
    ],
)
def test_bad_bodies_are_refused_naming_the_field(
    client, runs, store_url, route, body, status, field, words
):
    before = snapshot(store_url)
    answer = post(client, f"/api/runs/{runs.finished}/{route}", body)
    assert answer.status_code == status, answer.get_json()
    assert answer.get_json()["field"] == field
    assert words in answer.get_json()["error"]
    assert snapshot(store_url) == before


def test_too_many_tags_in_all_are_refused(client, runs):
    base = f"/api/runs/{runs.finished}/tags"
    assert post(client, base, {"add": [f"t{n}" for n in range(20)]}).status_code == 200
    answer = post(client, base, {"add": ["one-more"]})
    assert answer.status_code == 400 and answer.get_json()["field"] == "tags"


@pytest.mark.parametrize("route", ["rename", "tags", "note", "archive", "unarchive"])
def test_unknown_and_malformed_runs(client, route):
    body = {"rename": {"name": "x"}, "tags": {"add": ["x"]}, "note": {"note": "x"}}.get(route)
    assert post(client, f"/api/runs/999/{route}", body).status_code == 404
    assert post(client, f"/api/runs/abc/{route}", body).get_json()["field"] == "run_id"
