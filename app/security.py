"""Who may talk to the dashboard: the hosts it serves and the pages that may change anything.

Two rules, checked before any route runs (the API's, Dash's pages, assets and callback
endpoint alike):

- **Host** (DNS rebinding): a page on ``evil.example`` whose name an attacker points at
  127.0.0.1 reaches this server with ``Host: evil.example``. Only the hosts the server was
  started for are served: 127.0.0.1, localhost and [::1] on its port, the ``--host`` it
  listens on, and each ``--allowed-host`` (a name behind a reverse proxy). An allowed host
  written without a port is served on any port.
- **Origin** (cross-site requests): a request that can change anything (every method but
  GET, HEAD and OPTIONS) must come from a page of this dashboard (an ``Origin`` with the
  request's own host, http or https) or carry no ``Origin`` (curl, scripts).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, request

LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
"""The names of this machine a browser on it uses."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing, so any page may send them."""


def served_hosts(host: str, port: int, allowed: Iterable[str]) -> tuple[str, ...]:
    """Return the ``Host`` values a dashboard started on ``host:port`` serves.

    Args:
        host: the address it listens on (``--host``).
        port: the port it listens on (``--port``).
        allowed: further hosts (``--allowed-host``), each ``name`` or ``name:port``.

    Returns:
        The loopback names and ``host`` on ``port``, then ``allowed``, lowercase and without
        repeats (an IPv6 ``host`` in brackets, as a ``Host`` header writes it).
    """
    name = f"[{host}]" if ":" in host and not host.startswith("[") else host
    listed = [f"{loopback}:{port}" for loopback in (*LOOPBACK, name)]
    listed += allowed
    return tuple(dict.fromkeys(entry.strip().lower() for entry in listed))


def init_app(server: Flask, allowed_hosts: Sequence[str] | None = None) -> None:
    """Check the Host and Origin of every request ``server`` receives, before its route.

    Args:
        server: the Flask server (Dash's ``app.server``).
        allowed_hosts: the ``Host`` values served (``served_hosts``); None serves the
            loopback names on any port.
    """
    hosts = tuple(entry.lower() for entry in allowed_hosts or LOOPBACK)

    def guard() -> tuple[Response, int] | None:
        refused = host_refusal(request.host, hosts)
        if refused is not None:
            return jsonify({"error": refused, "field": "Host"}), 400
        refused = origin_refusal(request.method, request.headers.get("Origin"), request.host)
        if refused is not None:
            return jsonify({"error": refused, "field": "Origin"}), 403
        return None

    server.before_request(guard)


def host_refusal(host: str, allowed: Sequence[str]) -> str | None:
    """Return why a request with ``Host: host`` is not served, or None when it is.

    Args:
        host: the request's host (werkzeug's ``request.host``: "" for a malformed one).
        allowed: served hosts, each ``name:port`` or ``name`` (any port), lowercase.

    Returns:
        None, or a message naming the host and what is served.
    """
    wanted = host.lower()
    name, _, port = wanted.rpartition(":")
    if not (port.isdigit() and not name.endswith(":")):
        name = wanted  # no port (or the end of an IPv6 address)
    if wanted and (wanted in allowed or name in allowed):
        return None
    return (
        f"Host={host!r} is not served by this dashboard; allowed: {', '.join(allowed)}"
        " (start the dashboard with --allowed-host NAME to serve another name, e.g. behind"
        " a reverse proxy)"
    )


def origin_refusal(method: str, origin: str | None, host: str) -> str | None:
    """Return why a request from ``origin`` may not change anything, or None when it may.

    Args:
        method: the request's method (safe methods are always allowed).
        origin: its ``Origin`` header, or None without one.
        host: the request's host (already served, so a page of that host is ours).

    Returns:
        None, or a message naming the origin and what is allowed.
    """
    if method in SAFE_METHODS or origin is None:
        return None
    try:
        parts = urlsplit(origin)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        parts = urlsplit("")
    if parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower() and host:
        return None
    return (
        f"Origin={origin!r} is not allowed; allowed: a page of this dashboard"
        f" (http://{host} or https://{host}) or no Origin header"
    )
