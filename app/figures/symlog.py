"""A logarithmic y axis for curves that go to zero or below: symlog, drawn on a linear axis.

Plotly's log axis leaves out every value <= 0, so a return curve of negative returns would
vanish without a word. Plotly has no symlog axis, so where a curve has such values the y
values are transformed, ``sign(y) * log10(1 + |y| / scale)`` (log-like beyond ``scale``,
linear near zero, defined at zero and below), the ticks are placed at transformed round
numbers and labelled with the values themselves, and the hover shows the true values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

LINEAR_DECADES = 3
"""Decades below the largest |y| that stay log-like; smaller values are drawn near-linear."""
MAX_TICKS_PER_SIGN = 5
"""Most ticks on each side of zero (every other decade beyond that)."""
SYMLOG_NOTE = "symlog: values ≤ 0"
"""Added to the y title of a log-scale curve drawn as symlog."""


def _values(traces: Iterable[Mapping[str, Any]]) -> list[float]:
    """Return every finite y value of ``traces``."""
    return [
        float(y)
        for trace in traces
        for y in trace.get("y", [])
        if isinstance(y, int | float) and math.isfinite(y)
    ]


def symlog(value: float, scale: float) -> float:
    """Return ``sign(value) * log10(1 + |value| / scale)`` (non-finite values unchanged)."""
    if not math.isfinite(value):
        return value
    return math.copysign(math.log10(1.0 + abs(value) / scale), value)


def symlog_scale(values: Sequence[float]) -> float:
    """Return the linear threshold for ``values``: a power of ten near their smallest
    non-zero size, at most ``LINEAR_DECADES`` decades below their largest (1 for none)."""
    sizes = [abs(value) for value in values if value != 0]
    if not sizes:
        return 1.0
    floor = max(min(sizes), max(sizes) * 10.0**-LINEAR_DECADES)
    return 10.0 ** math.floor(math.log10(floor))


def _label(value: float) -> str:
    """Return a tick's text: ``0``, ``-1,000``, ``0.01``, ``1e+06``."""
    if value == 0:
        return "0"
    if abs(value) >= 1e6:
        return f"{value:.0e}"
    return f"{value:,.0f}" if abs(value) >= 1 else f"{value:g}"


def symlog_ticks(values: Sequence[float], scale: float) -> tuple[list[float], list[str]]:
    """Return tick positions (transformed) and labels (true values) covering ``values``.

    Ticks sit at 0 and at ``±scale * 10**k`` up to one decade past the largest |value| on
    each side that has values, every other decade when there would be more than
    ``MAX_TICKS_PER_SIGN``.
    """
    ticks = [0.0]
    for sign in (1.0, -1.0):
        sizes = [abs(value) for value in values if value * sign > 0]
        if not sizes:
            continue
        decades = max(0, math.ceil(math.log10(max(sizes) / scale)))
        step = max(1, math.ceil((decades + 1) / MAX_TICKS_PER_SIGN))
        ticks += [sign * scale * 10.0**k for k in range(0, decades + 1, step)]
    ticks.sort()
    return [round(symlog(tick, scale), 6) for tick in ticks], [_label(tick) for tick in ticks]


def _transformed(trace: Mapping[str, Any], scale: float) -> dict[str, Any]:
    """Return ``trace`` with its y values transformed; a hoverable trace shows the true ones."""
    ys = list(trace.get("y", []))
    out = {**trace, "y": [round(symlog(float(y), scale), 6) for y in ys]}
    if trace.get("hoverinfo") != "skip":
        out["customdata"] = ys
        out["hovertemplate"] = "%{customdata:.4g}"
    return out


def log_y_axis(
    traces: Sequence[Mapping[str, Any]], y_title: str
) -> tuple[list[Mapping[str, Any]], dict[str, Any]]:
    """Return the traces and the y axis of a curve drawn on a logarithmic scale.

    Args:
        traces: the figure's traces, untransformed.
        y_title: the y axis title.

    Returns:
        The traces unchanged and a log axis when every value is positive; otherwise the
        traces transformed to symlog and a linear axis with symlog ticks, its title noting
        ``SYMLOG_NOTE`` (so a negative curve is drawn, and the page says why it looks so).
    """
    values = _values(traces)
    if all(value > 0 for value in values):
        return list(traces), {"title": {"text": y_title}, "type": "log"}
    scale = symlog_scale(values)
    tickvals, ticktext = symlog_ticks(values, scale)
    title = f"{y_title} ({SYMLOG_NOTE})" if y_title else SYMLOG_NOTE
    axis = {
        "title": {"text": title},
        "type": "linear",
        "tickmode": "array",
        "tickvals": tickvals,
        "ticktext": ticktext,
    }
    return [_transformed(trace, scale) for trace in traces], axis
