"""Store reads the views share, in the one shape the views take: plain mappings.

``RunStore.summary`` and ``RunStore.episodes`` are read only here, so if they hand out frozen
dataclasses, the ``.to_dict()`` each then needs is a one-line change in this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from runstore import RunStore


def summary_of(store: RunStore, run_id: int, window: int = 100) -> Mapping[str, Any]:
    """Return ``RunStore.summary`` of the run as a mapping (figure name → value).

    Raises:
        RunNotFound: no such run.
    """
    return store.summary(run_id, window=window).to_dict()


def episode_rows(
    store: RunStore, run_id: int, start: int, limit: int
) -> Sequence[Mapping[str, Any]]:
    """Return ``RunStore.episodes`` of the run as mappings (field name → value).

    Raises:
        RunNotFound: no such run.
    """
    return [row.to_dict() for row in store.episodes(run_id, start=start, limit=limit)]
