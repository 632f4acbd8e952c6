"""``pip install .`` gives a working ``gridlab`` command: built, installed and run offline.

The wheel is built from a copy of the sources and installed into a throwaway folder; the
installed ``gridlab`` serves the dashboard from a working directory outside the clone, so
only the installed packages can answer.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "gridworld", "runstore", "assets")
SOURCES = (*PACKAGES, "setup.cfg", "pyproject.toml", "README.md")
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 15


class _AssetLinks(HTMLParser):
    """Collects the ``/assets/`` stylesheets and scripts a page links (query strings cut)."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        url = values.get("href") if tag == "link" and values.get("rel") == "stylesheet" else None
        url = values.get("src") if tag == "script" else url
        if url and url.startswith("/assets/"):
            self.paths.append(url.split("?")[0])


def _pip(*args: str | Path) -> None:
    """Run this interpreter's pip offline; fail with its output if it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", *map(str, args), "--no-index", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _build_and_install(tmp_path: Path) -> tuple[Path, Path]:
    """Build the wheel from a copy of the sources and install it; return (wheel, site)."""
    source, dist, site = tmp_path / "src", tmp_path / "dist", tmp_path / "site"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    _pip("wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", dist, source)
    (wheel,) = dist.glob("gridlab-*.whl")
    _pip("install", "--no-deps", "--target", site, wheel)
    return wheel, site


def _repo_files(package: str) -> set[str]:
    """Return the clone's files of one top-level folder, as paths inside a wheel."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def _free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _take_ctrl_c() -> None:
    """Run in the child before exec: SIGINT back to its default disposition.

    A shell without job control starts background commands with SIGINT ignored, a child
    inherits that, and Python then installs no KeyboardInterrupt handler: run from such a
    job (``pytest &`` in a script), the dashboard would not hear the test's Ctrl-C.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _get(url: str) -> tuple[int, bytes]:
    """Return the status and body of a GET."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def _wait_until_serving(process: subprocess.Popen, url: str, log: Path) -> bytes:
    """Poll ``url`` until it answers 200 (within START_TIMEOUT_S); return the body."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        assert process.poll() is None, f"gridlab exited {process.returncode}:\n{log.read_text()}"
        try:
            status, body = _get(url)
        except (urllib.error.URLError, ConnectionError):
            status, body = 0, b""
        if status == 200:
            return body
        assert time.monotonic() < deadline, f"no dashboard at {url}:\n{log.read_text()}"
        time.sleep(0.1)


def _start_gridlab(site: Path, workdir: Path, port: int, db: str, log: Path) -> subprocess.Popen:
    """Start the installed ``gridlab`` dashboard, its output into ``log``; return the process."""
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, str(site / "bin" / "gridlab"), "--port", str(port), "--db", db],
            cwd=workdir,
            env={**os.environ, "PYTHONPATH": str(site)},
            stdout=output,
            stderr=output,
            preexec_fn=_take_ctrl_c,
        )


def test_the_installed_gridlab_command_serves_the_dashboard_and_its_assets(tmp_path):
    wheel, site = _build_and_install(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    for package in PACKAGES:  # every file of the four folders: pages, assets, py.typed too
        assert _repo_files(package) <= shipped, _repo_files(package) - shipped
    assert {"app/py.typed", "gridworld/py.typed", "runstore/py.typed"} <= shipped

    workdir, log = tmp_path / "elsewhere", tmp_path / "gridlab.log"
    workdir.mkdir()
    where = subprocess.run(  # the installed app, not the clone's (nor the editable install's)
        [sys.executable, "-c", "import app.factory; print(app.factory.__file__)"],
        capture_output=True,
        text=True,
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(site)},
        timeout=60,
    )
    assert where.stdout.strip() == str(site / "app" / "factory.py"), where.stderr

    port = _free_port()
    process = _start_gridlab(site, workdir, port, f"sqlite:///{tmp_path / 'x.sqlite'}", log)
    try:
        page = _wait_until_serving(process, f"http://127.0.0.1:{port}/", log)
        links = _AssetLinks()
        links.feed(page.decode())
        css_and_js = {
            f"/{name}" for name in _repo_files("assets") if name.endswith((".css", ".js"))
        }
        assert set(links.paths) == css_and_js, links.paths
        for path in links.paths:
            assert _get(f"http://127.0.0.1:{port}{path}") == (200, (ROOT / path[1:]).read_bytes())
        process.send_signal(signal.SIGINT)
        assert process.wait(STOP_TIMEOUT_S) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in log.read_text()
