"""The always-on poll each page has: a 1 s timer whose callback copies the revision into a
``dcc.Store`` when it moved (``app.views.revision``); the page's data callbacks fire on that
store's change only.

A page declares its poll once, as a module constant, registers it at import and puts its
components in its layout::

    POLL = RevisionPoll(tick=ids.RUN_REFRESH, revision=ids.RUN_REVISION, run=ids.RUN_ID)
    POLL.register()
    ...
    layout: [*POLL.components(read_revision(store, run.id)), ...]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import Input, Output, State, callback, dcc, no_update
from dash.development.base_component import Component

from app.context import get_store
from app.views.revision import next_revision

POLL_MS = 1000
"""How often every page reads its revision: changes show within about a second."""


@dataclass(frozen=True)
class RevisionPoll:
    """The ids of one page's poll (``app.ids`` constants)."""

    tick: str
    """The ``dcc.Interval``."""
    revision: str
    """The ``dcc.Store`` of the revision; the page's data callbacks take it as their input."""
    run: str | None = None
    """The ``dcc.Store`` holding the run id of a one-run page (None: the whole store)."""
    heard: str | None = None
    """A ``dcc.Store`` set to the tick each answered poll was sent at (so the page can tell
    that the server stopped answering), or None."""

    def components(self, revision: int) -> list[Component]:
        """Return the timer and the stores, the revision store holding ``revision``."""
        parts: list[Component] = [
            dcc.Interval(id=self.tick, interval=POLL_MS),
            dcc.Store(id=self.revision, data=revision),
        ]
        if self.heard is not None:
            parts.append(dcc.Store(id=self.heard, data=0))
        return parts

    def register(self) -> None:
        """Register the poll's callback with Dash (once, at the page module's import)."""
        outputs = [Output(self.revision, "data")]
        if self.heard is not None:
            outputs.append(Output(self.heard, "data"))
        states = [State(self.revision, "data")]
        if self.run is not None:
            states.append(State(self.run, "data"))
        callback(*outputs, Input(self.tick, "n_intervals"), *states, prevent_initial_call=True)(
            self._poll
        )

    def _poll(self, tick: int | None, known: int | None, run_id: int | None = None) -> Any:
        """Return the new revision (or no update), and the tick answered when ``heard`` is
        set."""
        revision = next_revision(get_store(), known, run_id)
        moved = no_update if revision is None else revision
        return (moved, tick or 0) if self.heard is not None else moved
