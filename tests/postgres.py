"""A real PostgreSQL server for the tests: Debian's binaries, a temp data dir, a free port.

``bash tests/run.sh`` installs the ``postgresql`` package. As root, initdb refuses to run,
so the server runs as the ``postgres`` user. A missing server fails the tests: it never
skips them.
"""

from __future__ import annotations

import glob
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from runstore import RunStore

STORE_TEMPLATE = "gridlab_store"
"""The database ``new_database(with_schema=True)`` copies."""


def _binaries() -> Path:
    """Return the folder of PostgreSQL's server binaries, or fail the test session."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL is not installed: run `bash tests/run.sh`, which installs it")
    return Path(found[-1]).parent


def _free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """A throwaway PostgreSQL cluster on 127.0.0.1."""

    def __init__(self) -> None:
        self.bin = _binaries()
        self.dir = Path(tempfile.mkdtemp(prefix="gridlab-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.as_user: list[str] = []
        self._template: str | None = None
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.dir.chmod(0o755)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        """Run a server binary as the cluster's owner."""
        subprocess.run(
            [*self.as_user, str(self.bin / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            cwd=self.dir,
        )

    def start(self) -> None:
        """Create the cluster and start the server (trust auth, loopback only)."""
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.dir / "log"),
            "start",
        )

    def stop(self) -> None:
        """Stop the server and delete its files in the background.

        A suite's worth of databases is gigabytes of files: deleting them in the session's
        teardown took two minutes on a loaded machine, for nothing a test waits on.
        """
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            subprocess.run(["sh", "-c", f"rm -rf {shlex.quote(str(self.dir))} &"], check=True)

    def url(self, database: str = "postgres") -> str:
        """Return the SQLAlchemy URL of ``database`` on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self, *, with_schema: bool = False) -> str:
        """Create a database: empty, or (``with_schema``) holding a new store's tables,
        copied from a template database made once, as the SQLite tests copy a template
        file (the copy takes no longer than an empty database; making the tables took
        0.14-0.36 s more).

        Returns:
            Its URL.
        """
        name = f"t_{uuid.uuid4().hex[:12]}"
        self._create(name, self._store_template() if with_schema else "template1")
        return self.url(name)

    def _store_template(self) -> str:
        """Return the name of the database holding a new store's tables (made on first use)."""
        if self._template is None:
            self._create(STORE_TEMPLATE, "template1")
            RunStore(self.url(STORE_TEMPLATE)).close()  # a copy needs it unconnected
            self._template = STORE_TEMPLATE
        return self._template

    def _create(self, name: str, template: str) -> None:
        """Create database ``name`` as a copy of ``template``."""
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            # FILE_COPY copies the template's files (a third of the default WAL_LOG's time here)
            conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY"))
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Yield a running PostgreSQL server for the whole test session."""
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
