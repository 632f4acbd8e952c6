"""Learning-curve figures: smoothed mean lines, min–max bands, and markers of parameter
changes and of interruptions, crashes and resumptions.

Every builder takes the HTTP series shape (``{"episode", "mean", "min", "max", "count", ...}``)
and returns plain Plotly dicts, so one run's page and the compare page (N runs) share them.
Figures are dicts rather than ``go.Figure`` objects: a live refresh builds several per second
and Plotly's validation would cost more than the query.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.rules import format_number

X_MODES: dict[str, str] = {
    "episode": "episode",
    "env_steps": "environment steps",
    "wall_time": "wall time (s)",
}
"""x-axis modes and their axis titles; a mode other than "episode" is a store metric."""

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
"""Line colours, one per run (or per metric) in drawing order."""

SIGNIFICANT_DIGITS = 5
"""Digits kept per number sent to the browser: a curve stays a few kilobytes."""


def color_for(index: int) -> str:
    """Return the palette colour of the ``index``-th line (cycling)."""
    return PALETTE[index % len(PALETTE)]


def smooth(values: Sequence[float], weight: float) -> list[float]:
    """Return the debiased exponential moving average TensorBoard draws.

    ``ema_i = weight * ema_{i-1} + (1 - weight) * v_i`` starting from 0, divided by
    ``1 - weight**n`` (n finite values seen so far) so the start is not pulled towards 0.
    Non-finite values pass through unchanged and do not enter the average.

    Args:
        values: the raw values in x order.
        weight: smoothing strength, 0 (none) <= weight < 1.

    Returns:
        The smoothed values, as many as ``values``.

    Raises:
        ValueError: ``weight`` outside [0, 1).
    """
    if not (isinstance(weight, int | float) and 0.0 <= weight < 1.0):
        raise ValueError(f"weight={weight!r} is invalid; allowed: 0 <= weight < 1")
    last = 0.0
    seen = 0
    out: list[float] = []
    for value in values:
        value = float(value)
        if not math.isfinite(value):
            out.append(value)
            continue
        last = last * weight + (1.0 - weight) * value
        seen += 1
        out.append(last / (1.0 - weight**seen))
    return out


def compact(values: Iterable[float], digits: int = SIGNIFICANT_DIGITS) -> list[float | int]:
    """Return ``values`` rounded to ``digits`` significant digits (integers stay integers)."""
    out: list[float | int] = []
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool):
            out.append(value)
        else:
            out.append(float(f"{value:.{digits}g}"))
    return out


def x_values(series: Mapping[str, Any], x_series: Mapping[str, Any] | None) -> list[float]:
    """Return the x coordinate of each bucket of ``series``.

    Args:
        series: the plotted metric's series.
        x_series: the series of the x metric ("env_steps" or "wall_time") over the same
            window, or None for the episode axis. A bucket is placed at the x metric's
            minimum in that bucket (its first episode: both metrics are cumulative).

    Returns:
        One x value per bucket of ``series``.
    """
    episodes = series["episode"]
    if x_series is None:
        return list(episodes)
    if not x_series["episode"]:
        return [math.nan] * len(episodes)
    return np.interp(episodes, x_series["episode"], x_series["min"]).tolist()


def rgba(color: str, alpha: float) -> str:
    """Return the ``#rrggbb`` colour as a CSS ``rgba()`` string with opacity ``alpha``."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def curve_traces(
    series: Mapping[str, Any],
    *,
    name: str,
    color: str,
    weight: float = 0.0,
    x: Sequence[float] | None = None,
    band: bool = True,
) -> list[dict[str, Any]]:
    """Return the traces of one line: its min–max band (when asked) and its mean line.

    With smoothing, the raw bucket means stay visible as a faint line under the smoothed one,
    so a spike is never hidden.

    Args:
        series: the HTTP series shape of one metric of one run.
        name: the legend name.
        color: ``#rrggbb`` line colour.
        weight: EMA smoothing weight for the mean line (0 = raw).
        x: x coordinate per bucket (default: the bucket's first episode).
        band: draw the band between bucket minimum and maximum.

    Returns:
        Scatter trace dicts, band first (drawn underneath).
    """
    xs = compact(series["episode"] if x is None else x)
    traces: list[dict[str, Any]] = []
    if band and xs:
        traces.append(
            {
                "type": "scatter",
                "x": xs + xs[::-1],
                "y": compact(series["max"]) + compact(series["min"])[::-1],
                "fill": "toself",
                "fillcolor": rgba(color, 0.18),
                "line": {"width": 0, "color": color},
                "mode": "lines",
                "hoverinfo": "skip",
                "showlegend": False,
                "legendgroup": name,
                "name": f"{name} min–max",
            }
        )
    if weight > 0.0:
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": compact(series["mean"]),
                "mode": "lines",
                "line": {"width": 1, "color": rgba(color, 0.35)},
                "hoverinfo": "skip",
                "showlegend": False,
                "legendgroup": name,
                "name": f"{name} raw",
            }
        )
    traces.append(
        {
            "type": "scatter",
            "x": xs,
            "y": compact(smooth(series["mean"], weight)),
            "mode": "lines",
            "line": {"width": 2, "color": color},
            "legendgroup": name,
            "name": name,
        }
    )
    return traces


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


def curve_figure(
    traces: Sequence[Mapping[str, Any]],
    *,
    title: str,
    y_title: str = "",
    x_mode: str = "episode",
    log_y: bool = False,
    markers: Markers = ([], []),
    uirevision: str = "curve",
    x_range: Sequence[float] | None = None,
) -> dict[str, Any]:
    """Return a learning-curve figure from traces and change markers.

    Args:
        traces: scatter traces (``curve_traces`` of one or more lines).
        title: figure title.
        y_title: y axis title.
        x_mode: one of ``X_MODES``; names the x axis.
        log_y: logarithmic y axis (values <= 0 are not drawn).
        markers: ``(shapes, annotations)`` from ``change_markers``, ``event_markers`` or
            ``join_markers`` of both.
        uirevision: keep the user's zoom and legend state across refreshes while this value
            stays the same.
        x_range: a fixed x range (a zoomed window), or None for autorange.

    Returns:
        A Plotly figure dict.

    Raises:
        ValueError: an unknown ``x_mode``.
    """
    if x_mode not in X_MODES:
        raise ValueError(f"x_mode={x_mode!r} is invalid; allowed: {', '.join(X_MODES)}")
    shapes, annotations = markers
    x_axis: dict[str, Any] = {"title": {"text": X_MODES[x_mode]}, "showgrid": True}
    if x_range is not None:
        x_axis["range"] = list(x_range)
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0.01, "font": {"size": 14}},
        "xaxis": x_axis,
        "yaxis": {"title": {"text": y_title}, "type": "log" if log_y else "linear"},
        "shapes": list(shapes),
        "annotations": list(annotations),
        "uirevision": uirevision,
        "margin": {"l": 50, "r": 10, "t": 40, "b": 40},
        "height": 280,
        "legend": {"orientation": "h", "y": -0.25},
        "hovermode": "x",
    }
    return {"data": list(traces), "layout": layout}
