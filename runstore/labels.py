"""A run's labels: its name, tags, note and archived mark (what people change to keep
their runs in order, never what its worker writes)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, update

from ._clock import now
from .records import Run
from .runs import fetch
from .schema import RunRow


def rename(conn: Connection, run_id: int, name: str) -> Run:
    """Give the run a new name; return it renamed.

    Raises:
        RunNotFound: no such run.
    """
    return _set(conn, run_id, name=name)


def retag(conn: Connection, run_id: int, add: Iterable[str], remove: Iterable[str]) -> Run:
    """Add the tags ``add`` to the run and take ``remove`` away (a tag it has not is no
    error); return it retagged.

    Raises:
        RunNotFound: no such run.
    """
    run = fetch(conn, run_id, lock=True)
    tags = (set(run.tags) | set(add)) - set(remove)
    return _set(conn, run_id, tags=sorted(tags))


def write_note(conn: Connection, run_id: int, note: str) -> Run:
    """Replace the run's note; return the run.

    Raises:
        RunNotFound: no such run.
    """
    return _set(conn, run_id, note=note)


def archive(conn: Connection, run_id: int, archived: bool) -> Run:
    """Archive the run (stamped now; an archived run keeps its first stamp) or bring it
    back; return it.

    Raises:
        RunNotFound: no such run.
    """
    run = fetch(conn, run_id, lock=True)
    if run.archived == archived:
        return run
    return _set(conn, run_id, archived_at=now() if archived else None)


def _set(conn: Connection, run_id: int, **values: object) -> Run:
    """Write ``values`` into the run's row; return the run as it is then.

    Raises:
        RunNotFound: no such run.
    """
    fetch(conn, run_id, lock=True)
    conn.execute(update(RunRow).where(RunRow.id == run_id).values(**values))
    return fetch(conn, run_id)
