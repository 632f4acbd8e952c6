"""The episode log's blocks, columns and jumps, from a real SQLite store."""

from __future__ import annotations

import pytest

from app.rules import MAX_EPISODE_ROWS
from app.views.episode_log import LOG_COLUMNS, block_bounds, episode_block, jump_target
from gridworld.errors import ValidationError
from runstore import EPISODE_FIELDS
from tests.dashboard_support import episode_rows, seeded_run


def test_a_block_is_the_rows_asked_for_as_people_read_them(store):
    run_id = seeded_run(store, status="running", episodes=1500, target=10**6)
    block = episode_block(store, run_id, {"startRow": 1199, "endRow": 1210})
    assert block["rowCount"] == 1500
    rows = block["rowData"]
    assert [row["episode"] for row in rows] == list(range(1200, 1211))
    row = rows[0]
    # episode 1200: 5 + 1200 % 17 = 15 steps; 1200 % 3 == 0 succeeds; 1 / 1200 TD error
    assert (row["length"], row["success"], row["mean_abs_td"]) == ("15", "yes", "0.0008333")
    assert rows[1]["success"] == "no"
    assert row["wall_time"] == "1.200"  # seconds, three decimals
    assert row["action_counts"] == "3 3 3 6"


def test_whole_numbers_stay_whole_however_they_are_stored(store):
    run_id = seeded_run(store, status="running", episodes=0, target=10**6)
    rows = episode_rows(1, 3, steps_before=6_568_990)
    for row in rows:
        row["env_steps"] = float(row["env_steps"])  # as a float, it read 6.569e+6
    store.append_episodes(run_id, rows)
    shown = episode_block(store, run_id, {"startRow": 0, "endRow": 3})["rowData"]
    assert [row["env_steps"] for row in shown] == ["6,568,996", "6,569,003", "6,569,011"]


def test_every_column_has_a_header_in_words_and_wall_time_its_unit():
    assert [column.field for column in LOG_COLUMNS] == list(EPISODE_FIELDS)
    headers = {column.field: column.header for column in LOG_COLUMNS}
    assert headers["wall_time"] == "wall time (s)"
    assert headers["env_steps"] == "environment steps"
    assert headers["mean_abs_td"] == "mean |TD error|"
    assert all("_" not in header for header in headers.values())


def test_a_block_is_at_most_the_rows_one_request_may_read(store):
    run_id = seeded_run(store, status="running", episodes=12_000, target=10**6)
    block = episode_block(store, run_id, {"startRow": 0, "endRow": 50_000})
    assert len(block["rowData"]) == MAX_EPISODE_ROWS
    assert episode_block(store, run_id, {"startRow": 11_999})["rowData"][0]["episode"] == 12_000


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        ({"startRow": "abc", "endRow": 10}, "startRow"),
        ({"startRow": -1, "endRow": 10}, "startRow"),
        ({"startRow": 1.5, "endRow": 10}, "startRow"),
        ({"startRow": True, "endRow": 10}, "startRow"),
        ({"startRow": 10**30, "endRow": 10}, "startRow"),
        ({"startRow": 10, "endRow": 5}, "endRow"),
        ({"startRow": 0, "endRow": 10**30}, "endRow"),
        ([0, 10], "getRowsRequest"),
        ("rows", "getRowsRequest"),
    ],
)
def test_a_request_that_no_grid_sends_is_refused_naming_the_field(request_, field):
    with pytest.raises(ValidationError) as caught:
        block_bounds(request_)
    assert caught.value.field == field


def test_a_jump_lands_on_an_episode_of_the_run():
    assert [jump_target(value, 10) for value in (1, 10.0, " 7")] == [1, 10, 7]
    allowed = "allowed: an integer from 1 to 10"
    for value, reason in [
        (11, "episode=11 is invalid: out of range"),
        (2.5, "episode=2.5 is invalid: not a whole number"),
        ("abc", "episode='abc' is invalid: not a whole number"),
        ([1], "episode=[1] is invalid: not a whole number"),
    ]:
        with pytest.raises(ValidationError) as caught:
            jump_target(value, 10)
        assert str(caught.value) == f"{reason}; {allowed}"
    with pytest.raises(ValidationError, match="no episodes yet"):
        jump_target(1, 0)
