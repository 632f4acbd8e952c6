"""A table of bad requests: each gets its 4xx JSON error naming what is wrong, and the store
is left exactly as it was (compared row by row before and after)."""

from __future__ import annotations

import pytest

from tests.dashboard_support import snapshot

FOREIGN = {"Origin": "https://evil.example"}
JSON = {"Content-Type": "application/json"}
R, F, P = "{running}", "{finished}", "{paused}"  # placeholders for seeded run ids
TOO_MANY = ",".join(["{running}"] * 9)  # one more than rules.MAX_COMPARE_RUNS


def deep(levels: int, inner: str = "1") -> str:
    """Return JSON text of ``inner`` inside ``levels`` nested arrays."""
    return "[" * levels + inner + "]" * levels


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
    ("GET", f"/api/compare?runs={R},,{R}", None, {}, 400, ["runs=''", "whole number"]),
    ("GET", "/api/compare?runs=", None, {}, 400, ["runs", "missing"]),
    ("GET", "/api/compare?runs=%D9%A1", None, {}, 400, ["runs=", "whole number"]),
    ("GET", f"/api/compare?runs={R}&metric=%00", None, {}, 400, ["metric"]),
    ("GET", f"/api/compare?runs={R}&start=5&end=2", None, {}, 400, ["end"]),
    # path tricks and unknown routes
    ("GET", "/api/runs/1/../../etc/passwd", None, {}, 404, ["no route"]),
    ("GET", "/api/runs/%2e%2e/series/return", None, {}, 400, ["run_id", ".."]),
    ("GET", f"/api/runs/{R}/series/..%2f..%2fsecret", None, {}, 404, ["no route"]),
    ("GET", "/api/runs/1;DROP TABLE runs", None, {}, 400, ["run_id"]),
    ("PUT", f"/api/runs/{R}", None, {}, 405, ["PUT", "allowed: GET, DELETE"]),
    ("DELETE", f"/api/runs/{R}", None, {}, 415, ["Content-Type", "application/json"]),
    ("PUT", "/api/runs", {}, {}, 405, ["PUT", "allowed: GET, POST"]),
    ("GET", f"/api/runs/{R}/pause", None, {}, 405, ["GET", "allowed: POST"]),
    ("GET", f"/api/runs/{R}/params", None, {}, 405, ["GET", "allowed: POST"]),
    ("PATCH", f"/api/runs/{R}/params", {}, {}, 405, ["PATCH", "allowed: POST"]),
    ("POST", f"/api/runs/{R}", {}, {}, 405, ["POST", "allowed: GET"]),
    ("POST", "/api/compare", {}, {}, 405, ["POST", "allowed: GET"]),
    ("DELETE", f"/api/runs/{R}/export.csv", None, {}, 405, ["allowed: GET"]),
    ("PUT", f"/api/runs/{R}/checkpoints/latest", {}, {}, 405, ["allowed: GET"]),
    ("DELETE", "/api/nowhere", None, {}, 404, ["no route", "DELETE"]),
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
    ("POST", "/api/runs", "", JSON, 400, ["body", "empty", "a JSON object"]),
    ("POST", "/api/runs", " \n\t ", JSON, 400, ["body", "empty"]),
    ("POST", "/api/runs", None, JSON, 400, ["body", "empty"]),
    ("POST", "/api/runs", "null", {}, 400, ["body=None", "not an object"]),
    ("POST", "/api/runs", '"easy"', {}, 400, ["body='easy'", "not an object"]),
    ("POST", "/api/runs", "5", {}, 400, ["body=5", "not an object"]),
    ("POST", "/api/runs", "true", {}, 400, ["body=True", "not an object"]),
    ("POST", "/api/runs", b'{"name": "\xff"}', {}, 400, ["body", "UTF-8"]),
    ("POST", "/api/runs", '{"a": 1} {"b": 2}', {}, 400, ["body", "not JSON"]),
    ("POST", "/api/runs", '{"episodes": -1, "episodes": 100}', {}, 400, ["episodes", "twice"]),
    ("POST", "/api/runs", '{"params": {"alpha": 2, "alpha": 0.1}}', {}, 400, ["alpha", "twice"]),
    ("POST", "/api/runs", '{"params": ' + deep(20_000) + "}", {}, 400, ["params", "nested"]),
    ("POST", "/api/runs", deep(30_000), {}, 400, ["body", "nested", "100 levels"]),
    ("POST", "/api/runs", '{"name": ' + deep(5_000, '"x"') + "}", {}, 400, ["name", "nested"]),
    ("POST", "/api/runs", '{"a": ' * 3000 + "1" + "}" * 3000, {}, 400, ["a", "nested"]),
    ("POST", "/api/runs", '{"desc": ' + deep(101, '"S"') + "}", {}, 400, ["desc", "nested"]),
    ("POST", "/api/runs", '{"params": {"alpha": 1e400}}', {}, 400, ["alpha=inf", "finite"]),
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
    ("POST", "/api/runs", '{"name": "a\\ud800b"}', {}, 400, ["name", "lone surrogate U+D800"]),
    ("POST", "/api/runs", '{"name": "\\udc00"}', {}, 400, ["name", "lone surrogate"]),
    ("POST", "/api/runs", {"name": "a\x00b"}, {}, 400, ["name", "control character U+0000"]),
    ("POST", "/api/runs", {"name": "bell\x07"}, {}, 400, ["name", "U+0007"]),
    ("POST", "/api/runs", {"name": "two\nlines"}, {}, 400, ["name", "U+000A"]),
    ("POST", "/api/runs", {"name": "rtl\u202eexe"}, {}, 400, ["name", "bidirectional"]),
    ("POST", "/api/runs", {"name": ""}, {}, 400, ["name", "empty"]),
    ("POST", "/api/runs", {"name": "   "}, {}, 400, ["name", "empty"]),
    ("POST", "/api/runs", {"name": 5}, {}, 400, ["name=5", "not text"]),
    ("POST", "/api/runs", {"name": ["a"]}, {}, 400, ["name=['a']", "not text"]),
    ("POST", "/api/runs", {"name": {"x": 1}}, {}, 400, ["name", "not text"]),
    ("POST", "/api/runs", {"env": "x" * 5000}, {}, 400, ["env=", "not a registered"]),
    ("POST", "/api/runs", {"env": 5}, {}, 400, ["env=5", "not a string"]),
    ("POST", "/api/runs", {"env": ["GridWorld-v0"]}, {}, 400, ["env=", "not a string"]),
    ("POST", "/api/runs", {"env": "GridWorld-v0\x00"}, {}, 400, ["env=", "registered"]),
    ("POST", "/api/runs", '{"env": "\\ud800"}', {}, 400, ["env=", "registered"]),
    ("POST", "/api/runs", {"env": "Taxi-v4", "preset": "easy"}, {}, 400, ["preset", "GridWorld"]),
    ("POST", "/api/runs", {"desc": ["S" + "." * 100 + "G"]}, {}, 400, ["desc", "102 columns"]),
    ("POST", "/api/runs", {"desc": ["SG"] + [".."] * 101}, {}, 400, ["desc", "102 rows"]),
    ("POST", "/api/runs", {"desc": {"rows": 1}}, {}, 400, ["desc", "list of row strings"]),
    ("POST", "/api/runs", {"desc": ["S.", 5]}, {}, 400, ["desc", "row 2"]),
    ("POST", "/api/runs", {"desc": "S.\n.G", "preset": "easy"}, {}, 400, ["preset", "desc"]),
    ("POST", "/api/runs", {"preset": 5}, {}, 400, ["preset=5", "easy"]),
    ("POST", "/api/runs", {"preset": ["easy"]}, {}, 400, ["preset=['easy']"]),
    ("POST", "/api/runs", {"episodes": "1_000"}, {}, 400, ["episodes=1_000", "whole number"]),
    ("POST", "/api/runs", {"episodes": "١٠٠"}, {}, 400, ["episodes=", "whole number"]),
    ("POST", "/api/runs", {"episodes": "1e3"}, {}, 400, ["episodes=1e3", "whole number"]),
    ("POST", "/api/runs", {"episodes": "0x10"}, {}, 400, ["episodes='0x10'"]),
    ("POST", "/api/runs", {"episodes": ""}, {}, 400, ["episodes=''"]),
    ("POST", "/api/runs", {"episodes": None}, {}, 400, ["episodes=None"]),
    ("POST", "/api/runs", {"episodes": True}, {}, 400, ["episodes=True"]),
    ("POST", "/api/runs", {"episodes": 2.5}, {}, 400, ["episodes=2.5"]),
    ("POST", "/api/runs", {"episodes": [5]}, {}, 400, ["episodes=[5]"]),
    ("POST", "/api/runs", {"episodes": 10**30}, {}, 400, ["episodes", "out of range"]),
    ("POST", "/api/runs", {"seed": -1}, {}, 400, ["seed=-1"]),
    ("POST", "/api/runs", {"seed": 2**32}, {}, 400, ["seed=4294967296", "4294967295"]),
    ("POST", "/api/runs", {"seed": "١"}, {}, 400, ["seed=", "whole number"]),
    ("POST", "/api/runs", {"seed": None}, {}, 400, ["seed=None"]),
    ("POST", "/api/runs", {"checkpoint_every": 0}, {}, 400, ["checkpoint_every=0"]),
    ("POST", "/api/runs", {"checkpoint_every": "x"}, {}, 400, ["checkpoint_every='x'"]),
    (
        "POST",
        "/api/runs",
        {"algorithm": "td_lambda"},
        {},
        400,
        ["algorithm='td_lambda'", "unknown algorithm", "q_learning, sarsa, expected_sarsa"],
    ),
    ("POST", "/api/runs", {"algorithm": 1}, {}, 400, ["algorithm=1", "not text"]),
    ("POST", "/api/runs", {"params": None}, {}, 400, ["params=None", "object"]),
    ("POST", "/api/runs", {"params": {"alpha": "0.1_0"}}, {}, 400, ["alpha=0.1_0", "number"]),
    ("POST", "/api/runs", {"params": {"alpha": "٠.٥"}}, {}, 400, ["alpha=", "not a number"]),
    ("POST", "/api/runs", {"params": {"alpha": {"x": 1}}}, {}, 400, ["alpha=", "number"]),
    ("POST", "/api/runs", {"params": {"gamma": "inf"}}, {}, 400, ["gamma='inf'", "finite"]),
    ("POST", "/api/runs", {"params": {"epsilon_decay": 0}}, {}, 400, ["epsilon_decay=0"]),
    ("POST", "/api/runs", {"params": {"\ud800": 1}}, {}, 400, ["unknown hyperparameter"]),
    # parameter changes
    ("POST", f"/api/runs/{R}/params", {}, {}, 400, ["params", "at least one"]),
    ("POST", f"/api/runs/{R}/params", {"alpha": -1}, {}, 400, ["alpha=-1"]),
    ("POST", f"/api/runs/{R}/params", {"gamma": "x"}, {}, 400, ["gamma='x'"]),
    ("POST", f"/api/runs/{R}/params", {"gamma": None}, {}, 400, ["gamma=None"]),
    ("POST", f"/api/runs/{R}/params", {"epsilon_min": 2}, {}, 400, ["epsilon_min"]),
    ("POST", f"/api/runs/{R}/params", "[]", {}, 400, ["params"]),
    ("POST", f"/api/runs/{R}/params", "", JSON, 400, ["body", "empty"]),
    ("POST", f"/api/runs/{R}/params", "null", {}, 400, ["params=None"]),
    ("POST", f"/api/runs/{R}/params", '{"alpha": 0.2, "alpha": 0.3}', {}, 400, ["alpha", "twice"]),
    ("POST", f"/api/runs/{R}/params", '{"alpha": ' + deep(500) + "}", {}, 400, ["alpha", "nested"]),
    ("POST", f"/api/runs/{R}/params", {"alpha": "١"}, {}, 400, ["alpha=", "not a number"]),
    ("POST", f"/api/runs/{R}/params", {"episodes": 5}, {}, 400, ["episodes", "unknown"]),
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
    ("POST", f"/api/runs/{P}/resume", [1, 2], {}, 400, ["body=[1, 2]", "not an object"]),
    ("POST", f"/api/runs/{R}/pause", "null", {}, 400, ["body=None", "not an object"]),
    ("POST", f"/api/runs/{R}/stop", '"stop"', {}, 400, ["body='stop'", "not an object"]),
    ("POST", f"/api/runs/{R}/pause", "{oops", {}, 400, ["body", "not JSON"]),
    ("POST", f"/api/runs/{R}/pause", deep(200), {}, 400, ["body", "nested"]),
    ("POST", f"/api/runs/{R}/stop", '{"a": 1, "a": 2}', {}, 400, ["a", "twice"]),
    ("POST", "/api/runs/0/pause", {}, {}, 400, ["run_id=0"]),
    ("POST", "/api/runs/1e3/stop", {}, {}, 400, ["run_id=1e3"]),
    ("POST", f"/api/runs/{R}/pause", {}, {"Origin": "null"}, 403, ["Origin='null'"]),
    (
        "POST",
        f"/api/runs/{R}/pause",
        None,
        {"Content-Type": "multipart/form-data"},
        415,
        ["application/json"],
    ),
    # forks (the seeded runs' checkpoints hold no agent state: 409, nothing written)
    ("POST", f"/api/runs/{R}/fork", {"at": 7}, {}, 404, ["no checkpoint at episode 7", "250"]),
    ("POST", f"/api/runs/{R}/fork", {"at": "x"}, {}, 400, ["at='x'", "a checkpoint episode"]),
    ("POST", f"/api/runs/{R}/fork", {"at": 0}, {}, 400, ["at=0", "out of range"]),
    ("POST", f"/api/runs/{R}/fork", {"pace": 2}, {}, 400, ["pace=2", "unknown field", "at,"]),
    ("POST", f"/api/runs/{R}/fork", {"hyperparams": {"alpha": 2}}, {}, 400, ["alpha=2"]),
    ("POST", f"/api/runs/{R}/fork", {"hyperparams": 1}, {}, 400, ["hyperparams=1", "object"]),
    ("POST", f"/api/runs/{R}/fork", {"algorithm": "x"}, {}, 400, ["algorithm='x'", "unknown"]),
    ("POST", f"/api/runs/{R}/fork", {"episodes": 250}, {}, 400, ["episodes=250", "from 251"]),
    ("POST", f"/api/runs/{R}/fork", {"desc": ["SG"]}, {}, 400, ["desc", "2 states", "25 states"]),
    ("POST", f"/api/runs/{R}/fork", {"desc": ["S#"]}, {}, 400, ["desc"]),
    ("POST", f"/api/runs/{R}/fork", {"name": ""}, {}, 409, ["holds no agent to continue"]),
    ("POST", f"/api/runs/{F}/fork", {}, {}, 409, ["checkpoint at episode 120", "no agent"]),
    ("POST", f"/api/runs/{R}/fork", "[1]", {}, 400, ["body=[1]", "not an object"]),
    ("POST", f"/api/runs/{R}/fork", {}, FOREIGN, 403, ["Origin"]),
    ("POST", "/api/runs/999/fork", {}, {}, 404, ["run 999 not found"]),
    ("POST", "/api/runs/0/fork", {}, {}, 400, ["run_id=0"]),
    ("GET", f"/api/runs/{R}/fork", None, {}, 405, ["GET", "allowed: POST"]),
    ("GET", "/api/runs/999/lineage", None, {}, 404, ["run 999 not found"]),
    # experiments
    ("GET", "/api/experiments/abc", None, {}, 400, ["experiment_id='abc'", "whole number"]),
    ("GET", "/api/experiments/0", None, {}, 400, ["experiment_id=0"]),
    ("GET", "/api/experiments/999", None, {}, 404, ["experiment 999 not found"]),
    ("DELETE", "/api/experiments", None, {}, 405, ["DELETE", "allowed: GET, POST"]),
    ("POST", "/api/experiments/1", {}, {}, 405, ["POST", "allowed: GET"]),
    ("POST", "/api/experiments", "", JSON, 400, ["body", "empty"]),
    ("POST", "/api/experiments", "[1]", {}, 400, ["body=[1]", "not an object"]),
    ("POST", "/api/experiments", "{oops", {}, 400, ["body", "not JSON"]),
    ("POST", "/api/experiments", '{"seeds": 2, "seeds": 3}', {}, 400, ["seeds", "twice"]),
    ("POST", "/api/experiments", "x", {"Content-Type": "text/plain"}, 415, ["application/json"]),
    ("POST", "/api/experiments", {"space": {"alpha": [0.1]}}, FOREIGN, 403, ["Origin"]),
    ("POST", "/api/experiments", {"colour": "red"}, {}, 400, ["colour", "unknown field"]),
    ("POST", "/api/experiments", {"method": "anneal"}, {}, 400, ["method='anneal'", "tpe"]),
    ("POST", "/api/experiments", {"space": {"alpha": [0, 0.1]}}, {}, 400, ["alpha=0", "0 < x"]),
    ("POST", "/api/experiments", {"space": {"alpha": 0.1}}, {}, 400, ["alpha=0.1", "list"]),
    ("POST", "/api/experiments", {"space": {"beta": [1]}}, {}, 400, ["beta", "unknown parameter"]),
    ("POST", "/api/experiments", {"space": [0.1]}, {}, 400, ["space=[0.1]", "not an object"]),
    (
        "POST",
        "/api/experiments",
        {"space": {"alpha": {"low": 0.5, "high": 0.1, "steps": 2}}},
        {},
        400,
        ["alpha", "low < high"],
    ),
    (
        "POST",
        "/api/experiments",
        {"space": {"alpha": {"low": 0.1, "high": 1}}},
        {},
        400,
        ["alpha.steps", "missing"],
    ),
    (
        "POST",
        "/api/experiments",
        {"method": "tpe", "budget": 3, "space": {"gamma": {"low": 0, "high": 1, "scale": "log"}}},
        {},
        400,
        ["gamma.low=0", "log"],
    ),
    (
        "POST",
        "/api/experiments",
        {"space": {"epsilon": [0.01, 1]}},
        {},
        400,
        ["epsilon_min", "epsilon=0.01"],
    ),
    ("POST", "/api/experiments", {"method": "random"}, {}, 400, ["space={}", "empty"]),
    (
        "POST",
        "/api/experiments",
        {"method": "random", "space": {"alpha": [0.1]}},
        {},
        400,
        ["budget", "missing"],
    ),
    ("POST", "/api/experiments", {"budget": 0}, {}, 400, ["budget=0"]),
    ("POST", "/api/experiments", {"seeds": 0}, {}, 400, ["seeds=0", "1 to 100"]),
    ("POST", "/api/experiments", {"seeds": True}, {}, 400, ["seeds=True"]),
    ("POST", "/api/experiments", {"objective": "speed"}, {}, 400, ["objective='speed'"]),
    (
        "POST",
        "/api/experiments",
        {"objective": "episodes_to_threshold"},
        {},
        400,
        ["threshold", "missing"],
    ),
    ("POST", "/api/experiments", '{"threshold": NaN}', {}, 400, ["threshold=nan", "finite"]),
    ("POST", "/api/experiments", {"pruner": "hyperband"}, {}, 400, ["pruner='hyperband'"]),
    ("POST", "/api/experiments", {"slots": -1}, {}, 400, ["slots=-1"]),
    ("POST", "/api/experiments", {"base": []}, {}, 400, ["base=[]", "not an object"]),
    ("POST", "/api/experiments", {"base": {"episodes": 0}}, {}, 400, ["episodes=0"]),
    ("POST", "/api/experiments", {"base": {"env_id": "CartPole-v1"}}, {}, 400, ["Discrete"]),
    ("POST", "/api/experiments", {"base": {"name": "x"}}, {}, 400, ["base.name"]),
    ("POST", "/api/experiments", {"name": "a\x00b"}, {}, 400, ["name", "U+0000"]),
    ("POST", "/api/experiments", {"name": "n" * 101}, {}, 400, ["name", "100"]),
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
    if isinstance(body, str | bytes):
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
    assert len(BAD_REQUESTS) >= 150
