"""A test's SQLite store begun as a copy of an empty one (the ``store_template`` fixture's)."""

from __future__ import annotations

import shutil
from pathlib import Path

from runstore import RunStore


def open_store(url: str, template: Path) -> RunStore:
    """Return an open RunStore at ``url``, a SQLite file begun as a copy of ``template``
    (any other URL is opened as it is).

    Returns:
        The store.
    """
    if url.startswith("sqlite:///"):
        shutil.copyfile(template, url.removeprefix("sqlite:///"))
    return RunStore(url)
