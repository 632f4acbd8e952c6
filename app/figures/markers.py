"""Vertical markers on learning curves: parameter changes and run events (interruptions,
crashes, resumptions), each a line, a label above it and hover text along the whole line.

Plotly shapes take no hover, so ``hover_trace`` adds an invisible trace with one point per
marker on a hidden 0..1 axis: with the figures' ``hovermode="x"`` a pointer anywhere on the
line's column shows the marker's text, not only over its small label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.rules import format_number

MARKER_AXIS = "y2"
"""The hidden 0..1 y axis the markers' hover points sit on..."""
MARKER_AXIS_LAYOUT = "yaxis2"
"""...and its key in a figure's layout (``hover_axis`` is its value)."""
HOVER_HEIGHTS = (0.0, 0.5, 1.0)
"""Where along a marker's line (as a share of the plot's height) a hover point sits."""

Markers = tuple[list[dict[str, Any]], list[dict[str, Any]]]
"""A figure's vertical markers: ``(shapes, annotations)`` for its layout."""


@dataclass(frozen=True)
class MarkerStyle:
    """How one kind of marker is drawn."""

    color: str
    dash: str
    """Plotly line dash: ``dot``, ``dash``, ``solid``..."""
    symbol: str
    """The text above the line (followed by the label when there is room)."""


CHANGE_STYLE = MarkerStyle("#6c757d", "dot", "Δ")
"""Parameter changes: grey dotted lines."""
EVENT_STYLES: dict[str, MarkerStyle] = {
    "crashed": MarkerStyle("#dc3545", "dash", "✕"),
    "interrupted": MarkerStyle("#fd7e14", "dash", "⏸"),
    "resumed": MarkerStyle("#198754", "dash", "▶"),
}
"""Run events drawn on the curves, most telling first (a marker of several takes the first
one's style); ``claimed`` (a fresh start) is not drawn."""


@dataclass(frozen=True)
class Mark:
    """One vertical marker: what happened at one episode."""

    episode: int
    label: str
    """Short text printed after the symbol."""
    hover: str
    style: MarkerStyle


def episode_markers(
    marks: Iterable[Mark],
    *,
    x_of_episode: Mapping[str, Sequence[float]] | None = None,
    show_text: bool = True,
) -> Markers:
    """Return a vertical line and a hoverable label per mark, in episode order.

    Args:
        marks: the marks, at most one per episode and style.
        x_of_episode: ``{"episode": [...], "x": [...]}`` to place marks on a non-episode
            x axis (linear interpolation), or None for the episode axis.
        show_text: print the label after the symbol (hover text is always there).

    Returns:
        ``(shapes, annotations)`` for the figure layout.
    """
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for mark in sorted(marks, key=lambda mark: mark.episode):
        x: float = mark.episode
        if x_of_episode is not None:
            if not x_of_episode["episode"]:
                continue
            x = float(np.interp(mark.episode, x_of_episode["episode"], x_of_episode["x"]))
        style = mark.style
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": x,
                "x1": x,
                "y0": 0,
                "y1": 1,
                "line": {"color": style.color, "width": 1, "dash": style.dash},
            }
        )
        annotations.append(
            {
                "xref": "x",
                "yref": "paper",
                "x": x,
                "y": 1,
                "yanchor": "bottom",
                "showarrow": False,
                "text": f"{style.symbol} {mark.label}" if show_text else style.symbol,
                "hovertext": mark.hover,
                "font": {"size": 10, "color": style.color},
            }
        )
    return shapes, annotations


def change_markers(
    changes: Iterable[Mapping[str, Any]],
    *,
    x_of_episode: Mapping[str, Sequence[float]] | None = None,
    show_text: bool = True,
) -> Markers:
    """Return a dotted vertical line and a hoverable label per applied parameter change.

    Changes applied at the same episode share one marker whose hover text lists each, e.g.
    "episode 1234: alpha 0.1 → 0.05". Pending changes (no ``applied_episode``) are skipped.

    Args:
        changes: parameter changes in the HTTP shape (``param``, ``old_value``,
            ``new_value``, ``applied_episode``).
        x_of_episode: as ``episode_markers`` takes it.
        show_text: print the short label above the line (hover text is always there).

    Returns:
        ``(shapes, annotations)`` for the figure layout.
    """
    applied: dict[int, list[Mapping[str, Any]]] = {}
    for change in changes:
        episode = change.get("applied_episode")
        if episode is not None:
            applied.setdefault(int(episode), []).append(change)
    marks = [
        Mark(
            episode=episode,
            label=", ".join(str(change["param"]) for change in group),
            hover="<br>".join(
                f"episode {episode}: {change['param']} {format_number(change['old_value'])}"
                f" → {format_number(change['new_value'])}"
                for change in group
            ),
            style=CHANGE_STYLE,
        )
        for episode, group in applied.items()
    ]
    return episode_markers(marks, x_of_episode=x_of_episode, show_text=show_text)


def event_markers(
    events: Iterable[Mapping[str, Any]],
    *,
    x_of_episode: Mapping[str, Sequence[float]] | None = None,
    show_text: bool = True,
) -> Markers:
    """Return a dashed vertical line and a hoverable label per episode where the run was
    interrupted, crashed or resumed (``EVENT_STYLES``).

    Events at one episode (an interruption and the resumption from its checkpoint, say)
    share a marker, hover text "episode 500: interrupted (attempt 1)" per event. ``events``
    are in the HTTP shape (``kind``, ``episode``, ``attempt``); the other arguments are as
    ``episode_markers`` takes them.

    Returns:
        ``(shapes, annotations)`` for the figure layout.
    """
    at: dict[int, list[Mapping[str, Any]]] = {}
    for event in events:
        if event.get("kind") in EVENT_STYLES and event.get("episode") is not None:
            at.setdefault(int(event["episode"]), []).append(event)
    marks = []
    for episode, group in at.items():
        kinds = list(dict.fromkeys(str(event["kind"]) for event in group))
        first = min(kinds, key=list(EVENT_STYLES).index)
        hover = "<br>".join(
            f"episode {episode}: {event['kind']} (attempt {event.get('attempt')})"
            for event in group
        )
        marks.append(Mark(episode, ", ".join(kinds), hover, EVENT_STYLES[first]))
    return episode_markers(marks, x_of_episode=x_of_episode, show_text=show_text)


def join_markers(*parts: Markers) -> Markers:
    """Return the shapes and annotations of several marker sets together."""
    return (
        [shape for shapes, _ in parts for shape in shapes],
        [note for _, notes in parts for note in notes],
    )


def hover_trace(markers: Markers) -> dict[str, Any] | None:
    """Return the invisible trace that shows each marker's hover text along its line.

    Args:
        markers: ``(shapes, annotations)``; each annotation with ``hovertext`` is a marker at
            its ``x``.

    Returns:
        A scatter trace on ``MARKER_AXIS`` (points at ``HOVER_HEIGHTS``, transparent, out of
        the legend), or None when there is no marker.
    """
    notes = [note for note in markers[1] if note.get("hovertext")]
    if not notes:
        return None
    return {
        "type": "scatter",
        "x": [note["x"] for note in notes for _ in HOVER_HEIGHTS],
        "y": [height for _ in notes for height in HOVER_HEIGHTS],
        "yaxis": MARKER_AXIS,
        "mode": "markers",
        "marker": {
            "size": 12,
            "opacity": 0,
            "color": [note["font"]["color"] for note in notes for _ in HOVER_HEIGHTS],
        },
        "hovertext": [note["hovertext"] for note in notes for _ in HOVER_HEIGHTS],
        "hoverinfo": "text",
        "showlegend": False,
        "name": "markers",
    }


def hover_axis() -> dict[str, Any]:
    """Return the layout of ``MARKER_AXIS``: 0..1 over the plot, hidden, not zoomable."""
    return {"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True}
