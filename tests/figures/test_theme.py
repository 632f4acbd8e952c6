"""Figures in the dark theme: backgrounds, text and grid lines over what a builder set."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app.figures.curves import curve_figure
from app.figures.policy_map import policy_figure
from app.figures.theme import DARK, themed
from gridworld import GridWorldConfig


def test_a_light_figure_is_left_as_built():
    figure = curve_figure([], title="t")
    before = {**figure["layout"]}
    assert themed(figure, "light") is figure and figure["layout"] == before
    assert themed(figure, None)["layout"] == before  # before the browser said


def test_a_dark_curve_gets_dark_paper_text_and_grid_and_keeps_its_title_size():
    figure = themed(curve_figure([], title="t"), "dark")
    layout = figure["layout"]
    assert (layout["paper_bgcolor"], layout["plot_bgcolor"]) == ("#212529", "#2b3035")
    assert layout["font"]["color"] == "#dee2e6"
    assert layout["template"]["layout"]["xaxis"]["gridcolor"] == "#495057"
    assert layout["title"]["font"]["size"] == 14
    go.Figure(figure)  # valid Plotly


def test_a_dark_policy_map_overrides_its_white_background():
    grid = GridWorldConfig.from_map(["S.", ".G"]).to_dict()
    figure = policy_figure(np.zeros((4, 4)), "GridWorld-v0", {"grid": grid})
    assert figure.layout.plot_bgcolor == "white"
    themed(figure, "dark")
    assert figure.layout.plot_bgcolor == DARK["plot_bgcolor"]
    assert figure.layout.font.color == DARK["font"]["color"]
