"""The visit and |TD error| maps' view: which recorded episodes they cover and what each state
gets, against small hand-worked examples."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.views.visits import RECENT, covered, recent_episodes, state_visits
from runstore import TrajectoryInfo


def _infos(*episodes: int) -> list[TrajectoryInfo]:
    return [TrajectoryInfo(episode, "last", 5, 5) for episode in episodes]


def test_two_episodes_give_visits_and_mean_abs_td_per_state_and_blanks_where_never_visited():
    first = (np.array([0, 1, 1, 4]), np.array([0.5, -1.0, 0.25, 2.0]))
    second = (np.array([1, 4]), np.array([-0.75, 0.0]))
    visits = state_visits([first, second], 6, [7, 9])
    # state 0: once (0.5); state 1: three times (1 + 0.25 + 0.75 = 2); state 4: twice (2 + 0)
    assert visits.visits.tolist() == [1, 3, 0, 0, 2, 0]
    assert visits.mean_abs_td[[0, 1, 4]].tolist() == pytest.approx([0.5, 2 / 3, 1.0])
    assert [math.isnan(v) for v in visits.mean_abs_td] == [False, False, True, True, False, True]
    shown = visits.shown_visits
    assert shown[[0, 1, 4]].tolist() == [1.0, 3.0, 2.0]
    assert np.isnan(shown[[2, 3, 5]]).all()  # blank, not 0
    assert visits.episodes == (7, 9)


def test_no_steps_leave_every_state_blank():
    visits = state_visits([], 3)
    assert visits.visits.tolist() == [0, 0, 0]
    assert np.isnan(visits.mean_abs_td).all() and np.isnan(visits.shown_visits).all()


def test_the_maps_cover_the_newest_twenty_recorded_episodes():
    assert RECENT == 20
    kept = _infos(*range(1, 11), 1000, *range(1981, 2000), 2000)
    assert recent_episodes(reversed(kept)) == list(range(1981, 2001))
    assert recent_episodes(_infos(3, 1, 2)) == [1, 2, 3]
    assert recent_episodes(_infos(1, 2, 3), count=2) == [2, 3]
    assert recent_episodes(_infos(1, 2), count=0) == []


@pytest.mark.parametrize(
    ("episodes", "caption"),
    [
        (list(range(4981, 5001)), "episodes 4,981–5,000, 20 recorded"),
        ([7], "episode 7, 1 recorded"),
        ([1, 2, 1000], "episodes 1–1,000, 3 recorded"),
        ([], "no recorded episodes yet: the maps appear with the first one"),
    ],
)
def test_the_caption_says_which_episodes_are_covered(episodes, caption):
    assert covered(episodes) == caption
