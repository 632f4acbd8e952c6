"""The run page's curve figures on each x axis, whole and zoomed, over a real SQLite store
(episode rows from tests.dashboard_support: wall_time is ``e / 1000`` s, env_steps the
running total of ``5 + e % 17`` steps per episode)."""

from __future__ import annotations

import numpy as np
import pytest

from app.views.curves import CURVES, curve_figures, page_curves
from app.views.zoom import POINTS, zoom_window
from runstore import Owner
from tests.dashboard_support import episode_rows, seeded_run


def _mean_line(figure: dict) -> dict:
    """Return the mean line of a one-metric figure (drawn last, over its band)."""
    return figure["data"][-1]


@pytest.fixture
def run_id(store) -> int:
    return seeded_run(store, status="running", episodes=3000, target=10**6)


def test_the_episode_axis_places_each_bucket_at_its_first_episode(store, run_id):
    figures = curve_figures(store, run_id)
    assert list(figures) == list(CURVES)
    xs = _mean_line(figures["return"])["x"]
    assert len(xs) <= POINTS
    assert xs[:3] == [1, 11, 21]  # 3000 episodes in buckets of 10 (1, 2, 5, 10, ... apart)
    assert figures["return"]["layout"]["xaxis"]["title"]["text"] == "episode"


def test_the_env_steps_axis_places_each_bucket_at_its_first_episodes_steps(
    store, run_id, env_steps
):
    steps = env_steps(run_id)
    figure = curve_figures(store, run_id, x_mode="env_steps")["length"]
    assert figure["layout"]["xaxis"]["title"]["text"] == "environment steps"
    bucket = store.series(run_id, "length", points=POINTS).bucket
    firsts = range(1, 3001, bucket)
    assert _mean_line(figure)["x"] == [steps[episode] for episode in firsts]


def test_the_wall_time_axis_places_each_bucket_at_its_first_episodes_time(store, run_id):
    figure = curve_figures(store, run_id, x_mode="wall_time")["return"]
    assert figure["layout"]["xaxis"]["title"]["text"] == "wall time (s)"
    xs = _mean_line(figure)["x"]
    assert xs[:3] == [0.001, 0.011, 0.021] and xs[-1] == 2.991


def test_a_wall_time_zoom_is_reread_at_full_resolution_and_keeps_its_range(store, run_id):
    window = zoom_window(store, run_id, "wall_time", 1.2, 1.5)
    figures = curve_figures(store, run_id, x_mode="wall_time", window=window)
    for key in ("return", "length", "success"):
        layout = figures[key]["layout"]
        assert layout["xaxis"]["range"] == [1.2, 1.5]
        assert layout["uirevision"].endswith(":wall_time:False:wall_time:1.2-1.5")
    # every episode of the window, one point each, at its own time
    xs = _mean_line(figures["return"])["x"]
    assert xs == [episode / 1000 for episode in range(window.start, window.end + 1)]
    assert xs[0] <= 1.2 and xs[-1] >= 1.5


def test_an_env_steps_zoom_draws_each_episode_at_its_steps(store, run_id, env_steps):
    steps = env_steps(run_id)
    window = zoom_window(store, run_id, "env_steps", steps[500], steps[700])
    figure = curve_figures(store, run_id, x_mode="env_steps", window=window)["return"]
    episodes = range(window.start, window.end + 1)
    assert _mean_line(figure)["x"] == [steps[episode] for episode in episodes]


def test_a_zoom_made_on_another_axis_is_ignored(store, run_id):
    window = zoom_window(store, run_id, "episode", 100, 200)
    figure = curve_figures(store, run_id, x_mode="wall_time", window=window)["return"]
    assert "range" not in figure["layout"]["xaxis"]
    assert len(_mean_line(figure)["x"]) == 300  # the whole run, in buckets of 10


def test_a_parameter_change_is_marked_where_its_episode_lies_on_the_axis(store, run_id):
    store.request_params(run_id, {"alpha": 0.05}, "ui")
    store.take_pending_params(run_id, 1201)
    window = zoom_window(store, run_id, "wall_time", 1.0, 1.4)
    figure = curve_figures(store, run_id, x_mode="wall_time", window=window)["explore"]
    (marker,) = figure["layout"]["shapes"]
    assert marker["x0"] == pytest.approx(1.201)
    # outside the zoomed window the marker is left out
    window = zoom_window(store, run_id, "wall_time", 2.0, 2.4)
    figure = curve_figures(store, run_id, x_mode="wall_time", window=window)["explore"]
    assert figure["layout"]["shapes"] == []


def test_an_unknown_x_axis_is_refused():
    with pytest.raises(ValueError, match="x_mode='frames' is invalid"):
        curve_figures(None, 1, x_mode="frames")  # type: ignore[arg-type]


def test_the_pages_controls_fall_back_to_the_episode_axis_and_valid_smoothing(store, run_id):
    zoom = {"x_mode": "episode", "x0": 10, "x1": 20}
    figures = page_curves(store, run_id, "frames", "lots", None, 1, zoom)
    assert len(figures) == len(CURVES)
    assert figures[0]["layout"]["xaxis"]["range"] == [10.0, 20.0]
    assert _mean_line(figures[0])["x"] == list(range(10, 21))
    assert figures[0]["layout"]["yaxis"]["type"] == "linear"
    # no smoothing: no faint raw line under the mean line
    assert [trace["name"] for trace in figures[0]["data"]] == ["return min–max", "return"]


def test_interruptions_and_resumptions_are_marked_beside_parameter_changes(store):
    run_id = seeded_run(store, status="queued", episodes=0, target=10**6)
    claim = store.claim_run(run_id, Owner("one", 1, 1.0))
    store.append_episodes(run_id, episode_rows(1, 800), claim=claim)
    store.request_params(run_id, {"alpha": 0.05}, "ui")
    store.take_pending_params(run_id, 300, claim=claim)
    store.save_checkpoint(run_id, 800, np.zeros((25, 4)), {}, claim=claim)
    store.release(claim, "queued", event="interrupted")
    store.claim_run(run_id, Owner("two", 2, 2.0))
    figure = curve_figures(store, run_id)["return"]
    notes = {note["x"]: note for note in figure["layout"]["annotations"]}
    assert set(notes) == {300, 800}  # the fresh claim at episode 0 is not drawn
    assert notes[300]["text"] == "Δ alpha"
    assert notes[800]["hovertext"] == (
        "episode 800: interrupted (attempt 1)<br>episode 800: resumed (attempt 2)"
    )
    # on another axis, only the markers inside the window are placed
    window = zoom_window(store, run_id, "wall_time", 0.2, 0.4)
    zoomed = curve_figures(store, run_id, x_mode="wall_time", window=window)["return"]
    (note,) = zoomed["layout"]["annotations"]
    assert note["x"] == pytest.approx(0.3)


def _trace(figure: dict, name: str) -> dict:
    """Return the trace called ``name``."""
    return next(trace for trace in figure["data"] if trace.get("name") == name)


def test_a_decaying_epsilon_is_drawn_from_its_true_values_at_bucket_edges(store):
    """ε starts at 1.0 and decays by 0.999 an episode; α is halved at episode 10,030 (inside
    the bucket 10,001..10,050). 20,000 episodes are read in buckets of 50."""
    run_id = seeded_run(store, status="running", episodes=0, target=10**6)
    rows = episode_rows(1, 20_000)
    for row in rows:
        row["epsilon"] = 0.999 ** (row["episode"] - 1)
        row["alpha"] = 0.1 if row["episode"] < 10_030 else 0.05
    store.append_episodes(run_id, rows)
    assert store.series(run_id, "epsilon", points=POINTS).bucket == 50
    figure = curve_figures(store, run_id)["explore"]
    epsilon, alpha = _trace(figure, "epsilon"), _trace(figure, "alpha")
    firsts = list(range(1, 20_000, 50))
    assert epsilon["x"] == [*firsts, 20_000]  # every bucket's first episode, and the last
    assert epsilon["y"][0] == 1.0  # a bucket mean would say 0.976
    truth = [0.999 ** (episode - 1) for episode in epsilon["x"]]
    assert epsilon["y"] == pytest.approx(truth, rel=1e-4)
    at = dict(zip(alpha["x"], alpha["y"], strict=True))
    assert (at[10_001], at[10_051], at[20_000]) == (0.1, 0.05, 0.05)
    # zoomed in to one episode a bucket, the values are the episodes' own
    window = zoom_window(store, run_id, "episode", 101, 300)
    zoomed = _trace(curve_figures(store, run_id, window=window)["explore"], "epsilon")
    assert zoomed["x"] == list(range(101, 301))
    assert zoomed["y"] == pytest.approx([0.999 ** (e - 1) for e in range(101, 301)], rel=1e-4)
