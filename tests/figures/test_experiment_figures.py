"""The experiment page's figures from hand-made arrays: group curves (bands, seed lines,
gaps, payload), performance profiles, sensitivity charts and parallel coordinates."""

from __future__ import annotations

import json
import math

import numpy as np

from app.figures.curves import PALETTE
from app.figures.experiment_analysis import (
    ProfileLine,
    parcoords_figure,
    profile_figure,
    sensitivity_figure,
)
from app.figures.experiment_curves import SEED_VALUES, CurveData, group_curve_figure

NAN = math.nan


def curve(label: str, seeds: np.ndarray) -> CurveData:
    """Return a curve whose centre is the seeds' mean and band their min and max."""
    with np.errstate(all="ignore"):
        present = np.isfinite(seeds).any(axis=0)
        centre = np.where(present, np.nanmean(np.where(present, seeds, 0.0), axis=0), NAN)
        low = np.where(present, np.nanmin(np.where(present, seeds, 0.0), axis=0), NAN)
        high = np.where(present, np.nanmax(np.where(present, seeds, 0.0), axis=0), NAN)
    names = [f"seed {i}" for i in range(len(seeds))]
    return CurveData(label, centre, low, high, seeds, names)


def test_each_group_draws_its_band_under_its_centre_placed_by_bucket():
    first = curve("alpha=0.1", np.array([[0.0, 1.0, 2.0, NAN], [1.0, 2.0, NAN, NAN]]))
    second = curve("<b>alpha</b>=0.5", np.array([[5.0, 6.0, NAN, NAN]]))
    figure = group_curve_figure(
        [first, second], bucket=50, title="Return", y_title="return", uirevision="u"
    )
    traces = figure["data"]
    assert [t["name"] for t in traces] == [
        "alpha=0.1 band low",
        "alpha=0.1 band high",
        "alpha=0.1",
        "&lt;b&gt;alpha&lt;/b&gt;=0.5 band low",
        "&lt;b&gt;alpha&lt;/b&gt;=0.5 band high",
        "&lt;b&gt;alpha&lt;/b&gt;=0.5",
    ]
    assert all((t["x0"], t["dx"]) == (1, 50) and "x" not in t for t in traces)
    low, high, centre = traces[:3]
    # three buckets were reached by some run (the fourth by none: left out)
    assert centre["y"] == [0.5, 1.5, 2.0] and low["y"] == [0.0, 1.0, 2.0]
    assert high["y"] == [1.0, 2.0, 2.0] and high["fill"] == "tonexty"
    assert centre["line"]["color"] == PALETTE[0] and traces[5]["line"]["color"] == PALETTE[1]
    assert traces[5]["y"] == [5.0, 6.0, None]  # NaN is a gap
    assert figure["layout"]["uirevision"] == "u"
    json.dumps(figure, allow_nan=False)


def test_a_band_without_edges_draws_the_centre_only():
    only = CurveData(
        "g", np.array([1.0, 2.0]), np.full(2, NAN), np.full(2, NAN), np.ones((1, 2)), ["s"]
    )
    figure = group_curve_figure([only], bucket=1, title="t", y_title="y")
    assert [t["name"] for t in figure["data"]] == ["g"]


def test_seeds_toggle_draws_each_run_as_a_thin_line_in_its_group_colour():
    seeds = np.array([[0.0, 1.0, 2.0], [2.0, 3.0, 4.0]])
    figure = group_curve_figure([curve("g", seeds)], bucket=10, title="t", y_title="y", seeds=True)
    lines = [t for t in figure["data"] if t["name"].startswith("seed")]
    assert [t["y"] for t in lines] == [[0.0, 1.0, 2.0], [2.0, 3.0, 4.0]]
    assert all(t["line"]["width"] == 1 and not t["showlegend"] for t in lines)
    assert all(t["line"]["color"].startswith("rgba(31,119,180,") for t in lines)
    assert all(t["legendgroup"] == "g" for t in figure["data"])


def test_many_seed_lines_merge_buckets_to_stay_small():
    rng = np.random.default_rng(0)
    groups = [curve(f"g{i}", rng.normal(size=(10, 150))) for i in range(5)]
    figure = group_curve_figure(groups, bucket=1000, title="t", y_title="y", seeds=True)
    lines = [t for t in figure["data"] if t["name"].startswith("seed")]
    assert len(lines) == 50
    assert sum(len(t["y"]) for t in lines) <= SEED_VALUES
    merge = lines[0]["dx"] // 1000
    assert merge == math.ceil(50 * 150 / SEED_VALUES)
    assert len(lines[0]["y"]) == math.ceil(150 / merge)
    # each point is the mean of ``merge`` buckets of that seed
    first = groups[0].seeds[0]
    assert lines[0]["y"][1] == float(f"{first[merge : 2 * merge].mean():.3g}")
    assert len(json.dumps(figure, separators=(",", ":"))) < 40_000  # as Dash sends it


def test_merged_seed_buckets_leave_out_the_missing_ones():
    seeds = np.array([[1.0, 3.0, NAN, NAN, 5.0, NAN]] * 1 + [[NAN] * 6])
    many = [curve("g", np.vstack([seeds] * 300))]  # 600 runs × 6 buckets: merge 2
    figure = group_curve_figure(many, bucket=1, title="t", y_title="y", seeds=True)
    line = next(t for t in figure["data"] if t["name"] == "seed 0")
    assert line["dx"] == 2 and line["y"] == [2.0, None, 5.0]


def test_the_profile_shares_sit_between_0_and_1_with_their_band():
    lines = [ProfileLine("#1 a", [1.0, 0.5, 0.0], [1.0, 0.2, 0.0], [1.0, 0.8, NAN])]
    figure = profile_figure([0.0, 0.5, 1.0], lines, x_title="final return", above=True)
    _low, high, centre = figure["data"]
    assert centre["name"] == "#1 a" and centre["line"]["shape"] == "hv"
    assert high["y"] == [1.0, 0.8, None] and high["fill"] == "tonexty"
    assert figure["layout"]["yaxis"]["range"] == [0, 1.02]
    assert figure["layout"]["yaxis"]["title"]["text"] == "fraction of runs > τ"
    below = profile_figure([0.0], lines[:0], x_title="episodes", above=False)
    assert below["layout"]["yaxis"]["title"]["text"] == "fraction of runs < τ"


def test_a_step_size_sweep_is_drawn_on_a_log_axis_with_its_intervals():
    figure = sensitivity_figure(
        "alpha", [0.01, 0.1, 1.0], [0.2, 0.8, 0.5], [0.1, 0.7, NAN], [0.3, 0.95, NAN], y_title="r"
    )
    (trace,) = figure["data"]
    assert trace["x"] == [0.01, 0.1, 1.0] and trace["y"] == [0.2, 0.8, 0.5]
    assert trace["error_y"]["array"] == [0.1, 0.15, 0.0]
    assert trace["error_y"]["arrayminus"] == [0.1, 0.1, 0.0]
    assert figure["layout"]["xaxis"]["type"] == "log"
    linear = sensitivity_figure("gamma", [0.9, 0.99], [1, 2], [1, 2], [1, 2], y_title="r")
    assert "type" not in linear["layout"]["xaxis"]


def test_parallel_coordinates_have_an_axis_per_parameter_then_the_objective():
    figure = parcoords_figure(
        [("alpha", [0.1, 0.5, 0.1]), ("algorithm", ["sarsa", "q_learning", "sarsa"])],
        [1.0, 2.0, 3.0],
        score_title="final return",
    )
    (trace,) = figure["data"]
    assert trace["type"] == "parcoords" and trace["line"]["color"] == [1.0, 2.0, 3.0]
    alpha, algorithm, score = trace["dimensions"]
    assert alpha == {"label": "alpha", "values": [0.1, 0.5, 0.1]}
    assert algorithm["values"] == [1, 0, 1]
    assert algorithm["ticktext"] == ["q_learning", "sarsa"] and algorithm["tickvals"] == [0, 1]
    assert score == {"label": "final return", "values": [1.0, 2.0, 3.0]}
