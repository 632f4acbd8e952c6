"""The runs grid's rows, a block at a time, sorted and filtered in SQL (checked against a
Python sort and filter of the same rows), the count line and the Compare button's limits,
from a real store."""

from __future__ import annotations

import random
from typing import Any

import pytest

from app.components.runs_grid import FIELDS
from app.rules import MAX_COMPARE_RUNS, MIN_COMPARE_RUNS
from app.training import create_run
from app.views.runs_table import (
    RunsFilter,
    compare_limits,
    count_text,
    runs_block,
    runs_count,
    runs_query,
)
from gridworld.errors import ValidationError
from gridworld.spec import validate_run_spec
from runstore import RunStore, RunSummary
from tests.dashboard_support import fill, seeded_run

EVERY_ROW = {"startRow": 0, "endRow": 1000}
EVERY_RUN = RunsFilter()


def block(store: RunStore, request: dict[str, Any], chosen: RunsFilter = EVERY_RUN) -> dict:
    """Return the grid's answer to ``request``."""
    return runs_block(store, runs_query(chosen, FIELDS, request))


def grid_rows(store: RunStore, chosen: RunsFilter = EVERY_RUN) -> list[dict[str, Any]]:
    """Return every row of the grid in its default order."""
    return block(store, EVERY_ROW, chosen)["rowData"]


class CountingStore(RunStore):
    """A real store that counts the summaries computed from episodes."""

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
    created = store.get_run(run_id).created_at  # aware, UTC
    assert row["created"] == created.strftime("%Y-%m-%d %H:%M:%S")


def test_rows_follow_the_store_on_the_next_read(store):
    run_id = seeded_run(store, status="running", episodes=40)
    fill(store, run_id, 25)
    (row,) = grid_rows(store)
    assert row["shown"]["episodes"] == "65 / 1,000"


def test_the_count_line_says_how_many_runs_are_live(store):
    assert count_text(0, 0) == "0 runs"
    assert runs_count(store, RunsFilter()) == ("0 runs", 0)
    seeded_run(store, status="finished", episodes=0)
    assert runs_count(store, RunsFilter()) == ("1 run", 1)
    seeded_run(store, status="running", episodes=0)
    seeded_run(store, status="queued", episodes=0)
    assert runs_count(store, RunsFilter()) == ("3 runs · 2 live", 3)


def test_the_compare_limits_come_from_the_rules():
    limits = compare_limits()
    assert (limits["min"], limits["max"]) == (MIN_COMPARE_RUNS, MAX_COMPARE_RUNS) == (2, 8)
    assert limits["too_few"] == "select 2 to 8 runs to compare"
    assert limits["too_many"] == "compare takes at most 8 runs"


@pytest.mark.parametrize(
    "crafted",
    [1, "x", [1, 2], {"startRow": -1}, {"startRow": "a"}, {"startRow": 5, "endRow": 5}],
)
def test_a_request_no_grid_sends_is_refused(crafted):
    with pytest.raises(ValidationError):
        runs_query(RunsFilter(), FIELDS, crafted)


def test_a_block_is_the_rows_asked_for_and_reads_no_summary_per_run(store_url):
    store = CountingStore(store_url)
    ids = [seeded_run(store, status="finished", episodes=120 + i, name=f"r{i}") for i in range(12)]
    store.summaries = 0
    answer = block(store, {"startRow": 3, "endRow": 8})
    assert [row["id"] for row in answer["rowData"]] == ids[::-1][3:8]
    assert answer["rowCount"] == 12
    assert store.summaries == 0  # the summaries kept at write time are read with the runs
    fill(store, ids[0], 30)
    (row,) = block(store, {"startRow": 11, "endRow": 12})["rowData"]
    assert row["episodes"] == 150 and row["recent_return"] == store.summary(ids[0]).recent_return
    store.close()


def python_sorted(rows: list[dict], sort: list[tuple[str, str]]) -> list[dict]:
    """Return ``rows`` sorted as AG Grid sorts them: missing values first when ascending,
    the newest run first on ties."""
    ordered = sorted(rows, key=lambda row: -row["id"])
    for field, direction in reversed(sort):
        present = [row for row in ordered if row[field] is not None]
        missing = [row for row in ordered if row[field] is None]
        present.sort(key=lambda row: row[field], reverse=direction == "desc")
        ordered = missing + present if direction == "asc" else present + missing
    return ordered


def kept(row: dict, field: str, spec: dict) -> bool:
    """Return whether the row passes one AG Grid filter of the tested kinds."""
    value, wanted = row[field], spec.get("filter")
    tests = {
        "contains": lambda: wanted.lower() in value.lower(),
        "notContains": lambda: wanted.lower() not in value.lower(),
        "startsWith": lambda: value.lower().startswith(wanted.lower()),
        "equals": lambda: value == wanted,
        "greaterThan": lambda: value is not None and value > wanted,
        "lessThanOrEqual": lambda: value is not None and value <= wanted,
        "inRange": lambda: value is not None and wanted < value < spec["filterTo"],
        "blank": lambda: value in (None, ""),
        "notBlank": lambda: value not in (None, ""),
    }
    if "conditions" in spec:
        results = [kept(row, field, condition) for condition in spec["conditions"]]
        return all(results) if spec["operator"] == "AND" else any(results)
    return tests[spec["type"]]()


def mixed_store(store: RunStore) -> None:
    """Fill the store with runs of every kind the grid tells apart."""
    rng = random.Random(4)
    statuses = ["finished", "running", "queued", "paused", "stopped"]
    for i in range(27):
        run_id = seeded_run(
            store,
            status=statuses[i % 5],
            episodes=[0, 50, 150, 420][i % 4] + i,
            name=rng.choice(["alpha", "Beta", "gamma run", "Δ run"]) + f" {i % 7}",
            target=1000,
        )
        if i % 3 == 0:
            store.manage.retag(run_id, ["good"] if i % 2 else ["good", "x"])


SORTS = [
    [("name", "asc")],
    [("status", "desc"), ("episodes", "asc")],
    [("best_return", "asc")],
    [("recent_return", "desc")],
    [("tags", "asc"), ("progress", "desc")],
    [("epsilon", "asc"), ("id", "asc")],
    [("env", "asc"), ("created", "desc"), ("alpha", "asc")],
]
FILTERS = [
    {},
    {"name": {"filterType": "text", "type": "contains", "filter": "RUN"}},
    {"name": {"filterType": "text", "type": "startsWith", "filter": "b"}},
    {"tags": {"filterType": "text", "type": "blank"}},
    {"tags": {"filterType": "text", "type": "equals", "filter": "good x"}},
    {"status": {"filterType": "text", "type": "notContains", "filter": "e"}},
    {"episodes": {"filterType": "number", "type": "inRange", "filter": 40, "filterTo": 170}},
    {
        "recent_return": {
            "filterType": "number",
            "operator": "OR",
            "conditions": [
                {"filterType": "number", "type": "greaterThan", "filter": 0.5},
                {"filterType": "number", "type": "lessThanOrEqual", "filter": -0.2},
            ],
        },
        "name": {"filterType": "text", "type": "notBlank"},
    },
]


@pytest.mark.parametrize("filter_model", FILTERS)
def test_pages_sorted_and_filtered_in_sql_are_a_python_sort_of_the_same_rows(store, filter_model):
    mixed_store(store)
    every = grid_rows(store)
    assert len(every) == 27
    expected_rows = [
        row for row in every if all(kept(row, f, spec) for f, spec in filter_model.items())
    ]
    assert filter_model == {} or 0 < len(expected_rows) < 27  # each filter keeps some
    for sort in SORTS:
        expected = [row["id"] for row in python_sorted(expected_rows, sort)]
        sort_model = [{"colId": field, "sort": direction} for field, direction in sort]
        paged: list[int] = []
        for start in range(0, 28, 5):
            request = {
                "startRow": start,
                "endRow": start + 5,
                "sortModel": sort_model,
                "filterModel": filter_model,
            }
            answer = block(store, request)
            assert answer["rowCount"] == len(expected_rows)
            paged += [row["id"] for row in answer["rowData"]]
        assert paged == expected, sort


def test_a_sort_or_filter_that_fits_no_column_is_dropped(store):
    mixed_store(store)
    request = {
        **EVERY_ROW,
        "sortModel": [{"colId": "nothing", "sort": "asc"}, {"colId": "name", "sort": "up"}, 7],
        "filterModel": {
            "nothing": {"filterType": "text", "type": "contains", "filter": "a"},
            "alpha": {"filterType": "text", "type": "contains", "filter": "0.1"},
            "name": {"filterType": "text", "type": "contains"},  # no value
            "env": {"filterType": "text", "type": "evaluate", "filter": "x"},
        },
    }
    assert block(store, request) == block(store, EVERY_ROW)
