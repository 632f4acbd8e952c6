"""The runs grid's rows, the count line and the Compare button's limits, from a real store."""

from __future__ import annotations

from app.rules import MAX_COMPARE_RUNS, MIN_COMPARE_RUNS
from app.training import create_run
from app.views.runs_table import compare_limits, count_text, grid_rows
from gridworld.spec import validate_run_spec
from tests.dashboard_support import fill, seeded_run


def test_each_run_is_a_row_newest_first_with_its_figures_and_their_text(store):
    done = seeded_run(store, status="finished", episodes=1000, name="done", target=1000)
    live = seeded_run(store, status="running", episodes=250, name="live", target=2000)
    rows, any_live = grid_rows(store)
    assert any_live
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
    assert (row["alpha"], row["gamma"], row["epsilon"]) == (0.1, 0.99, 1.0)
    assert isinstance(row["recent_return"], float)
    assert row["shown"]["episodes"] == "250 / 2,000"
    assert row["shown"]["gamma"] == "0.99"
    assert row["shown"]["recent_return"] == f"{row['recent_return']:.4g}"
    assert rows[1]["progress"] == 100.0 and rows[1]["shown"]["episodes"] == "1,000 / 1,000"


def test_a_run_without_episodes_shows_dashes_and_a_custom_map_is_named(store):
    spec = validate_run_spec({"desc": ["S.", ".G"], "episodes": 50, "name": "mine"})
    run_id = create_run(store, spec)
    (row,), any_live = grid_rows(store)
    assert row["id"] == run_id and row["env"] == "GridWorld-v0 · custom map"
    assert row["recent_return"] is None and row["shown"]["recent_return"] == "–"
    assert any_live  # queued
    assert row["created"][:2] == "20" and len(row["created"]) == len("2026-01-01 00:00:00")


def test_rows_follow_the_store_on_the_next_read(store):
    run_id = seeded_run(store, status="running", episodes=40)
    fill(store, run_id, 25)
    (row,), _ = grid_rows(store)
    assert row["shown"]["episodes"] == "65 / 1,000"


def test_the_count_line_says_how_many_runs_are_live():
    assert count_text([], 2) == "0 runs"
    assert count_text([{"live": False}], 2) == "1 run"
    rows = [{"live": True}, {"live": False}, {"live": True}]
    assert count_text(rows, 2) == "3 runs · 2 live, refreshing every 2 s"


def test_the_compare_limits_come_from_the_rules():
    limits = compare_limits()
    assert (limits["min"], limits["max"]) == (MIN_COMPARE_RUNS, MAX_COMPARE_RUNS) == (2, 8)
    assert limits["too_few"] == "select 2 to 8 runs to compare"
    assert limits["too_many"] == "compare takes at most 8 runs"
