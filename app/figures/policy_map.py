"""The policy map: what the agent learned, drawn on the env's grid where it has one.

GridWorld, FrozenLake and CliffWalking (any env whose states are the cells of a grid,
``gridworld.grids``) get a map of max_a Q(s, a) with the greedy action as an arrow in each
cell, and a legend of what the cell colours and outlines mean; any other discrete env gets
``policy.state_action_figure``. Pure: a Q-table and the stored grid in, a figure out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.graph_objects as go

from app.figures.policy import (
    CHANGED_COLOUR,
    action_labels,
    changed_states,
    greedy_actions,
    q_hover,
    state_action_figure,
)
from gridworld.config import MAP_CHARS
from gridworld.env import COLOURS
from gridworld.grids import grid_rows_of

_RGB = {kind: f"rgb{rgb}" for kind, rgb in COLOURS.items()}
SOLID = ("wall", "goal", "trap")
"""Cell kinds drawn as solid squares instead of values (the agent never acts there)."""
SOLID_INSET = 0.05
"""Share of a cell left blank at each side of a solid square, so that neighbouring holes
or cliff cells read as separate cells, not one block."""
KIND_NAMES: dict[str, dict[str, str]] = {
    "FrozenLake": {"trap": "hole"},
    "FrozenLake8x8": {"trap": "hole"},
    "CliffWalking": {"trap": "cliff"},
}
"""What a cell kind is called in an env family, where not GridWorld's own name."""
START_WIDTH = 4
CHANGED_WIDTH = 3


def kind_names(env_id: str) -> dict[str, str]:
    """Return each cell kind's name for ``env_id`` (``trap`` is a ``hole`` in FrozenLake)."""
    names = {kind: kind for kind in MAP_CHARS.values()}
    return {**names, **KIND_NAMES.get(env_id.split("-v")[0], {})}


def map_rows(env_id: str, env_config: Mapping[str, Any], n_states: int) -> list[str] | None:
    """Return the text map whose cells are the run's ``n_states`` states, or None.

    The run's stored grid is used where it has one; runs stored without one (CliffWalking
    before its grid was recorded) get the grid of their env id (``grids.grid_rows_of``).
    """
    grid = env_config.get("grid") or {}
    rows = list(grid.get("desc") or grid_rows_of(env_id) or [])
    return rows if rows and len(rows) * len(rows[0]) == n_states else None


def policy_figure(
    q: np.ndarray,
    env_id: str,
    env_config: Mapping[str, Any],
    previous: np.ndarray | None = None,
    title: str | None = None,
) -> go.Figure:
    """Draw the policy in the form that suits the env: a grid map where there is one.

    Args:
        q: the Q-table [states, actions].
        env_id: the run's env id (picks action labels and cell names).
        env_config: the run's stored env config (``grid`` is a map description or None).
        previous: the Q-table of the previous checkpoint, or None.
        title: the figure title.

    Returns:
        ``grid_policy_figure`` when the env's states are the cells of a grid
        (``map_rows``), else ``policy.state_action_figure``.
    """
    labels = action_labels(env_id, int(np.shape(q)[1]))
    rows = map_rows(env_id, env_config, int(np.shape(q)[0]))
    if rows is not None:
        return grid_policy_figure(q, rows, labels, previous, title, kind_names(env_id))
    return state_action_figure(q, labels, previous, title)


def grid_policy_figure(
    q: np.ndarray,
    rows: Sequence[str],
    labels: Sequence[str],
    previous: np.ndarray | None = None,
    title: str | None = None,
    names: Mapping[str, str] | None = None,
) -> go.Figure:
    """Draw a grid world's policy: max_a Q as colour, the greedy action as an arrow per cell.

    Walls, goals and traps are solid squares in the environment's colours, each inset so
    that neighbours stay apart; the start has a thick outline and an "S". Hovering a cell
    shows every action's Q-value. Cells whose greedy action changed since ``previous`` get
    an orange outline. A legend below the map names each colour and outline.

    Args:
        q: the Q-table [height * width, actions]; state = row * width + column.
        rows: the text map, rows of ``MAP_CHARS`` (S G . # T).
        labels: one label per action (arrows for moves).
        previous: the Q-table of the previous checkpoint, or None.
        title: the figure title.
        names: each cell kind's name in this env (``kind_names``; default GridWorld's).

    Returns:
        The figure (row 0 at the top, one square per cell).
    """
    names = dict(names or kind_names(""))
    height, width = len(rows), len(rows[0])
    q = np.asarray(q, dtype=np.float64)
    kinds = cell_kinds(rows)
    greedy = greedy_actions(q).reshape(height, width)
    changed = changed_states(q, previous).reshape(height, width)
    z = np.where(np.isin(np.array(kinds), SOLID), np.nan, q.max(axis=1).reshape(height, width))
    fig = go.Figure(
        go.Heatmap(
            z=z.tolist(),
            text=_grid_hover(q, kinds, greedy, labels, names),
            hovertemplate="%{text}<extra></extra>",
            colorscale="Viridis",
            colorbar={"title": {"text": "max Q", "side": "right"}},
            xgap=1,
            ygap=1,
            hoverongaps=False,
            showlegend=False,
        )
    )
    arrows = Marks()
    low, high = np.nanmin(z, initial=0.0), np.nanmax(z, initial=0.0)
    bright = low + 0.6 * (high - low)
    for r in range(height):
        for c in range(width):
            if kinds[r][c] not in SOLID and greedy[r, c] >= 0:
                colour = "black" if high > low and z[r, c] > bright else "white"
                arrows.add(c, r, labels[greedy[r, c]], colour)
    fig.add_trace(text_layer(arrows, 18, "greedy action"))
    changed_entry = ("greedy action changed since the last checkpoint", CHANGED_COLOUR)
    draw_cells(fig, kinds, names, changed, [changed_entry])
    fig.update_layout(title=title, margin={"l": 30, "r": 30, "t": 50 if title else 20, "b": 30})
    return fig


def cell_kinds(rows: Sequence[str]) -> list[list[str]]:
    """Return the kind of each cell of a text map (``MAP_CHARS``' names), row by row."""
    return [[MAP_CHARS[char] for char in row] for row in rows]


def draw_cells(
    fig: go.Figure,
    kinds: list[list[str]],
    names: Mapping[str, str],
    outlined: np.ndarray | None = None,
    outline_legend: Sequence[tuple[str, str]] = (),
) -> None:
    """Draw a grid map's cells over ``fig``'s values: square cells, row 0 at the top.

    Walls, goals and traps are solid squares in the environment's colours, each inset so
    that neighbours stay apart; the start has a thick outline and a letter "S" (every cell
    that is not floor has its letter). A legend below the map names each colour.

    Args:
        fig: the figure (its traces are the values drawn in the cells).
        kinds: ``cell_kinds`` of the map.
        names: each cell kind's name in this env (``kind_names``).
        outlined: a bool array [height, width] of cells to outline in ``CHANGED_COLOUR``,
            or None.
        outline_legend: (name, colour) legend entries for such outlines.
    """
    shapes: list[dict[str, Any]] = list(fig.layout.shapes)
    letters = Marks()
    for r, row in enumerate(kinds):
        for c, kind in enumerate(row):
            mark = outlined is not None and bool(outlined[r, c])
            shapes.extend(_cell_shapes(kind, r, c, mark))
            if kind != "floor":
                letters.add(c - 0.32, r - 0.3, _letter(kind, names), "white")
    fig.add_trace(text_layer(letters, 11, "cell kind"))
    for trace in _legend(sorted({kind for row in kinds for kind in row}), names, outline_legend):
        fig.add_trace(trace)
    fig.update_layout(
        shapes=shapes,
        plot_bgcolor="white",
        legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "top", "font": {"size": 11}},
    )
    _square_axes(fig, len(kinds), len(kinds[0]))


@dataclass
class Marks:
    """Text marks on a grid: x, y, text and colour of each."""

    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    colours: list[str] = field(default_factory=list)

    def add(self, x: float, y: float, text: str, colour: str) -> None:
        """Add one mark at (x, y)."""
        self.x.append(x)
        self.y.append(y)
        self.text.append(text)
        self.colours.append(colour)


def _letter(kind: str, names: Mapping[str, str]) -> str:
    """Return the letter printed on a cell: the map character, or the first letter of the
    env's own name for it (``H`` for a hole)."""
    char = next(char for char, name in MAP_CHARS.items() if name == kind)
    return char if names[kind] == kind else names[kind][0].upper()


def _grid_hover(
    q: np.ndarray,
    kinds: list[list[str]],
    greedy: np.ndarray,
    labels: Sequence[str],
    names: Mapping[str, str],
) -> list[list[str]]:
    """Return each cell's hover text: its place and kind, every action's Q, the greedy one."""
    width = len(kinds[0])
    return [
        [
            f"row {r}, column {c} ({names[kind]})<br>"
            + q_hover(q[r * width + c], labels)
            + (f"<br>greedy: {labels[greedy[r, c]]}" if greedy[r, c] >= 0 else "")
            for c, kind in enumerate(row)
        ]
        for r, row in enumerate(kinds)
    ]


def _cell_shapes(kind: str, r: int, c: int, changed: bool) -> list[dict[str, Any]]:
    """Return the shapes of one cell: an inset solid square for walls, goals and traps, a
    thick outline for the start, an orange outline when its greedy action changed."""
    box = {"type": "rect", "x0": c - 0.5, "x1": c + 0.5, "y0": r - 0.5, "y1": r + 0.5}
    shapes: list[dict[str, Any]] = []
    if kind in SOLID:
        inset = 0.5 - SOLID_INSET
        solid = {"x0": c - inset, "x1": c + inset, "y0": r - inset, "y1": r + inset}
        shapes.append(
            {**box, **solid, "fillcolor": _RGB[kind], "line": {"width": 0}, "layer": "below"}
        )
    if kind == "start":
        shapes.append({**box, "line": {"color": _RGB[kind], "width": START_WIDTH}})
    if changed:
        shapes.append({**box, "line": {"color": CHANGED_COLOUR, "width": CHANGED_WIDTH}})
    return shapes


def _legend(
    kinds: Sequence[str], names: Mapping[str, str], outlines: Sequence[tuple[str, str]]
) -> list[go.Scatter]:
    """Return legend-only traces: a filled square per solid kind on the map, an outlined
    square for the start and for each of ``outlines`` (name, colour)."""
    entries = [(names[kind], "square", _RGB[kind], 0) for kind in kinds if kind in SOLID]
    entries.append(("start (outline)", "square-open", _RGB["start"], START_WIDTH))
    entries += [(name, "square-open", colour, 2) for name, colour in outlines]
    return [
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=name,
            marker={"symbol": symbol, "size": 12, "color": colour, "line": {"width": line}},
            hoverinfo="skip",
        )
        for name, symbol, colour, line in entries
    ]


def text_layer(marks: Marks, size: int, name: str) -> go.Scatter:
    """Return a text-only trace of ``marks`` (not hoverable, not in the legend)."""
    return go.Scatter(
        x=marks.x,
        y=marks.y,
        text=marks.text,
        mode="text",
        textfont={"size": size, "color": marks.colours},
        hoverinfo="skip",
        name=name,
        showlegend=False,
    )


def _square_axes(fig: go.Figure, height: int, width: int) -> None:
    """Give ``fig`` square cells, row 0 at the top, and no grid lines."""
    fig.update_xaxes(
        showgrid=False, zeroline=False, range=[-0.5, width - 0.5], dtick=1, constrain="domain"
    )
    fig.update_yaxes(
        showgrid=False,
        zeroline=False,
        range=[height - 0.5, -0.5],
        dtick=1,
        scaleanchor="x",
        constrain="domain",
    )
