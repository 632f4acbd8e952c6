"""The records the store hands out: frozen, and JSON-safe through to_dict."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import time
from datetime import UTC, datetime

import pytest

from runstore import EPISODE_FIELDS, Claim, EpisodeRecord, Owner, RunEvent, RunSummary

EPISODE = EpisodeRecord(
    7, -1.5, 12, True, 0.25, 0.1, 0.99, 0.5, 2.0, 0.125, 340, 0.007, (3, 0, 9, 0)
)
"""Episode 7: return -1.5, length 12, a success, ..., 340 env steps, four action counts."""


def test_episode_fields_follow_the_episode_columns():
    names = [field.name for field in dataclasses.fields(EpisodeRecord)]
    assert names == [name.replace("return", "return_") for name in EPISODE_FIELDS]


def test_an_episode_to_dict_is_keyed_by_the_episode_columns():
    data = EPISODE.to_dict()
    assert list(data) == list(EPISODE_FIELDS)
    assert data == {
        "episode": 7,
        "return": -1.5,
        "length": 12,
        "success": True,
        "epsilon": 0.25,
        "alpha": 0.1,
        "gamma": 0.99,
        "mean_q": 0.5,
        "max_q": 2.0,
        "mean_abs_td": 0.125,
        "env_steps": 340,
        "wall_time": 0.007,
        "action_counts": [3, 0, 9, 0],
    }
    assert json.loads(json.dumps(data)) == data


def test_a_summary_to_dict_has_every_field_and_lists():
    # episodes, recent return, best return, success, length, action shares, then the last
    # episode's epsilon, alpha, mean Q, max Q and mean |TD|
    full = RunSummary(300, 0.5, 0.75, 0.4, 11.0, (0.5, 0.25, 0.25), 0.1, 0.2, 0.3, 0.9, 0.05)
    data = full.to_dict()
    assert data == {
        "episodes": 300,
        "recent_return": 0.5,
        "best_return": 0.75,
        "recent_success": 0.4,
        "recent_length": 11.0,
        "action_share": [0.5, 0.25, 0.25],
        "epsilon": 0.1,
        "alpha": 0.2,
        "mean_q": 0.3,
        "max_q": 0.9,
        "mean_abs_td": 0.05,
    }
    assert json.loads(json.dumps(data)) == data
    empty = RunSummary(episodes=0).to_dict()
    assert list(empty) == list(data)
    assert empty["episodes"] == 0
    assert {key for key, value in empty.items() if value is not None} == {"episodes"}


def test_an_owner_is_this_process_once_and_labels_itself():
    here = Owner.here()
    assert Owner.here() is here
    assert (here.host, here.pid) == (socket.gethostname(), os.getpid())
    assert abs(here.started_at - time.time()) < 3600
    assert Owner("box", 42, 1733.5).label == "box:42:1733.500"


def test_a_run_event_to_dict_is_json_safe():
    at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    data = RunEvent(7, 2, 300, "resumed", at, "from the checkpoint at episode 300").to_dict()
    assert data == {
        "run_id": 7,
        "attempt": 2,
        "episode": 300,
        "kind": "resumed",
        "at": "2025-01-02T03:04:05+00:00",
        "detail": "from the checkpoint at episode 300",
    }
    assert json.loads(json.dumps(data)) == data


@pytest.mark.parametrize(
    ("record", "name"),
    [
        (EPISODE, "episode"),
        (RunSummary(episodes=1), "episodes"),
        (Owner("box", 1, 0.0), "pid"),
        (Claim(1, 1, "box:1:0.000"), "attempt"),
    ],
)
def test_records_are_frozen(record, name):
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, name, 99)
