"""Per-state figures of recorded episodes: how often each state was visited, and its mean
|TD error|, drawn on the env's grid like the max-Q map (``policy_map``), or as a bar per
state for envs without a grid.

Pure: one value per state in (NaN for a state with no value, drawn blank), a figure out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from app.figures.policy_map import SOLID, cell_kinds, draw_cells, kind_names, map_rows
from app.rules import format_number


@dataclass(frozen=True)
class Measure:
    """What a per-state figure shows: its colour bar title, its hover wording, its colours."""

    title: str
    """The colour bar's (or y axis's) title, e.g. ``"visits"``."""
    label: str
    """The value's name in a cell's hover text."""
    colorscale: str
    whole: bool = False
    """Whether values are counts (shown without decimals)."""


VISITS = Measure("visits", "steps taken from here", "Cividis", whole=True)
MEAN_ABS_TD = Measure("mean |TD error|", "mean |TD error|", "Plasma")
BLANK = "not visited"
"""The hover text of a state without a value."""


def _shown(value: float, measure: Measure) -> str:
    """Return one state's value as its hover text gives it."""
    if np.isnan(value):
        return BLANK
    return format_number(int(value) if measure.whole else float(value))


def _or_none(values: np.ndarray) -> list[float | None]:
    """Return the values as a JSON-safe list, None (a gap) for NaN."""
    return [None if np.isnan(value) else float(value) for value in values]


def state_figure(
    values: np.ndarray, env_id: str, env_config: Mapping[str, Any], measure: Measure
) -> go.Figure:
    """Draw one value per state where the run's states are: on its grid when it has one.

    Args:
        values: a float array [states]; NaN where a state has no value (drawn blank).
        env_id: the run's env id (picks the cell names).
        env_config: the run's stored env config (``grid``, as ``policy_map.map_rows`` reads).
        measure: what the values are.

    Returns:
        ``grid_state_figure`` when the states are the cells of a grid, else a bar per state.
    """
    values = np.asarray(values, dtype=np.float64)
    rows = map_rows(env_id, env_config, len(values))
    if rows is not None:
        return grid_state_figure(values, rows, measure, kind_names(env_id))
    return state_bars(values, measure)


def grid_state_figure(
    values: np.ndarray, rows: Sequence[str], measure: Measure, names: Mapping[str, str]
) -> go.Figure:
    """Draw one value per cell of a grid map, with the map's walls, goals, traps and start.

    Args:
        values: a float array [height * width]; state = row * width + column; NaN blank.
        rows: the text map (``MAP_CHARS``).
        measure: what the values are.
        names: each cell kind's name in this env (``policy_map.kind_names``).

    Returns:
        The figure: a heatmap whose colour bar is titled ``measure.title`` at its side, and
        whose hover names each cell, its kind and its value ("not visited" when blank).
    """
    height, width = len(rows), len(rows[0])
    kinds = cell_kinds(rows)
    grid = values.reshape(height, width)
    z = np.where(np.isin(np.array(kinds), SOLID), np.nan, grid)
    hover = [
        [
            f"row {r}, column {c} ({names[kind]})<br>{measure.label}: {_shown(grid[r, c], measure)}"
            for c, kind in enumerate(row)
        ]
        for r, row in enumerate(kinds)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=[_or_none(row) for row in z],
            text=hover,
            hovertemplate="%{text}<extra></extra>",
            colorscale=measure.colorscale,
            colorbar={"title": {"text": measure.title, "side": "right"}},
            xgap=1,
            ygap=1,
            showlegend=False,
        )
    )
    draw_cells(fig, kinds, names)
    fig.update_layout(margin={"l": 30, "r": 30, "t": 20, "b": 30})
    return fig


def state_bars(values: np.ndarray, measure: Measure) -> go.Figure:
    """Draw one bar per state (none for a state without a value), for envs without a grid.

    Returns:
        The figure: states across, ``measure.title`` up.
    """
    states = np.arange(len(values))
    fig = go.Figure(
        go.Bar(
            x=states.tolist(),
            y=_or_none(values),
            text=[_shown(float(v), measure) for v in values],
            hovertemplate=f"state %{{x}}: {measure.label} %{{text}}<extra></extra>",
            textposition="none",
            marker={"color": np.nan_to_num(values).tolist(), "colorscale": measure.colorscale},
        )
    )
    fig.update_layout(
        xaxis={"title": {"text": "state"}},
        yaxis={"title": {"text": measure.title}, "rangemode": "tozero"},
        margin={"l": 60, "r": 20, "t": 20, "b": 40},
        bargap=0.1,
    )
    return fig
