"""``RunStore.manage``: the store's API for keeping runs in order (rename, tags, note,
archive, delete), one transaction a call.

Deleting gives the space back: a SQLite store created with this schema has
``auto_vacuum=INCREMENTAL`` (set before its first table), and after each delete commits,
``PRAGMA incremental_vacuum`` hands the freed pages back to the file system, in time
proportional to what was freed. A full ``VACUUM`` would rewrite the whole file, taking a
time (and a second copy's worth of disk) proportional to the store, with the write lock
held all along: too slow for a store of millions of episodes. A store created before has
``auto_vacuum=NONE``; there the freed pages stay in the file's free list and the next
episodes written reuse them before the file grows. PostgreSQL: a plain ``DELETE``;
autovacuum makes the space reusable.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from sqlalchemy import Engine, Text, cast, select

from . import labels, lineage, listing, runs
from .listing import RunsCount, RunsPage, RunsQuery
from .records import Run
from .schema import RunRow

if TYPE_CHECKING:
    from .store import RunStore

Guard = Callable[[Run], None]
"""Called with the run inside the delete's transaction (its row locked): raising refuses."""


class Manage:
    """Names, tags, notes, archiving and deleting of the runs in the store it was opened with."""

    def __init__(self, store: RunStore) -> None:
        """Serve the runs of ``store`` (through its transactions)."""
        self._store = store

    def list_runs(
        self,
        experiment_id: int | None = None,
        *,
        archived: bool | None = False,
        tag: str | None = None,
    ) -> list[Run]:
        """Return the runs (of experiment ``experiment_id``), newest first.

        Args:
            experiment_id: only this experiment's runs (None: every run).
            archived: False (default): only the runs not archived; True: only the archived
                ones; None: both.
            tag: only the runs with this tag (None: with any tags or none).

        Returns:
            The runs, with their effective status.
        """
        with self._store._read() as conn:
            found = runs.list_all(conn, experiment_id, archived=archived)
        return found if tag is None else [run for run in found if tag in run.tags]

    def page(self, query: RunsQuery) -> RunsPage:
        """Return a page of the runs list, sorted and filtered in SQL (``listing.page``).

        Raises:
            InvalidQuery: an unknown column or condition, or a bad offset or limit.
        """
        with self._store._read() as conn:
            return listing.page(conn, query)

    def count(self, query: RunsQuery) -> RunsCount:
        """Return how many runs ``query`` chooses and how many of them are live
        (``listing.count``).

        Raises:
            InvalidQuery: an unknown column or condition.
        """
        with self._store._read() as conn:
            return listing.count(conn, query)

    def tags(self) -> list[str]:
        """Return every tag any run has (archived ones' too), sorted (each distinct list of
        tags read once: ten thousand runs of a sweep share a few)."""
        with self._store._read() as conn:
            found = conn.scalars(select(cast(RunRow.tags, Text)).distinct()).all()
        return sorted({tag for tags in found for tag in json.loads(tags or "[]")})

    def rename(self, run_id: int, name: str) -> Run:
        """Rename the run (``name`` validated by the caller); return it.

        Raises:
            RunNotFound: no such run.
        """
        with self._store._write(run_id) as conn:
            return labels.rename(conn, run_id, name)

    def retag(self, run_id: int, add: Iterable[str] = (), remove: Iterable[str] = ()) -> Run:
        """Add tags to the run and remove others (validated by the caller); return it.

        Raises:
            RunNotFound: no such run.
        """
        with self._store._write(run_id) as conn:
            return labels.retag(conn, run_id, add, remove)

    def write_note(self, run_id: int, note: str) -> Run:
        """Replace the run's Markdown note (empty: none); return the run.

        Raises:
            RunNotFound: no such run.
        """
        with self._store._write(run_id) as conn:
            return labels.write_note(conn, run_id, note)

    def archive(self, run_id: int, archived: bool = True, guard: Guard | None = None) -> Run:
        """Archive the run (hidden from lists unless asked for) or, with ``archived=False``,
        bring it back; return it.

        Args:
            run_id: the run.
            archived: archive (True) or unarchive (False).
            guard: called with the run in the transaction; what it raises refuses the change.

        Raises:
            RunNotFound: no such run.
        """
        with self._store._write(run_id) as conn:
            if guard is not None:
                guard(runs.fetch(conn, run_id, lock=True))
            return labels.archive(conn, run_id, archived)

    def delete(self, run_id: int, guard: Guard | None = None) -> None:
        """Delete the run with its episodes, rollups, parameter changes, checkpoints, events
        and exploits, then give the space back (see the module docstring). Its worker's
        next write fails (``LeaseLost``).

        Args:
            run_id: the run.
            guard: called with the run in the transaction (its row locked), before anything
                is deleted; what it raises refuses the delete (nothing is written).

        Raises:
            RunNotFound: no such run.
            RunHasForks: runs were forked from it (delete them first).
        """
        with self._store._write(run_id) as conn:
            run = runs.fetch(conn, run_id, lock=True)
            if guard is not None:
                guard(run)
            lineage.check_deletable(conn, run_id)
            runs.remove(conn, run_id)
        give_space_back(self._store._engine)


def give_space_back(engine: Engine) -> None:
    """Return a SQLite store's free pages to the file system, if it was created with
    ``auto_vacuum=INCREMENTAL`` (a no-op otherwise, and on PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None  # a pooled SQLite connection always has one
        # executescript steps the pragma to the end (execute would free one page a call);
        # it runs outside any transaction, taking the write lock itself
        driver.executescript("PRAGMA incremental_vacuum")
