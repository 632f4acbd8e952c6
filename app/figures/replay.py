"""The map an episode is replayed on: the env's grid drawn like the policy map
(``policy_map.draw_cells``), with a trace for the agent's path and one for the agent, which
the browser fills frame by frame (``assets/replay.js``). Pure: a text map in, a figure out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from app.figures.policy_map import SOLID, cell_kinds, draw_cells

FLOOR_COLOUR = "#e9ecef"
PATH_COLOUR = "#fd7e14"
AGENT_COLOUR = "#0d6efd"
TRACES = {"path": 1, "agent": 2}
"""The indexes of the path and agent traces in ``replay_map``'s figure."""


def replay_map(rows: Sequence[str], names: Mapping[str, str]) -> go.Figure:
    """Draw an empty replay map: floor cells, walls, goals, traps and the start.

    Args:
        rows: the text map (``MAP_CHARS``).
        names: each cell kind's name in this env (``policy_map.kind_names``).

    Returns:
        The figure: a flat heatmap of the cells (trace 0, hover names each cell), the path
        and the agent (``TRACES``, empty until a frame fills them), then the cells' marks.
    """
    kinds = cell_kinds(rows)
    floor = np.where(np.isin(np.array(kinds), SOLID), np.nan, 0.0)
    hover = [
        [f"row {r}, column {c} ({names[kind]})" for c, kind in enumerate(row)]
        for r, row in enumerate(kinds)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=[[None if np.isnan(v) else 0.0 for v in row] for row in floor],
            text=hover,
            hovertemplate="%{text}<extra></extra>",
            colorscale=[[0, FLOOR_COLOUR], [1, FLOOR_COLOUR]],
            showscale=False,
            xgap=1,
            ygap=1,
            hoverongaps=False,
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[],
            y=[],
            mode="lines+markers",
            line={"color": PATH_COLOUR, "width": 3},
            marker={"color": PATH_COLOUR, "size": 6},
            opacity=0.7,
            name="path so far",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[],
            y=[],
            mode="markers",
            marker={"color": AGENT_COLOUR, "size": 22, "line": {"color": "white", "width": 2}},
            name="agent",
            hoverinfo="skip",
        )
    )
    draw_cells(fig, kinds, names)
    # the card is wider than the map is tall: the legend goes below the column numbers
    fig.update_layout(margin={"l": 30, "r": 30, "t": 20, "b": 60}, legend={"y": -0.06})
    return fig
