"""The visit / |TD error| figures and the replay map: drawn on the grid like the max-Q map,
blank where a state has no value, bars for envs without a grid, dark when asked."""

from __future__ import annotations

import numpy as np

from app.figures.heatmaps import BLANK, MEAN_ABS_TD, VISITS, state_figure
from app.figures.policy_map import kind_names
from app.figures.replay import TRACES, replay_map
from app.figures.theme import DARK, themed
from gridworld import GridWorldConfig

ROWS = ["S.#", "T.G"]
CONFIG = {"n_states": 6, "grid": GridWorldConfig.from_map(ROWS).to_dict()}


def test_a_grid_gets_one_cell_per_state_blank_where_unvisited_and_over_walls_goals_and_traps():
    values = np.array([3.0, np.nan, 7.0, 1.0, 2.0, 5.0])
    fig = state_figure(values, "GridWorld-v0", CONFIG, VISITS)
    heatmap = fig.data[0]
    # the wall (0, 2), the trap (1, 0) and the goal (1, 2) are solid cells, state 1 unvisited
    assert [list(row) for row in heatmap.z] == [[3.0, None, None], [None, 2.0, None]]
    assert heatmap.colorbar.title.text == "visits" and heatmap.colorbar.title.side == "right"
    assert heatmap.text[0][1] == f"row 0, column 1 (floor)<br>steps taken from here: {BLANK}"
    assert heatmap.text[1][1] == "row 1, column 1 (floor)<br>steps taken from here: 2"
    legend = [trace.name for trace in fig.data if trace.showlegend is not False and trace.name]
    assert legend == ["goal", "trap", "wall", "start (outline)"]
    assert fig.layout.yaxis.scaleanchor == "x"


def test_frozen_lake_names_its_holes_and_td_errors_keep_their_decimals():
    config = {"grid": GridWorldConfig.from_map(["S.", "TG"]).to_dict()}
    fig = state_figure(np.array([0.125, 0.5, np.nan, np.nan]), "FrozenLake-v1", config, MEAN_ABS_TD)
    assert fig.data[0].text[0][0] == "row 0, column 0 (start)<br>mean |TD error|: 0.125"
    assert "hole" in [trace.name for trace in fig.data]


def test_an_env_without_a_grid_gets_a_bar_per_state_and_none_where_unvisited():
    values = np.array([2.0, np.nan, 4.0])
    fig = state_figure(values, "Taxi-v4", {"n_states": 3, "grid": None}, VISITS)
    bars = fig.data[0]
    assert bars.type == "bar"
    assert list(bars.y) == [2.0, None, 4.0]
    assert list(bars.text) == ["2", BLANK, "4"]
    assert fig.layout.yaxis.title.text == "visits"


def test_the_replay_map_has_an_empty_path_and_agent_over_the_cells():
    fig = replay_map(ROWS, kind_names(""))
    assert fig.data[TRACES["path"]].name == "path so far"
    assert fig.data[TRACES["agent"]].name == "agent"
    assert list(fig.data[TRACES["agent"]].x) == []
    assert [list(row) for row in fig.data[0].z] == [[0.0, 0.0, None], [None, 0.0, None]]


def test_the_maps_are_dark_in_the_dark_theme():
    fig = themed(state_figure(np.ones(6), "GridWorld-v0", CONFIG, VISITS), "dark")
    assert fig.layout.plot_bgcolor == DARK["plot_bgcolor"]
    drawn = themed(
        replay_map(ROWS, kind_names("")).to_dict(),
        "dark",
    )
    assert drawn["layout"]["paper_bgcolor"] == DARK["paper_bgcolor"]
