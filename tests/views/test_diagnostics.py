"""The diagnostics card and the parameter editor's history, from a real SQLite store."""

from __future__ import annotations

import pytest

from app.training import create_run
from app.views.diagnostics import WINDOW, action_shares, diagnostic_rows
from app.views.params import (
    MAX_CHANGES,
    change_rows,
    current_values,
    field_errors,
    queued_text,
    typed_values,
)
from app.views.reads import summary_of
from gridworld.errors import ValidationError
from gridworld.hyperparams import HYPERPARAM_NAMES
from tests.dashboard_support import seeded_run
from tests.trainer.support import make_spec


def test_the_diagnostics_read_the_last_window_of_episodes(store):
    run_id = seeded_run(store, status="running", episodes=300)
    rows = dict(diagnostic_rows(summary_of(store, run_id, window=WINDOW)))
    assert list(rows) == [
        "ε (epsilon)",
        "α (alpha)",
        "mean Q",
        "max Q",
        "mean |TD error|",
        "success rate",
        "mean return",
        "best mean return",
        "mean length",
    ]
    # episodes 201..300: 34 succeed (201, 204, ..., 300), alpha is 0.1, max Q 1.0
    assert rows["success rate"] == "34.0%"
    assert rows["α (alpha)"] == "0.1"
    assert rows["max Q"] == "1"
    assert rows["mean |TD error|"] == "0.003333"  # the last episode's 1 / 300 (4 digits)


def test_a_run_without_episodes_has_no_diagnostics(store):
    run_id = seeded_run(store, status="queued", episodes=0)
    assert diagnostic_rows(summary_of(store, run_id)) == []
    assert action_shares("GridWorld-v0", summary_of(store, run_id)) == []


def test_action_shares_are_labelled_with_the_envs_actions(store):
    run_id = seeded_run(store, status="running", episodes=100)
    shares = action_shares("GridWorld-v0", summary_of(store, run_id))
    assert [label for label, _, _ in shares] == ["↑", "→", "↓", "←"]
    assert sum(share for _, share, _ in shares) == pytest.approx(1.0)
    assert all(text.endswith("%") for _, _, text in shares)


def test_the_editor_shows_current_values_and_sends_only_typed_ones(store):
    run = store.get_run(seeded_run(store, status="running", episodes=10))
    shown = dict(zip(HYPERPARAM_NAMES, current_values(run), strict=True))
    assert shown["alpha"] == "0.1" and shown["gamma"] == "0.99"
    values = [None] * len(HYPERPARAM_NAMES)
    values[HYPERPARAM_NAMES.index("gamma")] = " 0.9 "
    values[HYPERPARAM_NAMES.index("alpha")] = "   "
    assert typed_values(values) == {"gamma": "0.9"}


def test_a_refused_value_is_shown_at_its_own_field_only():
    error = ValidationError("gamma", "1.5", "out of range", "0 <= gamma <= 1")
    feedback = field_errors(error)
    assert feedback[HYPERPARAM_NAMES.index("gamma")] == str(error)
    assert [text for text in feedback if text] == [str(error)]
    assert field_errors(ValidationError("params", {}, "no parameter changes", "some")) is None


def test_the_history_lists_the_newest_changes_first_pending_or_applied(store):
    run_id = seeded_run(store, status="running", episodes=10)
    for step in range(MAX_CHANGES + 2):
        store.request_params(run_id, {"alpha": 0.01 * (step + 1)}, "api")
        if step < MAX_CHANGES + 1:
            store.take_pending_params(run_id, 1000 + step)
    rows = change_rows(store.param_changes(run_id), store.get_run(run_id))
    assert len(rows) == MAX_CHANGES
    newest, applied = rows[0], rows[1]
    assert (newest.text, newest.applied, newest.source) == ("alpha 0.21 → 0.22", None, "api")
    assert (applied.text, applied.applied) == ("alpha 0.2 → 0.21", "episode 1,020")


def test_a_first_pace_change_reads_from_the_spec_s_pace(store):
    plain = seeded_run(store, status="running", episodes=10)
    paced = create_run(store, make_spec(episodes=100, pace=50.0))
    for run_id in (plain, paced):
        for pace, episode in ((400.0, 5), ("full", 7)):
            store.request_params(run_id, {"pace": pace}, "ui")
            store.take_pending_params(run_id, episode)
    texts = {
        run_id: [
            row.text for row in change_rows(store.param_changes(run_id), store.get_run(run_id))
        ]
        for run_id in (plain, paced)
    }
    assert texts[plain] == ["pace 400 → full", "pace full → 400"]
    assert texts[paced] == ["pace 400 → full", "pace 50 → 400"]


def test_queued_changes_are_confirmed_in_one_line():
    queued = [{"param": "alpha", "new_value": 0.05}, {"param": "gamma", "new_value": 0.9}]
    assert queued_text(queued) == "Queued: alpha → 0.05, gamma → 0.9."
