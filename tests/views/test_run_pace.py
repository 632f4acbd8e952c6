"""The run page's pace: episodes per second over the recent episodes and the ETA, from the
stored episodes' wall times (hand-worked numbers, then a real SQLite store)."""

from __future__ import annotations

import math

import pytest

from app.rules import format_duration
from app.views.run_pace import NO_PACE, RATE_WINDOW, Pace, estimate_pace, pace_text, run_pace
from tests.dashboard_support import fill, seeded_run


def test_the_pace_is_episodes_over_seconds_and_the_eta_the_rest_at_that_pace():
    pace = estimate_pace((100, 10.0), (600, 20.0), remaining=1000)
    assert pace == Pace(per_second=50.0, eta_seconds=20.0)
    assert estimate_pace((1, 0.0), (5, 2.0), remaining=0) == Pace(2.0, 0.0)


@pytest.mark.parametrize(
    ("first", "last"),
    [((5, 1.0), (5, 1.0)), ((5, 1.0), (9, 1.0)), ((9, 1.0), (5, 2.0)), ((1, 0.0), (5, math.nan))],
)
def test_no_pace_without_episodes_and_time_between_the_two(first, last):
    assert estimate_pace(first, last, remaining=10) is NO_PACE


@pytest.mark.parametrize(
    ("pace", "text"),
    [
        (Pace(1234.4, 200.0), "1,234 episodes/s · ETA 3 min 20 s"),
        (Pace(2.5, 3725.0), "2.5 episodes/s · ETA 1 h 02 min"),
        (Pace(0.04, 2 * 86400 + 3 * 3600 + 59), "0.04 episodes/s · ETA 2 d 3 h"),
        (Pace(57.25, 41.6), "57.2 episodes/s · ETA 42 s"),
        (NO_PACE, "— episodes/s · ETA —"),
    ],
)
def test_the_header_line(pace, text):
    assert pace_text(pace) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (59.6, "1 min 00 s"), (3600, "1 h 00 min"), (math.inf, "–"), (-1, "–")],
)
def test_durations_read_as_people_say_them(seconds, text):
    assert format_duration(seconds) == text


def test_a_running_run_s_pace_comes_from_its_latest_episodes(store):
    # seeded episodes end at wall_time = episode / 1000: a thousand episodes a second
    run_id = seeded_run(store, status="running", episodes=800, target=10**6)
    pace = run_pace(store, store.get_run(run_id))
    assert pace.per_second == pytest.approx(1000.0)
    assert pace.eta_seconds == pytest.approx((10**6 - 800) / 1000)
    assert pace_text(pace) == "1,000 episodes/s · ETA 16 min 39 s"
    assert RATE_WINDOW < 800


def test_a_run_that_is_not_training_has_no_pace(store):
    for status in ("paused", "finished", "stopped", "queued"):
        run_id = seeded_run(store, status=status, episodes=300 if status != "queued" else 0)
        assert run_pace(store, store.get_run(run_id)) is NO_PACE, status
    running = seeded_run(store, status="running", episodes=1)
    assert run_pace(store, store.get_run(running)) is NO_PACE  # one episode: no interval
    fill(store, running, 1)
    assert run_pace(store, store.get_run(running)).per_second == pytest.approx(1000.0)
