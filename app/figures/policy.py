"""Pure figure builders for the policy view: what the agent learned, checkpoint by checkpoint.

Inputs are plain data (a Q-table, the stored grid description, checkpoint evaluations); no
store, no Dash. Grid envs get a map of max_a Q(s, a) with the greedy action as an arrow in
each cell; any other discrete env gets a state x action heatmap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.graph_objects as go

from app.rules import format_number
from gridworld.config import MAP_CHARS
from gridworld.env import ARROWS, COLOURS

ACTION_LABELS: dict[str, tuple[str, ...]] = {
    "GridWorld": ARROWS,
    "FrozenLake": ("←", "↓", "→", "↑"),
    "FrozenLake8x8": ("←", "↓", "→", "↑"),
    "CliffWalking": ("↑", "→", "↓", "←"),
    "Taxi": ("south", "north", "east", "west", "pickup", "dropoff"),
}
"""Action names by env family (the id without its version), in action-index order."""

CHANGED_COLOUR = "#ff7f0e"
"""Outline of cells whose greedy action changed since the previous checkpoint."""

_RGB = {kind: f"rgb{rgb}" for kind, rgb in COLOURS.items()}
_SOLID = ("wall", "goal", "trap")
"""Cell kinds drawn as solid squares instead of values (the agent never acts there)."""
_KIND_LETTER = {kind: char for char, kind in MAP_CHARS.items()}


def action_labels(env_id: str, n_actions: int) -> tuple[str, ...]:
    """Return a label per action for ``env_id``: arrows for grid moves, names, or ``a0..``.

    Args:
        env_id: the gymnasium id, e.g. ``"FrozenLake-v1"``.
        n_actions: the size of the action space.

    Returns:
        ``n_actions`` labels.
    """
    known = ACTION_LABELS.get(env_id.split("-v")[0])
    if known is not None and len(known) == n_actions:
        return known
    return tuple(f"a{i}" for i in range(n_actions))


def greedy_actions(q: np.ndarray) -> np.ndarray:
    """Return each state's greedy action, or -1 where every action has the same value.

    An untouched row (all zeros, or all tied) has no preferred action; drawing action 0 there
    would pretend the agent decided something.

    Args:
        q: the Q-table [states, actions].

    Returns:
        An int array [states].
    """
    q = np.asarray(q, dtype=np.float64)
    greedy = np.argmax(q, axis=1)
    tied = q.max(axis=1) == q.min(axis=1)
    return np.where(tied, -1, greedy)


def changed_states(q: np.ndarray, previous: np.ndarray | None) -> np.ndarray:
    """Return a bool mask of the states whose greedy action differs from ``previous``'s.

    Args:
        q: the Q-table at this checkpoint.
        previous: the Q-table at the checkpoint before, or None (nothing changed).

    Returns:
        A bool array [states].
    """
    now = greedy_actions(q)
    if previous is None or np.shape(previous) != np.shape(q):
        return np.zeros(len(now), dtype=bool)
    return now != greedy_actions(previous)


def _q_hover(q_row: np.ndarray, labels: Sequence[str]) -> str:
    """Return hover lines "label: value" for one state's Q-values."""
    return "<br>".join(
        f"{label}: {format_number(float(value))}"
        for label, value in zip(labels, q_row, strict=True)
    )


def grid_policy_figure(
    q: np.ndarray,
    grid: Mapping[str, Any],
    labels: Sequence[str],
    previous: np.ndarray | None = None,
    title: str | None = None,
) -> go.Figure:
    """Draw a grid world's policy: max_a Q as colour, the greedy action as an arrow per cell.

    Walls, goals and traps are solid squares in the environment's colours; the start has a
    thick outline and an "S". Hovering a cell shows every action's Q-value. Cells whose greedy
    action changed since ``previous`` get an orange outline.

    Args:
        q: the Q-table [height * width, actions]; state = row * width + column.
        grid: the stored grid (``GridWorldConfig.to_dict()``): ``desc`` rows of S G . # T.
        labels: one label per action (arrows for moves).
        previous: the Q-table of the previous checkpoint, or None.
        title: the figure title.

    Returns:
        The figure (row 0 at the top, one square per cell).
    """
    desc = list(grid["desc"])
    height, width = len(desc), len(desc[0])
    q = np.asarray(q, dtype=np.float64)
    kinds = [[MAP_CHARS[char] for char in row] for row in desc]
    greedy = greedy_actions(q).reshape(height, width)
    changed = changed_states(q, previous).reshape(height, width)
    z = np.where(np.isin(np.array(kinds), _SOLID), np.nan, q.max(axis=1).reshape(height, width))
    fig = go.Figure(
        go.Heatmap(
            z=z.tolist(),
            text=_grid_hover(q, kinds, greedy, labels),
            hovertemplate="%{text}<extra></extra>",
            colorscale="Viridis",
            colorbar={"title": {"text": "max Q"}},
            xgap=1,
            ygap=1,
            hoverongaps=False,
        )
    )
    shapes: list[dict[str, Any]] = []
    letters, arrows = _Marks(), _Marks()
    low, high = np.nanmin(z, initial=0.0), np.nanmax(z, initial=0.0)
    bright = low + 0.6 * (high - low)
    for r in range(height):
        for c in range(width):
            kind = kinds[r][c]
            shapes.extend(_cell_shapes(kind, r, c, bool(changed[r, c])))
            if kind != "floor":
                letters.add(c - 0.32, r - 0.3, _KIND_LETTER[kind], "white")
            if kind not in _SOLID and greedy[r, c] >= 0:
                colour = "black" if high > low and z[r, c] > bright else "white"
                arrows.add(c, r, labels[greedy[r, c]], colour)
    fig.add_trace(_text_layer(arrows, 18, "greedy action"))
    fig.add_trace(_text_layer(letters, 11, "cell kind"))
    fig.update_layout(
        title=title,
        shapes=shapes,
        margin={"l": 30, "r": 30, "t": 50 if title else 20, "b": 30},
        plot_bgcolor="white",
    )
    _square_axes(fig, height, width)
    return fig


@dataclass
class _Marks:
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


def _grid_hover(
    q: np.ndarray, kinds: list[list[str]], greedy: np.ndarray, labels: Sequence[str]
) -> list[list[str]]:
    """Return each cell's hover text: its place and kind, every action's Q, the greedy one."""
    width = len(kinds[0])
    return [
        [
            f"row {r}, column {c} ({kind})<br>"
            + _q_hover(q[r * width + c], labels)
            + (f"<br>greedy: {labels[greedy[r, c]]}" if greedy[r, c] >= 0 else "")
            for c, kind in enumerate(row)
        ]
        for r, row in enumerate(kinds)
    ]


def _cell_shapes(kind: str, r: int, c: int, changed: bool) -> list[dict[str, Any]]:
    """Return the shapes of one cell: a solid square for walls, goals and traps, a thick
    outline for the start, an orange outline when its greedy action changed."""
    box = {"type": "rect", "x0": c - 0.5, "x1": c + 0.5, "y0": r - 0.5, "y1": r + 0.5}
    shapes: list[dict[str, Any]] = []
    if kind in _SOLID:
        shapes.append({**box, "fillcolor": _RGB[kind], "line": {"width": 0}, "layer": "below"})
    if kind == "start":
        shapes.append({**box, "line": {"color": _RGB[kind], "width": 4}})
    if changed:
        shapes.append({**box, "line": {"color": CHANGED_COLOUR, "width": 3}})
    return shapes


def _text_layer(marks: _Marks, size: int, name: str) -> go.Scatter:
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


def state_action_figure(
    q: np.ndarray,
    labels: Sequence[str],
    previous: np.ndarray | None = None,
    title: str | None = None,
) -> go.Figure:
    """Draw any tabular policy as a state x action heatmap of Q with the greedy action marked.

    Args:
        q: the Q-table [states, actions].
        labels: one label per action.
        previous: the Q-table of the previous checkpoint, or None.
        title: the figure title.

    Returns:
        The figure: actions across, states down; a dot on each state's greedy action, orange
        where it changed since ``previous``.
    """
    q = np.asarray(q, dtype=np.float64)
    n_states = q.shape[0]
    greedy = greedy_actions(q)
    changed = changed_states(q, previous)
    states = np.arange(n_states)
    decided = greedy >= 0
    fig = go.Figure(
        go.Heatmap(
            z=q.tolist(),
            x=list(labels),
            y=states.tolist(),
            colorscale="Viridis",
            colorbar={"title": {"text": "Q"}},
            hovertemplate="state %{y}, action %{x}: Q = %{z:.4g}<extra></extra>",
        )
    )
    for name, mask, colour in (
        ("greedy action", decided & ~changed, "white"),
        ("greedy action changed", decided & changed, CHANGED_COLOUR),
    ):
        fig.add_trace(
            go.Scatter(
                x=[labels[a] for a in greedy[mask]],
                y=states[mask].tolist(),
                mode="markers",
                marker={"color": colour, "size": 6, "line": {"width": 1, "color": "black"}},
                name=name,
                hoverinfo="skip",
            )
        )
    fig.update_layout(
        title=title,
        margin={"l": 50, "r": 30, "t": 50 if title else 20, "b": 40},
        legend={"orientation": "h", "y": -0.08},
    )
    fig.update_yaxes(autorange="reversed", title={"text": "state"})
    fig.update_xaxes(title={"text": "action"}, type="category")
    return fig


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
        env_id: the run's env id (picks action labels).
        env_config: the run's stored env config (``grid`` is a map description or None).
        previous: the Q-table of the previous checkpoint, or None.
        title: the figure title.

    Returns:
        ``grid_policy_figure`` when the run has a grid whose size matches ``q``, else
        ``state_action_figure``.
    """
    labels = action_labels(env_id, int(np.shape(q)[1]))
    grid = env_config.get("grid")
    if grid and len(grid["desc"]) * len(grid["desc"][0]) == np.shape(q)[0]:
        return grid_policy_figure(q, grid, labels, previous, title)
    return state_action_figure(q, labels, previous, title)


def optimality_figure(
    evaluations: Sequence[tuple[int, Mapping[str, float] | None]],
    current: int | None = None,
) -> go.Figure:
    """Draw the optimality gap and the share of optimal actions over checkpoints.

    Args:
        evaluations: (episode, evaluation) per checkpoint, oldest first; an evaluation holds
            ``gap`` (V*(start) - V^pi(start)) and ``optimal_share``, or is None when the
            trainer skipped it (those checkpoints are left out).
        current: the episode of the checkpoint on show, marked by a vertical line.

    Returns:
        The figure: gap on the left axis, optimal share (0..1) on the right.
    """
    scored = [(episode, ev) for episode, ev in evaluations if ev and "gap" in ev]
    episodes = [episode for episode, _ in scored]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=episodes,
            y=[ev["gap"] for _, ev in scored],
            mode="lines+markers",
            name="gap V*(start) − V^π(start)",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=episodes,
            y=[ev.get("optimal_share") for _, ev in scored],
            mode="lines+markers",
            name="share of optimal actions",
            yaxis="y2",
            line={"dash": "dot"},
        )
    )
    if current is not None:
        fig.add_vline(x=current, line={"color": CHANGED_COLOUR, "width": 2})
    fig.update_layout(
        xaxis={"title": {"text": "episode"}},
        yaxis={"title": {"text": "optimality gap"}, "rangemode": "tozero"},
        yaxis2={
            "title": {"text": "optimal share"},
            "overlaying": "y",
            "side": "right",
            "range": [0, 1.05],
            "tickformat": ".0%",
            "dtick": 0.25,
            "showgrid": False,
        },
        legend={"orientation": "h", "y": 1.12},
        margin={"l": 50, "r": 50, "t": 40, "b": 40},
    )
    if not scored:
        fig.add_annotation(
            text="no evaluated checkpoints (the env has no model, or none saved yet)",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
        )
    return fig
