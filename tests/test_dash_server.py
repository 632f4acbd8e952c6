"""The browser tests' server stops cleanly: requests in flight are answered, no thread killed."""

from __future__ import annotations

import http.client
import socket
import threading

import dash
from dash import html

from tests.dash_server import HOST, GracefulRunner
from tests.trainer.support import wait_for


def _refuses(port: int) -> bool:
    """Return whether nothing listens on ``port`` any more."""
    try:
        socket.create_connection((HOST, port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    except ConnectionResetError:  # accepted into the backlog as the listening socket closed
        return False
    return False


def _get(port: int, path: str, answers: list[tuple[int, bytes]]) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    answers.append((response.status, response.read()))
    connection.close()


def test_stop_answers_the_request_in_flight_closes_idle_connections_and_joins_threads():
    entered, release = threading.Event(), threading.Event()
    app = dash.Dash(__name__)
    app.layout = html.Div("up")

    @app.server.route("/slow")
    def slow() -> str:
        entered.set()
        release.wait(30)
        return "answered"

    threads_before = set(threading.enumerate())
    runner = GracefulRunner()
    runner.start(app)
    idle = socket.create_connection((HOST, runner.port), timeout=30)  # as a browser preconnects
    answers: list[tuple[int, bytes]] = []
    client = threading.Thread(target=_get, args=(runner.port, "/slow", answers))
    client.start()
    wait_for(entered.is_set, 10, "the slow request to arrive")

    stopping = threading.Thread(target=runner.stop)
    stopping.start()
    wait_for(lambda: _refuses(runner.port), 10, "the server to stop accepting")
    assert stopping.is_alive()  # still waiting for the request in flight
    release.set()
    stopping.join(15)
    client.join(15)

    assert not stopping.is_alive() and not runner.started
    assert answers == [(200, b"answered")]
    assert idle.recv(1) == b""  # the server closed the connection that sent no request
    idle.close()
    assert set(threading.enumerate()) <= threads_before
