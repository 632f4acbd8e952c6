"""The runs grid in a real browser: no AG Grid warnings, key cells shown whole at 1440 px,
the values the run trains with now, and sort and filter kept in the URL."""

from __future__ import annotations

import sqlite3

from dash.testing.wait import until

from app import ids
from app.factory import create_app
from app.rules import format_number
from app.training import create_run
from gridworld.spec import validate_run_spec
from tests.browser.support import cell
from tests.browser.test_runs_page import _grid_ids
from tests.dashboard_support import seeded_run

CONSOLE_HOOK = """
window.gridlabConsole = [];
for (const level of ["warn", "error"]) {
    const original = console[level].bind(console);
    console[level] = (...args) => {
        window.gridlabConsole.push(level + ": " + args.map(String).join(" "));
        original(...args);
    };
}
"""
"""Keeps every console warning and error of the page (dash_duo's log holds SEVERE only)."""


def _console(dash_duo) -> list[str]:
    """Return the warnings and errors the page wrote to the console since it loaded."""
    return dash_duo.driver.execute_script("return window.gridlabConsole || []")


def _whole(dash_duo, selector: str) -> bool:
    """Return whether a grid cell's text shows whole: not cut at its right or bottom."""
    return dash_duo.driver.execute_script(
        "const cell = document.querySelector(arguments[0]);"
        "const value = cell.querySelector('.ag-cell-value') || cell;"
        "const [box, text] = [cell.getBoundingClientRect(), value.getBoundingClientRect()];"
        "return value.scrollWidth <= value.clientWidth && value.scrollHeight <= value.clientHeight"
        " && text.right <= box.right + 0.5 && text.bottom <= box.bottom + 0.5;",
        selector,
    )


def _big_runs(store, store_url: str) -> tuple[int, int]:
    """Create two long runs far into training (a medium map and a custom one); return ids."""
    medium = create_run(
        store, validate_run_spec({"preset": "medium", "episodes": 3_000_000, "name": "medium"})
    )
    custom = create_run(
        store,
        validate_run_spec({"desc": ["S..", "..G"], "episodes": 10_000_000, "name": "custom"}),
    )
    connection = sqlite3.connect(store_url.removeprefix("sqlite:///"))
    with connection:  # a worker's progress, without training 10 million episodes
        connection.execute("UPDATE runs SET episodes_done = 590805 WHERE id = ?", (medium,))
        connection.execute("UPDATE runs SET episodes_done = 9999999 WHERE id = ?", (custom,))
    connection.close()
    return medium, custom


def test_the_runs_page_logs_no_ag_grid_warning(dash_duo, store_url, store):
    dash_duo.driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": CONSOLE_HOOK}
    )
    dash_duo.start_server(create_app(store_url))
    # The empty store hides the grid (zero width): no warning #29 from sizing its columns.
    dash_duo.wait_for_contains_text(f"#{ids.RUNS_EMPTY}", "No runs yet")
    dash_duo.wait_for_element(f"#{ids.RUNS_GRID} .ag-header-cell[col-id='name']")
    assert not [line for line in _console(dash_duo) if "AG Grid" in line]
    run_id = seeded_run(store, status="running", episodes=20, name="appears")
    # The grid appears with the run the page polled for; its row id is text (no #25).
    dash_duo.wait_for_text_to_equal(cell(run_id, "name"), "appears", timeout=30)
    assert _console(dash_duo) == []  # the empty page's and the grid's appearance
    dash_duo.driver.refresh()
    dash_duo.wait_for_text_to_equal(cell(run_id, "name"), "appears")
    dash_duo.driver.set_window_size(900, 900)
    until(lambda: dash_duo.find_element(cell(run_id, "status")).is_displayed(), timeout=5)
    assert not [line for line in _console(dash_duo) if "AG Grid" in line]
    assert _console(dash_duo) == []
    assert dash_duo.get_logs() == []


def test_env_and_progress_show_whole_at_1440_px_with_the_values_of_now(dash_duo, store_url, store):
    medium, custom = _big_runs(store, store_url)
    live = seeded_run(store, status="running", episodes=250, name="live", target=3_000_000)
    dash_duo.driver.set_window_size(1440, 900)
    dash_duo.start_server(create_app(store_url))
    dash_duo.wait_for_text_to_equal(cell(live, "name"), "live")
    assert dash_duo.find_element(cell(medium, "episodes")).text == "590,805 / 3,000,000"
    assert dash_duo.find_element(cell(custom, "env")).text == "GridWorld-v0 · custom map"
    for run_id in (medium, custom, live):
        for column in ("env", "episodes", "progress", "name", "algorithm", "created"):
            assert _whole(dash_duo, cell(run_id, column)), (run_id, column)
    # α and ε both as the run trains now (the last episode's), under one "now" heading;
    # before its first episode a run shows its settings.
    (last,) = store.episodes(live, start=250, limit=1)
    assert dash_duo.find_element(cell(live, "epsilon")).text == format_number(last.epsilon)
    assert last.epsilon < 1.0
    assert dash_duo.find_element(cell(live, "alpha")).text == format_number(last.alpha)
    assert dash_duo.find_element(cell(medium, "epsilon")).text == "1"
    groups = dash_duo.find_elements(f"#{ids.RUNS_GRID} .ag-header-group-cell")
    assert "now" in [group.text for group in groups]
    assert dash_duo.get_logs() == []


def test_sort_and_filter_survive_a_reload_and_travel_in_the_link(dash_duo, store_url, store):
    runs = {
        name: seeded_run(store, status="paused", episodes=episodes, name=name)
        for name, episodes in (("alpha one", 30), ("beta", 10), ("alpha two", 20))
    }
    dash_duo.start_server(create_app(store_url))
    dash_duo.wait_for_text_to_equal(cell(runs["beta"], "name"), "beta")
    header = f"#{ids.RUNS_GRID} .ag-header-cell[col-id='episodes'] .ag-header-cell-label"
    dash_duo.find_element(header).click()  # ascending
    filter_box = f"#{ids.RUNS_GRID} .ag-floating-filter[col-id='name'] input"
    dash_duo.find_element(filter_box).send_keys("alpha")
    wanted = [str(runs["alpha two"]), str(runs["alpha one"])]
    until(lambda: _grid_ids(dash_duo) == wanted, timeout=10)
    until(lambda: "filter=" in dash_duo.driver.current_url, timeout=10)
    assert "sort=episodes%3Aasc" in dash_duo.driver.current_url
    link = dash_duo.driver.current_url

    dash_duo.driver.refresh()
    dash_duo.wait_for_text_to_equal(cell(runs["alpha one"], "name"), "alpha one")
    until(lambda: _grid_ids(dash_duo) == wanted, timeout=10)
    assert dash_duo.find_element(filter_box).get_attribute("value") == "alpha"
    # The link opens the same view in a fresh page; a view of nothing in the link, or one
    # naming no column, is the grid's own (newest first, unfiltered).
    dash_duo.driver.get(dash_duo.server_url)
    dash_duo.wait_for_text_to_equal(cell(runs["beta"], "name"), "beta")
    newest = [str(run_id) for run_id in sorted(runs.values())][::-1]
    until(lambda: _grid_ids(dash_duo) == newest, timeout=10)
    dash_duo.driver.get(link)
    until(lambda: _grid_ids(dash_duo) == wanted, timeout=10)
    dash_duo.driver.get(f"{dash_duo.server_url}/?sort=nothing:asc&filter=%7Bbad")
    until(lambda: len(_grid_ids(dash_duo)) == 3, timeout=10)
    assert _grid_ids(dash_duo) == newest
    assert dash_duo.get_logs() == []


LATE_ROWS_TIMER = """
const originalSetTimeout = window.setTimeout.bind(window);
window.setTimeout = (callback, delay, ...args) => {
    const late = !delay && String(callback).includes("successCallback");
    return originalSetTimeout(callback, late ? 200 : delay, ...args);
};
"""
"""Makes dash-ag-grid's zero-delay "hand the rows over" timer fire 200 ms late, as on a busy
machine: the grid's next render comes first."""


def test_the_first_run_on_an_empty_page_shows_whole_on_a_slow_browser(dash_duo, store_url, store):
    # dash-ag-grid hands the first rows after an empty answer to the grid from a zero-delay
    # timer that its own next render clears; the page asks again while rows are stubs.
    dash_duo.driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": LATE_ROWS_TIMER}
    )
    dash_duo.start_server(create_app(store_url))
    dash_duo.wait_for_contains_text(f"#{ids.RUNS_EMPTY}", "No runs yet")
    dash_duo.wait_for_element(f"#{ids.RUNS_GRID} .ag-header-cell[col-id='name']")
    run_id = seeded_run(store, status="queued", episodes=0, name="first")  # one revision
    dash_duo.wait_for_text_to_equal(cell(run_id, "name"), "first", timeout=30)
    assert dash_duo.find_element(cell(run_id, "episodes")).text == "0 / 1,000"
    assert dash_duo.get_logs() == []
