"""The trajectory views as data: cells on a grid (numbers elsewhere), action names, the
picker's labels (a cut episode says so), the step table and what a run records."""

from __future__ import annotations

import numpy as np

from app.training import create_run
from app.views.trajectories import (
    StepView,
    policy_text,
    step_columns,
    step_table,
    trajectory_options,
)
from gridworld.spec import validate_run_spec
from runstore import TrajectoryInfo, TrajectoryRecord


def run_of(store, **spec):
    """Return a stored (queued) run of ``spec``."""
    return store.get_run(create_run(store, validate_run_spec(spec)))


def test_a_grid_run_shows_cells_and_arrows(store):
    view = StepView.of(run_of(store, preset="medium"))
    assert view.width is not None and view.cell(view.width + 2) == "(1, 2)"
    assert view.actions == ("↑", "→", "↓", "←") and view.action(9) == "a9"


def test_a_run_without_a_grid_shows_state_numbers_and_action_names(store):
    view = StepView.of(run_of(store, env_id="Taxi-v4", preset=None))
    assert view.width is None and view.cell(417) == "417"
    assert view.action(5) == "dropoff"


def test_the_picker_names_kind_and_steps_and_a_cut_episode():
    infos = [TrajectoryInfo(7, "first", 1, 1), TrajectoryInfo(12_000, "every", 4210, 1000)]
    assert trajectory_options(infos) == [
        {"label": "episode 7 · first (1 step)", "value": 7},
        {"label": "episode 12,000 · every (first 1,000 of 4,210 steps)", "value": 12_000},
    ]


def test_the_step_table_shows_each_step_as_text(store):
    view = StepView.of(run_of(store, preset="easy"))
    columns = {
        "state": np.array([0, 5]),
        "action": np.array([2, 1]),
        "reward": np.array([-0.01, 1.0]),
        "next_state": np.array([5, 6]),
        "epsilon": np.array([0.5, 0.5]),
        "td_error": np.array([-0.0123456, 0.9]),
        "q": np.array([[0.0, 0.1, 0.2, 0.3], [1.0, 2.0, 3.0, 4.0]]),
    }
    rows = step_table(view, TrajectoryRecord(3, "first", 2, columns))
    assert rows[0] == {
        "step": 1,
        "state": "(0, 0)",
        "action": "↓",
        "reward": "-0.01",
        "next_state": "(1, 0)",
        "epsilon": "0.5",
        "td_error": "-0.01235",
        "q0": "0",
        "q1": "0.1",
        "q2": "0.2",
        "q3": "0.3",
    }
    assert rows[1]["state"] == "(1, 0)" and rows[1]["q3"] == "4"
    headers = [c["headerName"] for c in step_columns(view, 4)]
    assert headers == ["step", "state", "action", "reward", "next state", "ε", "TD error",
                       "Q(↑)", "Q(→)", "Q(↓)", "Q(←)"]  # fmt: skip


def test_the_policy_text_shows_the_defaults_and_a_long_run_s_stride(store):
    short = policy_text(run_of(store, preset="easy", episodes=5000))
    assert short == (
        "Recorded step by step: the first 10 episodes, every 1,000th, and the last 20 of every"
        " 1,000 and of the run (only the newest kept); up to 1,000 steps each, at most 130"
        " trajectories per run."
    )
    assert "every 50,000th" in policy_text(run_of(store, preset="easy", episodes=5_000_000))
