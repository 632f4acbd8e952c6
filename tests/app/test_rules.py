"""The rules module: one test per run status × action, and the shared limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app import rules
from app.rules import Action, Conflict
from runstore import STATUSES, Run

BASE = Run(
    id=7,
    name="r",
    env_id="GridWorld-v0",
    env_config={},
    hyperparams={},
    current_params={},
    seed=0,
    spec={},
    target_episodes=100,
    episodes_done=10,
    env_steps=50,
    status="running",
    requested_status=None,
    error=None,
    warnings=[],
    created_at=datetime(2026, 1, 1, tzinfo=UTC),
    started_at=None,
    finished_at=None,
    heartbeat_at=None,
    pid=None,
    host=None,
)

# Written out by hand from the product's rules, not derived from rules.ALLOWED.
EXPECTED = {
    ("queued", Action.PAUSE): True,
    ("queued", Action.RESUME): False,
    ("queued", Action.STOP): True,
    ("queued", Action.EDIT): True,
    ("running", Action.PAUSE): True,
    ("running", Action.RESUME): False,
    ("running", Action.STOP): True,
    ("running", Action.EDIT): True,
    ("paused", Action.PAUSE): False,
    ("paused", Action.RESUME): True,
    ("paused", Action.STOP): True,
    ("paused", Action.EDIT): True,
    ("finished", Action.PAUSE): False,
    ("finished", Action.RESUME): False,
    ("finished", Action.STOP): False,
    ("finished", Action.EDIT): False,
    ("stopped", Action.PAUSE): False,
    ("stopped", Action.RESUME): True,
    ("stopped", Action.STOP): False,
    ("stopped", Action.EDIT): False,
    ("pruned", Action.PAUSE): False,
    ("pruned", Action.RESUME): True,
    ("pruned", Action.STOP): False,
    ("pruned", Action.EDIT): False,
    ("crashed", Action.PAUSE): False,
    ("crashed", Action.RESUME): True,
    ("crashed", Action.STOP): False,
    ("crashed", Action.EDIT): False,
    ("error", Action.PAUSE): False,
    ("error", Action.RESUME): True,
    ("error", Action.STOP): False,
    ("error", Action.EDIT): False,
    # archive: only runs no worker trains or will train; delete: anything but a running run
    **{(status, Action.ARCHIVE): status not in ("queued", "running") for status in STATUSES},
    **{(status, Action.DELETE): status != "running" for status in STATUSES},
}


def test_the_table_covers_every_status_and_action():
    assert set(EXPECTED) == {(status, action) for status in STATUSES for action in Action}


@pytest.mark.parametrize(("status", "action"), sorted(EXPECTED))
def test_each_status_allows_exactly_its_actions(status, action):
    run = replace(BASE, status=status)
    message = rules.refusal(run, action)
    if EXPECTED[status, action]:
        assert message is None
        rules.check(run, action)
        assert action in rules.allowed_actions(run)
    else:
        assert message is not None
        assert message.startswith(f"run 7 is {status}; only ")
        with pytest.raises(Conflict, match=message):
            rules.check(run, action)
        assert action not in rules.allowed_actions(run)


def test_a_refused_resume_names_every_resumable_status():
    message = rules.refusal(replace(BASE, status="finished"), Action.RESUME)
    assert (
        message == "run 7 is finished; only paused, stopped, crashed, error or pruned runs can be"
        " resumed"
    )


@pytest.mark.parametrize("pending", ["paused", "stopped"])
@pytest.mark.parametrize("status", ["queued", "running"])
def test_a_pending_pause_or_stop_can_be_cancelled_by_resume_but_not_repeated(status, pending):
    run = replace(BASE, status=status, requested_status=pending)
    assert rules.refusal(run, Action.RESUME) is None
    verb = pending.removesuffix("ped").removesuffix("d")
    assert rules.refusal(run, Action.PAUSE) == f"run 7 is {status} and already asked to {verb}"
    assert rules.refusal(run, Action.STOP) is None


def test_a_requested_running_status_changes_nothing():
    run = replace(BASE, status="running", requested_status="running")
    assert rules.allowed_actions(run) == {Action.PAUSE, Action.STOP, Action.EDIT}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "–"),
        (0.123456, "0.1235"),
        (1e-7, "1e-07"),
        (1234567, "1,234,567"),
        (True, "True"),
        ("medium", "medium"),
        (3.0, "3"),
    ],
)
def test_numbers_are_formatted_for_people(value, shown):
    assert rules.format_number(value) == shown


def test_ids_are_parsed_by_the_one_parser():
    assert rules.parse_id("run_id", " 12 ") == 12
    with pytest.raises(ValueError, match=r"run_id='1,,2' is invalid: not a whole number"):
        rules.parse_id("run_id", "1,,2")
    with pytest.raises(
        ValueError, match="out of range; allowed: an integer from 1 to 9007199254740992"
    ):
        rules.parse_id("run_id", 0)
