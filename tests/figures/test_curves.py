"""The learning-curve builders: TensorBoard smoothing, bands, markers, axes — no browser."""

from __future__ import annotations

import json
import math

import plotly.graph_objects as go
import pytest

from app.figures.curves import (
    X_MODES,
    color_for,
    compact,
    curve_figure,
    curve_traces,
    schedule_series,
    smooth,
    x_values,
)
from app.figures.markers import change_markers, event_markers, join_markers


def series(episodes, mean, low=None, high=None):
    return {
        "metric": "return",
        "start": episodes[0] if episodes else 1,
        "end": episodes[-1] if episodes else 0,
        "bucket": 1,
        "episode": list(episodes),
        "mean": list(mean),
        "min": list(low if low is not None else mean),
        "max": list(high if high is not None else mean),
        "count": [1] * len(episodes),
    }


def test_smooth_zero_weight_is_identity():
    assert smooth([1.0, -2.0, 3.5], 0.0) == [1.0, -2.0, 3.5]


def test_smooth_is_debiased_so_the_start_is_not_pulled_to_zero():
    values = [10.0, 10.0, 10.0]
    assert smooth(values, 0.9) == pytest.approx(values)
    assert smooth([4.0], 0.99) == pytest.approx([4.0])


def test_smooth_matches_tensorboards_debiased_ema_worked_by_hand():
    """TensorBoard: last = last * w + (1 - w) * x from last = 0, shown as last / (1 - w**n).

    w = 0.5 over 2, 4, -2, 6:
      n=1: last = 0.5 * 2 = 1;              1 / (1 - 0.5)     = 2
      n=2: last = 0.5 + 0.5 * 4 = 2.5;      2.5 / (1 - 0.25)  = 10/3
      n=3: last = 1.25 - 1 = 0.25;          0.25 / (1 - 0.125) = 2/7
      n=4: last = 0.125 + 3 = 3.125;        3.125 / (1 - 0.0625) = 10/3
    w = 0.9 over 10, 0, 0 (the debiasing is what keeps the start at 10, not 1):
      n=1: last = 1;     1 / 0.1     = 10
      n=2: last = 0.9;   0.9 / 0.19  = 90/19
      n=3: last = 0.81;  0.81 / 0.271 = 810/271
    """
    assert smooth([2.0, 4.0, -2.0, 6.0], 0.5) == pytest.approx([2.0, 10 / 3, 2 / 7, 10 / 3])
    assert smooth([10.0, 0.0, 0.0], 0.9) == pytest.approx([10.0, 90 / 19, 810 / 271])


def test_smooth_passes_non_finite_values_through():
    out = smooth([1.0, math.nan, 3.0], 0.5)
    assert out[0] == 1.0 and math.isnan(out[1])
    assert out[2] == pytest.approx((0.5 * 0.5 * 1 + 0.5 * 3) / (1 - 0.25))


@pytest.mark.parametrize("weight", [-0.1, 1.0, 1.5, "0.5", math.nan])
def test_smooth_rejects_bad_weights(weight):
    with pytest.raises(ValueError, match="weight"):
        smooth([1.0], weight)


def test_curve_traces_band_surrounds_the_mean_and_keeps_spikes():
    s = series([1, 11, 21], [1.0, 2.0, 3.0], low=[0.0, 1.0, -50.0], high=[2.0, 99.0, 4.0])
    band, line = curve_traces(s, name="run 1", color="#1f77b4")
    assert band["fill"] == "toself" and band["hoverinfo"] == "skip"
    assert band["x"] == [1, 11, 21, 21, 11, 1]
    assert band["y"] == [2.0, 99.0, 4.0, -50.0, 1.0, 0.0]
    assert line["y"] == [1.0, 2.0, 3.0] and line["name"] == "run 1"
    assert line["line"]["color"] == "#1f77b4"
    go.Figure(curve_figure([band, line], title="return"))  # valid Plotly


def test_curve_traces_smoothing_keeps_a_faint_raw_line():
    s = series([1, 2, 3], [0.0, 10.0, 0.0])
    traces = curve_traces(s, name="r", color="#d62728", weight=0.5, band=False)
    raw, smoothed = traces
    assert raw["y"] == [0.0, 10.0, 0.0]
    # w = 0.5: last = 0, 5, 2.5; debiased by 0.5, 0.75, 0.875; five significant digits.
    assert smoothed["y"] == [0.0, 6.6667, 2.8571]


def test_curve_traces_of_an_empty_series_draw_an_empty_line():
    traces = curve_traces(series([], []), name="r", color="#d62728")
    assert len(traces) == 1 and traces[0]["x"] == [] and traces[0]["y"] == []


def test_compact_rounds_floats_but_keeps_integers():
    assert compact([1, 0.123456789, 123456.789]) == [1, 0.12346, 123460.0]


def test_x_values_map_buckets_onto_a_cumulative_metric():
    s = series([1, 11, 21], [0, 0, 0])
    steps = series([1, 11, 21], [5, 50, 500], low=[3, 40, 400])
    assert x_values(s, None) == [1, 11, 21]
    assert x_values(s, steps) == [3, 40, 400]
    assert all(math.isnan(x) for x in x_values(s, series([], [])))


def test_change_markers_group_changes_at_one_episode_with_readable_hover():
    changes = [
        {"param": "alpha", "old_value": 0.1, "new_value": 0.05, "applied_episode": 1234},
        {"param": "epsilon", "old_value": 0.5, "new_value": 0.2, "applied_episode": 1234},
        {"param": "gamma", "old_value": 0.99, "new_value": 0.9, "applied_episode": None},
        {"param": "alpha", "old_value": 0.05, "new_value": 0.2, "applied_episode": 50},
    ]
    shapes, annotations = change_markers(changes)
    assert [shape["x0"] for shape in shapes] == [50, 1234]
    assert all(shape["yref"] == "paper" and shape["x0"] == shape["x1"] for shape in shapes)
    assert annotations[1]["hovertext"] == (
        "episode 1234: alpha 0.1 → 0.05<br>episode 1234: epsilon 0.5 → 0.2"
    )
    assert annotations[1]["text"] == "Δ alpha, epsilon"
    fig = curve_figure([], title="t", markers=(shapes, annotations))
    go.Figure(fig)


def test_change_marker_values_read_as_the_pages_show_numbers():
    changes = [{"param": "epsilon", "old_value": 1, "new_value": 0.123456, "applied_episode": 7}]
    _, (note,) = change_markers(changes)
    assert note["hovertext"] == "episode 7: epsilon 1 → 0.1235"


def test_change_markers_follow_a_non_episode_axis():
    changes = [{"param": "alpha", "old_value": 0.1, "new_value": 0.2, "applied_episode": 15}]
    shapes, _ = change_markers(changes, x_of_episode={"episode": [10, 20], "x": [100, 200]})
    assert shapes[0]["x0"] == pytest.approx(150)
    assert change_markers(changes, x_of_episode={"episode": [], "x": []}) == ([], [])


def event(kind, episode, attempt):
    return {"run_id": 1, "kind": kind, "episode": episode, "attempt": attempt, "detail": None}


def test_event_markers_mark_interruptions_crashes_and_resumptions_but_not_claims():
    events = [
        event("claimed", 0, 1),
        event("interrupted", 500, 1),
        event("resumed", 500, 2),
        event("crashed", 737, 2),
        event("resumed", 700, 3),
    ]
    shapes, annotations = event_markers(events)
    assert [shape["x0"] for shape in shapes] == [500, 700, 737]
    interrupted, resumed, crashed = annotations
    assert interrupted["hovertext"] == (
        "episode 500: interrupted (attempt 1)<br>episode 500: resumed (attempt 2)"
    )
    assert interrupted["text"] == "⏸ interrupted, resumed"
    assert (resumed["text"], crashed["text"]) == ("▶ resumed", "✕ crashed")
    assert crashed["hovertext"] == "episode 737: crashed (attempt 2)"
    # each kind has its own colour; a shared marker takes the most telling one's
    colours = [shape["line"]["color"] for shape in shapes]
    assert len(set(colours)) == 3 and colours[0] == annotations[0]["font"]["color"]
    # and none is drawn like a parameter change
    (change,), _ = change_markers(
        [{"param": "alpha", "old_value": 0.1, "new_value": 0.2, "applied_episode": 9}]
    )
    assert all(shape["line"] != change["line"] for shape in shapes)
    go.Figure(curve_figure([], title="t", markers=(shapes, annotations)))


def test_event_markers_follow_a_non_episode_axis_and_hide_text_when_asked():
    events = [event("crashed", 15, 1)]
    where = {"episode": [10, 20], "x": [100, 200]}
    shapes, (note,) = event_markers(events, x_of_episode=where, show_text=False)
    assert shapes[0]["x0"] == pytest.approx(150) and note["text"] == "✕"
    assert event_markers(events, x_of_episode={"episode": [], "x": []}) == ([], [])
    assert event_markers([event("claimed", 0, 1)]) == ([], [])


def test_join_markers_keeps_every_shape_and_note_in_order():
    changes = change_markers(
        [{"param": "alpha", "old_value": 0.1, "new_value": 0.2, "applied_episode": 9}]
    )
    events = event_markers([event("interrupted", 4, 1)])
    shapes, notes = join_markers(changes, events)
    assert shapes == changes[0] + events[0] and notes == changes[1] + events[1]


@pytest.mark.parametrize("x_mode", list(X_MODES))
@pytest.mark.parametrize("log_y", [False, True])
def test_curve_figure_axes(x_mode, log_y):
    fig = curve_figure([], title="t", x_mode=x_mode, log_y=log_y, uirevision="u")
    assert fig["layout"]["xaxis"]["title"]["text"] == X_MODES[x_mode]
    assert fig["layout"]["yaxis"]["type"] == ("log" if log_y else "linear")
    assert fig["layout"]["uirevision"] == "u"
    go.Figure(fig)


def test_curve_figure_rejects_unknown_axis():
    with pytest.raises(ValueError, match="x_mode='time'"):
        curve_figure([], title="t", x_mode="time")


def test_n_runs_share_one_figure_with_distinct_colours():
    traces = []
    for i in range(3):
        traces += curve_traces(series([1, 2], [i, i + 1]), name=f"run {i}", color=color_for(i))
    fig = curve_figure(traces, title="compare")
    colours = {t["line"]["color"] for t in fig["data"] if t.get("showlegend", True)}
    assert len(colours) == 3


def test_a_curve_of_400_buckets_stays_small():
    n = 400
    s = series(list(range(1, 500_000, 1250))[:n], [-0.123456789 * i for i in range(n)])
    fig = curve_figure(curve_traces(s, name="r", color="#1f77b4", weight=0.6), title="t")
    assert len(json.dumps(fig)) < 40_000


def test_a_marker_shows_its_hover_text_along_its_whole_line_not_only_at_its_label():
    changes = [{"param": "alpha", "old_value": 0.1, "new_value": 0.05, "applied_episode": 300}]
    crash = event_markers([event("crashed", 700, 1)])
    markers = join_markers(change_markers(changes), crash)
    s = series([1, 500, 1000], [0.0, 1.0, 2.0])
    fig = curve_figure(curve_traces(s, name="r", color="#1f77b4"), title="t", markers=markers)
    hover = fig["data"][0]
    # points from the bottom to the top of each line, on a hidden 0..1 axis over the plot
    assert hover["x"] == [300, 300, 300, 700, 700, 700]
    assert hover["y"] == [0.0, 0.5, 1.0] * 2 and hover["yaxis"] == "y2"
    assert fig["layout"]["yaxis2"]["range"] == [0, 1]
    assert fig["layout"]["yaxis2"]["visible"] is False
    assert hover["hovertext"][:3] == ["episode 300: alpha 0.1 → 0.05"] * 3
    assert hover["hovertext"][3] == "episode 700: crashed (attempt 1)"
    assert hover["marker"]["opacity"] == 0 and hover["showlegend"] is False
    assert fig["layout"]["hovermode"] == "x"  # a pointer anywhere in the line's column
    assert fig["data"][-1]["name"] == "r"  # the curves follow, mean line last
    go.Figure(fig)
    assert curve_figure([], title="t")["data"] == []  # no markers, no hover trace


def test_a_schedule_is_drawn_at_its_bucket_edges_and_ends_at_its_last_value():
    # epsilon 1.0 decaying by half an episode, in buckets of 4 (the last holds 2 episodes)
    values = [0.5**i for i in range(10)]
    s = {
        "bucket": 4,
        "episode": [1, 5, 9],
        "mean": [sum(values[0:4]) / 4, sum(values[4:8]) / 4, sum(values[8:]) / 2],
        "min": [values[3], values[7], values[9]],
        "max": [values[0], values[4], values[8]],
        "count": [4, 4, 2],
    }
    edges = schedule_series(s)
    assert edges["episode"] == [1, 5, 9, 10]
    assert edges["mean"] == [1.0, 0.0625, 0.00390625, 0.001953125]
    assert edges["min"] == edges["max"] == edges["mean"]
    assert schedule_series({**s, "bucket": 1}) == {**s, "bucket": 1}  # raw episodes stay
    one = {**s, "count": [4, 4, 1]}  # a last bucket of one episode gets no extra point
    assert schedule_series(one)["episode"] == [1, 5, 9]


def test_an_x_past_the_last_buckets_start_is_placed_by_its_maximum():
    steps = {"episode": [1, 5], "min": [0, 40], "max": [30, 70], "count": [4, 4]}
    assert x_values({"episode": [1, 5, 8]}, steps) == [0, 40, 70]
