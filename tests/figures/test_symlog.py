"""Log y on curves that reach zero or below: symlog instead of a curve that vanishes."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import pytest

from app.figures.curves import curve_figure, curve_traces
from app.figures.symlog import SYMLOG_NOTE, log_y_axis, symlog, symlog_scale, symlog_ticks


def series(mean, low=None, high=None):
    episodes = list(range(1, len(mean) + 1))
    return {
        "episode": episodes,
        "mean": list(mean),
        "min": list(low or mean),
        "max": list(high or mean),
        "count": [1] * len(mean),
    }


def test_symlog_is_odd_zero_at_zero_and_a_decade_per_decade_far_from_zero():
    assert symlog(0.0, 1.0) == 0.0
    assert symlog(-99.0, 1.0) == pytest.approx(-2.0)  # log10(1 + 99) = 2
    assert symlog(999.0, 1.0) == pytest.approx(3.0)
    assert symlog(-5.0, 10.0) == pytest.approx(-math.log10(1.5))
    assert math.isnan(symlog(math.nan, 1.0))


def test_the_linear_threshold_follows_the_smallest_value_but_not_below_three_decades():
    assert symlog_scale([-13.0, -100.0, -2500.0]) == 10.0
    assert symlog_scale([0.0, 0.004, -1.0]) == 0.001
    assert symlog_scale([1e-9, 50.0]) == 0.01  # 50e-3 = 0.05 floors to 0.01
    assert symlog_scale([0.0, 0.0]) == 1.0


def test_ticks_sit_at_round_values_each_side_of_zero_labelled_with_the_values():
    values, text = symlog_ticks([-250.0, 0.0, 3.0], 1.0)
    assert text == ["-1,000", "-100", "-10", "-1", "0", "1", "10"]
    assert values == [round(symlog(float(t.replace(",", "")), 1.0), 6) for t in text]
    # past five decades a side, every other decade
    _, text = symlog_ticks([-2e7], 1.0)
    assert text == ["-1e+08", "-1e+06", "-10,000", "-100", "-1", "0"]


def test_a_positive_curve_keeps_a_true_log_axis():
    traces = curve_traces(series([0.5, 2.0, 40.0]), name="length", color="#1f77b4")
    data, axis = log_y_axis(traces, "length")
    assert axis == {"title": {"text": "length"}, "type": "log"}
    assert data == traces


def test_a_negative_return_curve_is_drawn_as_symlog_and_says_so():
    s = series([-13.0, -50.0, -100.0], low=[-20.0, -80.0, -100.0], high=[-13.0, -13.0, -90.0])
    traces = curve_traces(s, name="return", color="#1f77b4", weight=0.5)
    figure = curve_figure(traces, title="Return", y_title="return", log_y=True)
    axis = figure["layout"]["yaxis"]
    assert axis["type"] == "linear" and axis["tickmode"] == "array"
    assert axis["title"]["text"] == f"return ({SYMLOG_NOTE})"
    assert "-100" in axis["ticktext"] and "-10" in axis["ticktext"]
    band, raw, line = figure["data"]
    # every value is drawn (a log axis would draw none), at its symlog place; smoothed with
    # w = 0.5: -6.5 / 0.5 = -13, -28.25 / 0.75 = -37.667, -64.125 / 0.875 = -73.286
    smoothed = [-13.0, -37.667, -73.286]
    assert line["y"] == [round(symlog(v, 10.0), 6) for v in smoothed]
    assert band["y"][0] == round(symlog(-13.0, 10.0), 6)
    assert all(math.isfinite(y) for y in band["y"] + raw["y"])
    # the hover shows the return itself, not its transform
    assert line["customdata"] == smoothed
    assert line["hovertemplate"] == "%{customdata:.4g}"
    assert "customdata" not in band  # not hoverable
    go.Figure(figure)


def test_a_curve_touching_zero_is_symlog_too():
    figure = curve_figure(
        curve_traces(series([0.0, 0.5, 1.0]), name="success", color="#1f77b4", band=False),
        title="Success",
        log_y=True,
    )
    assert figure["layout"]["yaxis"]["title"]["text"] == SYMLOG_NOTE
    assert figure["data"][-1]["y"][0] == 0.0
