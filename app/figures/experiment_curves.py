"""Group curves of an experiment: per group a centre line, its band and, on request, each
seed as a thin line.

Inputs are plain arrays over equal buckets (``app.views.experiment_curves``), so every trace
is placed with ``x0``/``dx`` and sends its y values only; columns after the last one any run
reached are left out, and with many seeds their lines are drawn over coarser buckets
(``SEED_VALUES``): a chart stays a few dozen kilobytes whatever the runs' length.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.figures.curves import color_for, compact, curve_figure, rgba

SEED_VALUES = 1500
"""Most y values all seed lines of one chart send together (coarser buckets beyond)."""
CENTRE_DIGITS = 4
"""Significant digits of a group's centre line (its hover text shows them)."""
EDGE_DIGITS = 3
"""Significant digits of a band's edges and of a seed's thin line: a tenth of a percent of
the value, finer than the chart's pixels."""


@dataclass(frozen=True)
class CurveData:
    """One group's curve of one metric, as arrays over the window's buckets."""

    label: str
    """The legend text, as typed (escaped when drawn: Plotly reads HTML in labels)."""
    centre: np.ndarray
    low: np.ndarray
    """The band's lower edge (NaN: no band there)."""
    high: np.ndarray
    seeds: np.ndarray
    """[runs, buckets]: each run's bucket means (NaN where it has none)."""
    seed_names: Sequence[str]
    """One hover name per run."""


def group_curve_figure(
    curves: Sequence[CurveData],
    *,
    bucket: int,
    title: str,
    y_title: str,
    seeds: bool = False,
    uirevision: str = "groups",
) -> dict[str, Any]:
    """Return one chart of every group's curve, group ``i`` in colour ``i``.

    Args:
        curves: the groups' curves over the same buckets, in colour order.
        bucket: episodes per bucket (bucket ``k`` is drawn at its first episode).
        title: the chart's title.
        y_title: the y axis title.
        seeds: draw each run as a thin line in its group's colour.
        uirevision: keeps zoom and legend clicks across refreshes while it stays the same.

    Returns:
        A Plotly figure dict.
    """
    width = _reached(curves)
    factor = _seed_factor(curves, width) if seeds else 1
    traces: list[dict[str, Any]] = []
    for index, curve in enumerate(curves):
        color = color_for(index)
        name = html.escape(curve.label, quote=False)
        traces += _band(curve, name, color, bucket, width)
        if seeds:
            traces += _seed_lines(
                curve, name, color, bucket * factor, _coarse(curve.seeds[:, :width], factor)
            )
        traces.append(
            {
                **_line(curve.centre[:width], bucket),
                "mode": "lines",
                "line": {"width": 2.5, "color": color},
                "legendgroup": name,
                "name": name,
            }
        )
    return curve_figure(traces, title=title, y_title=y_title, uirevision=uirevision)


def _line(values: np.ndarray, dx: int, digits: int = CENTRE_DIGITS) -> dict[str, Any]:
    """Return a scatter trace's coordinates: y values to ``digits`` significant digits (NaN
    as gaps), placed from episode 1 every ``dx`` episodes."""
    ys = [None if math.isnan(value) else value for value in compact(values, digits)]
    return {"type": "scatter", "x0": 1, "dx": dx, "y": ys}


def _band(curve: CurveData, name: str, color: str, bucket: int, width: int) -> list[dict[str, Any]]:
    """Return the band's two edges, the upper one filled down to the lower (none where the
    band has no edge anywhere)."""
    low, high = curve.low[:width], curve.high[:width]
    if not np.isfinite(low).any():
        return []
    edge = {
        "mode": "lines",
        "line": {"width": 0, "color": color},
        "hoverinfo": "skip",
        "showlegend": False,
        "legendgroup": name,
    }
    return [
        {**_line(low, bucket, EDGE_DIGITS), **edge, "name": f"{name} band low"},
        {
            **_line(high, bucket, EDGE_DIGITS),
            **edge,
            "fill": "tonexty",
            "fillcolor": rgba(color, 0.2),
            "name": f"{name} band high",
        },
    ]


def _seed_lines(
    curve: CurveData, name: str, color: str, dx: int, rows: np.ndarray
) -> list[dict[str, Any]]:
    """Return one thin line per run of the group."""
    return [
        {
            **_line(row, dx, EDGE_DIGITS),
            "mode": "lines",
            "line": {"width": 1, "color": rgba(color, 0.45)},
            "showlegend": False,
            "legendgroup": name,
            "name": html.escape(seed, quote=False),
        }
        for row, seed in zip(rows, curve.seed_names, strict=True)
    ]


def _reached(curves: Sequence[CurveData]) -> int:
    """Return the number of buckets up to the last one any group has a centre in."""
    last = [np.flatnonzero(np.isfinite(curve.centre)) for curve in curves]
    return max([0, *(int(found[-1]) + 1 for found in last if found.size)])


def _seed_factor(curves: Sequence[CurveData], width: int) -> int:
    """Return how many buckets each point of a seed line merges so that all seed lines of the
    chart send at most ``SEED_VALUES`` values."""
    runs = sum(len(curve.seeds) for curve in curves)
    return max(1, math.ceil(runs * width / SEED_VALUES))


def _coarse(rows: np.ndarray, factor: int) -> np.ndarray:
    """Return seed rows [runs, buckets] with every ``factor`` buckets merged into their mean
    (buckets hold equally many episodes; NaN ones are left out, all-NaN stays NaN)."""
    if factor == 1 or not rows.size:
        return rows
    width = math.ceil(rows.shape[1] / factor) * factor
    padded = np.full((rows.shape[0], width), math.nan)
    padded[:, : rows.shape[1]] = rows
    chunks = padded.reshape(rows.shape[0], -1, factor)
    present = np.isfinite(chunks)
    counts = present.sum(axis=2)
    sums = np.where(present, chunks, 0.0).sum(axis=2)
    return np.divide(sums, counts, out=np.full(counts.shape, math.nan), where=counts > 0)
