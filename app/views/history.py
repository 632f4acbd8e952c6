"""The run page's history as data: when the run was claimed, interrupted, crashed, resumed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC

from app.rules import format_number
from runstore import RunEvent

MAX_EVENTS = 20
"""Most recent events the history lists."""
EVENT_COLORS = {
    "claimed": "secondary",
    "interrupted": "warning",
    "crashed": "danger",
    "resumed": "success",
}
"""Bootstrap colour of each event kind's badge."""


@dataclass(frozen=True)
class EventRow:
    """One line of the run's history."""

    kind: str
    color: str
    """The kind's badge colour."""
    text: str
    """``attempt 2 · episode 1,234``."""
    at: str
    """When, as ``YYYY-MM-DD HH:MM:SS UTC``."""
    detail: str | None


def event_rows(events: Sequence[RunEvent]) -> list[EventRow]:
    """Return the newest ``MAX_EVENTS`` events of a run, newest first."""
    return [
        EventRow(
            kind=event.kind,
            color=EVENT_COLORS.get(event.kind, "secondary"),
            text=f"attempt {event.attempt} · episode {format_number(event.episode)}",
            at=f"{event.at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC",
            detail=event.detail,
        )
        for event in reversed(events[-MAX_EVENTS:])
    ]
