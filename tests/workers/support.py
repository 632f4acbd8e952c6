"""Real gridlab processes for the worker tests: dashboards, workers and CLI runs.

Each process runs ``python run.py ...`` in a session of its own (so that a Ctrl-C can be
sent to it and its slot processes, as a terminal sends one to its foreground group), with
its output in files of the test's temporary directory. ``Launcher.close`` kills whatever is
still running, group by group.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from gridworld.spec import RunSpec
from runstore import RunStore
from tests.cli.support import ROOT, RUN_PY
from tests.trainer.support import rows_without_wall_time, train_new, wait_for


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """One ``python run.py ARGS`` process, leader of its own process group."""

    def __init__(self, args: list[str], folder: Path, name: str) -> None:
        self.name = name
        self.stdout_path = folder / f"{name}.stdout"
        self.stderr_path = folder / f"{name}.stderr"
        with self.stdout_path.open("w") as out, self.stderr_path.open("w") as err:
            self.popen = subprocess.Popen(
                [sys.executable, RUN_PY, *args],
                stdout=out,
                stderr=err,
                cwd=ROOT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def stdout(self) -> str:
        return self.stdout_path.read_text()

    def ctrl_c(self) -> None:
        """Send SIGINT to the whole group, as Ctrl-C in its terminal does."""
        os.killpg(self.pid, signal.SIGINT)

    def send(self, signum: int) -> None:
        """Send ``signum`` to this process alone."""
        os.kill(self.pid, signum)

    def wait(self, timeout: float) -> int:
        """Wait for the process to exit; return its exit status."""
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"{self.name} did not exit within {timeout} s; stderr:\n{self.stderr()}"
            ) from None

    def kill_group(self) -> None:
        """SIGKILL the process and everything in its group (its slots); reap it."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait()


class Dashboard(Process):
    """``python run.py --port P ...``: the dashboard with its HTTP API."""

    def __init__(self, db: str, folder: Path, name: str, *options: str) -> None:
        self.port = free_port()
        super().__init__(["--db", db, "--port", str(self.port), *options], folder, name)
        self.base = f"http://127.0.0.1:{self.port}/api"
        wait_for(self._answers, 60, f"{name} to serve its API")

    def _answers(self) -> bool:
        if self.popen.poll() is not None:
            raise AssertionError(f"{self.name} exited; stderr:\n{self.stderr()}")
        try:
            self.get("/runs")
        except (urllib.error.URLError, ConnectionError):
            return False
        return True

    def get(self, path: str) -> Any:
        """Return the JSON answer of ``GET /api{path}``."""
        with urllib.request.urlopen(self.base + path, timeout=10) as response:
            return json.load(response)

    def post(self, path: str, body: dict | None = None) -> tuple[int, Any]:
        """Return the status and JSON answer of ``POST /api{path}`` with a JSON body."""
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body or {}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)


class Launcher:
    """Starts gridlab processes for one test and kills what is left of them at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[Process] = []

    def dashboard(self, db: str, *options: str) -> Dashboard:
        """Start a dashboard (``options``: e.g. ``--no-worker``, ``--slots 2``)."""
        process = Dashboard(db, self.folder, f"dashboard-{len(self.started)}", *options)
        self.started.append(process)
        return process

    def worker(self, db: str, slots: int = 1) -> Process:
        """Start ``python run.py worker --slots N``."""
        return self.run("worker", "--db", db, "--slots", str(slots), name="worker")

    def run(self, *args: str, name: str = "cli") -> Process:
        """Start ``python run.py ARGS``."""
        process = Process(list(args), self.folder, f"{name}-{len(self.started)}")
        self.started.append(process)
        return process

    def close(self) -> None:
        """Kill every process still running, with its group."""
        for process in self.started:
            process.kill_group()


def process_state(pid: int) -> str | None:
    """Return the state letter of process ``pid`` (R, S, T, Z, ...), None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):  # gone before the open, or the read
        return None


def alive(pid: int) -> bool:
    """Return whether ``pid`` is a running process (a zombie counts as gone)."""
    return process_state(pid) not in (None, "Z")


def writable_now(url: str, run_id: int) -> bool:
    """Return whether a write to the run could start now: no transaction holds the locks
    every write takes (SQLite's write lock; PostgreSQL's store revision and run rows)."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0.2)
        connection.isolation_level = None
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            connection.close()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '200ms'"))
            connection.execute(text("SELECT revision FROM store_revision FOR UPDATE"))
            connection.execute(
                text("SELECT id FROM runs WHERE id = :id FOR UPDATE"), {"id": run_id}
            )
            connection.rollback()
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def freeze(pid: int, url: str, run_id: int) -> None:
    """SIGSTOP process ``pid`` at a moment it is inside no write transaction.

    A process stopped inside one would hold the store's write locks, and every other
    writer would wait for it (that is what a frozen worker does to any SQL store); the
    tests want a worker that stops renewing its lease, not one that blocks the store.
    """
    for _ in range(200):
        os.kill(pid, signal.SIGSTOP)
        wait_for(lambda: process_state(pid) == "T", 5, f"process {pid} stopped")
        if writable_now(url, run_id):
            return
        os.kill(pid, signal.SIGCONT)
        time.sleep(0.01)
    raise AssertionError(f"process {pid} was inside a write transaction at every try")


def wait_gone(pid: int, timeout: float, what: str) -> None:
    """Wait until process ``pid`` has exited."""
    wait_for(lambda: not alive(pid), timeout, what)


def reference_rows(folder: Path, spec: RunSpec) -> list[dict]:
    """Return the rows (without wall time) of ``spec`` trained uninterrupted in this process."""
    store = RunStore(f"sqlite:///{folder / f'reference-{time.monotonic_ns()}.sqlite'}")
    try:
        return rows_without_wall_time(store, train_new(store, spec).run_id)
    finally:
        store.close()


def kinds(store: RunStore, run_id: int) -> list[tuple[str, int]]:
    """Return the run's events as (kind, attempt) pairs, oldest first."""
    return [(event.kind, event.attempt) for event in store.events(run_id)]
