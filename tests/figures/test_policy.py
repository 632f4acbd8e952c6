"""The policy view's figure builders: pure functions of a Q-table and the stored grid."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.figures.policy import (
    CHANGED_COLOUR,
    action_labels,
    changed_states,
    greedy_actions,
    optimality_figure,
    policy_figure,
)
from gridworld import GridWorldConfig

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
    heatmap, arrows, letters = fig.data
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
