"""When a page re-reads the store: the revision it polls, which moves with every change.

Every write bumps the store's revision (and gives the run it touched that revision) in the
same transaction, and a lease that ends moves both as well (``runstore.revisions``): a page
polls one number and re-reads only when it moved, so an idle poll is one primary-key lookup,
whatever the number of runs.
"""

from __future__ import annotations

from typing import Any

from runstore import Run, RunNotFound, RunStore


def read_revision(store: RunStore, run_id: int | None = None) -> int:
    """Return the store's revision, or one run's when ``run_id`` is given.

    Read it before the data a page draws: a write landing in between moves it again.

    Raises:
        RunNotFound: ``run_id`` names no run.
    """
    return store.revision() if run_id is None else store.run_revision(run_id)


def next_revision(store: RunStore, known: int | None, run_id: int | None = None) -> int | None:
    """Return the revision a page should now hold, or None when it did not move.

    Args:
        store: the run store.
        known: the revision the page holds (None before it has one).
        run_id: the run of a one-run page, or None for the store's revision.

    Returns:
        The revision when it differs from ``known``; None when it does not, and for a run
        that was deleted (there is nothing new to show of it).
    """
    try:
        revision = read_revision(store, run_id)
    except RunNotFound:
        return None
    return None if revision == known else revision


def run_key(run: Run) -> list[Any]:
    """Return what a page draws a run from besides its rows: ``[id, revision]`` (JSON-safe).

    Two reads of a run give the same key exactly when nothing of it changed in between.
    """
    return [run.id, run.revision]
