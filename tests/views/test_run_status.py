"""The run page's header as data: status, progress, banners and the buttons' rules."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.page_parts import VALIDATION_RUN
from app.rules import Action
from app.views.run_status import run_status

RUN = replace(
    VALIDATION_RUN,
    id=3,
    target_episodes=20_000,
    episodes_done=1_234,
    env_steps=0,
    status="running",
    requested_status=None,
    error=None,
    warnings=[],
)
"""A running run; each test changes what it is about."""


def test_a_running_run_shows_its_progress_and_allows_pause_stop_and_edits():
    status = run_status(replace(RUN, env_steps=56_789))
    assert (status.status, status.color, status.requested) == ("running", "primary", None)
    assert status.episodes == "1,234 / 20,000 episodes · 56,789 env steps"
    assert status.progress == pytest.approx(6.17)
    assert status.progress_label == ""  # too narrow a bar for its number
    assert status.allowed == {Action.PAUSE, Action.STOP, Action.EDIT}
    assert status.live and status.error is None


def test_a_pause_asked_of_a_live_run_shows_beside_its_status_and_allows_resume():
    status = run_status(replace(RUN, episodes_done=5_000, requested_status="paused"))
    assert status.requested == "paused"
    assert status.progress_label == "25%"
    assert status.episodes == "5,000 / 20,000 episodes"  # no env steps yet
    assert status.allowed == {Action.RESUME, Action.STOP, Action.EDIT}


def test_a_request_the_run_has_reached_is_not_shown():
    assert run_status(replace(RUN, requested_status="running")).requested is None
    assert run_status(replace(RUN, status="paused", requested_status="paused")).requested is None


@pytest.mark.parametrize("failed", ["error", "crashed"])
def test_a_failed_run_shows_its_error_and_can_only_be_resumed_archived_or_deleted(failed):
    status = run_status(replace(RUN, status=failed, error="NonFiniteQError: Q became NaN"))
    assert status.error == "NonFiniteQError: Q became NaN"
    assert status.color == "danger"
    assert status.allowed == {Action.RESUME, Action.ARCHIVE, Action.DELETE}
    assert not status.live


def test_a_finished_run_can_only_be_archived_or_deleted_and_has_no_banner():
    status = run_status(replace(RUN, status="finished", error="stale", warnings=["slow"]))
    assert status.allowed == {Action.ARCHIVE, Action.DELETE}
    assert status.error is None
    assert status.warnings == ("slow",)
    assert status.color == "success"


def test_a_pause_or_stop_message_stays_until_the_run_is_no_longer_waiting_for_it():
    asked = replace(RUN, requested_status="paused")
    assert run_status(asked).pending == "paused"
    assert not run_status(asked).settled("pause")  # still pausing: the message stays
    assert run_status(replace(RUN, status="paused")).settled("pause")  # paused: it goes
    assert run_status(replace(RUN, requested_status="running")).settled("pause")  # resumed
    stopping = run_status(replace(RUN, requested_status="stopped"))
    assert not stopping.settled("stop") and stopping.settled("pause")
    assert run_status(replace(RUN, status="stopped")).settled("stop")
    # other messages (a resume, a refusal) are left to close by themselves
    assert not run_status(replace(RUN, status="paused")).settled("resume")
    assert not run_status(replace(RUN, status="paused")).settled(None)


@pytest.mark.parametrize("ended", ["finished", "stopped"])
def test_an_ended_run_says_why_its_hyperparameters_cannot_change(ended):
    status = run_status(replace(RUN, status=ended))
    assert Action.EDIT not in status.allowed
    assert status.edit_refusal == (
        f"run 3 is {ended}; only queued, running or paused runs can change parameters"
    )
    assert run_status(RUN).edit_refusal is None


def test_the_warnings_shown_can_differ_from_the_stored_ones():
    run = replace(RUN, warnings=["plateau: old", "slow"])
    assert run_status(run, ["slow"]).warnings == ("slow",)
    assert run_status(run).warnings == ("plateau: old", "slow")
