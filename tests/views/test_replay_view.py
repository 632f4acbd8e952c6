"""The Replay card's view: the picker's values and options, the frames of an episode worked
out by hand, and the stepper's moves."""

from __future__ import annotations

import numpy as np
import pytest

from app.views.replay import (
    GREEDY,
    NEWEST,
    advance,
    choice_options,
    newest_episode,
    parse_choice,
    replay_script,
)
from gridworld.errors import ValidationError
from runstore import TrajectoryInfo

ARROWS = ("↑", "→", "↓", "←")
COLUMNS = {  # on a 3-wide grid: 0 → 1 → 4 → 5 (right, down, right)
    "state": np.array([0, 1, 4]),
    "action": np.array([1, 2, 1]),
    "reward": np.array([-0.01, -0.01, 1.0]),
    "next_state": np.array([1, 4, 5]),
    "epsilon": np.array([0.5, 0.5, 0.5]),
    "td_error": np.array([-0.01, 0.25, 1.0]),
}


@pytest.mark.parametrize(
    ("value", "choice"), [(NEWEST, NEWEST), (GREEDY, GREEDY), (5, 5), ("12", 12)]
)
def test_the_picker_sends_the_newest_the_greedy_rollout_or_an_episode(value, choice):
    assert parse_choice(value) == choice


@pytest.mark.parametrize("value", ["abc", 0, -1, True, 1.5, None, [1], {"a": 1}, 10**30, "1e3"])
def test_any_other_picker_value_is_refused_naming_the_episode(value):
    with pytest.raises(ValidationError, match="episode="):
        parse_choice(value)


def test_the_options_are_the_newest_the_rollout_then_each_recorded_episode_newest_first():
    infos = [TrajectoryInfo(1, "first", 12, 12), TrajectoryInfo(1500, "last", 1520, 1000)]
    options = choice_options(infos)
    assert [option["value"] for option in options] == [NEWEST, GREEDY, 1500, 1]
    assert options[0]["label"] == (
        "newest recorded episode (follows the run): episode 1,500 · last"
        " (first 1,000 of 1,520 steps)"
    )
    assert options[3]["label"] == "episode 1 · first (12 steps)"
    assert newest_episode(infos) == 1500
    assert choice_options([])[0]["label"].endswith(": none recorded yet")
    assert newest_episode([]) is None


def test_an_episode_of_three_steps_plays_as_four_frames_on_the_grid():
    script = replay_script(COLUMNS, ARROWS, 3)
    assert (script.x, script.y) == ([0, 1, 1, 2], [0, 0, 1, 1])
    assert script.captions[0] == "start · at row 0, column 0"
    assert script.captions[2] == (
        "step 2 of 3 · row 0, column 1 · action ↓ → row 1, column 1 · reward -0.01 · ε 0.5"
        " · TD error 0.25"
    )
    data = script.to_data({"data": []}, {"path": 1, "agent": 2})
    assert data == {
        "captions": script.captions,
        "x": [0, 1, 1, 2],
        "y": [0, 0, 1, 1],
        "figure": {"data": []},
        "path": 1,
        "agent": 2,
    }


def test_without_a_grid_the_frames_name_states():
    script = replay_script(COLUMNS, ARROWS, None)
    assert (script.x, script.y) == ([], [])
    assert script.captions[-1].startswith("step 3 of 3 · state 4 · action → → state 5")


@pytest.mark.parametrize(
    ("trigger", "step", "last", "paused", "after"),
    [
        ("play", 3, 10, True, (3, False)),  # play from where it is
        ("play", 10, 10, True, (0, False)),  # from the end: starts over
        ("play", 4, 10, False, (4, True)),  # pause
        ("play", 0, 0, True, (0, True)),  # nothing to play
        ("tick", 4, 10, False, (5, False)),
        ("tick", 9, 10, False, (10, True)),  # the last frame: pauses
        ("tick", 4, 10, True, (4, True)),  # a late tick after a pause moves nothing
        ("next", 4, 10, False, (5, True)),  # stepping pauses
        ("next", 10, 10, True, (10, True)),
        ("previous", 4, 10, True, (3, True)),
        ("previous", 0, 10, True, (0, True)),
        ("script", 7, 10, False, (0, True)),  # a new episode: its start, paused
        ("tick", "x", {"a": 1}, None, (0, True)),  # crafted values
        ("next", 99, 10, True, (10, True)),
        ("previous", -5, 10, True, (0, True)),
        ("play", True, 10, "no", (0, False)),  # a bool is no frame; "no" counts as paused
    ],
)
def test_the_stepper_moves_one_frame_plays_and_pauses(trigger, step, last, paused, after):
    assert advance(trigger, step, last, paused) == after
