"""The policy view's figure builders: pure functions of a Q-table and the stored grid."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from app.figures.policy import (
    CHANGED_COLOUR,
    action_labels,
    changed_states,
    greedy_actions,
    optimality_figure,
)
from app.figures.policy_map import SOLID_INSET, policy_figure
from gridworld import GridWorldConfig
from gridworld.grids import grid_rows_of
from gridworld.spec import env_config, validate_run_spec

GRID = GridWorldConfig.from_map(["S.#", ".T.", "..G"]).to_dict()


def _q(height: int = 3, width: int = 3, n_actions: int = 4) -> np.ndarray:
    return np.zeros((height * width, n_actions))


def test_greedy_actions_leave_untouched_states_undecided():
    q = np.array([[0.0, 0.0, 0.0, 0.0], [0.1, 0.5, 0.2, 0.0], [1.0, 1.0, 0.0, 0.0]])
    assert greedy_actions(q).tolist() == [-1, 1, 0]


def test_changed_states_compare_greedy_actions():
    before = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]])
    after = np.array([[2.0, 1.0], [1.0, 0.5], [0.0, 0.3]])
    assert changed_states(after, before).tolist() == [True, False, True]
    assert changed_states(after, None).tolist() == [False, False, False]


def test_action_labels_by_env_family():
    assert action_labels("GridWorld-v0", 4) == ("↑", "→", "↓", "←")
    assert action_labels("FrozenLake-v1", 4) == ("←", "↓", "→", "↑")
    assert action_labels("Taxi-v4", 6)[4] == "pickup"
    assert action_labels("Unknown-v3", 3) == ("a0", "a1", "a2")


def test_grid_figure_draws_arrows_kinds_and_hover():
    q = _q()
    q[0] = [0.0, 0.9, 0.1, 0.0]  # start: right
    q[3] = [0.7, 0.0, 0.0, 0.0]  # row 1, column 0: up
    fig = policy_figure(q, "GridWorld-v0", {"grid": GRID})
    heatmap, arrows, letters = fig.data[:3]
    assert isinstance(fig, go.Figure)
    assert list(arrows.text) == ["→", "↑"]
    assert (list(arrows.x), list(arrows.y)) == ([0, 0], [0, 1])
    assert sorted(letters.text) == ["#", "G", "S", "T"]
    # Walls, goals and traps are solid squares, not heatmap values.
    z = np.array(heatmap.z, dtype=float)
    assert np.isnan(z[0, 2]) and np.isnan(z[1, 1]) and np.isnan(z[2, 2])
    assert z[0, 0] == 0.9
    # Hover names all four Q-values.
    assert "↑: 0<br>→: 0.9<br>↓: 0.1<br>←: 0" in heatmap.text[0][0]
    fills = {shape.fillcolor for shape in fig.layout.shapes if shape.fillcolor}
    assert len(fills) == 3  # wall, trap, goal colours differ


def test_grid_figure_outlines_changed_cells():
    before = _q()
    before[0] = [0.0, 0.9, 0.0, 0.0]
    after = before.copy()
    after[0] = [0.0, 0.0, 0.95, 0.0]
    fig = policy_figure(after, "GridWorld-v0", {"grid": GRID}, previous=before)
    outlined = [s for s in fig.layout.shapes if s.line and s.line.color == CHANGED_COLOUR]
    assert [(s.x0, s.y0) for s in outlined] == [(-0.5, -0.5)]


def test_non_grid_env_gets_a_state_action_heatmap():
    rng = np.random.default_rng(0)
    q = rng.normal(size=(500, 6))
    previous = q.copy()
    previous[7] = previous[7][::-1]
    fig = policy_figure(q, "Taxi-v4", {"grid": None}, previous=previous)
    heatmap, same, changed = fig.data
    assert np.shape(heatmap.z) == (500, 6)
    assert list(heatmap.x)[:2] == ["south", "north"]
    assert len(same.y) + len(changed.y) == 500
    assert 7 in list(changed.y)


def test_optimality_figure_skips_unscored_checkpoints():
    evaluations = [
        (100, {"gap": 0.5, "optimal_share": 0.4}),
        (200, None),
        (300, {"gap": 0.0, "optimal_share": 1.0}),
    ]
    fig = optimality_figure(evaluations, current=300)
    gap, share = fig.data
    assert list(gap.x) == [100, 300] and list(gap.y) == [0.5, 0.0]
    assert list(share.y) == [0.4, 1.0]
    assert not fig.layout.annotations
    assert optimality_figure([(100, None)]).layout.annotations


def _legend(fig: go.Figure) -> list[tuple[str, str, str]]:
    """Return the legend entries of a figure: (name, marker symbol, colour)."""
    return [
        (t.name, t.marker.symbol, t.marker.color) for t in fig.data if t.showlegend is not False
    ]


def test_the_map_has_a_legend_for_its_colours_and_outlines():
    fig = policy_figure(_q(), "GridWorld-v0", {"grid": GRID})
    legend = _legend(fig)
    assert [name for name, _, _ in legend] == [
        "goal",
        "trap",
        "wall",
        "start (outline)",
        "greedy action changed since the last checkpoint",
    ]
    assert legend[-1][1:] == ("square-open", CHANGED_COLOUR)
    # each entry's colour is the one drawn on the map
    fills = {shape.fillcolor for shape in fig.layout.shapes if shape.fillcolor}
    assert {colour for _, symbol, colour in legend if symbol == "square"} == fills
    start = next(s for s in fig.layout.shapes if s.line and s.line.width == 4)
    assert legend[3][2] == start.line.color
    assert fig.layout.legend.orientation == "h"


def test_the_colour_bar_title_stands_beside_the_bar_not_over_its_top_tick():
    fig = policy_figure(_q(), "GridWorld-v0", {"grid": GRID})
    assert fig.data[0].colorbar.title.side == "right"
    taxi = policy_figure(np.zeros((500, 6)), "Taxi-v4", {"grid": None})
    assert taxi.data[0].colorbar.title.side == "right"


def test_cliffwalking_is_drawn_on_its_4_by_12_grid_even_without_a_stored_grid():
    q = np.zeros((48, 4))
    q[36] = [1.0, 0.0, 0.0, 0.0]  # the start (row 3, column 0): up
    fig = policy_figure(q, "CliffWalking-v1", {"n_states": 48, "grid": None})
    heatmap, arrows, letters = fig.data[:3]
    assert np.shape(heatmap.z) == (4, 12)
    assert list(arrows.text) == ["↑"] and (arrows.x[0], arrows.y[0]) == (0, 3)
    assert sorted(letters.text) == ["C"] * 10 + ["G", "S"]  # C for the cliff
    assert "cliff" in [name for name, _, _ in _legend(fig)]
    assert "row 3, column 5 (cliff)" in heatmap.text[3][5]


def test_frozen_lakes_adjacent_holes_are_separate_cells():
    rows = grid_rows_of("FrozenLake8x8-v1")
    assert rows[5] == ".TT...T."  # two holes side by side
    fig = policy_figure(np.zeros((64, 4)), "FrozenLake8x8-v1", {"grid": {"desc": rows}})
    row_5 = 5 - 0.5 + SOLID_INSET
    holes = sorted((s.x0, s.x1) for s in fig.layout.shapes if s.fillcolor and s.y0 == row_5)
    (_, first_end), (second_start, _) = holes[:2]
    assert second_start - first_end == pytest.approx(2 * SOLID_INSET)  # a gap between them
    assert "hole" in [name for name, _, _ in _legend(fig)]
    assert "H" in list(fig.data[2].text)


def test_taxi_is_not_a_grid_of_its_states():
    assert grid_rows_of("Taxi-v4") is None
    fig = policy_figure(np.zeros((500, 6)), "Taxi-v4", {"grid": None})
    assert np.shape(fig.data[0].z) == (500, 6)


def test_a_new_cliffwalking_run_records_its_grid():
    spec = validate_run_spec({"env_id": "CliffWalking-v1", "preset": None})
    assert tuple(env_config(spec)["grid"]["desc"]) == grid_rows_of("CliffWalking-v1")
