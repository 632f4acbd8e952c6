"""The runs grid's rows and their updates, the count line and the Compare button's limits,
from a real store."""

from __future__ import annotations

from typing import Any

import pytest

from app.rules import MAX_COMPARE_RUNS, MIN_COMPARE_RUNS
from app.training import create_run
from app.views.runs_table import RowEdit, compare_limits, count_text, grid_update
from gridworld.spec import validate_run_spec
from runstore import RunStore, RunSummary
from tests.dashboard_support import fill, seeded_run


def grid_rows(store: RunStore) -> list[dict[str, Any]]:
    """Return every row of the grid drawn whole."""
    rows = grid_update(store, None).rows
    assert rows is not None
    return rows


def apply(rows: list[dict[str, Any]], edits: list[RowEdit]) -> list[dict[str, Any]]:
    """Return ``rows`` after the edits, as the browser applies the Patch made of them."""
    rows = list(rows)
    for edit in edits:
        if edit.op == "delete":
            del rows[edit.index]
        elif edit.op == "insert":
            rows.insert(edit.index, edit.row)
        else:
            assert edit.op == "set"
            rows[edit.index] = edit.row
    return rows


class CountingStore(RunStore):
    """A real store that counts the summaries read (one per grid row drawn)."""

    summaries = 0

    def summary(self, run_id: int, window: int = 100) -> RunSummary:
        self.summaries += 1
        return super().summary(run_id, window)


def test_each_run_is_a_row_newest_first_with_its_figures_and_their_text(store):
    done = seeded_run(store, status="finished", episodes=1000, name="done", target=1000)
    live = seeded_run(store, status="running", episodes=250, name="live", target=2000)
    rows = grid_rows(store)
    assert [row["id"] for row in rows] == [live, done]
    row = rows[0]
    assert (row["name"], row["env"], row["status"], row["status_color"], row["live"]) == (
        "live",
        "GridWorld-v0 · easy",
        "running",
        "primary",
        True,
    )
    assert (row["progress"], row["episodes"], row["target"]) == (12.5, 250, 2000)
    # alpha and epsilon as the run trains now: its last episode's (epsilon has decayed from
    # the 1.0 it started with); gamma is the current parameter
    (last,) = store.episodes(live, start=250, limit=1)
    assert (row["alpha"], row["gamma"], row["epsilon"]) == (last.alpha, 0.99, last.epsilon)
    assert last.epsilon < 1.0
    assert isinstance(row["recent_return"], float)
    assert row["shown"]["episodes"] == "250 / 2,000"
    assert row["shown"]["gamma"] == "0.99"
    assert row["shown"]["recent_return"] == f"{row['recent_return']:.4g}"
    assert rows[1]["progress"] == 100.0 and rows[1]["shown"]["episodes"] == "1,000 / 1,000"


def test_each_row_names_its_algorithm_and_older_runs_read_as_q_learning(store, run_of):
    ids = {name: run_of(name) for name in (None, "sarsa", "expected_sarsa", "double_q")}
    algorithms = {row["id"]: row["algorithm"] for row in grid_rows(store)}
    assert [algorithms[ids[name]] for name in ids] == [
        "Q-learning",
        "SARSA",
        "Expected SARSA",
        "Double Q-learning",
    ]


def test_a_run_without_episodes_shows_dashes_and_a_custom_map_is_named(store):
    spec = validate_run_spec({"desc": ["S.", ".G"], "episodes": 50, "name": "mine"})
    run_id = create_run(store, spec)
    (row,) = grid_rows(store)
    assert row["id"] == run_id and row["env"] == "GridWorld-v0 · custom map"
    assert row["recent_return"] is None and row["shown"]["recent_return"] == "–"
    assert row["live"]  # queued
    assert row["created"][:2] == "20" and len(row["created"]) == len("2026-01-01 00:00:00")


def test_rows_follow_the_store_on_the_next_read(store):
    run_id = seeded_run(store, status="running", episodes=40)
    fill(store, run_id, 25)
    (row,) = grid_rows(store)
    assert row["shown"]["episodes"] == "65 / 1,000"


def test_an_update_edits_only_the_rows_of_runs_that_moved(store_url):
    store = CountingStore(store_url)
    ids = [seeded_run(store, status="running", episodes=20, name=f"r{i}") for i in range(4)]
    first = grid_update(store, None)
    assert first.rows is not None and first.edits == []
    assert [key[0] for key in first.shown] == ids[::-1]
    store.summaries = 0
    unchanged = grid_update(store, first.shown)
    assert (unchanged.rows, unchanged.edits, unchanged.shown) == (None, [], first.shown)
    assert store.summaries == 0  # nothing moved: no run's summary is read again
    fill(store, ids[1], 5)
    moved = grid_update(store, first.shown)
    assert moved.rows is None and store.summaries == 1
    assert [(edit.op, edit.index) for edit in moved.edits] == [("set", 2)]
    assert apply(first.rows, moved.edits) == grid_rows(store)
    store.close()


def test_new_and_deleted_runs_become_inserts_and_deletes(store):
    ids = [seeded_run(store, status="paused", episodes=10, name=f"r{i}") for i in range(4)]
    before = grid_update(store, None)
    assert before.rows is not None
    store.delete_run(ids[2])
    store.delete_run(ids[0])
    added = [seeded_run(store, status="queued", episodes=0, name=f"new{i}") for i in range(2)]
    fill(store, ids[1], 3)
    after = grid_update(store, before.shown)
    assert after.rows is None
    assert [(edit.op, edit.index) for edit in after.edits] == [
        ("delete", 3),
        ("delete", 1),
        ("insert", 0),
        ("insert", 1),
        ("set", 3),
    ]
    assert apply(before.rows, after.edits) == grid_rows(store)
    assert [key[0] for key in after.shown] == [*added[::-1], ids[3], ids[1]]


def test_a_grid_whose_rows_are_out_of_order_is_drawn_whole(store):
    ids = [seeded_run(store, status="paused", episodes=0, name=f"r{i}") for i in range(3)]
    shown = grid_update(store, None).shown
    update = grid_update(store, shown[::-1])
    assert update.rows == grid_rows(store) and update.edits == []
    assert [row["id"] for row in update.rows] == ids[::-1]


def test_the_count_line_says_how_many_runs_are_live(store):
    assert count_text([]) == "0 runs"
    seeded_run(store, status="finished", episodes=0)
    assert count_text(store.list_runs()) == "1 run"
    seeded_run(store, status="running", episodes=0)
    seeded_run(store, status="queued", episodes=0)
    assert count_text(store.list_runs()) == "3 runs · 2 live"


def test_the_compare_limits_come_from_the_rules():
    limits = compare_limits()
    assert (limits["min"], limits["max"]) == (MIN_COMPARE_RUNS, MAX_COMPARE_RUNS) == (2, 8)
    assert limits["too_few"] == "select 2 to 8 runs to compare"
    assert limits["too_many"] == "compare takes at most 8 runs"


@pytest.mark.parametrize("crafted", [1, "x", [1, 2], [[1]], [["1", 2]], [[True, 2]], {"a": 1}])
def test_a_crafted_list_of_shown_rows_redraws_the_grid_whole(store, crafted):
    update = grid_update(store, crafted)
    assert update.rows == [] and update.edits == [] and update.shown == []
