"""The compare page's builders: overlaid runs, parameter diff, summary figures, CSV."""

from __future__ import annotations

import csv
import io
import json

import plotly.graph_objects as go

from app.figures.compare import (
    RunCurve,
    compare_figure,
    comparison_csv,
    empty_figure,
    episodes_to_threshold,
    param_rows,
    preset_text,
    summary_row,
)
from app.figures.curves import color_for


def _series(means: list[float], bucket: int = 10, start: int = 1) -> dict:
    episodes = [start + i * bucket for i in range(len(means))]
    return {
        "metric": "return",
        "start": start,
        "end": start + len(means) * bucket - 1,
        "bucket": bucket,
        "episode": episodes,
        "mean": means,
        "min": [m - 1 for m in means],
        "max": [m + 1 for m in means],
        "count": [bucket] * len(means),
    }


def _run(run_id: int, **overrides: object) -> dict:
    run = {
        "id": run_id,
        "name": f"run {run_id}",
        "status": "finished",
        "episodes_done": 30,
        "env_id": "GridWorld-v0",
        "seed": 0,
        "target_episodes": 30,
        "spec": {"preset": "easy"},
        "hyperparams": {"alpha": 0.1, "gamma": 0.99},
        "current_params": {"alpha": 0.1, "gamma": 0.99},
    }
    run.update(overrides)
    return run


CHANGE = {"param": "alpha", "old_value": 0.1, "new_value": 0.05, "applied_episode": 15}


def test_each_run_gets_its_colour_and_its_change_markers():
    curves = [
        RunCurve(1, "a", _series([0.0, 0.5, 1.0])),
        RunCurve(2, "b", _series([0.2, 0.3]), changes=[CHANGE]),
    ]
    fig = compare_figure(curves, metric="return", weight=0.5, band=True)
    means = [t for t in fig["data"] if t["name"] in ("#1 a", "#2 b")]
    assert [t["line"]["color"] for t in means] == [color_for(0), color_for(1)]
    bands = [t for t in fig["data"] if t.get("fill") == "toself"]
    assert len(bands) == 2
    (shape,) = fig["layout"]["shapes"]
    assert shape["x0"] == 15 and shape["line"]["color"] == color_for(1)
    (note,) = fig["layout"]["annotations"]
    assert note["hovertext"].startswith("#2 b<br>episode 15: alpha 0.1 → 0.05")
    plain = compare_figure(curves, metric="return", band=False, show_markers=False)
    assert not any(t.get("fill") for t in plain["data"])
    assert plain["layout"]["shapes"] == []


def test_markers_follow_the_x_axis_mode():
    steps = {"episode": [1, 11, 21], "min": [10, 300, 700], "max": [20, 310, 710]}
    curve = RunCurve(1, "a", _series([0.0, 0.5, 1.0]), x_series=steps, changes=[CHANGE])
    fig = compare_figure([curve], metric="return", x_mode="env_steps")
    assert fig["data"][-1]["x"] == [10, 300, 700]
    assert 300 < fig["layout"]["shapes"][0]["x0"] < 700
    assert fig["layout"]["xaxis"]["title"]["text"] == "environment steps"


def test_param_rows_flag_differences_and_show_changes():
    rows = param_rows(
        [
            _run(1),
            _run(
                2,
                hyperparams={"alpha": 0.5, "gamma": 0.99},
                current_params={"alpha": 0.5, "gamma": 0.9},
            ),
        ]
    )
    by_name = {row["param"]: row for row in rows}
    assert [row["param"] for row in rows][:4] == ["env_id", "preset", "seed", "target_episodes"]
    assert by_name["alpha"]["differs"] and by_name["alpha"]["values"] == ["0.1", "0.5"]
    assert by_name["gamma"]["differs"] and by_name["gamma"]["values"] == ["0.99", "0.99 → 0.9"]
    assert not by_name["seed"]["differs"]
    assert not by_name["env_id"]["differs"]


def test_episodes_to_threshold_is_the_end_of_the_first_bucket_reaching_it():
    assert episodes_to_threshold(_series([0.0, 0.4, 0.6, 0.9]), 0.5) == 30
    assert episodes_to_threshold(_series([0.0, 0.4]), 0.5) is None
    # A window starting mid-bucket and a last bucket cut short by the run's end.
    partial = _series([0.7], bucket=100, start=1)
    partial["end"] = 42
    assert episodes_to_threshold(partial, 0.5) == 42


def test_summary_row_takes_the_last_evaluated_gap():
    row = summary_row(
        _run(1),
        {"recent_return": 0.8, "best_return": 0.9},
        _series([0.0, 0.6]),
        [{"gap": 0.5}, None, {"gap": 0.1}, None],
        0.5,
    )
    assert row["final_return"] == 0.8 and row["best_return"] == 0.9
    assert row["episodes_to_threshold"] == 20
    assert row["final_gap"] == 0.1
    no_model = summary_row(_run(1), {}, _series([]), [None], None)
    assert no_model["final_gap"] is None and no_model["episodes_to_threshold"] is None


def test_comparison_csv_has_one_line_per_run_and_bucket():
    alpha = {"alpha": 0.5, "gamma": 0.99}
    runs = [_run(1), _run(2, hyperparams=alpha, current_params=alpha)]
    params = param_rows(runs)
    curves = [RunCurve(1, "run 1", _series([0.1, 0.2])), RunCurve(2, "run 2", _series([0.3]))]
    summaries = [
        summary_row(run, {"recent_return": 0.2}, curve.series, [], 0.5)
        for run, curve in zip(runs, curves, strict=True)
    ]
    text = comparison_csv(summaries, params, curves, metric="return", threshold=0.5)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["run"], r["episode"]) for r in rows] == [("1", "1"), ("1", "11"), ("2", "1")]
    assert rows[2]["alpha"] == "0.5" and rows[0]["alpha"] == "0.1"
    assert rows[0]["mean"] == "0.1" and rows[0]["metric"] == "return"
    assert rows[0]["final_gap"] == "" and rows[0]["threshold"] == "0.5"


HTML_NAME = '<a href="https://evil.example/">x</a>'


def test_a_run_name_reaches_legend_and_hover_text_escaped_not_as_html():
    curves = [RunCurve(7, HTML_NAME, _series([0.1, 0.2]), changes=[CHANGE])]
    fig = compare_figure(curves, metric="return", weight=0.5, band=True)
    text = json.dumps(fig)
    assert "<a " not in text and 'evil.example/\\">' not in text
    shown = '#7 &lt;a href="https://evil.example/"&gt;x&lt;/a&gt;'  # as Plotly decodes it
    assert {trace["name"] for trace in fig["data"]} >= {shown, f"{shown} min–max", f"{shown} raw"}
    (note,) = fig["layout"]["annotations"]
    assert note["hovertext"].startswith(f"{shown}<br>")


def test_the_preset_row_says_what_each_run_trains_on():
    frozen = _run(1, env_id="FrozenLake-v1", spec={"preset": None})
    frozen["env_config"] = {"grid": {"desc": ["S...", ".T.T", "...T", "T..G"]}}
    custom = _run(2, spec={"preset": None, "desc": ["S..", "..G"]})
    custom["env_config"] = {"grid": {"desc": ["S..", "..G"]}}
    taxi = _run(3, env_id="Taxi-v4", spec={"preset": None}, env_config={"grid": None})
    rows = {row["param"]: row for row in param_rows([_run(0), frozen, custom, taxi])}
    assert rows["preset"]["values"] == ["easy", "4×4 map", "custom 2×3 map", "–"]
    assert preset_text({"spec": {}}) == "–"


def test_an_empty_comparison_is_a_hint_not_empty_axes():
    figure = empty_figure("pick runs")
    assert figure["data"] == []
    assert figure["layout"]["xaxis"]["visible"] is False
    assert figure["layout"]["annotations"][0]["text"] == "pick runs"
    go.Figure(figure)
