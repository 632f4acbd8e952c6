"""The server behind ``dash_duo``: stopped by shutting it down, never by killing its threads.

dash[testing]'s ``ThreadedRunner`` stops a Flask app with ``KillerThread.kill()``: it raises
``SystemExit`` asynchronously (``PyThreadState_SetAsyncExc``) in every thread started since
the server was, wherever each one happens to be. A request thread in the middle of a
callback dies inside SQLAlchemy, and pytest reports that as an unhandled thread exception
(an error under ``filterwarnings = error``); a thread the test itself started meanwhile is
hit too. It also counts ports up from 58050 in every process, so two suites on one machine
can start on the same port and one of them ends up talking to the other's server.

``GracefulRunner`` serves the app on a port the kernel picks and stops the way a server
should: no new connections, every request in flight answered, connections that never sent
a request closed, every thread joined.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

import dash
from dash.testing.application_runners import BaseDashRunner
from dash.testing.errors import TestingTimeoutError
from werkzeug.serving import ThreadedWSGIServer

HOST = "127.0.0.1"


class _ClosableServer(ThreadedWSGIServer):
    """Werkzeug's threaded WSGI server, keeping its open connections and request threads.

    socketserver joins only non-daemon request threads on close, and werkzeug's are daemon
    threads: this server keeps them itself, so ``close_connections`` can wait for each.
    (Werkzeug answers every request with ``Connection: close``; a connection stays open
    only until its one request is answered, or, if a browser opened it ahead of need,
    until a request comes.)
    """

    def __init__(self, host: str, port: int, app: Any) -> None:
        super().__init__(host, port, app)
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._request_threads: list[threading.Thread] = []

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection in a daemon thread of its own (as werkzeug does); keep both."""
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        with self._lock:
            self._open.add(request)
            self._request_threads = [alive for alive in self._request_threads if alive.is_alive()]
            self._request_threads.append(thread)
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        """Forget the connection, then close it (as werkzeug does)."""
        with self._lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self, timeout: float) -> bool:
        """Close every connection once its request in flight is answered; wait for its thread.

        Shutting the reading side makes a connection that is still waiting for its request
        read end-of-file and close at once; a request being handled is answered first
        (writing still works).

        Args:
            timeout: seconds to wait for the request threads, all together.

        Returns:
            Whether every request thread ended in time.
        """
        with self._lock:
            for connection in self._open:
                with contextlib.suppress(OSError):  # the client may have closed it already
                    connection.shutdown(socket.SHUT_RD)
            threads = list(self._request_threads)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)


class GracefulRunner(BaseDashRunner):
    """A drop-in for dash[testing]'s ``ThreadedRunner`` (the ``dash_thread_server`` fixture)."""

    def __init__(self, stop_timeout: float = 10) -> None:
        """Create a runner; ``stop()`` fails if the server needs more than ``stop_timeout`` s."""
        super().__init__(keep_open=False, stop_timeout=stop_timeout, host=HOST)
        self._server: _ClosableServer | None = None
        self._thread: threading.Thread | None = None

    def start(self, app: dash.Dash, port: int = 0, **dev_tools: Any) -> None:
        """Serve ``app`` from a thread; connections are accepted as soon as this returns.

        Args:
            app: the Dash app.
            port: the port to listen on; 0 (the default) lets the kernel pick a free one.
            **dev_tools: Dash dev-tools options, as ``ThreadedRunner`` passes to ``app.run``.
        """
        app.scripts.config.serve_locally = True
        app.css.config.serve_locally = True
        app.enable_dev_tools(
            **{"debug": False, "dev_tools_disable_version_check": True, **dev_tools}
        )
        self._server = _ClosableServer(HOST, port, app.server)
        self.port = self._server.port
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"dash server :{self.port}", daemon=True
        )
        self._thread.start()
        self.started = True

    def stop(self) -> None:
        """Stop accepting, answer the requests in flight, close every connection, join.

        Raises:
            TestingTimeoutError: the server's threads did not end within ``stop_timeout`` s.
        """
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()  # serve_forever returns and closes the listening socket
        self._thread.join(self.stop_timeout)
        if self._thread.is_alive() or not self._server.close_connections(self.stop_timeout):
            raise TestingTimeoutError(f"the dash server on port {self.port} did not stop")
        self._server = self._thread = None
        self.started = False
