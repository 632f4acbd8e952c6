"""Who may talk to the dashboard: only the hosts it was started for (DNS rebinding), and only
pages of its own origin may change anything, through the API or Dash's callback endpoint."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import ids
from app.factory import create_app
from app.security import served_hosts
from tests.cli.support import RUN_PY
from tests.dashboard_support import snapshot

EVIL = "evil.example:8050"
LOCAL = "127.0.0.1:8050"

# Every kind of route: the API (read and write), Dash's pages, its assets, its layout and
# dependencies, its callback endpoint, and paths no route serves.
ROUTES = [
    ("GET", "/api/runs", None),
    ("GET", "/api/runs/{running}", None),
    ("GET", "/api/runs/{running}/export.csv", None),
    ("GET", "/api/compare?runs={running}", None),
    ("POST", "/api/runs", {"preset": "easy", "episodes": 5}),
    ("POST", "/api/runs/{running}/pause", {}),
    ("POST", "/api/runs/{running}/stop", {}),
    ("POST", "/api/runs/{running}/params", {"alpha": 0.5}),
    ("GET", "/", None),
    ("GET", "/runs/{running}", None),
    ("GET", "/compare", None),
    ("GET", "/assets/gridlab.css", None),
    ("GET", "/_dash-layout", None),
    ("GET", "/_dash-dependencies", None),
    ("POST", "/_dash-update-component", {"output": "x.children", "inputs": []}),
    ("GET", "/no/such/page", None),
    ("GET", "/api/no-such-route", None),
]


def _ids() -> list[str]:
    return [f"{method}-{path}" for method, path, _ in ROUTES]


def _send(client, method: str, path: str, body: object, headers: dict[str, str]):
    """Send one request through the Flask test client and return the response."""
    return client.open(path, method=method, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=_ids())
def test_a_foreign_host_is_refused_before_any_route_runs(
    client, store_url, runs, method, path, body
):
    before = snapshot(store_url)
    headers = {"Host": EVIL, "Origin": f"http://{EVIL}"}
    response = _send(client, method, path.format(**vars(runs)), body, headers)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert "Host" in error and EVIL in error and "--allowed-host" in error
    assert snapshot(store_url) == before


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8050", "localhost:8050", "[::1]:8050", "localhost", "LOCALHOST:9999"]
)
def test_the_loopback_names_are_served_on_any_port_by_default(client, host):
    response = client.get("/api/runs", headers={"Host": host})
    assert response.status_code == 200, response.get_data(as_text=True)
    with client.get("/assets/gridlab.css", headers={"Host": host}) as asset:
        assert asset.status_code == 200


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "127.0.0.1.evil.example:8050",
        "localhost.:8050",
        "127.0.0.2:8050",
        "[::2]:8050",
        "",
        "local host",
        "localhost:8050@evil.example",
    ],
)
def test_other_hosts_are_refused_by_default(client, host):
    response = client.get("/api/runs", headers={"Host": host})
    assert response.status_code == 400, (host, response.get_data(as_text=True)[:200])


def test_the_hosts_a_started_dashboard_serves_are_its_port_and_the_names_it_was_given():
    hosts = served_hosts("0.0.0.0", 8050, ["gridlab.example.com", "Proxy.Example:8443"])
    assert hosts == (
        "127.0.0.1:8050",
        "localhost:8050",
        "[::1]:8050",
        "0.0.0.0:8050",
        "gridlab.example.com",
        "proxy.example:8443",
    )
    assert served_hosts("::1", 9000, []) == ("127.0.0.1:9000", "localhost:9000", "[::1]:9000")


@pytest.fixture
def proxied(store_url, runs):
    """A dashboard served on port 8050 and behind a proxy named gridlab.example.com."""
    hosts = served_hosts("127.0.0.1", 8050, ["gridlab.example.com", "10.0.0.5:8443"])
    app = create_app(store_url, allowed_hosts=hosts)
    yield app.server.test_client()
    app.server.extensions["gridlab.store"].close()


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:8050", 200),
        ("localhost:8050", 200),
        ("[::1]:8050", 200),
        ("gridlab.example.com", 200),
        ("gridlab.example.com:443", 200),
        ("10.0.0.5:8443", 200),
        ("127.0.0.1:8051", 400),
        ("localhost:3000", 400),
        ("10.0.0.5:8050", 400),
        ("10.0.0.5", 400),
        ("evil.example:8050", 400),
        ("gridlab.example.com.evil.example", 400),
    ],
)
def test_a_started_dashboard_serves_its_port_and_the_allowed_hosts_only(proxied, host, status):
    assert proxied.get("/api/runs", headers={"Host": host}).status_code == status


# -- the origin rule: the API and Dash's callback endpoint alike ---------------------------


def _pause_request(client, run_id: int) -> dict:
    """Return the Dash callback request the run page's Pause button sends for ``run_id``."""
    deps = client.get("/_dash-dependencies").get_json()
    (control,) = [d for d in deps if f"{ids.RUN_ACTION_MESSAGE}.children" in d["output"]]
    outputs = [
        {"id": o.split(".")[0], "property": o.split(".")[1].split("@")[0]}
        for o in control["output"].strip(".").split("...")
    ]
    return {
        "output": control["output"],
        "outputs": outputs,
        "inputs": [
            {"id": item["id"], "property": item["property"], "value": 1 if i == 0 else None}
            for i, item in enumerate(control["inputs"])
        ],
        "changedPropIds": [f"{control['inputs'][0]['id']}.n_clicks"],
        "state": [{"id": ids.RUN_ID, "property": "data", "value": run_id}],
    }


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example", "http://localhost.evil.example", "null", "http://localhost:8050"],
)
def test_dash_callbacks_from_a_foreign_origin_are_refused(client, store_url, runs, origin):
    payload = _pause_request(client, runs.running)
    assert payload["inputs"][0]["id"] == ids.RUN_PAUSE
    before = snapshot(store_url)
    response = client.post("/_dash-update-component", json=payload, headers={"Origin": origin})
    assert response.status_code == 403, response.get_data(as_text=True)[:300]
    assert "Origin" in response.get_json()["error"] and origin in response.get_json()["error"]
    assert snapshot(store_url) == before
    # the same request from the dashboard's own page (or without Origin) pauses the run
    own = client.post(
        "/_dash-update-component", json=payload, headers={"Origin": "http://localhost"}
    )
    assert own.status_code == 200, own.get_data(as_text=True)[:300]
    assert snapshot(store_url) != before


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/runs", {"preset": "easy", "episodes": 5}),
        ("/api/runs/{running}/pause", {}),
        ("/api/runs/{running}/params", {"alpha": 0.5}),
        ("/_dash-update-component", {"output": "x.children"}),
    ],
)
def test_one_origin_rule_answers_the_api_and_dash_alike(client, runs, path, body):
    response = client.post(
        path.format(**vars(runs)), json=body, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert response.get_json()["error"] == (
        "Origin='https://evil.example' is not allowed; allowed: a page of this dashboard"
        " (http://localhost or https://localhost) or no Origin header"
    )


# -- the command line: --allowed-host ------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(port: int, host: str) -> int:
    """Return the status of ``GET /api/runs`` sent to 127.0.0.1:port with ``Host: host``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/api/runs", headers={"Host": host})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _wait_for_dashboard(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if _status(port, f"127.0.0.1:{port}") == 200:
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def test_the_dashboard_command_serves_the_hosts_named_by_allowed_host(tmp_path):
    port, log = _free_port(), tmp_path / "dashboard.log"
    command = [sys.executable, RUN_PY, "--db", str(tmp_path / "s.sqlite"), "--port", str(port)]
    command += ["--allowed-host", "gridlab.example.com", "--allowed-host", "other.example:81"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=output, env={**os.environ, "PYTHONPATH": "."}
        )
    try:
        _wait_for_dashboard(process, port, log)
        assert _status(port, f"localhost:{port}") == 200
        assert _status(port, "gridlab.example.com") == 200
        assert _status(port, "other.example:81") == 200
        assert _status(port, "other.example") == 400
        assert _status(port, f"evil.example:{port}") == 400
        assert _status(port, f"localhost:{port + 1}") == 400
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in log.read_text()
