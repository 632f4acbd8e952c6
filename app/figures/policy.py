"""Pure figure builders for the policy view: what the agent learned, checkpoint by checkpoint.

Inputs are plain data (a Q-table, checkpoint evaluations); no store, no Dash. This module has
the greedy policy and its changes, the state x action heatmap any discrete env gets and the
optimality figure; ``policy_map`` draws envs with a grid, and picks between the two.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from app.rules import format_number
from gridworld.env import ARROWS

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


def q_hover(q_row: np.ndarray, labels: Sequence[str]) -> str:
    """Return hover lines "label: value" for one state's Q-values (one line per action)."""
    return "<br>".join(
        f"{label}: {format_number(float(value))}"
        for label, value in zip(labels, q_row, strict=True)
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
            colorbar={"title": {"text": "Q", "side": "right"}},
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
