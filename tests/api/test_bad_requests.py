"""A table of bad requests: each gets its 4xx JSON error naming what is wrong, and the store
is left exactly as it was (compared row by row before and after)."""

from __future__ import annotations

import pytest

from tests.dashboard_support import snapshot

FOREIGN = {"Origin": "https://evil.example"}
R, F, P = "{running}", "{finished}", "{paused}"  # placeholders for seeded run ids
TOO_MANY = ",".join(["{running}"] * 9)  # one more than rules.MAX_COMPARE_RUNS

# (method, path, body or raw text, headers, status, words the error must contain)
BAD_REQUESTS = [
    # bad run ids
    ("GET", "/api/runs/abc", None, {}, 400, ["run_id", "abc", "integer"]),
    ("GET", "/api/runs/0", None, {}, 400, ["run_id", "from 1"]),
    ("GET", "/api/runs/-1", None, {}, 400, ["run_id"]),
    ("GET", "/api/runs/1.5", None, {}, 400, ["run_id"]),
    ("GET", "/api/runs/99999999999999999999999", None, {}, 400, ["run_id"]),
    ("GET", "/api/runs/%20", None, {}, 400, ["run_id"]),
    ("GET", "/api/runs/1_000", None, {}, 400, ["run_id", "1_000", "whole number"]),
    ("GET", "/api/runs/%D9%A3", None, {}, 400, ["run_id", "whole number"]),
    ("GET", "/api/runs/999", None, {}, 404, ["run 999 not found"]),
    ("GET", "/api/runs/999/series/return", None, {}, 404, ["run 999"]),
    ("GET", "/api/runs/999/param-changes", None, {}, 404, ["run 999"]),
    ("GET", "/api/runs/999/checkpoints", None, {}, 404, ["run 999"]),
    ("GET", "/api/runs/999/export.csv", None, {}, 404, ["run 999"]),
    ("GET", "/api/runs/999/export.json", None, {}, 404, ["run 999"]),
    # bad metric and windows
    ("GET", f"/api/runs/{R}/series/nope", None, {}, 400, ["metric", "nope", "return"]),
    ("GET", f"/api/runs/{R}/series/return%00", None, {}, 400, ["metric"]),
    ("GET", f"/api/runs/{R}/series/return?start=0", None, {}, 400, ["start"]),
    ("GET", f"/api/runs/{R}/series/return?start=abc", None, {}, 400, ["start", "abc"]),
    ("GET", f"/api/runs/{R}/series/return?start=NaN", None, {}, 400, ["start", "NaN"]),
    ("GET", f"/api/runs/{R}/series/return?start=10&end=5", None, {}, 400, ["end", ">= start"]),
    ("GET", f"/api/runs/{R}/series/return?points=0", None, {}, 400, ["points"]),
    ("GET", f"/api/runs/{R}/series/return?points=10001", None, {}, 400, ["points", "10000"]),
    ("GET", f"/api/runs/{R}/series/return?points=1e3", None, {}, 400, ["points", "1e3"]),
    ("GET", f"/api/runs/{R}/series/return?start=1" + "0" * 30, None, {}, 400, ["start"]),
    ("GET", f"/api/runs/{R}/series/return?end=1e3", None, {}, 400, ["end", "whole number"]),
    # raw episodes and checkpoints
    ("GET", f"/api/runs/{R}/episodes?limit=10001", None, {}, 400, ["limit", "10000"]),
    ("GET", f"/api/runs/{R}/episodes?limit=0", None, {}, 400, ["limit"]),
    ("GET", f"/api/runs/{R}/episodes?limit=-5", None, {}, 400, ["limit"]),
    ("GET", f"/api/runs/{R}/episodes?limit=99999999999", None, {}, 400, ["limit"]),
    ("GET", f"/api/runs/{R}/episodes?start=x", None, {}, 400, ["start"]),
    ("GET", f"/api/runs/{R}/checkpoints/abc", None, {}, 400, ["episode", "abc"]),
    ("GET", f"/api/runs/{R}/checkpoints/12345", None, {}, 404, ["checkpoint", "12345"]),
    # compare
    ("GET", "/api/compare", None, {}, 400, ["runs", "comma-separated"]),
    ("GET", f"/api/compare?runs={R},abc", None, {}, 400, ["runs", "abc"]),
    ("GET", f"/api/compare?runs={R},999", None, {}, 404, ["run 999"]),
    ("GET", f"/api/compare?runs={R}&metric=bogus", None, {}, 400, ["metric", "bogus"]),
    ("GET", f"/api/compare?runs={TOO_MANY}", None, {}, 400, ["runs", "too many", "1 to 8"]),
    ("GET", f"/api/compare?runs={R}&points=-1", None, {}, 400, ["points"]),
    ("GET", f"/api/compare?runs={R}&points=10001", None, {}, 400, ["points", "1 to 10000"]),
    ("GET", f"/api/compare?runs={R},0", None, {}, 400, ["runs=0", "out of range"]),
    # path tricks and unknown routes
    ("GET", "/api/runs/1/../../etc/passwd", None, {}, 404, ["no route"]),
    ("GET", "/api/runs/%2e%2e/series/return", None, {}, 400, ["run_id", ".."]),
    ("GET", f"/api/runs/{R}/series/..%2f..%2fsecret", None, {}, 404, ["no route"]),
    ("GET", "/api/runs/1;DROP TABLE runs", None, {}, 400, ["run_id"]),
    ("DELETE", f"/api/runs/{R}", None, {}, 404, ["no route", "DELETE"]),
    ("PUT", "/api/runs", {}, {}, 404, ["no route"]),
    # new runs: transport
    ("POST", "/api/runs", "episodes=5", {"Content-Type": "text/plain"}, 415, ["application/json"]),
    (
        "POST",
        "/api/runs",
        "episodes=5",
        {"Content-Type": "application/x-www-form-urlencoded"},
        415,
        ["application/json"],
    ),
    ("POST", "/api/runs", {"episodes": 5}, FOREIGN, 403, ["Origin", "evil.example"]),
    ("POST", "/api/runs", {"episodes": 5}, {"Origin": "null"}, 403, ["Origin"]),
    ("POST", "/api/runs", "{not json", {}, 400, ["body", "JSON"]),
    ("POST", "/api/runs", [1, 2], {}, 400, ["body", "object"]),
    ("POST", "/api/runs", {"name": "x" * 70_000}, {}, 413, ["too large"]),
    # new runs: values (the gridworld validator's own messages)
    ("POST", "/api/runs", {"episodes": 0}, {}, 400, ["episodes=0", "1 to 10000000"]),
    ("POST", "/api/runs", {"episodes": "many"}, {}, 400, ["episodes='many'"]),
    ("POST", "/api/runs", {"episodes": 10**8}, {}, 400, ["episodes"]),
    ("POST", "/api/runs", {"params": {"alpha": 2}}, {}, 400, ["alpha=2", "x <= 1"]),
    ("POST", "/api/runs", '{"params": {"alpha": NaN}}', {}, 400, ["alpha=nan", "finite"]),
    ("POST", "/api/runs", {"params": {"alpha": "abc"}}, {}, 400, ["alpha='abc'"]),
    ("POST", "/api/runs", {"params": {"alpha": True}}, {}, 400, ["alpha=True"]),
    ("POST", "/api/runs", {"params": {"beta": 1}}, {}, 400, ["beta", "alpha, gamma"]),
    ("POST", "/api/runs", {"params": [0.1]}, {}, 400, ["params", "object"]),
    (
        "POST",
        "/api/runs",
        {"params": {"epsilon": 0.1, "epsilon_min": 0.5}},
        {},
        400,
        ["epsilon_min"],
    ),
    ("POST", "/api/runs", {"preset": "impossible"}, {}, 400, ["preset", "easy"]),
    ("POST", "/api/runs", {"env": "NoSuchEnv-v0"}, {}, 400, ["env=", "NoSuchEnv-v0"]),
    ("POST", "/api/runs", {"env": "CartPole-v1"}, {}, 400, ["env=", "Discrete"]),
    ("POST", "/api/runs", {"desc": ["S..", "#G"]}, {}, 400, ["desc"]),
    ("POST", "/api/runs", {"colour": "red"}, {}, 400, ["colour", "episodes"]),
    ("POST", "/api/runs", {"name": "n" * 101}, {}, 400, ["name", "100"]),
    ("POST", "/api/runs", {"seed": -1}, {}, 400, ["seed=-1"]),
    # parameter changes
    ("POST", f"/api/runs/{R}/params", {}, {}, 400, ["params", "at least one"]),
    ("POST", f"/api/runs/{R}/params", {"alpha": -1}, {}, 400, ["alpha=-1"]),
    ("POST", f"/api/runs/{R}/params", {"gamma": "x"}, {}, 400, ["gamma='x'"]),
    ("POST", f"/api/runs/{R}/params", {"gamma": None}, {}, 400, ["gamma=None"]),
    ("POST", f"/api/runs/{R}/params", {"epsilon_min": 2}, {}, 400, ["epsilon_min"]),
    ("POST", f"/api/runs/{R}/params", "[]", {}, 400, ["params"]),
    ("POST", f"/api/runs/{F}/params", {"alpha": 0.5}, {}, 409, ["finished"]),
    ("POST", "/api/runs/999/params", {"alpha": 0.5}, {}, 404, ["run 999"]),
    (
        "POST",
        f"/api/runs/{R}/params",
        "alpha=0.5",
        {"Content-Type": "text/plain"},
        415,
        ["Content-Type"],
    ),
    ("POST", f"/api/runs/{R}/params", {"alpha": 0.5}, FOREIGN, 403, ["Origin"]),
    # control
    ("POST", f"/api/runs/{F}/pause", {}, {}, 409, ["finished"]),
    ("POST", f"/api/runs/{F}/stop", {}, {}, 409, ["finished"]),
    ("POST", f"/api/runs/{R}/resume", {}, {}, 409, ["running"]),
    ("POST", f"/api/runs/{F}/resume", {}, {}, 409, ["finished", "paused, stopped, crashed"]),
    ("POST", f"/api/runs/{R}/explode", {}, {}, 400, ["action", "pause, resume, stop"]),
    ("POST", "/api/runs/999/pause", {}, {}, 404, ["run 999"]),
    ("POST", f"/api/runs/{R}/stop", {}, FOREIGN, 403, ["Origin"]),
    ("POST", f"/api/runs/{P}/pause", {}, {}, 409, ["paused"]),
    (
        "POST",
        f"/api/runs/{R}/pause",
        None,
        {"Content-Type": "multipart/form-data"},
        415,
        ["application/json"],
    ),
]


def _ids() -> list[str]:
    return [f"{i:02d}-{method}-{path[:40]}" for i, (method, path, *_) in enumerate(BAD_REQUESTS)]


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "words"), BAD_REQUESTS, ids=_ids()
)
def test_bad_request_gets_its_4xx_and_changes_nothing(
    client, store_url, runs, method, path, body, headers, status, words
):
    path = path.format(**vars(runs))
    kwargs: dict = {"headers": dict(headers)}
    if isinstance(body, str):
        kwargs["data"] = body
        kwargs["headers"].setdefault("Content-Type", "application/json")
    elif body is not None:
        kwargs["json"] = body
    before = snapshot(store_url)
    response = client.open(path, method=method, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    for word in words:
        assert word in error, (word, error)
    assert snapshot(store_url) == before


def test_the_table_is_big_enough():
    assert len(BAD_REQUESTS) >= 40
