"""A zoom's x range as episodes, on the episode, environment-steps and wall-time axes, over a
real SQLite store (episode rows from tests.dashboard_support: episode ``e`` takes
``5 + e % 17`` steps, env_steps is their running total and wall_time is ``e / 1000`` s)."""

from __future__ import annotations

import pytest

from app.views.zoom import Window, episode_span, window_of, zoom_window
from tests.dashboard_support import seeded_run


def test_episode_span_widens_by_a_bucket_on_each_side():
    # buckets of 10 episodes starting at 1, 11, 21, 31; x = 100 * first episode
    xs, episodes = [100, 1100, 2100, 3100], [1, 11, 21, 31]
    # x0 = 1500 lies in the bucket of 11..20: the first bucket at or past it starts at 21
    assert episode_span(xs, episodes, 10, 1500, 2500) == (11, 30)
    # a range past every bucket ends at the last one, a range before them starts at 1 - 10
    assert episode_span(xs, episodes, 10, 5000, 6000) == (21, 40)
    assert episode_span(xs, episodes, 10, -50, 50) == (-9, 10)


def test_an_episode_zoom_is_the_episodes_inside_it(store):
    run_id = seeded_run(store, status="running", episodes=5000, target=10**6)
    assert zoom_window(store, run_id, "episode", 199.5, 400.2) == Window(
        "episode", 199.5, 400.2, 200, 400
    )
    # clipped to the run; a range with no episode in it is no window
    assert zoom_window(store, run_id, "episode", -10, 20).start == 1
    assert zoom_window(store, run_id, "episode", 4990, 9000).end == 5000
    assert zoom_window(store, run_id, "episode", 10.2, 10.8) is None
    assert zoom_window(store, run_id, "episode", 6000, 7000) is None


def test_a_wall_time_zoom_maps_to_its_episodes_within_one_bucket(store):
    run_id = seeded_run(store, status="running", episodes=5000, target=10**6)
    # 5000 episodes read as 500 buckets of 10, each placed at its first episode's time:
    # 2.0 s lies in the bucket 1991..2000 (at 1.991 s), 3.0 s in the bucket 2991..3000.
    window = zoom_window(store, run_id, "wall_time", 2.0, 3.0)
    assert window == Window("wall_time", 2.0, 3.0, 1991, 3000)
    assert window.key() == "wall_time:2.0-3.0"


def test_an_env_steps_zoom_covers_every_episode_whose_steps_lie_inside(store, env_steps):
    run_id = seeded_run(store, status="running", episodes=3000, target=10**6)
    steps = env_steps(run_id)
    x0, x1 = steps[1234] - 3, steps[1789] + 2
    window = zoom_window(store, run_id, "env_steps", x0, x1)
    inside = [episode for episode, x in steps.items() if x0 <= x <= x1]
    assert inside == list(range(1234, 1790))
    bucket = store.series(run_id, "env_steps", points=500).bucket
    assert bucket == 10  # 3000 episodes in at most 500 buckets
    assert inside[0] - 2 * bucket < window.start <= inside[0]
    assert inside[-1] <= window.end < inside[-1] + 2 * bucket


@pytest.mark.parametrize(
    "zoom",
    [
        None,
        "20-40",
        {"x_mode": "env_steps", "x0": 20, "x1": 40},  # made on another axis
        {"x_mode": "frames", "x0": 20, "x1": 40},
    ],
)
def test_no_window_for_no_zoom_or_a_zoom_on_another_axis(store, zoom):
    run_id = seeded_run(store, status="running", episodes=100)
    assert window_of(store, run_id, "episode", zoom) is None


def test_the_zoom_the_browser_holds_becomes_a_window(store):
    run_id = seeded_run(store, status="running", episodes=100)
    zoom = {"x_mode": "episode", "x0": "20", "x1": 40}
    assert window_of(store, run_id, "episode", zoom) == Window("episode", 20.0, 40.0, 20, 40)


def test_a_run_without_episodes_has_no_window(store):
    run_id = seeded_run(store, status="queued", episodes=0)
    assert zoom_window(store, run_id, "wall_time", 0, 10) is None
