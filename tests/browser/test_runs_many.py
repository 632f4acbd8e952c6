"""The runs grid over a store of thousands of runs in a real browser: it holds only the
rows in view, a far row loads when scrolled to, and a sort or filter typed in the grid is
answered by the server from every run, not only the rows loaded."""

from __future__ import annotations

import sqlite3

from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from app import ids
from app.factory import create_app
from tests.bench.bench_runs_page import fill_store
from tests.browser.support import cell

RUNS = 3000
"""Runs in the store: sixty blocks of the grid's fifty rows."""


def _held_rows(dash_duo) -> int:
    """Return how many rows the grid has drawn (in view and its buffer)."""
    return dash_duo.driver.execute_script(
        f"return document.querySelectorAll('#{ids.RUNS_GRID} .ag-center-cols-container"
        " .ag-row').length"
    )


def _scroll_to(dash_duo, index: int) -> None:
    """Scroll the grid so that row ``index`` (from 0) is at its top."""
    dash_duo.driver.execute_script(
        "dash_ag_grid.getApi(arguments[0]).ensureIndexVisible(arguments[1], 'top')",
        ids.RUNS_GRID,
        index,
    )


def _first_by(store_url: str, sql: str) -> int:
    """Return the run id the store's own tables put first (``sql`` selects it)."""
    with sqlite3.connect(store_url.removeprefix("sqlite:///")) as connection:
        (run_id,) = connection.execute(sql).fetchone()
    connection.close()
    return run_id


def test_a_far_row_of_thousands_loads_when_scrolled_to(dash_duo, store_url, store):
    fill_store(store, RUNS)
    dash_duo.start_server(create_app(store_url))
    dash_duo.wait_for_text_to_equal(f"#{ids.RUNS_COUNT}", f"{RUNS} runs · 749 live")
    dash_duo.wait_for_text_to_equal(cell(RUNS, "name"), f"sweep trial {RUNS - 2}")
    assert _held_rows(dash_duo) < 100
    _scroll_to(dash_duo, RUNS - 10)  # newest first: row RUNS - 10 is run 10
    dash_duo.wait_for_text_to_equal(cell(10, "name"), "sweep trial 8", timeout=15)
    assert dash_duo.find_element(cell(10, "episodes")).text == "500 / 500"
    assert _held_rows(dash_duo) < 100
    link = dash_duo.find_element(f"{cell(10, 'name')} a")
    assert link.get_attribute("href").endswith("/runs/10")
    assert dash_duo.get_logs() == []


def test_a_sort_and_a_filter_are_answered_from_every_run(dash_duo, store_url, store):
    fill_store(store, RUNS)
    best = _first_by(
        store_url, "SELECT run_id FROM run_summaries ORDER BY recent_return DESC LIMIT 1"
    )
    dash_duo.start_server(create_app(store_url))
    dash_duo.wait_for_text_to_equal(cell(RUNS, "name"), f"sweep trial {RUNS - 2}")
    header = f"#{ids.RUNS_GRID} .ag-header-cell[col-id='recent_return'] .ag-header-cell-label"
    dash_duo.find_element(header).click()  # ascending
    dash_duo.find_element(header).click()  # descending
    until(lambda: "sort=recent_return%3Adesc" in dash_duo.driver.current_url, timeout=10)
    first_row = f"#{ids.RUNS_GRID} .ag-center-cols-container .ag-row[row-index='0']"
    first_id = (  # read in one script: the row may be re-rendered between two calls
        "const row = document.querySelector(arguments[0]);"
        "return row ? row.getAttribute('row-id') : null;"
    )
    until(lambda: dash_duo.driver.execute_script(first_id, first_row) == str(best), 15)
    filter_box = f"#{ids.RUNS_GRID} .ag-floating-filter[col-id='name'] input"
    dash_duo.find_element(filter_box).send_keys("trial 123", Keys.ENTER)
    # trial 123 and trial 1230..1239: runs the first blocks never held
    expected = {str(n + 2) for n in (123, *range(1230, 1240))}
    until(lambda: _row_ids(dash_duo) == expected, timeout=15)
    until(lambda: "filter=" in dash_duo.driver.current_url, timeout=10)
    assert dash_duo.get_logs() == []


def _row_ids(dash_duo) -> set[str]:
    """Return the row ids the grid shows."""
    return set(
        dash_duo.driver.execute_script(
            f"return [...document.querySelectorAll('#{ids.RUNS_GRID} .ag-center-cols-container"
            " .ag-row')].map((row) => row.getAttribute('row-id'))"
        )
    )
