"""Learning-curve figures: smoothed mean lines, min–max bands, a log (or symlog) y axis, and
the markers of ``app.figures.markers``.

Every builder takes the HTTP series shape (``{"episode", "mean", "min", "max", "count", ...}``)
and returns plain Plotly dicts, so one run's page and the compare page (N runs) share them.
Figures are dicts rather than ``go.Figure`` objects: a live refresh builds several per second
and Plotly's validation would cost more than the query.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from app.figures.markers import MARKER_AXIS_LAYOUT, Markers, hover_axis, hover_trace
from app.figures.symlog import log_y_axis

X_MODES: dict[str, str] = {
    "episode": "episode",
    "env_steps": "environment steps",
    "wall_time": "wall time (s)",
}
"""x-axis modes and their axis titles; a mode other than "episode" is a store metric."""

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
"""Line colours, one per run (or per metric) in drawing order."""

LEGEND_MARGIN = 66
"""Bottom margin in pixels: the tick labels, the x title, then one row of legend below it."""

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
            minimum in that bucket (its first episode: both metrics are cumulative); an
            episode past the last bucket's first, between that and its maximum.

    Returns:
        One x value per bucket of ``series``.
    """
    episodes = series["episode"]
    if x_series is None:
        return list(episodes)
    if not x_series["episode"]:
        return [math.nan] * len(episodes)
    at, values = list(x_series["episode"]), list(x_series["min"])
    last = at[-1] + (x_series.get("count") or [1])[-1] - 1
    if last > at[-1]:  # the last bucket's maximum is the x metric at its last episode
        at, values = [*at, last], [*values, x_series["max"][-1]]
    return np.interp(episodes, at, values).tolist()


def schedule_series(series: Mapping[str, Any]) -> dict[str, Any]:
    """Return a schedule's series (epsilon, alpha) as its values at bucket edges.

    Epsilon and alpha only decay between parameter changes, so within a bucket the value at
    its first episode is the bucket's maximum and the value at its last episode its
    minimum; a bucket mean (0.43 for a first bucket in which epsilon fell from 1.0) is
    neither. A raised value (a parameter change) is drawn from the start of its bucket.

    Args:
        series: the metric's series (HTTP shape).

    Returns:
        The series with ``mean`` the value at each bucket's first episode, plus a last point
        at the last episode read (its value there): single-episode buckets are unchanged.
    """
    if int(series.get("bucket", 1)) <= 1 or not series["episode"]:
        return dict(series)
    episodes, edges = list(series["episode"]), list(series["max"])
    last = episodes[-1] + series["count"][-1] - 1
    counts = list(series["count"])
    if last > episodes[-1]:
        episodes, edges, counts = [*episodes, last], [*edges, series["min"][-1]], [*counts, 1]
    return {
        **series,
        "episode": episodes,
        "mean": edges,
        "min": edges,
        "max": edges,
        "count": counts,
    }


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
        log_y: logarithmic y axis; symlog when a value is <= 0 (``symlog.log_y_axis``).
        markers: ``(shapes, annotations)`` from ``markers.change_markers``,
            ``markers.event_markers`` or ``markers.join_markers`` of both; each also gets
            hover text along its line (``markers.hover_trace``).
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
    data: list[Mapping[str, Any]] = list(traces)
    y_axis: dict[str, Any] = {"title": {"text": y_title}, "type": "linear"}
    if log_y:
        data, y_axis = log_y_axis(data, y_title)
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0.01, "font": {"size": 14}},
        "xaxis": x_axis,
        "yaxis": y_axis,
        "shapes": list(shapes),
        "annotations": list(annotations),
        "uirevision": uirevision,
        "margin": {"l": 50, "r": 10, "t": 40, "b": LEGEND_MARGIN},
        "height": 280,
        # at the figure's bottom edge, under the x title (not at a share of the plot's
        # height below it, which lands on the title when the figure is narrow)
        "legend": {"orientation": "h", "x": 0, "y": 0, "yref": "container", "yanchor": "bottom"},
        "hovermode": "x",
    }
    marker_hover = hover_trace(markers)
    if marker_hover is not None:
        data.insert(0, marker_hover)
        layout[MARKER_AXIS_LAYOUT] = hover_axis()
    return {"data": data, "layout": layout}
