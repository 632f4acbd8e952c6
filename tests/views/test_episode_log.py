"""The episode log's blocks and jumps, from a real SQLite store."""

from __future__ import annotations

from app.rules import MAX_EPISODE_ROWS
from app.views.episode_log import episode_block, jump_error
from tests.dashboard_support import seeded_run


def test_a_block_is_the_rows_asked_for_as_the_log_shows_them(store):
    run_id = seeded_run(store, status="running", episodes=1500, target=10**6)
    block = episode_block(store, run_id, {"startRow": 1199, "endRow": 1210})
    assert block["rowCount"] == 1500
    rows = block["rowData"]
    assert [row["episode"] for row in rows] == list(range(1200, 1211))
    row = rows[0]
    # episode 1200: 5 + 1200 % 17 = 15 steps; 1200 % 3 == 0 succeeds; 1 / 1200 TD error
    assert (row["length"], row["success"], row["mean_abs_td"]) == ("15", True, "0.0008333")
    assert row["env_steps"].count(",") == 1  # thousands separated
    assert row["action_counts"] == "3 3 3 6"


def test_a_block_is_at_most_the_rows_one_request_may_read(store):
    run_id = seeded_run(store, status="running", episodes=12_000, target=10**6)
    block = episode_block(store, run_id, {"startRow": 0, "endRow": 50_000})
    assert len(block["rowData"]) == MAX_EPISODE_ROWS
    assert episode_block(store, run_id, {"startRow": 11_999})["rowData"][0]["episode"] == 12_000


def test_a_jump_lands_on_an_episode_of_the_run():
    assert jump_error(1, 10) is None and jump_error(10.0, 10) is None
    assert jump_error(11, 10) == "episode=11 is out of range; allowed: 1 to 10"
    assert jump_error(2.5, 10) == "episode=2.5 is out of range; allowed: 1 to 10"
    assert jump_error(0, 10) is not None
