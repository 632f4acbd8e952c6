"""Figures of an experiment's comparisons: performance profiles, the objective against each
hyperparameter (Sutton & Barto's step-size figures) and parallel coordinates over all runs.

Inputs are plain numbers and lists; the builders return Plotly figure dicts.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.figures.curves import color_for, compact, rgba
from app.rules import format_number

LOG_SPAN = 10.0
"""A parameter whose positive values span this factor or more is drawn on a log axis."""


@dataclass(frozen=True)
class ProfileLine:
    """One group's performance profile."""

    label: str
    centre: Sequence[float]
    """The share of runs beyond each τ."""
    low: Sequence[float]
    high: Sequence[float]


def _layout(title: str, x_title: str, y_title: str, uirevision: str) -> dict[str, Any]:
    """Return the layout the analysis charts share."""
    return {
        "title": {"text": title, "x": 0.01, "font": {"size": 14}},
        "xaxis": {"title": {"text": x_title}, "showgrid": True},
        "yaxis": {"title": {"text": y_title}},
        "margin": {"l": 50, "r": 10, "t": 40, "b": 40},
        "height": 300,
        "legend": {"orientation": "h", "y": -0.25},
        "uirevision": uirevision,
    }


def _numbers(values: Sequence[float] | np.ndarray) -> list[float | int | None]:
    """Return values as compact JSON numbers, NaN and infinities as None."""
    return [value if math.isfinite(value) else None for value in compact(values)]


def profile_figure(
    taus: Sequence[float], lines: Sequence[ProfileLine], *, x_title: str, above: bool
) -> dict[str, Any]:
    """Return the performance profiles: per group the share of runs beyond τ, with its band.

    Args:
        taus: the thresholds (x).
        lines: one profile per group, in colour order.
        x_title: what τ measures (the objective).
        above: the shares are of runs scoring above τ (False: below, where lower wins).

    Returns:
        A Plotly figure dict, y from 0 to 1.
    """
    xs = _numbers(taus)
    traces: list[dict[str, Any]] = []
    for index, line in enumerate(lines):
        color, name = color_for(index), html.escape(line.label, quote=False)
        edge = {"mode": "lines", "line": {"width": 0, "color": color}, "hoverinfo": "skip"}
        traces += [
            {"type": "scatter", "x": xs, "y": _numbers(line.low), **edge, "showlegend": False},
            {
                "type": "scatter",
                "x": xs,
                "y": _numbers(line.high),
                **edge,
                "fill": "tonexty",
                "fillcolor": rgba(color, 0.2),
                "showlegend": False,
            },
            {
                "type": "scatter",
                "x": xs,
                "y": _numbers(line.centre),
                "mode": "lines",
                "line": {"width": 2, "color": color, "shape": "hv"},
                "name": name,
            },
        ]
    side = ">" if above else "<"
    layout = _layout("Performance profile", f"τ ({x_title})", f"fraction of runs {side} τ", "pp")
    layout["yaxis"]["range"] = [0, 1.02]
    return {"data": traces, "layout": layout}


def sensitivity_figure(
    parameter: str,
    values: Sequence[Any],
    centre: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    *,
    y_title: str,
) -> dict[str, Any]:
    """Return the objective against one parameter's values, with error bars (its interval).

    Args:
        parameter: the parameter's name (the x axis).
        values: its values, ascending (numbers).
        centre: the objective's centre at each value.
        low: the interval's lower edge at each value.
        high: its upper edge.
        y_title: the objective.

    Returns:
        A Plotly figure dict; the x axis is logarithmic when the values are positive and span
        ``LOG_SPAN`` or more.
    """
    points = np.asarray(centre, dtype=np.float64)
    plus = _gap(np.asarray(high, dtype=np.float64), points)
    minus = _gap(points, np.asarray(low, dtype=np.float64))
    trace = {
        "type": "scatter",
        "x": list(values),
        "y": _numbers(points),
        "mode": "lines+markers",
        "line": {"color": color_for(0)},
        "error_y": {
            "type": "data",
            "symmetric": False,
            "array": _numbers(plus),
            "arrayminus": _numbers(minus),
        },
        "name": html.escape(parameter, quote=False),
    }
    layout = _layout(html.escape(parameter, quote=False), parameter, y_title, f"s-{parameter}")
    layout["height"] = 260
    if _log_axis(values):
        layout["xaxis"]["type"] = "log"
    return {"data": [trace], "layout": layout}


def _gap(upper: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Return ``upper - lower`` where both are finite, else 0 (no error bar there)."""
    finite = np.isfinite(upper) & np.isfinite(lower)
    return np.subtract(upper, lower, out=np.zeros(upper.shape), where=finite)


def _log_axis(values: Sequence[Any]) -> bool:
    """Return whether numbers are all positive and span ``LOG_SPAN`` or more."""
    numbers = [float(value) for value in values]
    return bool(numbers) and min(numbers) > 0 and max(numbers) / min(numbers) >= LOG_SPAN


def parcoords_figure(
    columns: Sequence[tuple[str, Sequence[Any]]], scores: Sequence[float], *, score_title: str
) -> dict[str, Any]:
    """Return parallel coordinates over runs: one axis per parameter, then the objective.

    Args:
        columns: (parameter, one value per run); numbers get a numeric axis, anything else
            an axis of its distinct values as ticks.
        scores: the objective of each run (finite; the line colour and the last axis).
        score_title: the objective's name.

    Returns:
        A Plotly ``parcoords`` figure dict.
    """
    dimensions = [_dimension(name, values) for name, values in columns]
    dimensions.append({"label": html.escape(score_title, quote=False), "values": _numbers(scores)})
    trace = {
        "type": "parcoords",
        "line": {
            "color": _numbers(scores),
            "colorscale": "Viridis",
            "showscale": True,
            "colorbar": {"title": {"text": "score"}},
        },
        "dimensions": dimensions,
    }
    layout = {
        "title": {"text": "Hyperparameters against the objective", "x": 0.01, "font": {"size": 14}},
        "margin": {"l": 60, "r": 60, "t": 70, "b": 30},
        "height": 360,
    }
    return {"data": [trace], "layout": layout}


def _dimension(name: str, values: Sequence[Any]) -> dict[str, Any]:
    """Return one parallel-coordinates axis: numbers as they are, anything else as the index
    of its text among the distinct values (shown as ticks)."""
    label = html.escape(name, quote=False)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return {"label": label, "values": _numbers([float(v) for v in values])}
    texts = [format_number(value) for value in values]
    distinct = sorted(set(texts))
    return {
        "label": label,
        "values": [distinct.index(text) for text in texts],
        "tickvals": list(range(len(distinct))),
        "ticktext": [html.escape(text, quote=False) for text in distinct],
    }
